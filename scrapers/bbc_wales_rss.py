"""BBC News - Wales, read through its RSS feed, kept only where it names a watched council's
social care.

Publisher: BBC News (press).  URLs: feed ``https://feeds.bbci.co.uk/news/wales/rss.xml``;
articles ``https://www.bbc.co.uk/news/uk-wales-{8 digits}`` (to 2023) and
``https://www.bbc.com/news/articles/{c…o id}`` (2024 on), each path served on both hosts, with
stored copies under ``feeds.bbci.co.uk/news/uk-wales-{id}`` (markup.md §6, domain.md §4).
Why watched: BBC Wales carries Local Democracy Reporting Service (LDRS) copy on council social
services and recaps CIW's findings ("significant concern" in 2020, domain.md §3 row 13).  It
is secondary (not authoritative): press recycles old labels, so a claim here is recorded and
may raise an unconfirmed report, never move the status (domain.md §6.9).

Quirks (markup.md §6, seen in public fixtures 2017-2024 unless marked):
- RSS 2.0 with CDATA titles and descriptions, ``ttl`` 15, ``generator`` "RSS for Node", and on
  older captures an ``<?xml-stylesheet … nolsol.xsl?>`` line.  The description is a
  one-sentence standfirst, not the body.  ``media:thumbnail`` is sometimes missing (nothing
  here reads it).  ``pubDate`` is RFC-822 in GMT, turned into the London date.
- The feed is a rolling window of the newest few dozen items (~30 on the front-page feed in a
  2025 capture; ~40-60 on this one [inferred]) with no paging: one request a poll, and an item
  not read before it rolls off is never seen (walk_listing still drives the crawl: one page,
  no next page).  An empty channel is a legitimately empty window; a document with
  neither items nor a channel is a redesign (ParseError naming the fields looked for).
- Three guid/link styles over time: to about 2019 ``guid isPermaLink="true"`` = link =
  ``https://www.bbc.co.uk/news/uk-wales-{id}``; about 2021 the link carries
  ``?at_medium=RSS&at_campaign=KARANGA`` and the guid (``isPermaLink="false"``) has no query;
  from 2024 ``https://www.bbc.com/news/articles/{id}``, the link may carry
  ``?at_medium=RSS&at_campaign=rss`` and the guid is the bare URL plus ``#0``.  Keys are the
  guid and the link with query and fragment stripped, canonicalised (no ``www.``), and every
  article path is also keyed on the other hosts that serve it (``bbc.co.uk``, ``bbc.com``,
  ``feeds.bbci.co.uk``), so an item linked once on bbc.co.uk and later on bbc.com is one item.
  The stored URL is the canonical form of the host the feed gave (``https://bbc.co.uk/news/
  uk-wales-59884153``, ``https://bbc.com/news/articles/…``); the other hosts are its aliases.

Relevance rule (decided here, issue 5): a national feed carries dozens of items a day, nearly
all unrelated.  An item is kept only when its title or standfirst **names a watched council's
area** ("Wrexham children's services", "Wrexham Council", "Wrexham's"; not "Wrexham AFC" or
"Wrexham Maelor Hospital", which name a club and a hospital) **and** carries a **social-care
cue** (PATTERNS["social_care"]: social services or care, children's or adult services,
CIW/care inspectorate/watchdog, safeguarding, care homes, fostering, looked-after children...).
``authorities=("*",)`` accepts any of the 22 councils, still with a cue, since without one it
would keep most of the feed.  A Wrexham item that is not about social care (the football club,
city status) is dropped: the classifier would only mark it irrelevant, and keeping it would
cost an article fetch and a stored row for every football story (weekly since 2021).  The cue
list errs wide (a care-home story is kept and the classifier rules it out), because a story
dropped here rolls off the feed for good.  ``found`` counts every feed item (the health
signal); publications are the kept items only.  The areas are the classifier's (COUNCILS), so
the filter and the classifier agree on what names a council.

Article pages are fetched for kept items (a handful a month): the standfirst alone rarely
carries the story.  Their markup is not in markup.md: the text is read from
``[data-component="text-block"]`` blocks (and ``subheadline-block`` crossheads) inside
``article`` [inferred: the commonly seen BBC block names], falling back to the paragraphs of
``article``/``main``.  A page that cannot be read (no text, or a permanent fetch error such
as a 404) keeps the item with the feed's title and standfirst and records why in
``Publication.errors``; a transient fetch error fails the item, so the next poll tries again
while it is still in the feed.  A link that is no article (a video, a live page) is kept on
its standfirst without a fetch, and that is no error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import feedparser

from scrapers.base import CrawlResult, Fetch, FetchError, IsKnown, ParseError, Publication
from scrapers.councils import PLACES
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
    select_all,
    select_first,
)

SOURCE = "bbc_wales_rss"
FEED_PATH = "/news/wales/rss.xml"
FEED_HOST = "feeds.bbci.co.uk"
# Every host an article path is served on (canonical form, no www.): bbc.co.uk links to 2023,
# bbc.com from 2024, stored copies on the feed host (domain.md §4).
ARTICLE_HOSTS = ("bbc.co.uk", "bbc.com", FEED_HOST)
HOSTS = frozenset({FEED_HOST, "www.bbc.co.uk", "www.bbc.com", "bbc.co.uk", "bbc.com"})
ANY_COUNCIL = "*"

COUNCILS = PLACES  # the one table of the 22 councils' areas (scrapers.councils)
_COUNCIL_OF_PLACE = {place: name for name, places in COUNCILS.items() for place in places}

# feedparser's normalised names for the RSS 2.0 elements we read (RSS name in the comment).
FIELDS = {
    "channel_title": "title",  # channel > title (CDATA "BBC News - Wales")
    "channel_link": "link",  # channel > link
    "title": "title",  # item > title (CDATA)
    "description": "summary",  # item > description (CDATA standfirst)
    "link": "link",  # item > link (may carry at_medium/at_campaign)
    "guid": "id",  # item > guid (isPermaLink true/false; "#0" from 2024)
    "published": "published",  # item > pubDate, RFC-822 GMT
}

# Article pages: [inferred] BBC block names first, structural fallbacks after.
SELECTORS: dict[str, tuple[str, ...]] = {
    "article": ("article", "main", "[role=main]"),
    "headline": ("h1#main-heading", '[data-component="headline-block"] h1', "h1"),
    # Paragraph blocks and crossheads, in page order; else every paragraph of the article.
    "text_block": ('[data-component="text-block"], [data-component="subheadline-block"]',
                   "p"),
    "published": ('[data-component="byline-block"] time[datetime]', "time[datetime]"),
}

PATTERNS = {
    # A council's area named in a headline: "Wrexham children's services", "Wrexham's",
    # "Wrexham Council", "Vale of Glamorgan County Council"; not a place followed by another
    # proper noun, which names something else ("Wrexham AFC", "Wrexham Maelor Hospital",
    # "Newport County", "Cardiff University").  Case-sensitive: place names are capitalised.
    "council": re.compile(
        r"(?<![\w-])(?P<place>"
        + "|".join(re.escape(p).replace(r"\ ", r"\s+")
                   for p in sorted(_COUNCIL_OF_PLACE, key=len, reverse=True))
        + r")(?![\w-])"
        r"(?=\s+(?:County\s+Borough\s+|County\s+|City\s+)?(?:Council|CBC)\b|(?!\s+[A-Z0-9]))"
    ),
    # Article paths: /news/uk-wales-59884153 (also /news/uk-wales-politics-…, /news/health-…
    # in the Wales feed) and /news/articles/c0jjz2e4l3go.  Videos (/news/av/…, /news/videos/…)
    # and live pages are not articles: they are kept on their standfirst alone.
    "article_path": re.compile(r"^/news/(?:[a-z][a-z0-9_-]*-\d{6,}|articles/[a-z0-9]+)$"),
    # Social-care cues, read in the title and standfirst (see "Relevance rule" above).
    "social_care": re.compile(
        r"\bsocial\s+(?:services?|care|work(?:ers?)?)\b"
        r"|\b(?:children|child|adults?)(?:['\u2019]s|s['\u2019]|['\u2019])?\s+"
        r"(?:social\s+)?(?:services|care)\b"
        r"|\b(?:care\s+)?inspectorate\b|\bCS?SIW\b|\bwatchdog\b"
        r"|\bsafeguarding\b|\bchild\s+protection\b|\blooked[- ]after\b|\bfoster(?:ing|ed)?\b"
        r"|\bcare\s+(?:homes?|leavers?|workers?|staff|system|packages?)\b|\bin\s+care\b"
        r"|\bcarers?\b|\bvulnerable\s+(?:children|adults|people)\b",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class FeedItem:
    url: str  # the link as given, query and fragment stripped: the address fetched
    keys: tuple[str, ...]  # canonical keys, the item's own first (see the module docstring)
    title: str
    description: str
    published: date | None


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedItem]
    next_url: str | None


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    published: date | None


# --- pure parsers ---------------------------------------------------------------------------


def bare_url(url: str) -> str:
    """``url`` without its query and fragment (BBC's at_medium/at_campaign, the guid's ``#0``)."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def is_article(url: str) -> bool:
    """Whether ``url`` is a BBC article page (not a video, live page or index)."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return host in ARTICLE_HOSTS and bool(PATTERNS["article_path"].match(urlsplit(url).path))


def url_keys(url: str) -> tuple[str, ...]:
    """Canonical keys of a linked URL: its own host first, then every other host serving the
    same article path (so bbc.co.uk and bbc.com meet); a non-article URL has one key."""
    own = canonical_url(bare_url(url))
    if not is_article(url):
        return (own,)
    path = urlsplit(own).path
    return tuple(dict.fromkeys([own, *(f"https://{host}{path}" for host in ARTICLE_HOSTS)]))


def parse_feed(body: bytes, url: str) -> FeedPage:
    """Every item of the feed, in feed order, with no next page (the feed has no paging).

    A channel without items is a legitimately empty window; a document with neither items
    nor a channel is a redesign and raises ParseError.
    """
    parsed = parse_feed_document(body, url)
    channel = parsed.get("feed", {})
    items = parsed.get("entries", [])
    if not items and not (channel.get(FIELDS["channel_title"])
                          or channel.get(FIELDS["channel_link"])):
        raise ParseError(f"{url}: no feed items and no channel (selectors: rss > channel > "
                         "title, rss > channel > link, rss > channel > item)")
    return FeedPage(entries=[_feed_item(item, url) for item in items], next_url=None)


def _feed_item(item: feedparser.FeedParserDict, url: str) -> FeedItem:
    guid = str(item.get(FIELDS["guid"]) or "")
    guid_is_url = guid.startswith(("http://", "https://"))
    field = FIELDS["link"] if item.get(FIELDS["link"]) or not guid_is_url else FIELDS["guid"]
    link = bare_url(feed_item_link(item, url, field))
    keys = [*url_keys(link), *(url_keys(guid) if guid_is_url else ())]
    return FeedItem(
        url=link,
        keys=tuple(dict.fromkeys(keys)),
        title=clean_text(item.get(FIELDS["title"], "")),
        description=_plain(item.get(FIELDS["description"], "")),
        published=parse_uk_date(item.get(FIELDS["published"])),
    )


def _plain(value: str) -> str:
    """Text of a CDATA description, which may hold markup or entities."""
    return inline_text(parse_html(value)) if value.strip() else ""


def parse_article(body: bytes, url: str) -> Article:
    """Headline, text blocks and timestamp of an article page."""
    soup = parse_html(body)
    article = require_first(soup, SELECTORS["article"], field="article", url=url)
    blocks = [html_text(block) for block in select_all(article, SELECTORS["text_block"])]
    text = clean_text("\n\n".join(b for b in blocks if b))
    if not text:
        raise ParseError(f"{url}: no article text (selectors: {SELECTORS['text_block']})")
    headline = select_first(soup, SELECTORS["headline"])
    stamp = select_first(soup, SELECTORS["published"])
    return Article(
        title=inline_text(headline) if headline is not None else "",
        text=text,
        published=parse_uk_date(str(stamp["datetime"])) if stamp is not None else None,
    )


# --- relevance ------------------------------------------------------------------------------


def resolve_authorities(authorities: Sequence[str]) -> frozenset[str] | None:
    """The councils' names (COUNCILS keys), or None for ``("*",)`` (any council).

    Matched case-insensitively on a council's name or one of its places ("Anglesey"); an
    unknown name is a ValueError (a typo would otherwise silently drop every item).
    """
    if ANY_COUNCIL in authorities:
        return None
    by_form = {form.casefold(): name for name, places in COUNCILS.items()
               for form in (name, *places)}
    names = set()
    for given in authorities:
        name = by_form.get(" ".join(given.split()).casefold())
        if name is None:
            raise ValueError(f"{SOURCE}: unknown council {given!r} in authorities")
        names.add(name)
    return frozenset(names)


def councils_named(text: str) -> set[str]:
    """Councils whose area ``text`` names (PATTERNS["council"]; not "Wrexham AFC")."""
    return {_COUNCIL_OF_PLACE[" ".join(m["place"].split())]
            for m in PATTERNS["council"].finditer(text.replace("\u2019", "'"))}


def is_relevant(item: FeedItem, councils: frozenset[str] | None) -> bool:
    """A watched council named in the title or standfirst, and a social-care cue there."""
    text = f"{item.title}\n{item.description}"
    named = councils_named(text)
    watched = bool(named) if councils is None else bool(named & councils)
    return watched and PATTERNS["social_care"].search(text) is not None


# --- crawl ----------------------------------------------------------------------------------


def crawl(fetch: Fetch, is_known: IsKnown, *, base_url: str, max_pages: int = 50,
          authorities: Sequence[str] = (ANY_COUNCIL,)) -> CrawlResult:
    """New items about a watched council's social care, oldest first; the rest are counted
    in ``found`` and skipped."""
    councils = resolve_authorities(authorities)
    return walk_listing(
        fetch,
        f"{base_url.rstrip('/')}{FEED_PATH}",
        parse_page=parse_feed,
        keys=lambda item: item.keys,
        is_known=is_known,
        crawl_entry=lambda item, seen: _crawl_item(fetch, item, councils),
        max_pages=max_pages,
    )


def _crawl_item(fetch: Fetch, item: FeedItem,
                councils: frozenset[str] | None) -> Publication | None:
    if not is_relevant(item, councils):
        return None
    article: Article | None = None
    errors: tuple[str, ...] = ()
    if is_article(item.url):
        try:
            fetched = fetch(item.url)
            article = parse_article(fetched.content, fetched.url)
        except FetchError as exc:
            if exc.transient:
                raise
            errors = (f"{exc}; kept the feed's title and standfirst",)
        except ParseError as exc:
            errors = (f"{exc}; kept the feed's title and standfirst",)
    return Publication(
        source=SOURCE,
        url=item.keys[0],
        kind="article",
        title=item.title or (article.title if article else ""),
        text=story_text(item.description, article.text if article else ""),
        published=item.published or (article.published if article else None),
        aliases=item.keys[1:],
        errors=errors,
    )


def story_text(standfirst: str, body: str) -> str:
    """The article text, led by the feed's standfirst when the page does not repeat it."""
    if not body:
        return standfirst
    if not standfirst or " ".join(standfirst.split()) in " ".join(body.split()):
        return body
    return f"{standfirst}\n\n{body}"
