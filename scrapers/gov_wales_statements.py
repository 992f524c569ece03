"""Welsh Government written statements (gov.wales), found through the announcements RSS feed.

Publisher: the Welsh Government.  URLs: feed ``https://gov.wales/announcements/rss``; statements
``/written-statement-{slug}`` (with ``-0``/``-1`` suffixes on reused slugs), also reachable as
``/node/{nid}``, on the bare host or ``www.`` (markup.md §4).
Why watched: Welsh Ministers' intervention under Part 8 of the Social Services and Well-being
(Wales) Act 2014 (a Warning Notice, a Follow-Up Warning Notice, "enhanced monitoring
arrangements ... have been removed") is announced only here, and it sits above any CIW concern
level (domain.md §1.2: Powys, 17 Oct 2017, 15 Jan 2018, 2 Nov 2020).  Authoritative.

Quirks (markup.md §4, seen in public scrapers and stored copies 2019-2026; replay contract 2026):
- The feed mixes written statements with every other announcement (press releases...).  Only
  links whose path starts ``/written-statement-`` are fetched; the others are counted in
  ``found`` and skipped, never stored.  The feed has no paging [inferred]: one request a poll,
  and an announcement rolls off it within weeks (several are published a day), so a first poll
  does not backfill older statements; those need the paged ``/announcements/search`` listing
  (markup.md §4), not read here.
- Feed items carry ``title``, ``link`` and ``pubDate`` [seen]; the date kept is the page's
  "First published:" date, the feed's only as a fallback.
- Class names have drifted since 2019, so each field lists the seen selector first and a
  structural fallback after: the first ``h1``, and the text after the ``First published:``
  label (PATTERNS) when ``div.first-published div.item`` is missing.
- The body moved between ``div.announcement-item__body`` (2020 era), ``#announcement-item__article``
  and ``.paragraph`` blocks; the summary (``div.hero-block__summary``) is kept ahead of the body.
- gov.wales answers 403 to cloud IP ranges whatever the User-Agent (seen 2026): a production
  poll from such a host fails as a whole-source failure, which source health reports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from scrapers.base import CrawlResult, Fetch, IsKnown, ParseError, Publication
from scrapers.crawl import walk_listing
from scrapers.text import (
    canonical_url,
    clean_text,
    feed_item_link,
    html_text,
    inline_text,
    parse_feed_document,
    parse_html,
    parse_uk_date,
    require_first,
    select_first,
)

SOURCE = "gov_wales_statements"
HOSTS = frozenset({"gov.wales", "www.gov.wales"})
STATEMENT_PREFIX = "/written-statement-"

# feedparser's normalised names for the RSS 2.0 elements we read (RSS name in the comment).
FIELDS = {
    "link": "link",  # <link>
    "title": "title",  # <title>
    "published": "published",  # <pubDate> RFC-822
}

SELECTORS: dict[str, tuple[str, ...]] = {
    "title": ("h1.hero-block__title", "h1"),
    "first_published": ("div.header-meta > div.first-published > div.item",
                        "div.first-published div.item"),
    "summary": ("div.hero-block__summary > div > p", "div.hero-block__summary"),
    "body": ("div.announcement-item__body", "#announcement-item__article", "div.paragraph"),
}

PATTERNS = {
    # Fallback: the date on the line after the "First published:" label (seen in text dumps).
    "first_published": re.compile(r"First published:\s*(?P<date>\d{1,2}\s+[A-Za-z]+\s+\d{4})"),
}


@dataclass(frozen=True)
class FeedEntry:
    url: str  # absolute, as linked (may be on www.); canonicalise before keying
    title: str
    published: date | None

    @property
    def is_statement(self) -> bool:
        return urlsplit(self.url).path.startswith(STATEMENT_PREFIX)


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    next_url: str | None


@dataclass(frozen=True)
class Statement:
    title: str
    published: date | None
    summary: str
    text: str  # the summary, then the body


# --- pure parsers ---------------------------------------------------------------------------


def parse_feed(body: bytes, url: str) -> FeedPage:
    """Every announcement in the feed (statements and others), newest first; no next page."""
    parsed = parse_feed_document(body, url)
    entries = []
    for item in parsed.get("entries", []):
        entries.append(FeedEntry(
            url=feed_item_link(item, url, FIELDS["link"]),
            title=clean_text(item.get(FIELDS["title"], "")),
            published=parse_uk_date(item.get(FIELDS["published"])),
        ))
    return FeedPage(entries=entries, next_url=None)


def parse_statement(body: bytes, url: str) -> Statement:
    """Title, first-published date, summary and text of a written statement page."""
    soup = parse_html(body)
    title = require_first(soup, SELECTORS["title"], field="title", url=url)
    content = require_first(soup, SELECTORS["body"], field="statement body", url=url)
    summary_tag = select_first(soup, SELECTORS["summary"])
    summary = html_text(summary_tag) if summary_tag is not None else ""
    main_text = html_text(content)
    if not main_text:
        raise ParseError(f"{url}: statement body is empty (selectors: {SELECTORS['body']})")
    return Statement(
        title=inline_text(title),
        published=_first_published(soup, url),
        summary=summary,
        text=clean_text(f"{summary}\n\n{main_text}") if summary else main_text,
    )


def _first_published(soup: BeautifulSoup, url: str) -> date | None:
    """The "First published:" date: the seen element, else the text after the label."""
    tag = select_first(soup, SELECTORS["first_published"])
    if tag is not None:
        return parse_uk_date(tag.get_text(" "))
    match = PATTERNS["first_published"].search(soup.get_text(" "))
    return parse_uk_date(match["date"]) if match else None


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = ("*",)) -> CrawlResult:
    """New written statements since the last poll, oldest first; other announcements skipped."""
    return walk_listing(
        fetch,
        f"{base_url.rstrip('/')}/announcements/rss",
        parse_page=parse_feed,
        keys=_keys,
        is_known=is_known,
        crawl_entry=lambda entry, seen: _crawl_entry(fetch, entry),
        max_pages=max_pages,
    )


def _keys(entry: FeedEntry) -> tuple[str, ...]:
    return (canonical_url(entry.url),)


def _crawl_entry(fetch: Fetch, entry: FeedEntry) -> Publication | None:
    if not entry.is_statement:
        return None
    fetched = fetch(entry.url)
    statement = parse_statement(fetched.content, fetched.url)
    return Publication(
        source=SOURCE,
        url=canonical_url(entry.url),
        kind="statement",
        title=statement.title or entry.title,
        text=statement.text,
        published=statement.published or entry.published,
    )
