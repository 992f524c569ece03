"""Audit Wales (Drupal): the ``/news`` and ``/publications`` listings, news and publication pages,
their PDFs, and the one Welsh twin the catalogue names, on all four host forms.

What is seen (markup.md §5, stored text copies): the paths ``/news/{slug}``,
``/publication/{slug}``, ``/cy/node/{n}`` and ``/sites/default/files/publications/{name}.pdf``,
served alike on ``audit.wales``, ``www.audit.wales``, ``wao.gov.uk`` and ``www.wao.gov.uk``; the
2025 page order (a long navigation block, a ReadSpeaker "Listen" block, H1, the date
``09 September 2025``, body, "Related article" with "View more"); and the 2013 date line
``28 Jun 2013 - 12:00am``.  An entry
with ``extra.date_style = "legacy"`` keeps that 2013 line (as migrated Drupal 7 content keeps its
``span.date-display-single``); the others show the 2025 format in a ``time`` element.

What is [inferred]: every class name, and the listings, as the Drupal view markup.md §5 proposes:
``div.views-row > article > (h3 > a, time[datetime], p.summary)``, 10 rows a page, a full Drupal
pager with ``?page=N`` from 0, and ``div.view-empty`` ("No results found.") when there is nothing
to show, including past the last page.  ``extra.pair`` names the news item or publication page
shown in an entry's "Related article" block; ``extra.welsh_node`` and ``extra.welsh_title`` give
the Welsh twin served at ``/cy/node/{n}`` and declared with ``link[rel=alternate][hreflang=cy]``.
The ``/rss.xml`` feed is [unverified] and not served (404), so nothing can come to depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from replay.render import CIW_ROBOTS, HTML_TYPE, PDF_TYPE, TEXT_TYPE, attr, text
from replay.timeline import AUDIT_WALES, Entry

if TYPE_CHECKING:
    from replay.site import ReplaySite, Response

HOSTS = frozenset({"audit.wales", "www.audit.wales", "wao.gov.uk", "www.wao.gov.uk"})
#: The live site's own host form, used in canonical links (the keys drop ``www.``).
LIVE = "https://www.audit.wales"
PER_PAGE = 10
#: Listing path -> (catalogue kind, heading).
LISTINGS = {"/news": ("news", "News"), "/publications": ("publication", "Publications")}
PDF_PREFIX = "/sites/default/files/publications/"
WELSH_PREFIX = "/cy/node/"

#: Drupal's default robots.txt plus the Welsh-prefixed forms of its search and login paths.
ROBOTS = CIW_ROBOTS + "Disallow: /cy/search/\nDisallow: /cy/user/login\n"

#: The "long navigation block" of the 2025 pages [seen as text; links inferred].
_NAV: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("About us", (("/about-us", "Who we are"), ("/about-us/auditor-general", "Auditor General"),
                  ("/about-us/board", "Wales Audit Office Board"), ("/careers", "Careers"),
                  ("/about-us/how-we-are-governed", "How we are governed"),
                  ("/contact-us", "Contact us"))),
    ("Our work", (("/our-work/local-government", "Local government"),
                  ("/our-work/nhs", "NHS"), ("/our-work/central-government", "Central government"),
                  ("/our-work/national-studies", "National studies"),
                  ("/our-work/audit-programme", "Our audit programme"),
                  ("/good-practice", "Good practice exchange"), ("/data-tools", "Data tools"))),
    ("Publications", (("/publications", "All publications"),
                      ("/publications?type=local", "Local reports"),
                      ("/publications?type=national", "National reports"))),
    ("News", (("/news", "All news"), ("/news/newsletter", "Sign up to our newsletter"))),
)


# --- serving --------------------------------------------------------------------------------


def serve(site: ReplaySite, host: str, path: str, query: dict[str, list[str]],
          as_of: date) -> Response:
    from replay.site import SITE_EPOCH, not_found, ok

    if path == "/robots.txt":
        return ok(ROBOTS, TEXT_TYPE, SITE_EPOCH)
    if path in LISTINGS:
        kind, heading = LISTINGS[path]
        items = site.catalogue.visible(as_of, source=AUDIT_WALES, kinds=[kind])
        body = render_listing(items, path, heading, _page_param(query))
        return ok(body, HTML_TYPE, items[0].published_at if items else SITE_EPOCH)
    if path.startswith(PDF_PREFIX):
        entry = site.catalogue.find_pdf(AUDIT_WALES, path)
        if entry is None or not entry.is_visible(as_of):
            return not_found(host)
        return ok(site.pdf_bytes(entry), PDF_TYPE, entry.published_at)
    if path.startswith(WELSH_PREFIX):
        entry = _welsh_entry(site, path, as_of)
        if entry is None:
            return not_found(host)
        return ok(render_welsh(entry), HTML_TYPE, entry.published_at)
    entry = site.catalogue.find_page(AUDIT_WALES, path)
    if entry is None or not entry.is_visible(as_of):
        return not_found(host)
    pair_key = entry.extra.get("pair")
    pair = site.catalogue.get(pair_key) if pair_key else None
    size = len(site.pdf_bytes(entry)) if entry.pdf is not None else None
    page = render_page(entry, site.catalogue.read_body(entry),
                       pair if pair is not None and pair.is_visible(as_of) else None, size)
    return ok(page, HTML_TYPE, entry.published_at)


def _page_param(query: dict[str, list[str]]) -> int:
    """Drupal's ``?page=N``; a missing or malformed value is the first page."""
    value = (query.get("page") or ["0"])[0].strip()
    return int(value) if value.isdigit() else 0


def _welsh_entry(site: ReplaySite, path: str, as_of: date) -> Entry | None:
    node = path.removeprefix(WELSH_PREFIX)
    for entry in site.catalogue.visible(as_of, source=AUDIT_WALES):
        if node.isdigit() and entry.extra.get("welsh_node") == int(node):
            return entry
    return None


# --- dates ----------------------------------------------------------------------------------


def date_2025(day: date) -> str:
    """``09 September 2025``: the 2025 site's zero-padded format (markup.md §5, seen)."""
    return f"{day:%d %B %Y}"


def date_2013(entry: Entry) -> str:
    """``28 Jun 2013 - 12:00am``: the 2013 site's format (seen), the time as entered."""
    hour = entry.time.hour % 12 or 12
    return (f"{entry.published:%d %b %Y} - {hour}:{entry.time:%M}"
            f"{'am' if entry.time.hour < 12 else 'pm'}")


def _stamp(entry: Entry) -> str:
    return f"{entry.published:%Y-%m-%d}T{entry.time:%H:%M:%S}Z"


def _date_field(entry: Entry) -> str:
    if entry.extra.get("date_style") == "legacy":
        shown = f'<span class="date-display-single">{date_2013(entry)}</span>'
    else:
        shown = f'<time datetime="{_stamp(entry)}">{date_2025(entry.published)}</time>'
    return f'    <div class="field field--name-field-date">{shown}</div>\n'


# --- pages ----------------------------------------------------------------------------------


def _nav() -> str:
    groups = "".join(
        f'<li class="menu-item menu-item--expanded"><span>{label}</span><ul class="menu">'
        + "".join(f'<li class="menu-item"><a href="{attr(href)}">{text(name)}</a></li>'
                  for href, name in links)
        + "</ul></li>"
        for label, links in _NAV
    )
    return ('<nav role="navigation" aria-label="Main navigation" class="main-nav">'
            f'<ul class="menu">{groups}</ul></nav>\n')


def _chrome(title: str, path: str, main: str, *, lang: str = "en", head: str = "",
            switch: str = "/cy") -> str:
    other = ('<a href="/" hreflang="en" lang="en">English</a>' if lang == "cy" else
             f'<a href="{attr(switch)}" hreflang="cy" lang="cy">Cymraeg</a>')
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{text(title)} | Audit Wales</title>\n"
        f'<link rel="canonical" href="{LIVE}{attr(path)}">\n{head}</head>\n'
        '<body class="path-node">\n'
        '<a href="#main-content" class="visually-hidden focusable skip-link">'
        "Skip to main content</a>\n"
        '<header role="banner" class="site-header">\n'
        '<div class="site-logo"><a href="/" rel="home" title="Home">'
        '<img src="/themes/custom/auditwales/logo.svg" alt="Audit Wales"></a></div>\n'
        f'<div class="language-switcher">{other}</div>\n'
        '<form class="search-form" action="/search" method="get" role="search">'
        '<label for="edit-keys">Search</label><input type="search" id="edit-keys" name="keys">'
        '<input type="submit" value="Search"></form>\n'
        f"{_nav()}</header>\n"
        f'<main id="main-content" role="main">\n{main}</main>\n'
        '<footer role="contentinfo" class="site-footer">\n'
        '<ul class="menu"><li><a href="/accessibility">Accessibility</a></li>'
        '<li><a href="/privacy-notice">Privacy notice</a></li>'
        '<li><a href="/cookies">Cookies</a></li></ul>\n'
        "<p>Audit Wales, 1 Capital Quarter, Tyndall Street, Cardiff, CF10 4BZ</p>\n"
        "<p>&copy; Audit Wales</p>\n</footer>\n</body>\n</html>\n"
    )


def _readspeaker(path: str) -> str:
    """The ReadSpeaker webReader button that sits above the H1 on the 2025 pages (seen)."""
    return (
        '<div id="readspeaker_button1" class="rs_skip rsbtn rs_preserve">'
        '<a rel="nofollow" class="rsbtn_play" accesskey="L" '
        'title="Listen to this page using ReadSpeaker webReader" '
        'href="https://app-eu.readspeaker.com/cgi-bin/rsent?customerid=8811&amp;lang=en_uk'
        f'&amp;readid=main-content&amp;url={attr(LIVE + path)}">'
        '<span class="rsbtn_left rsimg rspart"><span class="rsbtn_text"><span>Listen</span>'
        "</span></span></a></div>\n"
    )


def _related(pair: Entry | None) -> str:
    """The "Related article" block with its "View more" link (seen as text after the body)."""
    if pair is None:
        return ""
    return (
        '<aside class="related-content">\n  <h2>Related article</h2>\n'
        '  <div class="views-row"><article>\n'
        f'    <h3>{text(pair.title)}</h3>\n'
        f'    <a class="view-more" href="{attr(pair.path)}">View more</a>\n'
        "  </article></div>\n</aside>\n"
    )


def _files(entry: Entry, size: int | None) -> str:
    if entry.pdf is None:
        return ""
    return (
        '    <div class="file-attachments">\n'
        f'      <a href="{attr(entry.pdf.path)}">{text(entry.pdf.title)}</a>\n'
        f'      <span class="file-size">PDF, {max(1, round((size or 0) / 1024))} KB</span>\n'
        "    </div>\n"
    )


def render_page(entry: Entry, body: str, pair: Entry | None, pdf_size: int | None) -> str:
    """A news item or publication page, in the 2025 order (module docstring)."""
    head = ""
    if "welsh_node" in entry.extra:
        head = (f'<link rel="alternate" hreflang="cy" '
                f'href="{LIVE}{WELSH_PREFIX}{entry.extra["welsh_node"]}">\n')
    main = (
        f"{_readspeaker(entry.path)}"
        f'<article class="node node--type-{entry.kind} node--view-mode-full">\n'
        f'    <h1 class="page-title">{text(entry.title)}</h1>\n'
        f"{_date_field(entry)}"
        f'    <div class="field field--name-body">\n{body.strip()}\n    </div>\n'
        f"{_files(entry, pdf_size)}"
        "</article>\n"
        f"{_related(pair)}"
    )
    switch = f"{WELSH_PREFIX}{entry.extra['welsh_node']}" if head else "/cy"
    return _chrome(entry.title, entry.path, main, head=head, switch=switch)


def render_welsh(entry: Entry) -> str:
    """The Welsh twin of ``entry``: Welsh title, the same date line, a pointer to the English."""
    title = str(entry.extra.get("welsh_title") or entry.title)
    main = (
        f'<article class="node node--type-{entry.kind} node--view-mode-full" lang="cy">\n'
        f'    <h1 class="page-title">{text(title)}</h1>\n'
        f"{_date_field(entry)}"
        '    <div class="field field--name-body">\n'
        f'<p>Mae\'r dudalen hon ar gael yn Saesneg: <a href="{attr(entry.path)}" hreflang="en">'
        f"{text(entry.title)}</a>.</p>\n    </div>\n</article>\n"
    )
    path = f"{WELSH_PREFIX}{entry.extra['welsh_node']}"
    return _chrome(title, path, main, lang="cy")


# --- listings -------------------------------------------------------------------------------


def page_count(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


def render_listing(items: Sequence[Entry], path: str, heading: str, page: int) -> str:
    """One page of a listing view; ``items`` is everything visible, newest first."""
    rows = items[page * PER_PAGE:(page + 1) * PER_PAGE]
    if rows:
        content = ('    <div class="view-content">\n' + "".join(_row(e) for e in rows)
                    + "    </div>\n" + _pager(page, page_count(len(items))))
    else:
        content = '    <div class="view-empty"><p>No results found.</p></div>\n'
    main = (
        f'  <h1 class="page-title">{heading}</h1>\n'
        f'  <div class="view view-{heading.lower()} view-display-id-page_1">\n'
        f"{content}  </div>\n"
    )
    shown = path if page == 0 else f"{path}?page={page}"
    return _chrome(heading, shown, main)


def _row(entry: Entry) -> str:
    href = entry.listing_href or entry.path
    return (
        '      <div class="views-row">\n'
        f'        <article class="node node--type-{entry.kind} node--view-mode-teaser">\n'
        f'          <h3><a href="{attr(href)}" hreflang="en">{text(entry.title)}</a></h3>\n'
        f'          <time datetime="{_stamp(entry)}">{date_2025(entry.published)}</time>\n'
        f'          <p class="summary">{text(entry.summary)}</p>\n'
        "        </article>\n      </div>\n"
    )


def _pager(page: int, pages: int) -> str:
    """Drupal's full pager: first, previous, numbered pages, next, last."""
    if pages <= 1:
        return ""

    def item(target: int, label: str, cls: str = "", rel: str = "") -> str:
        css = f"pager__item {cls}".strip()
        extra = f' rel="{rel}"' if rel else ""
        current = ' aria-current="page"' if cls == "is-active" else ""
        return (f'        <li class="{css}"><a href="?page={target}"{extra}{current}>'
                f"{label}</a></li>\n")

    items = ""
    if page > 0:
        items += item(0, "&laquo; First", "pager__item--first")
        items += item(page - 1, "&lsaquo; Previous", "pager__item--previous", "prev")
    for number in range(pages):
        items += item(number, str(number + 1), "is-active" if number == page else "")
    if page < pages - 1:
        items += item(page + 1, "Next &rsaquo;", "pager__item--next", "next")
        items += item(pages - 1, "Last &raquo;", "pager__item--last")
    return ('    <nav class="pager" role="navigation" aria-labelledby="pagination-heading">\n'
            '      <h4 id="pagination-heading" class="visually-hidden">Pagination</h4>\n'
            f'      <ul class="pager__items js-pager__items">\n{items}      </ul>\n'
            "    </nav>\n")
