"""Wrexham County Borough Council news (news.wrexham.gov.uk), read through its WordPress feed.

Publisher: Wrexham Council's press office.  URLs: feed ``https://news.wrexham.gov.uk/feed/``
(older pages ``/feed/?paged=N``), articles ``/{slug}/`` with a trailing slash and no date.
Why watched: the council announces, and frames, CIW findings ("Improvements in children's
social care reported to Executive Board"), often before or alongside committee papers.  It is
secondary: it never moves the regulator status (not authoritative).

Quirks (markup.md §2, domain.md §4, seen 2025; replay contract 2025):
- Article pages show **no date**: the date is the feed's ``pubDate`` (RFC-822, ``+0000``).
- Slugs can change; the ``guid`` (``/?p=ID`` shortlink) does not, so it is kept as an alias
  and an entry is known if either its link or its guid is known.
- Promotional lines sit **inside** the body, each its own paragraph ("Get the latest COVID-19
  vaccination information", "Sign-up for email bulletins", "MyUpdates ...", "Get the facts…read
  the latest NHS Wales Covid-19 vaccination info.").  They are stripped by BOILERPLATE, the one
  place that knows them, before text is stored or classified (domain.md §6.15).
- The theme's classes are not seen in public copies (generic WordPress inferred), hence the
  fallback chain ``article .entry-content`` → ``article`` → ``main``.
- A ``paged`` beyond the last page answers 404: that ends the walk, it is not an error.

Body text: taken from the feed's ``content:encoded`` (the full post as published, independent
of the theme), as markup.md §2 advises.  The article page is still fetched and parsed for every
new entry: it confirms the post is public, gives the category label, and is the fallback when
``content:encoded`` is empty — and because it is parsed every time, a theme change that would
break the fallback raises ParseError on the next poll instead of when we first need it.

Feeds are read by ``scrapers.text.parse_feed_document`` (feedparser, no external entities).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser

from scrapers.base import CrawlResult, Fetch, IsKnown, ParseError, Publication
from scrapers.crawl import walk_listing
from scrapers.text import (
    PROMO_LINES,
    absolute_url,
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

SOURCE = "wrexham_news_rss"
HOSTS = frozenset({"news.wrexham.gov.uk", "www.news.wrexham.gov.uk"})

# feedparser's normalised names for the RSS 2.0 elements we read (RSS name in the comment).
FIELDS = {
    "link": "link",  # <link>
    "guid": "id",  # <guid isPermaLink="false">https://news.wrexham.gov.uk/?p=ID</guid>
    "title": "title",  # <title>
    "published": "published",  # <pubDate> raw RFC-822 string
    "categories": "tags",  # <category> CDATA, one per category and tag
    "content": "content",  # <content:encoded> CDATA, full HTML
}

SELECTORS: dict[str, tuple[str, ...]] = {
    "title": ("h1.entry-title", "article h1", "h1"),
    "category": ("span.cat-links", ".cat-links"),  # all labels: "Executive Board, Social services"
    "body": ("article .entry-content", "article", "main"),
}

# Promotional lines the council drops into article bodies; each matches a whole line.
# Promo lines inside article bodies: the shared table (other councils' sites carry the same).
BOILERPLATE = PROMO_LINES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedEntry:
    url: str  # the article link as given (with its trailing slash)
    guid: str | None
    title: str
    published: date | None
    categories: tuple[str, ...]
    content_html: str


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    next_url: str | None


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    category: str | None


# --- pure parsers ---------------------------------------------------------------------------


def parse_feed(body: bytes, url: str) -> FeedPage:
    """Entries of one feed page, and the URL of the next (older) page.

    WordPress feeds carry no next link, so the next page is ``?paged=N+1`` whenever this page
    had entries (an ``atom:link rel="next"`` wins if present); the walk ends on a 404.
    """
    parsed = parse_feed_document(body, url)
    feed = parsed.get("feed", {})
    if not (feed.get("title") or feed.get("link")):
        raise ParseError(f"{url}: feed has no channel (no channel title or link)")
    entries = [_feed_entry(item, url) for item in parsed.get("entries", [])]
    return FeedPage(entries=entries, next_url=_next_page(feed, url, bool(entries)))


def _feed_entry(item: feedparser.FeedParserDict, url: str) -> FeedEntry:
    link = feed_item_link(item, url, FIELDS["link"])
    content = item.get(FIELDS["content"]) or []
    return FeedEntry(
        url=link,
        guid=item.get(FIELDS["guid"]) or None,
        title=clean_text(item.get(FIELDS["title"], "")),
        published=parse_uk_date(item.get(FIELDS["published"])),
        categories=tuple(t.get("term", "") for t in item.get(FIELDS["categories"], [])),
        content_html=content[0].get("value", "") if content else "",
    )


def _next_page(feed: feedparser.FeedParserDict, url: str, has_entries: bool) -> str | None:
    for link in feed.get("links", []):
        if link.get("rel") == "next" and link.get("href"):
            return absolute_url(url, link["href"])
    if not has_entries:
        return None
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["paged"] = str(int(query.get("paged", "1") or "1") + 1)
    return urlunsplit(parts._replace(query=urlencode(query)))


def strip_boilerplate(text: str) -> str:
    """Remove the council's promotional lines (BOILERPLATE) from cleaned article text."""
    kept = [line for line in text.split("\n") if not any(p.match(line) for p in BOILERPLATE)]
    return clean_text("\n".join(kept))


def parse_article(body: bytes, url: str) -> Article:
    """Title, cleaned body text and category label of an article page (which shows no date)."""
    soup = parse_html(body)
    content = require_first(soup, SELECTORS["body"], field="article body", url=url)
    text = strip_boilerplate(html_text(content))
    if not text:
        raise ParseError(f"{url}: article body is empty (selectors: {SELECTORS['body']})")
    title = require_first(soup, SELECTORS["title"], field="title", url=url)
    category = select_first(soup, SELECTORS["category"])
    return Article(
        title=inline_text(title),
        text=text,
        category=inline_text(category) if category is not None else None,
    )


def content_text(content_html: str) -> str:
    """Cleaned text of a ``content:encoded`` HTML fragment ("" when empty)."""
    if not content_html.strip():
        return ""
    return strip_boilerplate(html_text(parse_html(content_html)))


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = ("*",)) -> CrawlResult:
    """New articles since the last poll, oldest first (see ciw_la_reports.crawl for the rules)."""
    return walk_listing(
        fetch,
        f"{base_url.rstrip('/')}/feed/",
        parse_page=parse_feed,
        keys=_keys,
        is_known=is_known,
        crawl_entry=lambda entry, seen: _crawl_entry(fetch, entry),
        max_pages=max_pages,
        is_end=lambda exc: exc.status == 404,  # WordPress: 404 past the last feed page
    )


def _keys(entry: FeedEntry) -> tuple[str, ...]:
    keys = [canonical_url(entry.url)]
    if entry.guid and entry.guid.startswith(("http://", "https://")):
        keys.append(canonical_url(entry.guid))
    return tuple(dict.fromkeys(keys))


def _crawl_entry(fetch: Fetch, entry: FeedEntry) -> Publication:
    fetched = fetch(entry.url)
    article = parse_article(fetched.content, fetched.url)
    keys = _keys(entry)
    return Publication(
        source=SOURCE,
        url=keys[0],
        kind="article",
        title=entry.title or article.title,
        text=content_text(entry.content_html) or article.text,
        published=entry.published,
        aliases=keys[1:],
    )
