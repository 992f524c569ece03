"""What carewatch watches: the sources configuration file, read into ``Source`` records.

The file (``scrapers/sources.toml`` by default, or ``CAREWATCH_SOURCES_FILE``) lists every
source with its module, base URL, schedule, expected cadence and authority filter, so adding
another council or turning a source off is a configuration change (issue 5).  Flows iterate
``SOURCES`` and never name a source.  A source module exposes ``crawl(fetch, is_known, *,
base_url, authorities=("*",), max_pages=50)`` and ``HOSTS``; several sources may share one
module (every council's ModernGov is the same product), so the records a crawl returns are
renamed to the configured source (``Source.run_crawl``).  ``authorities`` is the source's
filter for mixed feeds (a national news feed keeps items naming those councils); a
single-council or single-regulator site ignores it.

A malformed file raises ``ConfigError`` naming the file, the source and the field, before
anything is fetched: a typo must not silently stop a source being watched.
"""

from __future__ import annotations

import importlib
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapers.base import CrawlResult, Fetch, IsKnown

# crawl(fetch, is_known, *, base_url, authorities, max_pages=50)
Crawl = Callable[..., CrawlResult]

DEFAULT_FILE = Path(__file__).with_name("sources.toml")
FILE_VARIABLE = "CAREWATCH_SOURCES_FILE"
KINDS = ("html", "rss")
# Citation rank when one event is seen in several places (domain.md §6.9): lower is better.
PUBLISHERS = ("regulator", "government", "auditor", "council_papers", "council_news", "press")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_FIELDS = {"module", "title", "base_url", "hosts", "kind", "publisher", "authoritative",
           "enabled", "every", "cadence", "authorities"}


class ConfigError(ValueError):
    """The sources file is missing, unreadable or inconsistent; the message says where."""


@dataclass(frozen=True)
class Source:
    name: str  # the slug: DB source column, CLI name, fixtures folder, env-var suffix
    title: str
    base_url: str  # real base URL; the replay mapping happens in scrapers.http
    hosts: frozenset[str]
    authoritative: bool  # only authoritative sources' documents may move the regulator status
    crawl: Crawl
    module: str = ""
    kind: str = "html"  # "html" | "rss"
    publisher: str = "press"
    enabled: bool = True
    every: timedelta = timedelta(minutes=30)
    cadence: timedelta = timedelta(days=30)
    authorities: tuple[str, ...] = ("*",)

    @property
    def rank(self) -> int:
        """Citation rank of this source's publisher: 0 is the regulator (domain.md §6.9)."""
        return PUBLISHERS.index(self.publisher)

    def run_crawl(self, fetch: Fetch, is_known: IsKnown, *, base_url: str) -> CrawlResult:
        """Crawl with this source's authority filter; records carry this source's name
        (several sources may share a module, e.g. two councils' ModernGov)."""
        result = self.crawl(fetch, is_known, base_url=base_url, authorities=self.authorities)
        if all(pub.source == self.name for pub in result.publications):
            return result
        return replace(result, publications=tuple(
            replace(pub, source=self.name) for pub in result.publications))


@dataclass(frozen=True)
class Config:
    """The whole file: the councils whose status changes alert, and every source."""

    path: Path
    watch: tuple[str, ...]
    sources: dict[str, Source]


def parse_duration(value: object, *, where: str) -> timedelta:
    """``"30m"``, ``"6h"``, ``"60d"`` as a timedelta; ConfigError otherwise."""
    match = DURATION.match(value) if isinstance(value, str) else None
    if match is None or int(match[1]) <= 0:
        raise ConfigError(f"{where}: expected a duration such as \"30m\", \"6h\" or \"60d\", "
                          f"got {value!r}")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def load_config(path: Path | str | None = None,
                environ: Mapping[str, str] = os.environ) -> Config:
    """Read and check the sources file (``path``, else CAREWATCH_SOURCES_FILE, else the
    bundled default)."""
    file = Path(path or environ.get(FILE_VARIABLE, "").strip() or DEFAULT_FILE)
    try:
        with file.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{file}: sources file not found (set {FILE_VARIABLE} to its path, "
                          f"or unset it to use the bundled {DEFAULT_FILE.name})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    watch = _authorities(raw.get("watch", {}).get("authorities", ["Wrexham"]),
                         where=f"{file}: [watch] authorities")
    tables = raw.get("sources")
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(f"{file}: no [sources.NAME] tables")
    sources = {name: _source(name, table, watch, where=f"{file}: [sources.{name}]")
               for name, table in tables.items()}
    return Config(path=file, watch=watch, sources=sources)


def _source(name: str, table: Any, watch: tuple[str, ...], *, where: str) -> Source:
    if not NAME.match(name):
        raise ConfigError(f"{where}: a source name is lower-case letters, digits and _")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(_FIELDS))}")
    for required in ("module", "title", "base_url"):
        if not isinstance(table.get(required), str) or not table[required].strip():
            raise ConfigError(f"{where}: `{required}` is required (a string)")
    base_url = table["base_url"].strip().rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: base_url must be an http(s) URL, got {base_url!r}")
    hosts = table.get("hosts", [parts.hostname])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise ConfigError(f"{where}: hosts must be a list of host names")
    kind = table.get("kind", "html")
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    publisher = table.get("publisher", "press")
    if publisher not in PUBLISHERS:
        raise ConfigError(f"{where}: publisher must be one of {', '.join(PUBLISHERS)}, "
                          f"got {publisher!r}")
    for flag in ("authoritative", "enabled"):
        if not isinstance(table.get(flag, False), bool):
            raise ConfigError(f"{where}: {flag} must be true or false")
    module_name = table["module"].strip()
    return Source(
        name=name,
        title=table["title"].strip(),
        base_url=base_url,
        hosts=frozenset(h.lower() for h in hosts) | {parts.hostname.lower()},
        authoritative=table.get("authoritative", False),
        crawl=_crawl_of(module_name, where=where),
        module=module_name,
        kind=kind,
        publisher=publisher,
        enabled=table.get("enabled", True),
        every=parse_duration(table.get("every", "30m"), where=f"{where} every"),
        cadence=parse_duration(table.get("cadence", "30d"), where=f"{where} cadence"),
        authorities=_authorities(table.get("authorities", list(watch)),
                                 where=f"{where} authorities"),
    )


def _crawl_of(module_name: str, *, where: str) -> Crawl:
    """``scrapers.<module>.crawl``; only modules of this package can be named."""
    if not re.match(r"^[a-z][a-z0-9_]*$", module_name):
        raise ConfigError(f"{where}: module must name a module of the scrapers package")
    try:
        module = importlib.import_module(f"scrapers.{module_name}")
    except ModuleNotFoundError:
        raise ConfigError(f"{where}: no module scrapers.{module_name}") from None
    crawl = getattr(module, "crawl", None)
    if not callable(crawl):
        raise ConfigError(f"{where}: scrapers.{module_name} has no crawl()")
    return crawl  # type: ignore[no-any-return]


def _authorities(value: object, *, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(
            isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a non-empty list of council names, or [\"*\"]")
    return tuple(v.strip() for v in value)


CONFIG = load_config()
SOURCES: dict[str, Source] = CONFIG.sources


def enabled_sources(sources: Mapping[str, Source] | None = None) -> list[Source]:
    """The sources a scheduled poll reads."""
    return [s for s in (SOURCES if sources is None else sources).values() if s.enabled]


def get_source(name: str) -> Source:
    """The configured source called ``name``; ValueError listing the valid names otherwise."""
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
