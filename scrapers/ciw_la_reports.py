"""Care Inspectorate Wales (CIW): news items and the council reports and letters they announce.

Publisher: Care Inspectorate Wales, the regulator of Welsh councils' social services.
URLs: news listing ``https://careinspectorate.wales/news?page=N`` (N from 0, newest first); news
items ``/{YYMMDD}-{slug}`` or a plain ``/{slug}``; report and letter pages ``/{title-slug}``;
PDFs under ``/sites/default/files/YYYY-MM/``.
Why watched: CIW's annual letters, inspection reports, monitoring letters and improvement-check
letters are the only authoritative statement of a council's status ("serious" / "significant"
concern, inspection judgements).  Everything else carewatch reads is secondary.

Quirks (seen in public copies, domain.md §2.2 and markup.md §1, read 2025; replay contract 2025):
- Report and letter pages carry **no date** anywhere.  The publication date is the date of
  the news item that announces the page; the news body's last link to a CIW page is the only
  join.  So one Publication is made per news+report pair, keyed on the report page, with the
  news URL as an alias.  A news item with no such link (a national announcement) is its own
  Publication of kind "news".
- The letter date ("Date: 03 August 2020") and fieldwork range ("between the 12 and 23 of
  October 2020") are only in the PDF, sometimes in the page summary: read PDF text first.
- Every path is served on both ``careinspectorate.wales`` and ``www.careinspectorate.wales``
  with different chrome; listings mix the two (the Nov 2021 entry links to ``www.``).  Keys
  are canonical URLs (no ``www.``).
- Report slugs collide and get ``-2021``-style suffixes: the suffix is not a year of
  publication, and slugs are truncated; never rebuild a slug from a title.
- The listing markup is not seen in public copies (it is inferred Drupal); every selector has
  a structural fallback (first ``h1``, ``a[href$=".pdf"]``, any ``time``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bs4 import Tag

from scrapers.attachments import fetch_attachments
from scrapers.base import (
    Attachment,
    CrawlResult,
    Fetch,
    Fetched,
    IsKnown,
    Publication,
)
from scrapers.crawl import next_page_url, walk_listing
from scrapers.text import (
    absolute_url,
    canonical_url,
    html_text,
    inline_text,
    parse_fieldwork,
    parse_html,
    parse_uk_date,
    require_first,
    select_all,
    select_first,
    url_host,
)

SOURCE = "ciw_la_reports"
HOSTS = frozenset({"careinspectorate.wales", "www.careinspectorate.wales"})

# Each entry: selectors tried in order; the contracted one first, a structural fallback after.
SELECTORS: dict[str, tuple[str, ...]] = {
    # news listing (/news?page=N)
    "listing_row": ("div.view-news div.views-row", "div.views-row"),
    "listing_empty": ("div.view-empty",),
    "listing_time": ("time",),
    "listing_link": ("h3.node__title a[href]", "h3 a[href]", "a[href]"),
    "next_page": ("li.pager__item--next a[href]", "a[rel=next][href]"),
    # news item and report page: the content scope, then fields within it
    "content": ("main#main-content article", "main article", "article", "main"),
    "news_date": ("ul.meta time", "time"),
    "news_title": ("h1.page-title", "h1"),
    "news_body": ("div.field--name-body",),
    "report_link": ("a[href]",),  # within news_body; the LAST one to a CIW page is the join
    # report / letter page (no date on it)
    "report_title": ("h1.page-title", "h1"),
    "report_body": ("div.field--name-body", "article"),
    "attachment_links": ("div.file-attachments a[href]", 'a[href$=".pdf"]', 'a[href*=".pdf?"]'),
}

# A date line near the top of a letter ("Date: 03 August 2020", or a date on a line of its own).
PATTERNS = {
    "letter_date_label": re.compile(r"^\s*(?:Date|Dyddiad)\s*:?\s*(?P<date>.+)$", re.I | re.M),
    "date_only_line": re.compile(
        r"^\s*(?:[A-Za-z]+,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4}\s*$"
    ),
}
LETTER_HEAD_LINES = 25  # how far down a letter the date line may sit

# CIW's own labels (domain.md §2.1), most specific first.
KIND_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("improvement_check", ("improvement check",)),
    ("monitoring_letter", ("monitoring activity", "monitoring letter", "monitoring visit")),
    ("annual_letter", ("annual letter", "performance review", "annual performance")),
    ("inspection_report", ("inspection", "report", "evaluation", "review", "letter")),
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListingEntry:
    url: str  # absolute, as linked (may be on the www. host); canonicalise before keying
    title: str
    published: date | None


@dataclass(frozen=True)
class ListingPage:
    entries: list[ListingEntry]
    next_url: str | None


@dataclass(frozen=True)
class NewsItem:
    url: str
    title: str
    published: date | None
    text: str
    report_url: str | None  # absolute URL of the announced report/letter page, if any


@dataclass(frozen=True)
class ReportPage:
    url: str
    title: str
    text: str
    pdf_urls: tuple[str, ...]


@dataclass(frozen=True)
class LetterFacts:
    letter_date: date | None
    fieldwork_start: date | None
    fieldwork_end: date | None


# --- pure parsers ---------------------------------------------------------------------------


def parse_listing(body: bytes, url: str) -> ListingPage:
    """Entries and next-page link of one ``/news?page=N`` page.

    An empty body or the Drupal "view-empty" marker is an empty listing; any other page with
    no rows is a redesign and raises ParseError.
    """
    if not body.strip():
        return ListingPage(entries=[], next_url=None)
    soup = parse_html(body)
    entries = [_listing_entry(row, url) for row in select_all(soup, SELECTORS["listing_row"])]
    next_url = next_page_url(
        soup, url, found=len(entries), empty=SELECTORS["listing_empty"],
        next_page=SELECTORS["next_page"], tried=SELECTORS["listing_row"],
        nothing="no listing rows and no empty-view marker")
    return ListingPage(entries=entries, next_url=next_url)


def _listing_entry(row: Tag, url: str) -> ListingEntry:
    link = require_first(row, SELECTORS["listing_link"], field="listing link", url=url)
    time_tag = select_first(row, SELECTORS["listing_time"])
    return ListingEntry(
        url=absolute_url(url, str(link["href"])),
        title=inline_text(link),
        published=_tag_date(time_tag) if time_tag is not None else parse_uk_date(row.get_text(" ")),
    )


def _tag_date(tag: Tag) -> date | None:
    """Date of a ``time`` element: its datetime attribute, else its visible text."""
    attr = tag.get("datetime")
    return parse_uk_date(str(attr) if attr else None) or parse_uk_date(tag.get_text(" "))


def _content(body: bytes, url: str) -> Tag:
    return require_first(parse_html(body), SELECTORS["content"], field="content", url=url)


def parse_news_item(body: bytes, url: str) -> NewsItem:
    """Title, date, text and announced report page of a news item (``url`` is its real URL)."""
    article = _content(body, url)
    title = require_first(article, SELECTORS["news_title"], field="title", url=url)
    main_body = require_first(article, SELECTORS["news_body"], field="news body", url=url)
    time_tag = select_first(article, SELECTORS["news_date"])
    return NewsItem(
        url=url,
        title=inline_text(title),
        published=_tag_date(time_tag) if time_tag is not None else None,
        text=html_text(main_body),
        report_url=_report_link(main_body, url),
    )


def _report_link(main_body: Tag, url: str) -> str | None:
    """The LAST link in the body to another CIW HTML page: the join to the report page."""
    here = canonical_url(url)
    found = None
    for link in select_all(main_body, SELECTORS["report_link"]):
        href = str(link["href"]).strip()
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        target = absolute_url(url, href)
        path = target.split("?", 1)[0].lower()
        # a page of this same site (either host form): the English site, or the Welsh one
        if url_host(canonical_url(target)) != url_host(here) or path.endswith(".pdf"):
            continue
        if "/sites/default/files/" in path:
            continue
        if canonical_url(target) != here:
            found = target
    return found


def parse_report_page(body: bytes, url: str) -> ReportPage:
    """Title, text and PDF links of a report or letter page (which shows no date)."""
    article = _content(body, url)
    title = require_first(article, SELECTORS["report_title"], field="title", url=url)
    main_body = require_first(article, SELECTORS["report_body"], field="report body", url=url)
    pdf_urls: list[str] = []
    for link in select_all(article, SELECTORS["attachment_links"]):
        target = absolute_url(url, str(link["href"]))
        if ".pdf" in target.lower() and target not in pdf_urls:
            pdf_urls.append(target)
    return ReportPage(
        url=url,
        title=inline_text(title),
        text=html_text(main_body),
        pdf_urls=tuple(pdf_urls),
    )


def parse_letter_facts(text: str) -> LetterFacts:
    """Letter date and fieldwork range from a letter's text (PDF text, or the page summary).

    The letter date is a ``Date:`` line, else the first line near the top that is only a date
    (UK letters put it under the address block).  Fieldwork is the first date range.
    """
    letter_date = None
    head = "\n".join(line for line in text.splitlines() if line.strip())
    head = "\n".join(head.splitlines()[:LETTER_HEAD_LINES])
    labelled = PATTERNS["letter_date_label"].search(head)
    if labelled:
        letter_date = parse_uk_date(labelled.group("date"))
    if letter_date is None:
        for line in head.splitlines():
            if PATTERNS["date_only_line"].match(line):
                letter_date = parse_uk_date(line)
                if letter_date:
                    break
    fieldwork = parse_fieldwork(text)
    return LetterFacts(
        letter_date=letter_date,
        fieldwork_start=fieldwork[0] if fieldwork else None,
        fieldwork_end=fieldwork[1] if fieldwork else None,
    )


def kind_for_title(title: str,
                   rules: tuple[tuple[str, tuple[str, ...]], ...] | None = None) -> str:
    """CIW's publication type from its page title (domain.md §2.1); "news" when none fits.
    ``rules`` defaults to the English ``KIND_RULES`` (the Welsh site adds its own words)."""
    lowered = title.lower()
    for kind, cues in KIND_RULES if rules is None else rules:
        if any(cue in lowered for cue in cues):
            return kind
    return "news"


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = ("*",)) -> CrawlResult:
    """New publications since the last poll, oldest first.

    Pages through ``{base_url}/news`` while a page has an entry not yet known, so a first
    run backfills the whole listing and a routine poll reads one page.  A failure on the
    first listing page raises (the source is down or redesigned); a failure on one item is
    recorded in ``errors`` and the item is tried again next poll (it stays unknown).
    CIW's letters name every council: ``authorities`` is not a filter here.
    """
    return crawl_site(fetch, is_known, listing_url=f"{base_url.rstrip('/')}/news",
                      max_pages=max_pages)


#: Called with the record, the news item's response and the report page's (None for a news
#: item with no report page); returns the record completed (the Welsh site adds its twins).
Annotate = Callable[[Publication, Fetched, Fetched | None], Publication]


def crawl_site(
    fetch: Fetch,
    is_known: IsKnown,
    *,
    listing_url: str,
    source: str = SOURCE,
    kind_of: Callable[[str], str] = kind_for_title,
    annotate: Annotate | None = None,
    max_pages: int = 50,
) -> CrawlResult:
    """The news -> report -> PDF crawl over one CIW site (English, or the Welsh twin site:
    same Drupal, same shapes, its own listing path, title words and twin links)."""
    return walk_listing(
        fetch,
        listing_url,
        parse_page=parse_listing,
        keys=lambda entry: (canonical_url(entry.url),),
        is_known=is_known,
        crawl_entry=lambda entry, seen: _crawl_entry(
            fetch, is_known, entry, seen, source=source, kind_of=kind_of,
            annotate=annotate or (lambda pub, news, report: pub)),
        max_pages=max_pages,
    )


def _crawl_entry(
    fetch: Fetch, is_known: IsKnown, entry: ListingEntry, seen: set[str], *, source: str,
    kind_of: Callable[[str], str], annotate: Annotate,
) -> Publication | None:
    fetched = fetch(entry.url)
    news = parse_news_item(fetched.content, fetched.url)
    news_keys = tuple(dict.fromkeys((canonical_url(entry.url), canonical_url(fetched.url))))
    published = news.published or entry.published
    if news.report_url is None:
        return annotate(Publication(
            source=source,
            url=news_keys[0],
            kind="news",
            title=news.title,
            text=news.text,
            published=published,
            aliases=news_keys[1:],
        ), fetched, None)
    report_key = canonical_url(news.report_url)
    if report_key in seen or is_known(report_key):
        log.info("%s: report page %s already known", entry.url, report_key)
        return None
    seen.add(report_key)
    report_fetched = fetch(news.report_url)
    report = parse_report_page(report_fetched.content, report_fetched.url)
    attachments, problems = fetch_attachments(fetch, report.pdf_urls)
    facts = letter_facts(attachments, report.text)
    return annotate(Publication(
        source=source,
        url=report_key,
        kind=kind_of(report.title),
        title=report.title,
        text=report.text,
        published=published,
        letter_date=facts.letter_date,
        fieldwork_start=facts.fieldwork_start,
        fieldwork_end=facts.fieldwork_end,
        attachments=tuple(attachments),
        aliases=tuple(k for k in news_keys if k != report_key),
        errors=tuple(problems),
    ), fetched, report_fetched)


def letter_facts(attachments: list[Attachment], page_text: str) -> LetterFacts:
    """Letter facts from the PDFs, each field falling back to the page text."""
    pdf = parse_letter_facts("\n\n".join(a.text for a in attachments if a.text))
    page = parse_letter_facts(page_text)
    start, end = pdf.fieldwork_start, pdf.fieldwork_end
    if start is None:
        start, end = page.fieldwork_start, page.fieldwork_end
    return LetterFacts(
        letter_date=pdf.letter_date or page.letter_date,
        fieldwork_start=start,
        fieldwork_end=end,
    )
