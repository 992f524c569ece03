"""Shared rendering helpers for the replay site: escaping, date formats, 404 page, robots.txt.

Everything here is pure (strings in, strings out).  The per-source page shapes live in
``render_ciw.py``, ``render_wrexham.py``, ``render_wrexham_com.py`` and ``render_gov_wales.py``;
they follow the contract markup exactly, because the scrapers are written against that markup.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from email.utils import format_datetime

HTML_TYPE = "text/html; charset=UTF-8"
TEXT_TYPE = "text/plain; charset=UTF-8"
PDF_TYPE = "application/pdf"
RSS_TYPE = "application/rss+xml; charset=UTF-8"


def text(value: str) -> str:
    """Escape for an HTML text node (quotes left alone, as CMSs print titles)."""
    return html.escape(value, quote=False)


def attr(value: str) -> str:
    """Escape for a double-quoted HTML attribute."""
    return html.escape(value, quote=True)


def long_date(day: date) -> str:
    """CIW's visible date format, day not zero-padded: ``4 August 2020`` (markup.md §1)."""
    return f"{day.day} {day:%B %Y}"


def rfc822(moment: datetime) -> str:
    """WordPress feed dates: ``Tue, 04 Aug 2020 10:00:00 +0000``."""
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def http_date(moment: datetime) -> str:
    """An HTTP-date for Last-Modified: ``Tue, 04 Aug 2020 10:00:00 GMT``."""
    return format_datetime(moment, usegmt=True)


def cdata(value: str) -> str:
    """Wrap in CDATA, splitting any ``]]>`` so the section cannot end early."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def not_found_page(host: str) -> str:
    """A small 404 page; the same for unknown paths and documents not yet published."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>Page not found</title></head>\n<body>\n"
        '<a href="#main-content" class="skip-link">Skip to main content</a>\n'
        '<main id="main-content" role="main">\n<h1 class="page-title">Page not found</h1>\n'
        f"<p>The requested page could not be found on {text(host)}.</p>\n"
        "</main>\n</body>\n</html>\n"
    )


def error_page(status: int, reason: str) -> str:
    """The body of an injected error status (fault injection with no body given)."""
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head><title>{status} {text(reason)}</title></head>\n'
        f"<body>\n<h1>{text(reason)}</h1>\n</body>\n</html>\n"
    )


#: Drupal's default robots.txt, shortened: nothing carewatch fetches is disallowed.
CIW_ROBOTS = """\
#
# robots.txt
#
# This file is to prevent the crawling and indexing of certain parts
# of your site by web crawlers and spiders run by sites like Yahoo!
# and Google.
#
User-agent: *
# CSS, JS, Images
Allow: /core/*.css$
Allow: /core/*.js$
Allow: /core/*.png$
Allow: /core/*.svg$
# Directories
Disallow: /core/
Disallow: /profiles/
# Files
Disallow: /README.txt
Disallow: /web.config
# Paths (clean URLs)
Disallow: /admin/
Disallow: /comment/reply/
Disallow: /filter/tips
Disallow: /node/add/
Disallow: /search/
Disallow: /user/register
Disallow: /user/password
Disallow: /user/login
Disallow: /user/logout
# Paths (no clean URLs)
Disallow: /index.php/admin/
Disallow: /index.php/search/
Disallow: /index.php/user/login
"""

#: WordPress's virtual robots.txt.
WORDPRESS_ROBOTS = """\
User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php
"""
