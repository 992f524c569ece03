"""Care Inspectorate Wales pages (Drupal-style), rendered exactly as the contract describes.

Three page shapes: the ``/news`` listing (a Drupal view, 5 per page, ``?page=N`` from 0), a news
item, and a report/letter page with its PDF attachment block.  Report pages carry no date at all,
as on the real site (domain.md §2.2): the date comes from the news item that links to them.
The two hosts differ only in chrome: ``www.careinspectorate.wales`` adds "Global keyword search".
"""

from __future__ import annotations

from collections.abc import Sequence

from replay.render import attr, long_date, text
from replay.timeline import Entry

PER_PAGE = 5

_NAV = (
    ("/", "Home"),
    ("/news", "News"),
    ("/our-reports", "Inspection reports"),
    ("/about-us", "About us"),
    ("/contact-us", "Contact us"),
)

_SEARCH_FORM = (
    '<form class="search-block-form" action="/search" method="get" id="search-block-form" '
    'role="search">\n'
    '  <label for="edit-keys">Global keyword search</label>\n'
    '  <input type="search" id="edit-keys" name="keys" size="15" maxlength="128">\n'
    '  <input type="submit" value="Search" class="button">\n'
    "</form>\n"
)


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def render_page(title: str, main: str, *, host: str, path: str, body_class: str) -> str:
    """Wrap ``main`` in the site chrome shared by every CIW page."""
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in _NAV)
    search = _SEARCH_FORM if host.startswith("www.") else ""
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{text(title)} | Care Inspectorate Wales</title>\n"
        f'<link rel="canonical" href="https://{host}{attr(path)}">\n</head>\n'
        f'<body class="{body_class}">\n'
        '<a href="#main-content" class="visually-hidden focusable skip-link">'
        "Skip to main content</a>\n"
        '<header role="banner" class="site-header">\n'
        '<div class="site-branding"><a href="/" rel="home" class="site-logo">'
        "Care Inspectorate Wales</a></div>\n"
        f"{search}"
        '<nav role="navigation" aria-label="Main navigation" class="main-navigation">'
        f'<ul class="menu">{nav}<li><a href="https://arolygiaethgofal.cymru/" hreflang="cy">'
        "Cymraeg</a></li></ul></nav>\n"
        "</header>\n"
        f"{main}"
        '<footer role="contentinfo" class="site-footer">\n'
        '<ul class="menu"><li><a href="/accessibility">Accessibility</a></li>'
        '<li><a href="/privacy-notice">Privacy</a></li></ul>\n'
        "<p>&copy; Care Inspectorate Wales</p>\n</footer>\n</body>\n</html>\n"
    )


def render_listing(news: Sequence[Entry], page: int, *, host: str) -> str:
    """The ``/news`` view: ``news`` is every visible item, newest first; ``page`` counts from 0."""
    rows = news[page * PER_PAGE:(page + 1) * PER_PAGE] if page >= 0 else []
    if rows:
        content = '    <div class="view-content">\n' + "".join(_teaser(e) for e in rows)
        content += "    </div>\n"
    else:
        content = '    <div class="view-empty"><p>No news found.</p></div>\n'
    main = (
        '<main id="main-content" role="main">\n'
        '  <h1 class="page-title">News</h1>\n'
        '  <div class="view view-news">\n'
        f"{content}{_pager(page, page_count(len(news))) if rows else ''}"
        "  </div>\n</main>\n"
    )
    path = "/news" if page == 0 else f"/news?page={page}"
    return render_page("News", main, host=host, path=path, body_class="path-news")


def _teaser(entry: Entry) -> str:
    href = entry.listing_href or entry.path
    return (
        '      <div class="views-row">\n'
        '        <article class="node node--type-news node--view-mode-teaser">\n'
        f'          <time datetime="{entry.published:%Y-%m-%d}T{entry.time:%H:%M:%S}Z">'
        f"{long_date(entry.published)}</time>\n"
        f'          <h3 class="node__title"><a href="{attr(href)}" hreflang="en">'
        f"{text(entry.title)}</a></h3>\n"
        f'          <div class="node__summary"><p>{text(entry.summary)}</p></div>\n'
        "        </article>\n"
        "      </div>\n"
    )


def _pager(page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    items = ""
    if page > 0:
        items += (
            '        <li class="pager__item pager__item--previous">'
            f'<a href="?page={page - 1}" rel="prev">Previous page</a></li>\n'
        )
    if page < pages - 1:
        items += (
            '        <li class="pager__item pager__item--next">'
            f'<a href="?page={page + 1}" rel="next">Next page</a></li>\n'
        )
    return (
        '    <nav class="pager" role="navigation" aria-label="Pagination">\n'
        f'      <ul class="pager__items">\n{items}      </ul>\n'
        "    </nav>\n"
    )


def render_news(entry: Entry, body: str, link: Entry | None, *, host: str) -> str:
    """A news item; its last body link (if any) is the join to the report or letter page."""
    join = ""
    if link is not None:
        join = f'<p><a href="{attr(link.path)}">{text(link.title)}</a></p>\n'
    main = (
        '<main id="main-content" role="main">'
        '<article class="node node--type-news node--view-mode-full">\n'
        f'  <ul class="meta"><li><time datetime="{entry.published:%Y-%m-%d}">'
        f"{long_date(entry.published)}</time></li><li>News</li></ul>\n"
        f'  <h1 class="page-title">{text(entry.title)}</h1>\n'
        f'  <div class="field field--name-body">\n{body.strip()}\n{join}</div>\n'
        "</article></main>\n"
    )
    return render_page(entry.title, main, host=host, path=entry.path,
                       body_class="path-node page-node-type-news")


def render_report(entry: Entry, body: str, pdf_size: int | None, *, host: str) -> str:
    """A report or letter page: no date anywhere, PDF in the attachments block."""
    files = ""
    if entry.pdf is not None:
        size = f"PDF, {max(1, round((pdf_size or 0) / 1024))} KB"
        files = (
            '  <div class="file-attachments">\n'
            "    <h2>Documents</h2>\n"
            f'    <p><a href="{attr(entry.pdf.path)}">{text(entry.pdf.title)}</a>\n'
            f'       <span class="file-size">{size}</span></p>\n'
            "  </div>\n"
        )
    main = (
        '<main id="main-content" role="main">'
        '<article class="node node--type-report node--view-mode-full">\n'
        f'  <h1 class="page-title">{text(entry.title)}</h1>\n'
        f'  <div class="field field--name-body">\n{body.strip()}\n</div>\n'
        f"{files}"
        "</article></main>\n"
    )
    return render_page(entry.title, main, host=host, path=entry.path,
                       body_class="path-node page-node-type-report")
