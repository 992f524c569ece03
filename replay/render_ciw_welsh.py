"""Arolygiaeth Gofal Cymru (CIW in Welsh): the English CIW pages' shapes under Welsh chrome.

Same Drupal as ``render_ciw`` [inferred], so the same three shapes and classes: the
``/newyddion`` listing (a Drupal view, 5 a page, ``?page=N`` from 0; the English is ``/news``),
a news item, and a report/letter page with no date and a PDF attachment block.  What differs:

- chrome and labels are Welsh: ``<html lang="cy">``, "Neidio i'r prif gynnwys", the search
  label "Chwiliad allweddeiriau cyflawn" [seen], the type label "Newyddion", dates
  ``6 Awst 2020`` (Welsh month names, day not zero-padded) [seen: "24 Ionawr 2024"];
- every page links its English twin (the entry's ``pairs_with``) twice, as Drupal does for a
  translated node [inferred]: ``link[rel=alternate][hreflang=en]`` in the head and the
  language switcher block ``ul.language-switcher-language-url``.  Before the twin is
  published (never, in the catalogue) or without one, the switcher links the English home page;
- a page's PDF is served on this host at the entry's ``pdf.path``; the catalogue points the
  Welsh letters at the English letters' committed files (the same bytes: a letter with a
  bilingual masthead), see ``content/ciw_welsh/catalogue.toml``;
- an entry's ``extra.pdf_label`` is the Welsh link text of its PDF (``pdf.title`` must stay
  the English letter's, as ``make_pdfs`` rebuilds the shared file from it).

The two hosts serve the same pages: the seen Welsh page (bare host) had the search form, so
both hosts carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from replay.render import CIW_ROBOTS, HTML_TYPE, PDF_TYPE, TEXT_TYPE, attr, text
from replay.render_ciw import PER_PAGE, page_count
from replay.site import SITE_EPOCH, ReplaySite, Response, not_found, ok
from replay.timeline import CIW_CY, Catalogue, Entry

HOSTS = frozenset({"arolygiaethgofal.cymru", "www.arolygiaethgofal.cymru"})
LISTING_PATH = "/newyddion"
ENGLISH_HOME = "https://careinspectorate.wales/"
ENGLISH_LISTING = "https://careinspectorate.wales/news"

MONTHS_CY = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst",
             "Medi", "Hydref", "Tachwedd", "Rhagfyr")

_NAV = (
    ("/", "Hafan"),
    (LISTING_PATH, "Newyddion"),
    ("/ein-hadroddiadau", "Adroddiadau arolygu"),
    ("/amdanom-ni", "Amdanom ni"),
    ("/cysylltu-a-ni", "Cysylltu â ni"),
)

_SEARCH_FORM = (
    '<form class="search-block-form" action="/chwilio" method="get" id="search-block-form" '
    'role="search">\n'
    '  <label for="edit-keys">Chwiliad allweddeiriau cyflawn</label>\n'
    '  <input type="search" id="edit-keys" name="keys" size="15" maxlength="128">\n'
    '  <input type="submit" value="Chwilio" class="button">\n'
    "</form>\n"
)


def welsh_date(day: date) -> str:
    """CIW's visible date in Welsh, day not zero-padded: ``6 Awst 2020``."""
    return f"{day.day} {MONTHS_CY[day.month - 1]} {day.year}"


def render_page(title: str, main: str, *, host: str, path: str, body_class: str,
                twin_url: str | None = None) -> str:
    """Wrap ``main`` in the Welsh chrome; ``twin_url`` is the English twin's real URL."""
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in _NAV)
    alternate = ""
    if twin_url is not None:
        alternate = (f'<link rel="alternate" hreflang="cy" href="https://{host}{attr(path)}">\n'
                     f'<link rel="alternate" hreflang="en" href="{attr(twin_url)}">\n')
    switcher = (
        '<div class="block-language"><ul class="links language-switcher-language-url">'
        f'<li hreflang="cy" class="cy is-active"><a href="{attr(path)}" class="language-link '
        'is-active" hreflang="cy">Cymraeg</a></li>'
        f'<li hreflang="en" class="en"><a href="{attr(twin_url or ENGLISH_HOME)}" '
        'class="language-link" hreflang="en">English</a></li></ul></div>\n'
    )
    return (
        '<!DOCTYPE html>\n<html lang="cy" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{text(title)} | Arolygiaeth Gofal Cymru</title>\n"
        f'<link rel="canonical" href="https://{host}{attr(path)}">\n{alternate}</head>\n'
        f'<body class="{body_class}">\n'
        '<a href="#main-content" class="visually-hidden focusable skip-link">'
        "Neidio i'r prif gynnwys</a>\n"
        '<header role="banner" class="site-header">\n'
        '<div class="site-branding"><a href="/" rel="home" class="site-logo">'
        "Arolygiaeth Gofal Cymru</a></div>\n"
        f"{switcher}{_SEARCH_FORM}"
        '<nav role="navigation" aria-label="Prif lywio" class="main-navigation">'
        f'<ul class="menu">{nav}</ul></nav>\n'
        "</header>\n"
        f"{main}"
        '<footer role="contentinfo" class="site-footer">\n'
        '<ul class="menu"><li><a href="/hygyrchedd">Hygyrchedd</a></li>'
        '<li><a href="/hysbysiad-preifatrwydd">Preifatrwydd</a></li></ul>\n'
        "<p>&copy; Arolygiaeth Gofal Cymru</p>\n</footer>\n</body>\n</html>\n"
    )


def render_listing(news: Sequence[Entry], page: int, *, host: str) -> str:
    """The ``/newyddion`` view: ``news`` is every visible item, newest first; ``page`` from 0."""
    rows = news[page * PER_PAGE:(page + 1) * PER_PAGE] if page >= 0 else []
    if rows:
        content = ('    <div class="view-content">\n' + "".join(_teaser(e) for e in rows)
                   + "    </div>\n")
    else:
        content = '    <div class="view-empty"><p>Ni chanfuwyd unrhyw newyddion.</p></div>\n'
    main = (
        '<main id="main-content" role="main">\n'
        '  <h1 class="page-title">Newyddion</h1>\n'
        '  <div class="view view-news">\n'
        f"{content}{_pager(page, page_count(len(news))) if rows else ''}"
        "  </div>\n</main>\n"
    )
    query = "" if page == 0 else f"?page={page}"
    return render_page("Newyddion", main, host=host, path=LISTING_PATH + query,
                       body_class="path-newyddion", twin_url=f"{ENGLISH_LISTING}{query}")


def _teaser(entry: Entry) -> str:
    href = entry.listing_href or entry.path
    return (
        '      <div class="views-row">\n'
        '        <article class="node node--type-news node--view-mode-teaser">\n'
        f'          <time datetime="{entry.published:%Y-%m-%d}T{entry.time:%H:%M:%S}Z">'
        f"{welsh_date(entry.published)}</time>\n"
        f'          <h3 class="node__title"><a href="{attr(href)}" hreflang="cy">'
        f"{text(entry.title)}</a></h3>\n"
        f'          <div class="node__summary"><p>{text(entry.summary)}</p></div>\n'
        "        </article>\n"
        "      </div>\n"
    )


def _pager(page: int, pages: int) -> str:
    items = ""
    if page > 0:
        items += ('        <li class="pager__item pager__item--previous">'
                  f'<a href="?page={page - 1}" rel="prev">Tudalen flaenorol</a></li>\n')
    if page < pages - 1:
        items += ('        <li class="pager__item pager__item--next">'
                  f'<a href="?page={page + 1}" rel="next">Tudalen nesaf</a></li>\n')
    if not items:
        return ""
    return ('    <nav class="pager" role="navigation" aria-label="Tudalennu">\n'
            f'      <ul class="pager__items">\n{items}      </ul>\n    </nav>\n')


def render_news(entry: Entry, body: str, link: Entry | None, *, host: str,
                twin_url: str | None) -> str:
    """A news item; its last body link (if any) is the join to the report or letter page."""
    join = f'<p><a href="{attr(link.path)}">{text(link.title)}</a></p>\n' if link else ""
    main = (
        '<main id="main-content" role="main">'
        '<article class="node node--type-news node--view-mode-full">\n'
        f'  <ul class="meta"><li><time datetime="{entry.published:%Y-%m-%d}">'
        f"{welsh_date(entry.published)}</time></li><li>Newyddion</li></ul>\n"
        f'  <h1 class="page-title">{text(entry.title)}</h1>\n'
        f'  <div class="field field--name-body">\n{body.strip()}\n{join}</div>\n'
        "</article></main>\n"
    )
    return render_page(entry.title, main, host=host, path=entry.path, twin_url=twin_url,
                       body_class="path-node page-node-type-news")


def render_report(entry: Entry, body: str, pdf_size: int | None, *, host: str,
                  twin_url: str | None) -> str:
    """A report or letter page: no date anywhere, PDF in the attachments block."""
    files = ""
    if entry.pdf is not None:
        label = entry.extra.get("pdf_label", entry.pdf.title)
        files = (
            '  <div class="file-attachments">\n'
            "    <h2>Dogfennau</h2>\n"
            f'    <p><a href="{attr(entry.pdf.path)}">{text(label)}</a>\n'
            f'       <span class="file-size">PDF, {max(1, round((pdf_size or 0) / 1024))} KB'
            "</span></p>\n"
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
    return render_page(entry.title, main, host=host, path=entry.path, twin_url=twin_url,
                       body_class="path-node page-node-type-report")


def twin_url(catalogue: Catalogue, entry: Entry, as_of: date) -> str | None:
    """The real URL of ``entry``'s English twin, once that twin is published."""
    if entry.pairs_with is None:
        return None
    twin = catalogue.get(entry.pairs_with)
    return twin.url if twin.is_visible(as_of) else None


def serve(site: ReplaySite, host: str, path: str, query: dict[str, list[str]],
          as_of: date) -> Response:
    """Answer one GET on arolygiaethgofal.cymru (either host)."""
    catalogue = site.catalogue
    if path == "/robots.txt":
        return ok(CIW_ROBOTS, TEXT_TYPE, SITE_EPOCH)
    if path == LISTING_PATH:
        news = catalogue.visible(as_of, source=CIW_CY, kinds=["news"])
        body = render_listing(news, _page_number(query), host=host)
        return ok(body, HTML_TYPE, news[0].published_at if news else SITE_EPOCH)
    if path.startswith("/sites/default/files/"):
        owner = catalogue.find_pdf(CIW_CY, path)
        if owner is None or not owner.is_visible(as_of):
            return not_found(host)
        return ok(site.pdf_bytes(owner), PDF_TYPE, owner.published_at)
    entry = catalogue.find_page(CIW_CY, path)
    if entry is None or not entry.is_visible(as_of):
        return not_found(host)
    body = catalogue.read_body(entry)
    twin = twin_url(catalogue, entry, as_of)
    if entry.kind == "news":
        link = catalogue.get(entry.links_to) if entry.links_to else None
        page = render_news(entry, body, link, host=host, twin_url=twin)
    else:
        size = len(site.pdf_bytes(entry)) if entry.pdf is not None else None
        page = render_report(entry, body, size, host=host, twin_url=twin)
    return ok(page, HTML_TYPE, entry.published_at)


def _page_number(query: dict[str, list[str]]) -> int:
    """Drupal treats a missing or non-numeric ``page`` as the first page."""
    values = query.get("page")
    return int(values[0]) if values and values[0].strip().isdigit() else 0
