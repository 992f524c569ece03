"""Audit Wales (formerly the Wales Audit Office): news items and publication pages.

Publisher: the Auditor General for Wales and Audit Wales, who audit Welsh councils, NHS bodies
and the Welsh Government.  URLs (markup.md §5, domain.md §4): listings ``/news?page=N`` and
``/publications?page=N`` (N from 0, newest first); news ``/news/{slug}``; publications
``/publication/{slug}``; files ``/sites/default/files/publications/{name}.pdf``; Welsh pages under
``/cy/...`` (``/cy/node/{n}``).  The same paths are served on ``audit.wales``, ``www.audit.wales``,
``wao.gov.uk`` and ``www.wao.gov.uk`` [seen: stored copies under all four forms].
Why watched: Annual Improvement Reports on a council (2011, 2013 for Wrexham; domain.md §3 rows 3-4)
drew on CSSIW's social-services findings, and Audit Wales reviews a council's governance,
finances and workforce, the context of any social-services story.  Mostly it is NOT about social
services (the 9 Sep 2025 Wrexham "governance failures" item is a relevance trap, §3 row 17), so
every item is stored and the classifier and ledger decide relevance: ``authorities`` is ignored,
and nothing here is authoritative (an auditor never moves a CIW status).

What is crawled, and how an event is recorded:
- Both listings, ``/news`` and then ``/publications``: most local audit reports (a council's
  review of its finances, workforce, or an Annual Improvement Report) have a publication page and
  no news item [inferred from the 2011 AIR, known only as a report], so the news listing alone
  would miss them; one routine poll therefore reads the first page of each listing.
- A news item and the publication it announces are **two records, joined by** ``related``, not
  one record with an alias (the CIW model).  The news item is Audit Wales's press release with
  its own text and date; the publication page carries the report summary and the PDF; both are
  worth reading.  And since each listing is walked on its own, neither page's known-ness may
  depend on the other: with an alias, a publication first met on ``/publications`` would leave
  its news item unknown forever (so every poll would refetch it and page on).  ``related`` never
  marks anything known, and storage groups the two into one event.  Links used: from a news page
  to ``/publication/...`` and back, in the body or the "Related article" block.
- A Welsh twin declared with ``link[rel=alternate][hreflang=cy]`` (``/cy/node/1494`` for the 2013
  Wrexham item, [seen: domain.md §3 row 4]) is recorded in ``related`` too; the Welsh listing is
  not crawled.  The language switcher link is not used: Drupal prints it on untranslated pages.
- The ``https://www.audit.wales/rss.xml`` feed [unverified; RSS or Atom] is not read: the listings
  are enough, and the feed's format is unknown.

Quirks (markup.md §5; seen in stored text copies of 2013 and 2025 pages; listing markup [inferred]):
- Keys are ``https://audit.wales/...`` whichever of the four host forms or http/https was linked.
- Page visible order (2025): a long navigation block, a ReadSpeaker "Listen" block, H1, date,
  body, then "Related article" with "View more".  Only the body element is read; ReadSpeaker
  and related blocks are dropped even when a fallback selector reaches a wider element.
- Dates: the 2025 site prints ``09 September 2025`` (day zero-padded); the 2013 site printed
  ``28 Jun 2013 - 12:00am``.  Both are read, from the date element or, failing that, by regex
  over the page text; the listing's ``time[datetime]`` is the last resort.
- The listing markup (a Drupal view: ``div.views-row > article > h3 > a``, ``time[datetime]``,
  ``p.summary``; pager ``?page=N``) is [inferred]; rows are recognised by their link's path
  (``/news/{slug}``, ``/publication/{slug}``), with a structural fallback.  A listing with
  neither rows nor Drupal's ``div.view-empty`` "no results" block is a redesign: ParseError.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from scrapers.attachments import fetch_attachments
from scrapers.base import (
    CrawlResult,
    Fetch,
    IsKnown,
    ParseError,
    Publication,
)
from scrapers.crawl import next_page_url, walk_listing
from scrapers.text import (
    absolute_url,
    canonical_url,
    html_text,
    inline_text,
    parse_html,
    parse_uk_date,
    require_first,
    select_all,
    select_first,
    url_host,
)

SOURCE = "audit_wales"
HOST = "audit.wales"
HOSTS = frozenset({HOST, f"www.{HOST}", "wao.gov.uk", "www.wao.gov.uk"})
#: The listings read, in order (markup.md §5).
LISTINGS = ("/news", "/publications")

# Each entry: selectors tried in order; the replay skeleton's first, a structural fallback after.
SELECTORS: dict[str, tuple[str, ...]] = {
    # listing (/news?page=N, /publications?page=N)
    "listing_row": ("div.views-row > article", "div.views-row"),
    "listing_link": ("h3 > a[href]", "h3 a[href]", "a[href]"),
    "listing_time": ("time[datetime]", "time"),
    "listing_summary": ("p.summary",),
    "listing_empty": ("div.view-empty",),
    "next_page": ("li.pager__item--next a[href]", "a[rel=next][href]"),
    # news item and publication page
    "content": ("main#main-content", "main", "body"),
    "title": ("h1.page-title", "h1"),
    "date": ("div.field--name-field-date time[datetime]", "span.date-display-single",
             "article time[datetime]"),
    "body": ("div.field--name-body", "div.field-name-body", "main article"),
    # dropped from whatever element the body selector found (a fallback may reach them)
    "not_body": ("aside.related-content", "div.related-content", "div.rs_skip",
                 "#readspeaker_button1", "div.file-attachments", "h1", "nav",
                 "div.field--name-field-date"),
    # every one of these is read (a union, not a fallback): the body's link to the report it
    # announces, and the "Related article" block's link back
    "pair_links": ("div.field--name-body a[href]", "div.field-name-body a[href]",
                   "aside.related-content a[href]"),
    "attachment_links": ("div.file-attachments a[href]", 'a[href$=".pdf"]'),
    "welsh": ('link[rel="alternate"][hreflang="cy"][href]',),
}

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November"
           "|December")
PATTERNS = {
    # /news/{slug} and /publication/{slug}: the kind of page is its first path segment.
    "path": re.compile(r"^/(?P<kind>news|publication)/(?P<slug>[^/]+)$"),
    # 2025 site: "09 September 2025", day zero-padded [seen] (an unpadded day is accepted too).
    "date_2025": re.compile(rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b"),
    # 2013 site: "28 Jun 2013 - 12:00am" [seen].
    "date_2013": re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4} - \d{1,2}:\d{2}\s?[ap]m\b"),
    # A file of a publication (markup.md §5).
    "pdf_path": re.compile(r"^/sites/default/files/.+\.pdf$", re.IGNORECASE),
}

#: The counterpart a page of each kind links to (news -> its publication and back).
PAIR_KIND = {"news": "publication", "publication": "news"}


@dataclass(frozen=True)
class ListingEntry:
    url: str  # absolute, as linked (any host form); keyed by canonical_audit_url
    kind: str  # "news" or "publication"
    title: str
    published: date | None
    summary: str


@dataclass(frozen=True)
class ListingPage:
    entries: list[ListingEntry]
    next_url: str | None


@dataclass(frozen=True)
class Page:
    """A news item or publication page as read."""

    title: str
    published: date | None
    text: str
    pdf_urls: tuple[str, ...]
    related: tuple[str, ...]  # canonical URLs: the counterpart page(s), then the Welsh twin


# --- pure parsers ---------------------------------------------------------------------------


def canonical_audit_url(url: str) -> str:
    """``https://audit.wales/...`` for any of the four hosts, http or https (the key)."""
    key = canonical_url(url)
    parts = urlsplit(key)
    if parts.hostname in HOSTS and parts.hostname != HOST:
        key = urlunsplit(parts._replace(netloc=HOST))
    return key


def page_kind(url: str) -> str | None:
    """"news" or "publication" for an Audit Wales page URL on any of its hosts, else None."""
    if url_host(url) not in HOSTS:
        return None
    match = PATTERNS["path"].match(urlsplit(canonical_audit_url(url)).path)
    return match["kind"] if match else None


def parse_date(text: str) -> date | None:
    """The first date in either site's visible format (2025, then 2013), else None."""
    for name in ("date_2025", "date_2013"):
        match = PATTERNS[name].search(text)
        if match:
            return parse_uk_date(match.group())
    return None


def parse_listing(body: bytes, url: str) -> ListingPage:
    """Rows of one listing page, newest first, and the next page's URL.

    Drupal's ``div.view-empty`` block is an empty listing (no results, or a page past the
    last); a page whose rows link no news or publication page is a redesign: ParseError.
    """
    soup = parse_html(body)
    entries = [e for row in select_all(soup, SELECTORS["listing_row"])
               if (e := _listing_entry(row, url)) is not None]
    next_url = next_page_url(
        soup, url, found=len(entries), empty=SELECTORS["listing_empty"],
        next_page=SELECTORS["next_page"],
        tried=(*SELECTORS["listing_row"], *SELECTORS["listing_link"]),
        nothing="no news or publication rows on the listing")
    return ListingPage(entries=entries, next_url=next_url)


def _listing_entry(row: Tag, url: str) -> ListingEntry | None:
    for link in select_all(row, SELECTORS["listing_link"]):
        href = absolute_url(url, str(link["href"]))
        kind = page_kind(href)
        if kind is None:
            continue
        time_tag = select_first(row, SELECTORS["listing_time"])
        summary = select_first(row, SELECTORS["listing_summary"])
        return ListingEntry(
            url=href,
            kind=kind,
            title=inline_text(link),
            published=_time_date(time_tag) if time_tag is not None else None,
            summary=inline_text(summary) if summary is not None else "",
        )
    return None


def _time_date(tag: Tag) -> date | None:
    """A ``time`` element's datetime attribute, else its visible text in either format."""
    stamp = tag.get("datetime")
    return parse_uk_date(str(stamp) if stamp else None) or parse_date(tag.get_text(" "))


def parse_page(body: bytes, url: str) -> Page:
    """Title, date, body text, PDFs and related pages of a news item or publication page."""
    soup = parse_html(body)
    content = require_first(soup, SELECTORS["content"], field="content", url=url)
    title = require_first(content, SELECTORS["title"], field="title", url=url)
    text = _body_text(content, url)
    kind = page_kind(url)
    return Page(
        title=inline_text(title),
        published=_page_date(content, title),
        text=text,
        pdf_urls=_pdf_links(content, url) if kind == "publication" else (),
        related=(*_pair_links(content, url, kind), *_welsh_twin(soup, url)),
    )


def _body_text(content: Tag, url: str) -> str:
    """Text of the body element only, without ReadSpeaker, "Related article" or file blocks."""
    found = require_first(content, SELECTORS["body"], field="body", url=url)
    body = parse_html(str(found))  # a copy: the page's own tree keeps its related links
    for selector in SELECTORS["not_body"]:
        for tag in body.select(selector):
            tag.decompose()
    text = html_text(body)
    if not text:
        raise ParseError(f"{url}: body is empty (selectors: {SELECTORS['body']})")
    return text


def _page_date(content: Tag, title: Tag) -> date | None:
    """The date element, else the first date in either format after the H1."""
    tag = select_first(content, SELECTORS["date"])
    if tag is not None:
        found = _time_date(tag)
        if found is not None:
            return found
    after = " ".join(str(s) for s in title.find_all_next(string=True))
    return parse_date(after)


def _pair_links(content: Tag, url: str, kind: str | None) -> list[str]:
    """Canonical URLs of the counterpart pages this page links (news <-> publication)."""
    wanted = PAIR_KIND.get(kind or "")
    found: list[str] = []
    for selector in SELECTORS["pair_links"]:
        for link in content.select(selector):
            target = absolute_url(url, str(link["href"]))
            key = canonical_audit_url(target) if page_kind(target) == wanted else None
            if key is not None and key not in found:
                found.append(key)
    return found


def _pdf_links(content: Tag, url: str) -> tuple[str, ...]:
    found: list[str] = []
    for link in select_all(content, SELECTORS["attachment_links"]):
        target = absolute_url(url, str(link["href"]))
        if (url_host(target) in HOSTS and PATTERNS["pdf_path"].match(urlsplit(target).path)
                and target not in found):
            found.append(target)
    return tuple(found)


def _welsh_twin(soup: BeautifulSoup, url: str) -> list[str]:
    """The Welsh translation a page declares in its head (only existing translations are)."""
    links = [absolute_url(url, str(tag["href"])) for tag in select_all(soup, SELECTORS["welsh"])]
    return [canonical_audit_url(link) for link in links if url_host(link) in HOSTS]


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = ("*",)) -> CrawlResult:
    """New news items and publications since the last poll, oldest first.

    Each listing is walked on its own (walk_listing's stopping rule); a failure on the first
    page of either raises.  ``authorities`` is ignored: every item is stored (module docstring).
    The result is ``unchanged`` only when both listings are; ``found`` counts the entries of the
    listings actually read, so one unchanged listing never makes the other look empty or full.
    """
    results = [
        walk_listing(
            fetch,
            f"{base_url.rstrip('/')}{path}",
            parse_page=parse_listing,
            keys=lambda entry: (canonical_audit_url(entry.url),),
            is_known=is_known,
            crawl_entry=lambda entry, seen: _crawl_entry(fetch, entry),
            entry_url=lambda entry: canonical_audit_url(entry.url),
            max_pages=max_pages,
        )
        for path in LISTINGS
    ]
    publications = sorted((p for r in results for p in r.publications),
                          key=lambda p: p.published or date.max)
    return CrawlResult(
        publications=tuple(publications),
        found=sum(r.found for r in results),
        errors=tuple(e for r in results for e in r.errors),
        unchanged=all(r.unchanged for r in results),
    )


def _crawl_entry(fetch: Fetch, entry: ListingEntry) -> Publication:
    """One record per page, fetched at its key (one host form, whichever the listing linked)."""
    key = canonical_audit_url(entry.url)
    fetched = fetch(key)
    page = parse_page(fetched.content, fetched.url)
    found, problems = fetch_attachments(
        fetch, (canonical_audit_url(u) for u in page.pdf_urls))
    return Publication(
        source=SOURCE,
        url=key,
        kind=entry.kind,
        title=page.title or entry.title,
        text=page.text,
        published=page.published or entry.published,
        attachments=tuple(found),
        errors=tuple(problems),
        related=tuple(u for u in page.related if u != key),
    )

