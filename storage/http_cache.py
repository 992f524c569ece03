"""The HTTP cache: validators and body hash of listing pages last processed successfully.

``scrapers.http.HttpClient`` reads it (``SessionStore``) to send conditional GETs and keeps
what it received as *pending*; ``flows.poll`` writes them (``save``) only after a crawl
finished with no error and its results were committed (issue 5).  Saved any earlier, a
validator for a listing whose item failed would make the next poll's 304 hide that item
for ever.  Only listing and feed pages are saved (``scrapers.crawl.listing_pages``), and each
host's robots.txt with its text (saved whatever the crawl's outcome: rules hide nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scrapers.http import CacheEntry
from storage import models

__all__ = ["SessionStore", "load", "lookup", "save"]

_CHUNK = 500  # bound parameters per IN (...) list
ETAG_LENGTH, DATE_LENGTH = 255, 64  # models.HttpCache.etag / .last_modified


def _entry(row: models.HttpCache) -> CacheEntry:
    robots = row.body is not None  # only a robots.txt's copy ages (``ROBOTS_MAX_AGE``)
    return CacheEntry(etag=row.etag, last_modified=row.last_modified, sha256=row.sha256,
                      body=row.body, checked_at=row.checked_at if robots else None)


def lookup(session: Session, url: str) -> CacheEntry | None:
    """What was saved for ``url``, or None."""
    row = session.get(models.HttpCache, url)
    return None if row is None else _entry(row)


def load(session: Session, urls: Iterable[str]) -> dict[str, CacheEntry]:
    """What was saved for each of ``urls`` that has an entry."""
    wanted = sorted(set(urls))
    found: dict[str, CacheEntry] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = session.scalars(select(models.HttpCache).where(models.HttpCache.url.in_(chunk)))
        found.update((row.url, _entry(row)) for row in rows)
    return found


class SessionStore:
    """The ``HttpCacheStore`` a crawl's HttpClient reads: one primary-key lookup per URL."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, url: str, /) -> CacheEntry | None:
        return lookup(self._session, url)


def save(session: Session, entries: Mapping[str, CacheEntry], now: datetime) -> int:
    """Insert or replace the entry of each URL; returns how many were written.

    A validator longer than its column (no real server sends one) is dropped rather than
    cut, which would make it never match: the body hash still lets an unchanged page be
    skipped.
    """
    for url, entry in entries.items():
        row = session.get(models.HttpCache, url) or models.HttpCache(url=url)
        row.etag = entry.etag if entry.etag and len(entry.etag) <= ETAG_LENGTH else None
        row.last_modified = (entry.last_modified if entry.last_modified
                             and len(entry.last_modified) <= DATE_LENGTH else None)
        row.sha256 = entry.sha256
        row.body = entry.body
        row.checked_at = entry.checked_at or now
        session.add(row)
    session.flush()
    return len(entries)
