"""Wrexham Council news (news.wrexham.gov.uk, WordPress): the RSS2 feed and the article page.

The feed follows WordPress core's ``feed-rss2.php`` (markup.md §2), including its element order
(``dc:creator`` before ``pubDate``), CDATA sections, ``?p=ID`` guids and 10 items per page.
Article pages show no date (as the stored copies show none), so the date lives only in the feed;
promotional lines ("Sign-up for email bulletins", "MyUpdates ...") sit inside the body, each its
own ``<p>``, because the real pages put them there and carewatch must strip them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime

from replay.render import attr, cdata, rfc822, text
from replay.timeline import Entry

PER_PAGE = 10
BASE = "https://news.wrexham.gov.uk"
SITE_TITLE = "Wrexham Council News"
GENERATOR = "https://wordpress.org/?v=5.4.2"
EXCERPT_WORDS = 55

_TAG = re.compile(r"<[^>]+>")


def category_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")


def excerpt(body: str) -> str:
    """WordPress's automatic excerpt: text only, first 55 words, then `` [&#8230;]``."""
    words = html.unescape(_TAG.sub(" ", body)).split()
    if len(words) <= EXCERPT_WORDS:
        return " ".join(words)
    return " ".join(words[:EXCERPT_WORDS]) + " [&#8230;]"


def page_count(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


def render_feed(items: Sequence[tuple[Entry, str]], *, self_url: str,
                last_build: datetime) -> str:
    """One feed page: ``items`` are (entry, body HTML) pairs for that page, newest first."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n'
        "\t>\n\n<channel>\n"
        f"\t<title>{SITE_TITLE}</title>\n"
        f'\t<atom:link href="{attr(self_url)}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{BASE}</link>\n"
        "\t<description>News from Wrexham County Borough Council</description>\n"
        f"\t<lastBuildDate>{rfc822(last_build)}</lastBuildDate>\n"
        "\t<language>en-GB</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        f"\t<generator>{GENERATOR}</generator>\n"
    )
    return head + "".join(_item(e, body) for e, body in items) + "\t</channel>\n</rss>\n"


def _item(entry: Entry, body: str) -> str:
    link = f"{BASE}{entry.path}"
    categories = "".join(f"\t\t<category>{cdata(c)}</category>\n" for c in entry.categories)
    return (
        "\t<item>\n"
        f"\t\t<title>{text(entry.title)}</title>\n"
        f"\t\t<link>{link}</link>\n"
        f"\t\t\t\t\t<comments>{link}#respond</comments>\n"
        f"\t\t\n\t\t<dc:creator>{cdata(entry.author)}</dc:creator>\n"
        f"\t\t<pubDate>{rfc822(entry.published_at)}</pubDate>\n"
        f"{categories}"
        f'\t\t<guid isPermaLink="false">{BASE}/?p={entry.post_id}</guid>\n\n'
        f"\t\t\t\t\t<description>{cdata(excerpt(body))}</description>\n"
        f"\t\t\t\t\t\t\t\t\t\t<content:encoded>{cdata(body.strip())}</content:encoded>\n"
        f"\t\t\t\t\t<wfw:commentRss>{link}feed/</wfw:commentRss>\n"
        "\t\t\t<slash:comments>0</slash:comments>\n"
        "\t\t\t\t\t</item>\n"
    )


def render_article(entry: Entry, body: str) -> str:
    """A single post page.  No visible date: the feed's pubDate is the only date."""
    pid = entry.post_id
    first = entry.categories[0] if entry.categories else "News"
    cats = ", ".join(
        f'<a href="{BASE}/category/{category_slug(c)}/" rel="category tag">{text(c)}</a>'
        for c in (entry.categories or (first,))
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{text(entry.title)} &#8211; {SITE_TITLE}</title>\n"
        f'<link rel="canonical" href="{BASE}{attr(entry.path)}">\n'
        f'<link rel="shortlink" href="{BASE}/?p={pid}">\n'
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_TITLE} &raquo; Feed" '
        f'href="{BASE}/feed/">\n'
        "</head>\n"
        f'<body class="post-template-default single single-post postid-{pid}">\n'
        '<a class="skip-link screen-reader-text" href="#main">Skip to main content</a>\n'
        '<header id="masthead" class="site-header">\n'
        f'<p class="site-title"><a href="{BASE}/" rel="home">{SITE_TITLE}</a></p>\n'
        '<nav id="site-navigation" class="main-navigation"><ul class="menu">'
        f'<li><a href="{BASE}/">Home</a></li>'
        f'<li><a href="{BASE}/category/social-services/">Social services</a></li>'
        '<li><a href="https://newyddion.wrecsam.gov.uk/">Cymraeg</a></li>'
        '<li><a href="https://www.wrexham.gov.uk/">wrexham.gov.uk</a></li>'
        "</ul></nav>\n</header>\n"
        '<main id="main" class="site-main">\n'
        f' <article id="post-{pid}" class="post-{pid} post type-post status-publish">\n'
        '  <header class="entry-header">\n'
        f'    <span class="cat-links">{cats}</span>\n'
        f'    <h1 class="entry-title">{text(entry.title)}</h1>\n'
        "  </header>\n"
        f'  <div class="entry-content">\n{body.strip()}\n</div>\n'
        " </article>\n</main>\n"
        '<footer id="colophon" class="site-footer"><p>&copy; Wrexham County Borough Council</p>'
        "</footer>\n</body>\n</html>\n"
    )
