"""The one config entry per source: what carewatch watches, where, how often, and how to read it.

Adding a source is one module plus one entry here (style.md §2.3); flows iterate SOURCES and
never name a source.  ``hosts`` is the HTTP allowlist for the source (redirects elsewhere are
refused), listing both the bare and the ``www.`` host because CIW serves every path on both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapers import ciw_la_reports, gov_wales_statements, wrexham_com, wrexham_news_rss
from scrapers.base import CrawlResult

Crawl = Callable[..., CrawlResult]  # crawl(fetch, is_known, *, base_url, max_pages=50)


@dataclass(frozen=True)
class Source:
    name: str  # the slug: module, fixtures folder, test file, registry key and DB source column
    title: str
    base_url: str  # real base URL; the replay mapping happens in scrapers.http
    hosts: frozenset[str]
    authoritative: bool  # only authoritative sources may move the regulator status
    crawl: Crawl
    cadence_minutes: int = 30
    kind: str = "html"  # "html" | "rss"


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            name="ciw_la_reports",
            title="Care Inspectorate Wales: local authority reports and letters",
            base_url="https://careinspectorate.wales",
            hosts=ciw_la_reports.HOSTS,
            authoritative=True,
            crawl=ciw_la_reports.crawl,
            kind="html",
        ),
        Source(
            name="wrexham_news_rss",
            title="Wrexham County Borough Council news",
            base_url="https://news.wrexham.gov.uk",
            hosts=frozenset({"news.wrexham.gov.uk", "www.news.wrexham.gov.uk"}),
            authoritative=False,
            crawl=wrexham_news_rss.crawl,
            kind="rss",
        ),
        Source(
            name="wrexham_com",
            title="wrexham.com news (press)",
            base_url="https://wrexham.com",
            hosts=wrexham_com.HOSTS,
            authoritative=False,
            crawl=wrexham_com.crawl,
            kind="html",
        ),
        Source(
            name="gov_wales_statements",
            title="Welsh Government written statements",
            base_url="https://gov.wales",
            hosts=gov_wales_statements.HOSTS,
            authoritative=True,
            crawl=gov_wales_statements.crawl,
            cadence_minutes=60,
            kind="rss",
        ),
    )
}


def get_source(name: str) -> Source:
    """The registered source called ``name``; ValueError listing the valid names otherwise."""
    try:
        return SOURCES[name]
    except KeyError:
        valid = ", ".join(sorted(SOURCES))
        raise ValueError(f"unknown source {name!r}; valid sources: {valid}") from None


def env_var_for(source: Source) -> str:
    """The variable that overrides a source's base URL: CAREWATCH_SOURCE_<NAME>_URL."""
    return f"CAREWATCH_SOURCE_{source.name.upper()}_URL"


def base_url_for(source: Source | str, environ: Mapping[str, str] = os.environ) -> str:
    """The base URL to crawl: the override variable if set (validated), else the real one."""
    if isinstance(source, str):
        source = get_source(source)
    variable = env_var_for(source)
    override = environ.get(variable, "").strip().rstrip("/")
    if not override:
        return source.base_url
    parts = urlsplit(override)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{variable} must be an http(s) URL, got {override!r}")
    return override


def allowed_hosts(
    sources: Iterable[Source] | None = None, environ: Mapping[str, str] = os.environ
) -> frozenset[str]:
    """Every host the HTTP client may contact for ``sources`` (default: all), overrides included."""
    hosts: set[str] = set()
    for source in SOURCES.values() if sources is None else sources:
        hosts |= source.hosts
        hosts.add((urlsplit(base_url_for(source, environ)).hostname or "").lower())
    hosts.discard("")
    return frozenset(hosts)
