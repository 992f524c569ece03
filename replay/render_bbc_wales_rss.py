"""BBC News - Wales on the replay site: the RSS feed and the article pages it links to.

Feed ``https://feeds.bbci.co.uk/news/wales/rss.xml`` follows the skeleton of markup.md §6 [seen
in public fixtures 2017-2024]: CDATA channel and item titles and descriptions, ``image``,
``generator`` "RSS for Node", ``lastBuildDate``, ``atom:link rel=self``, ``copyright``,
``language`` en-gb, ``ttl`` 15, and on captures before 2021 the ``<?xml-stylesheet …
nolsol.xsl?>`` line (the cut-over date is [inferred]).  Served as ``text/xml; charset=utf-8``,
as a 2025 capture of a BBC feed reports [seen: browse.sh BBC news-homepage skill].

The real feed is a rolling window of the ~40-60 newest items (BBC Wales publishes dozens a
day) with no paging; the replay catalogue is sparse, so the window is the FEED_ITEMS newest
visible entries, and filler items give it volume.  Each item is written in the guid/link style
of its own era, so the feed mixes them as markup.md §8 asks:

- ``permalink`` (published before 2020 [inferred cut-over]): link = guid
  (``isPermaLink="true"``) = ``https://www.bbc.co.uk/news/uk-wales-{id}``, 976x549 thumbnail;
- ``karanga`` (2020-2023): link + ``?at_medium=RSS&at_campaign=KARANGA``, guid
  ``isPermaLink="false"`` without the query, 240x135 thumbnail;
- ``articles`` (paths ``/news/articles/{id}``, 2024): link on www.bbc.com +
  ``?at_medium=RSS&at_campaign=rss``, guid = bare URL + ``#0``, 240x134 thumbnail.

``media:thumbnail`` is left out where an entry says ``extra.thumbnail = false``.  Items are
listed newest first (the real order is editorial [inferred]; nothing depends on it).

Article pages ([inferred]: markup.md does not document them) are served on www.bbc.co.uk,
www.bbc.com and feeds.bbci.co.uk alike, as the BBC serves every article path on each: an
``article`` with ``h1#main-heading`` (inside ``[data-component="headline-block"]`` for the
2024 layout), a byline block with ``time[datetime]``, and each paragraph of the body fragment
in its own ``div[data-component="text-block"]`` (headings in ``subheadline-block``).  The bare
hosts bbc.co.uk and bbc.com redirect to ``www.``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bs4 import BeautifulSoup, Tag

from replay.render import HTML_TYPE, TEXT_TYPE, attr, cdata, http_date, long_date, text
from replay.timeline import BBC_WALES, Entry

if TYPE_CHECKING:
    from replay.site import ReplaySite, Response

FEED_HOST = "feeds.bbci.co.uk"
UK_HOST = "www.bbc.co.uk"
COM_HOST = "www.bbc.com"
HOSTS = frozenset({FEED_HOST, UK_HOST, COM_HOST, "bbc.co.uk", "bbc.com"})
FEED_PATH = "/news/wales/rss.xml"
FEED_TYPE = "text/xml; charset=utf-8"
FEED_ITEMS = 40
#: Items published from this day carry the KARANGA campaign query [inferred cut-over].
KARANGA_FROM = date(2020, 1, 1)
#: Feeds served before this day carry the nolsol.xsl stylesheet line [inferred cut-over].
STYLESHEET_UNTIL = date(2021, 1, 1)
ARTICLES_PREFIX = "/news/articles/"
CHANNEL_LINK = "https://www.bbc.co.uk/news/wales"
COPYRIGHT = ("Copyright: (C) British Broadcasting Corporation, see "
             "https://www.bbc.co.uk/usingthebbc/terms-of-use/#15metadataandrssfeeds for terms "
             "and conditions of reuse.")

#: www.bbc.co.uk / www.bbc.com robots.txt, shortened [inferred from its public shape]: search
#: pages are disallowed and some crawlers shut out; no article path is.
BBC_ROBOTS = """\
# version: replay
User-agent: *
Sitemap: https://www.bbc.co.uk/sitemaps/https-index-uk-news.xml
Disallow: /bitesize/search$
Disallow: /cbbc/search/
Disallow: /chwilio/
Disallow: /search/
Disallow: /search$
Disallow: /userinfo/
Disallow: /ws/includes

User-agent: CCBot
Disallow: /
"""
#: feeds.bbci.co.uk robots.txt [inferred]: the feeds themselves are open.
FEEDS_ROBOTS = """\
User-agent: *
Disallow: /shared/bsp/
"""


# --- styles ---------------------------------------------------------------------------------


def item_style(entry: Entry) -> str:
    """``permalink``, ``karanga`` or ``articles`` (see the module docstring)."""
    if entry.path.startswith(ARTICLES_PREFIX):
        return "articles"
    return "permalink" if entry.published < KARANGA_FROM else "karanga"


def article_url(entry: Entry) -> str:
    """The bare article URL on the host the feed links it on."""
    host = COM_HOST if item_style(entry) == "articles" else UK_HOST
    return f"https://{host}{entry.path}"


def item_link(entry: Entry) -> str:
    """The item's ``<link>`` (unescaped)."""
    campaign = {"karanga": "KARANGA", "articles": "rss"}.get(item_style(entry))
    query = f"?at_medium=RSS&at_campaign={campaign}" if campaign else ""
    return article_url(entry) + query


def item_guid(entry: Entry) -> tuple[str, bool]:
    """The item's ``<guid>`` text and its isPermaLink flag."""
    style = item_style(entry)
    if style == "permalink":
        return article_url(entry), True
    return article_url(entry) + ("#0" if style == "articles" else ""), False


def thumbnail(entry: Entry) -> tuple[int, int, str] | None:
    """(width, height, url) of the item's thumbnail in its era's form, or None when the
    entry has none; the URL is made up from the key (stable, never fetched)."""
    if not entry.extra.get("thumbnail", True):
        return None
    digest = hashlib.sha256(entry.key.encode()).hexdigest()
    number = f"_{int(digest[4:12], 16) % 10**9:09d}_mediaitem.jpg"
    style = item_style(entry)
    if style == "permalink":
        return 976, 549, f"http://c.files.bbci.co.uk/{digest[:4].upper()}/production/{number}"
    if style == "karanga":
        return 240, 135, (f"https://ichef.bbci.co.uk/news/240/cpsprodpb/{digest[:4].upper()}"
                          f"/production/{number}")
    return 240, 134, (f"https://ichef.bbci.co.uk/news/240/cpsprodpb/{digest[:4]}/live/"
                      f"{digest[4:12]}-{digest[12:16]}-11ef-{digest[16:20]}-{digest[20:32]}.jpg")


# --- feed -----------------------------------------------------------------------------------


def in_feed(entries: Sequence[Entry]) -> list[Entry]:
    """The entries the feed lists: the FEED_ITEMS newest of ``entries`` (visible, newest
    first)."""
    return list(entries[:FEED_ITEMS])


def gmt(moment: datetime) -> str:
    """BBC feed dates: ``Fri, 07 Jan 2022 06:12:51 GMT``."""
    return http_date(moment)


def render_item(entry: Entry) -> str:
    guid, permalink = item_guid(entry)
    image = thumbnail(entry)
    media = ""
    if image is not None:
        media = (f'            <media:thumbnail width="{image[0]}" height="{image[1]}" '
                 f'url="{attr(image[2])}"/>\n')
    return (
        "        <item>\n"
        f"            <title>{cdata(entry.title)}</title>\n"
        f"            <description>{cdata(entry.summary)}</description>\n"
        f"            <link>{attr(item_link(entry))}</link>\n"
        f'            <guid isPermaLink="{str(permalink).lower()}">{attr(guid)}</guid>\n'
        f"            <pubDate>{gmt(entry.published_at)}</pubDate>\n"
        + media
        + "        </item>\n"
    )


def render_feed(entries: Sequence[Entry], *, last_build: datetime, as_of: date) -> str:
    """The feed listing ``entries`` (already cut to the window), newest first."""
    stylesheet = ('<?xml-stylesheet title="XSL_formatting" type="text/xsl" '
                  'href="/shared/bsp/xsl/rss/nolsol.xsl"?>\n') if as_of < STYLESHEET_UNTIL else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{stylesheet}"
        '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0" '
        'xmlns:media="http://search.yahoo.com/mrss/">\n'
        "    <channel>\n"
        f"        <title>{cdata('BBC News - Wales')}</title>\n"
        f"        <description>{cdata('BBC News - Wales')}</description>\n"
        f"        <link>{CHANNEL_LINK}</link>\n"
        "        <image>\n"
        "            <url>https://news.bbcimg.co.uk/nol/shared/img/bbc_news_120x60.gif</url>\n"
        "            <title>BBC News - Wales</title>\n"
        f"            <link>{CHANNEL_LINK}</link>\n"
        "        </image>\n"
        "        <generator>RSS for Node</generator>\n"
        f"        <lastBuildDate>{gmt(last_build)}</lastBuildDate>\n"
        f'        <atom:link href="https://{FEED_HOST}{FEED_PATH}" rel="self" '
        'type="application/rss+xml"/>\n'
        f"        <copyright>{cdata(COPYRIGHT)}</copyright>\n"
        f"        <language>{cdata('en-gb')}</language>\n"
        "        <ttl>15</ttl>\n"
        + "".join(render_item(e) for e in entries)
        + "    </channel>\n</rss>\n"
    )


# --- article pages --------------------------------------------------------------------------


def _blocks(body: str) -> str:
    """Each top-level paragraph of the body fragment in a text block, headings in a
    subheadline block (the BBC's block layout)."""
    out = []
    for node in BeautifulSoup(body, "html.parser").children:
        if not isinstance(node, Tag):
            continue
        component = "subheadline-block" if node.name in ("h2", "h3") else "text-block"
        out.append(f'<div data-component="{component}">{node}</div>\n')
    return "".join(out)


def render_article(entry: Entry, body: str) -> str:
    """An article page (the same on every host that serves it)."""
    title = text(entry.title)
    headline = f'<h1 id="main-heading" tabindex="-1">{title}</h1>'
    if item_style(entry) == "articles":
        headline = f'<div data-component="headline-block">{headline}</div>'
    else:
        headline = f"<header>{headline}</header>"
    byline = ""
    if entry.extra.get("byline"):
        byline = f'<div class="byline"><span>{text(str(entry.extra["byline"]))}</span></div>'
    picture = thumbnail(entry)
    image = ""
    if picture is not None:
        image = (f'<div data-component="image-block"><figure><img src="{attr(picture[2])}" '
                 'alt=""></figure></div>\n')
    stamp = entry.published_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} - BBC News</title>\n"
        f'<link rel="canonical" href="{attr(article_url(entry))}">\n'
        f'<meta property="og:title" content="{attr(entry.title)}">\n'
        f'<meta name="description" content="{attr(entry.summary)}">\n'
        "</head>\n<body>\n"
        '<a href="#main-content" class="skip-link">Skip to main content</a>\n'
        '<header role="banner"><nav aria-label="BBC"><a href="https://www.bbc.co.uk/">'
        "BBC Homepage</a> <a href=\"https://www.bbc.co.uk/news\">News</a></nav></header>\n"
        '<div id="main-content"><main role="main">\n<article>\n'
        f"{headline}\n"
        f'<div data-component="byline-block">{byline}<time data-testid="timestamp" '
        f'datetime="{stamp}">{long_date(entry.published)}</time></div>\n'
        f"{image}"
        f"{_blocks(body)}"
        '<div data-component="links-block"><h2>Related topics</h2><ul>'
        '<li><a href="/news/wales">Wales</a></li></ul></div>\n'
        "</article>\n</main></div>\n"
        f'<footer role="contentinfo"><p>Copyright &copy; {entry.published.year} BBC. The BBC is '
        "not responsible for the content of external sites.</p></footer>\n"
        "</body>\n</html>\n"
    )


# --- serving --------------------------------------------------------------------------------


def serve(site: ReplaySite, host: str, path: str, query: dict[str, list[str]],
          as_of: date) -> Response:
    """Answer a GET on one of HOSTS (see the module docstring)."""
    from replay.site import SITE_EPOCH, not_found, ok, redirect

    if host in ("bbc.co.uk", "bbc.com"):
        suffix = f"?{urlencode(query, doseq=True)}" if query else ""
        return redirect(f"https://www.{host}{path}{suffix}")
    if path == "/robots.txt":
        return ok(FEEDS_ROBOTS if host == FEED_HOST else BBC_ROBOTS, TEXT_TYPE, SITE_EPOCH)
    if host == FEED_HOST and path == FEED_PATH:
        visible = site.catalogue.visible(as_of, source=BBC_WALES)
        newest = visible[0].published_at if visible else SITE_EPOCH
        body = render_feed(in_feed(visible), last_build=newest, as_of=as_of)
        return ok(body, FEED_TYPE, newest)
    entry = site.catalogue.find_page(BBC_WALES, path)
    if entry is None or not entry.is_visible(as_of):
        return not_found(host)
    return ok(render_article(entry, site.catalogue.read_body(entry)), HTML_TYPE,
              entry.published_at)
