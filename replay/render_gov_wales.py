"""gov.wales (Welsh Government, Drupal): the announcements RSS feed and the announcement page.

Feed ``/announcements/rss``: RSS 2.0 ``item`` with ``title``, ``link`` and ``pubDate``
(markup.md §4, seen in public feed lists); a ``description`` with the summary is added
[inferred].  It mixes written statements with other announcements (press releases), as the real
feed does, and has no paging [inferred].  The real feed is count-limited over a high volume of
announcements (several a day), so an item rolls off it within weeks; the replay catalogue is
sparse, so that roll-off is modelled as a window: the feed holds what was published in the
FEED_WINDOW_DAYS before ``as_of`` (at most FEED_ITEMS items) [inferred].  A statement stays
reachable at its URL for ever; it just stops being listed, so a first poll in 2019 does not
see the 2017-18 Powys notices, exactly as a live first poll would not.  Filler announcements keep
the feed non-empty on every day from June 2019 (a real feed is never empty); it is empty only
before that, at the timeline's ``before-any`` step.

Statement page, following the selectors seen in public scrapers (markup.md §4): ``h1``,
``div.header-meta > div.first-published > div.item`` (text date "17 October 2017"),
``div.last-updated > div.item > time[datetime]``, ``div.hero-block__summary > div > p``, the
minister line(s), the administration banner on older statements, and the body in
``div.container-fluid.announcement-item__body``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from replay.render import attr, long_date, rfc822, text
from replay.timeline import Entry

BASE = "https://gov.wales"
FEED_ITEMS = 20
FEED_WINDOW_DAYS = 183
#: Statements published before the May 2021 election carry this banner (seen on the stored copies).
ADMINISTRATION_END = date(2021, 5, 13)
BANNER = ("This was published under the 2016 to 2021 administration of the Welsh Government")


def in_feed(entries: Sequence[Entry], as_of: date) -> list[Entry]:
    """The entries the feed lists at ``as_of`` (``entries`` visible, newest first)."""
    start = as_of - timedelta(days=FEED_WINDOW_DAYS)
    return [e for e in entries if e.published > start][:FEED_ITEMS]


def render_feed(entries: Sequence[Entry], *, last_build: datetime) -> str:
    """The feed: ``entries`` newest first (already cut to FEED_ITEMS)."""
    items = "".join(
        "<item>\n"
        f"  <title>{text(e.title)}</title>\n"
        f"  <link>{BASE}{attr(e.path)}</link>\n"
        f"  <description>{text(e.summary)}</description>\n"
        f"  <pubDate>{rfc822(e.published_at)}</pubDate>\n"
        f'  <guid isPermaLink="true">{BASE}{attr(e.path)}</guid>\n'
        "</item>\n"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xml:base="https://gov.wales/">\n<channel>\n'
        "<title>Announcements | GOV.WALES</title>\n"
        f"<link>{BASE}/announcements</link>\n"
        "<description>Welsh Government announcements</description>\n"
        "<language>en</language>\n"
        f"<lastBuildDate>{rfc822(last_build)}</lastBuildDate>\n"
        f"{items}</channel>\n</rss>\n"
    )


def render_statement(entry: Entry, body: str) -> str:
    """A written statement (or other announcement) page."""
    published = long_date(entry.published)
    banner = ""
    if entry.published < ADMINISTRATION_END:
        banner = f'<div class="govwales-banner"><p>{BANNER}</p></div>\n'
    kind = "Written statement" if entry.kind == "statement" else "Press release"
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{text(entry.title)} | GOV.WALES</title>\n"
        f'<link rel="canonical" href="{BASE}{attr(entry.path)}">\n'
        "</head>\n<body>\n"
        '<a href="#main-content" class="visually-hidden focusable skip-link">'
        "Skip to main content</a>\n"
        '<header class="header"><a href="/" class="header__logo">Welsh Government</a>'
        '<a href="https://www.llyw.cymru/" lang="cy" class="header__language">Cymraeg</a>'
        "</header>\n"
        '<main id="main-content" role="main">\n'
        '<div class="hero-block">\n'
        f'  <div class="hero-block__type">{kind}</div>\n'
        f'  <h1 class="hero-block__title">{text(entry.title)}</h1>\n'
        f'  <div class="announcement-item__author">{text(entry.author)}</div>\n'
        '  <div class="header-meta">\n'
        '    <div class="first-published"><div class="label">First published:</div>'
        f'<div class="item">{published}</div></div>\n'
        '    <div class="last-updated"><div class="label">Last updated:</div>'
        f'<div class="item"><time datetime="{entry.published_at:%Y-%m-%dT%H:%M:%SZ}">'
        f"{published}</time></div></div>\n"
        "  </div>\n"
        f'  <div class="hero-block__summary"><div><p>{text(entry.summary)}</p></div></div>\n'
        "</div>\n"
        f"{banner}"
        '<div id="announcement-item__article" class="container-fluid announcement-item__body">\n'
        f"{body.strip()}\n</div>\n"
        "</main>\n"
        '<footer class="footer"><p>&copy; Crown copyright</p></footer>\n'
        "</body>\n</html>\n"
    )
