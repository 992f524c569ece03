"""wrexham.com: independent local news for Wrexham, much of its council coverage LDRS copy.

Publisher: Wrexham.com (press).  URLs: listing ``https://wrexham.com/news/``, older pages
``/news/page/N/``; articles ``/news/{slug}-{id}.html`` on http or https, with or without
``www.`` (markup.md §3; ``http://www.wrexham.com/...-190667.html`` seen for Aug 2020,
``https://wrexham.com/...-256769.html`` for Sep 2024).
Why watched: it reports CIW letters the day they appear, often quoting them accurately ("the
watchdog previously said it had 'serious' reservations … but has now escalated that status",
4 Aug 2020), and councillors' reactions to inspections.  It is secondary (not authoritative): a
claim here is recorded and may raise an unconfirmed report, never move the status.

Quirks (markup.md §3, domain.md §3-§4; seen in public copies 2020-2024, replay contract 2026):
- The numeric id at the end of the slug only ever increases (190667 in Aug 2020, 256769 in Sep
  2024).  Keys are the canonical URL (``https://wrexham.com``, no ``www.``) plus an id alias
  ``https://wrexham.com/?p={id}`` (the WordPress shortlink form, [inferred], used only as a
  key), so a re-slugged article is still known.
- The date is a text line, ``Posted: Tue 4th Aug 2020`` (ordinal day, abbreviated names), read by
  regex over the page text, never by class.  Older items also carry ``This article is old -
  Published: Tuesday, Aug 4th, 2020`` in a different format; that line is the fallback, and it
  is outside the body, so an item turning "old" does not change its stored text.
- The listing markup is [not found] publicly; the replay site uses markup.md §3's [inferred]
  WordPress-like skeleton (``article > h2 > a`` + ``p.posted``, paging ``/news/page/N/``, 404 past
  the last page).  Listing links are recognised by their ``-{id}.html`` ending, with the
  skeleton's selectors first and a structural fallback after.
- The site tagline runs on after the H1 in text dumps; the body is read from the article body
  element only, so the tagline never reaches the stored text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from bs4 import Tag

from scrapers.base import CrawlResult, Fetch, IsKnown, ParseError, Publication
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
)

SOURCE = "wrexham_com"
HOST = "wrexham.com"
HOSTS = frozenset({HOST, f"www.{HOST}"})

# Each entry: selectors tried in order; the replay skeleton's first, a structural fallback after.
SELECTORS: dict[str, tuple[str, ...]] = {
    # listing (/news/, /news/page/N/)
    "listing_item": ("main article", "article"),
    "listing_link": ('h2 a[href$=".html"]', 'a[href$=".html"]'),
    "listing_empty": ("section.no-results", ".no-results"),  # WordPress "Nothing Found"
    "next_page": ("a.next[href]", "a[rel=next][href]"),
    # article page
    "article": ("main article", "article"),
    "title": ("h1",),
    "body": ("div.article-body", "div.entry-content"),
}

PATTERNS = {
    # "Posted: Tue 4th Aug 2020" (seen); the visible label is the anchor, not a class.
    "posted": re.compile(
        r"Posted:\s*(?P<date>[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?\s+\d{4})"
    ),
    # "This article is old - Published: Tuesday, Aug 4th, 2020" (seen on older items).
    "old_published": re.compile(
        r"This article is old\s*[-–]\s*Published:\s*"
        r"(?P<date>[A-Za-z]+,?\s+[A-Za-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
    ),
    # /news/{slug}-{id}.html
    "article_path": re.compile(r"^/news/(?P<slug>[^/]+)-(?P<id>\d+)\.html$"),
}


@dataclass(frozen=True)
class ListingEntry:
    url: str  # canonical (https://wrexham.com/news/{slug}-{id}.html)
    article_id: int
    title: str
    published: date | None


@dataclass(frozen=True)
class ListingPage:
    entries: list[ListingEntry]
    next_url: str | None


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    published: date | None


# --- pure parsers ---------------------------------------------------------------------------


def article_id(url: str) -> int | None:
    """The numeric id of a wrexham.com article URL, or None for any other URL."""
    match = PATTERNS["article_path"].match(urlsplit(url).path)
    return int(match["id"]) if match else None


def canonical_article_url(url: str) -> str:
    """https://wrexham.com/news/{slug}-{id}.html whichever scheme or ``www.`` was linked."""
    return canonical_url(url)


def id_key(article: int) -> str:
    """The id alias under which an article is also known (survives a changed slug)."""
    return f"https://{HOST}/?p={article}"


def parse_date_lines(text: str) -> date | None:
    """The date from the ``Posted:`` line, else from the old-item ``Published:`` line."""
    for name in ("posted", "old_published"):
        match = PATTERNS[name].search(text)
        if match:
            found = parse_uk_date(match["date"])
            if found is not None:
                return found
    return None


def parse_listing(body: bytes, url: str) -> ListingPage:
    """Articles on one listing page, newest first, and the next (older) page's URL.

    The "Nothing Found" block is an empty listing; any other page with no ``-{id}.html`` article
    links is a redesign: ParseError.
    """
    soup = parse_html(body)
    entries: list[ListingEntry] = []
    for item in select_all(soup, SELECTORS["listing_item"]):
        entry = _listing_entry(item, url)
        if entry is not None:
            entries.append(entry)
    next_url = next_page_url(
        soup, url, found=len(entries), empty=SELECTORS["listing_empty"],
        next_page=SELECTORS["next_page"],
        tried=(*SELECTORS["listing_item"], *SELECTORS["listing_link"]),
        nothing="no wrexham.com article links on the listing")
    return ListingPage(entries=entries, next_url=next_url)


def _listing_entry(item: Tag, url: str) -> ListingEntry | None:
    for link in select_all(item, SELECTORS["listing_link"]):
        href = absolute_url(url, str(link["href"]))
        found = article_id(href)
        if found is not None:
            return ListingEntry(
                url=canonical_article_url(href),
                article_id=found,
                title=inline_text(link),
                published=parse_date_lines(item.get_text(" ")),
            )
    return None


def parse_article(body: bytes, url: str) -> Article:
    """Title, body text and date of an article page (date by the ``Posted:`` regex)."""
    soup = parse_html(body)
    article = require_first(soup, SELECTORS["article"], field="article", url=url)
    title = require_first(article, SELECTORS["title"], field="title", url=url)
    content = require_first(article, SELECTORS["body"], field="article body", url=url)
    text = html_text(content)
    if not text:
        raise ParseError(f"{url}: article body is empty (selectors: {SELECTORS['body']})")
    return Article(
        title=inline_text(title),
        text=text,
        published=parse_date_lines(article.get_text(" ")),
    )


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = ("*",)) -> CrawlResult:
    """New articles since the last poll, oldest first (walk_listing's stopping rule)."""
    return walk_listing(
        fetch,
        f"{base_url.rstrip('/')}/news/",
        parse_page=parse_listing,
        keys=_keys,
        is_known=is_known,
        crawl_entry=lambda entry, seen: _crawl_entry(fetch, entry),
        max_pages=max_pages,
        is_end=lambda exc: exc.status == 404,  # WordPress-like: 404 past the last page
    )


def _keys(entry: ListingEntry) -> tuple[str, ...]:
    return (entry.url, id_key(entry.article_id))


def _crawl_entry(fetch: Fetch, entry: ListingEntry) -> Publication:
    fetched = fetch(entry.url)
    article = parse_article(fetched.content, fetched.url)
    return Publication(
        source=SOURCE,
        url=entry.url,
        kind="article",
        title=article.title or entry.title,
        text=article.text,
        published=article.published or entry.published,
        aliases=(id_key(entry.article_id),),
    )
