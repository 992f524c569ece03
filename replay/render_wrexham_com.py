"""wrexham.com (independent local news): the ``/news/`` listing, its pages, and the article page.

The real listing markup is not seen in any public copy (markup.md §3 [not found]), so this is the
[inferred] WordPress-like skeleton markup.md §3 proposes, kept deliberately plain:

- listing ``/news/`` then ``/news/page/N/`` (WordPress paging, N from 2), 10 items a page, each
  ``article > h2 > a[href$="-{id}.html"]`` followed by ``p.posted`` ("Posted: Tue 4th Aug 2020");
  a page past the last answers 404, as WordPress does;
- an empty listing shows WordPress's ``section.no-results`` "Nothing Found" block;
- article ``article > p.posted ; h1 ; p.tagline ; [p.old-article] ; div.article-body``.

What *is* seen is kept exactly: the ``Posted: Ddd D{st|nd|rd|th} Mon YYYY`` line before the H1,
the site tagline running on after the H1, and on older items the second date line
``This article is old - Published: Dddd, Mon D{th}, YYYY`` in a different format.  The old-item
banner is shown when the page is viewed more than a year after publication (the real site adds
it to older items; the threshold is [inferred]).  Listings link the 2020 items on
``http://www.wrexham.com`` (``listing_href``), as the URLs seen in public copies are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from replay.render import attr, text
from replay.timeline import Entry

PER_PAGE = 10
BASE = "https://wrexham.com"
SITE_TITLE = "Wrexham.com"
TAGLINE = "Wrexham's online news and information"
OLD_AFTER_DAYS = 365


def ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def posted_line(day: date) -> str:
    """``Posted: Tue 4th Aug 2020`` (markup.md §3, seen)."""
    return f"Posted: {day:%a} {ordinal(day.day)} {day:%b %Y}"


def old_line(day: date) -> str:
    """``This article is old - Published: Tuesday, Aug 4th, 2020`` (markup.md §3, seen)."""
    return f"This article is old - Published: {day:%A}, {day:%b} {ordinal(day.day)}, {day.year}"


def page_count(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


def page_path(page: int) -> str:
    return "/news/" if page <= 1 else f"/news/page/{page}/"


def _chrome(title: str, canonical: str, main: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{text(title)}</title>\n"
        f'<link rel="canonical" href="{attr(canonical)}">\n'
        "</head>\n<body>\n"
        '<a class="skip-link" href="#content">Skip to main content</a>\n'
        f'<header class="site-header"><p class="site-title"><a href="{BASE}/">{SITE_TITLE}</a>'
        "</p>\n"
        '<nav class="main-nav"><ul>'
        f'<li><a href="{BASE}/news/">News</a></li>'
        f'<li><a href="{BASE}/whats-on/">What\'s On</a></li>'
        f'<li><a href="{BASE}/wp-content/uploads/2020/01/advertise.pdf">Advertise</a></li>'
        "</ul></nav>\n</header>\n"
        f'<div id="content" class="site-content">\n{main}</div>\n'
        '<footer class="site-footer"><p>&copy; Wrexham.com &ndash; independent news for '
        "Wrexham</p></footer>\n</body>\n</html>\n"
    )


def render_listing(entries: Sequence[Entry], page: int, total_pages: int) -> str:
    """One listing page (``entries`` are that page's items, newest first)."""
    items = "".join(
        '<article class="news-item">\n'
        f'  <h2><a href="{attr(e.listing_href or BASE + e.path)}">{text(e.title)}</a></h2>\n'
        f'  <p class="posted">{posted_line(e.published)}</p>\n'
        f"  <p>{text(e.summary)}</p>\n"
        "</article>\n"
        for e in entries
    )
    if not entries:  # WordPress themes' "nothing found" block, the only sign of an empty listing
        items = ('<section class="no-results not-found"><h2>Nothing Found</h2>'
                 "<p>It seems we can't find what you're looking for.</p></section>\n")
    nav = ""
    if page < total_pages:
        nav = (f'<nav class="pagination"><a class="next" rel="next" '
               f'href="{BASE}{page_path(page + 1)}">Older posts</a></nav>\n')
    heading = "<h1>News</h1>\n" if page <= 1 else f"<h1>News &ndash; Page {page}</h1>\n"
    return _chrome(f"News | {SITE_TITLE}", BASE + page_path(page),
                   f'<main class="news-listing">\n{heading}{items}{nav}</main>\n')


def render_article(entry: Entry, body: str, as_of: date) -> str:
    """An article page; the old-item banner appears once the item is a year old at ``as_of``."""
    old = ""
    if (as_of - entry.published).days > OLD_AFTER_DAYS:
        old = f'  <p class="old-article">{old_line(entry.published)}</p>\n'
    main = (
        f'<main>\n <article id="post-{entry.article_id}" class="news-article">\n'
        f'  <p class="posted">{posted_line(entry.published)}</p>\n'
        f"  <h1>{text(entry.title)}</h1>\n"
        f'  <p class="tagline">{TAGLINE}</p>\n'
        f"{old}"
        f'  <div class="article-body">\n{body.strip()}\n  </div>\n'
        " </article>\n</main>\n"
    )
    return _chrome(f"{entry.title} | {SITE_TITLE}", BASE + entry.path, main)
