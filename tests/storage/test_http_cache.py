"""storage.http_cache: validators saved after a successful run, read back for conditional GET."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from scrapers.http import CacheEntry, HttpClient, HttpSettings
from storage import http_cache, models

NEWS = "https://careinspectorate.wales/news"
FEED = "https://news.wrexham.gov.uk/feed/"
ENTRY = CacheEntry(etag='"abc"', last_modified="Mon, 03 Aug 2020 09:00:00 GMT", sha256="1" * 64)


def test_save_then_lookup_and_load(session, now):
    assert http_cache.lookup(session, NEWS) is None
    assert http_cache.save(session, {NEWS: ENTRY, FEED: CacheEntry(sha256="2" * 64)}, now) == 2
    session.commit()
    assert http_cache.lookup(session, NEWS) == ENTRY
    assert http_cache.load(session, [NEWS, FEED, "https://elsewhere.example/"]) == {
        NEWS: ENTRY, FEED: CacheEntry(sha256="2" * 64)}
    assert session.get(models.HttpCache, NEWS).checked_at == now


def test_save_replaces_the_previous_entry(session, now):
    http_cache.save(session, {NEWS: ENTRY}, now)
    newer = CacheEntry(etag='"def"', last_modified=None, sha256="3" * 64)
    http_cache.save(session, {NEWS: newer}, now + timedelta(hours=1))
    session.commit()
    assert http_cache.lookup(session, NEWS) == newer
    row = session.get(models.HttpCache, NEWS)
    assert row.checked_at == now + timedelta(hours=1)
    assert session.query(models.HttpCache).count() == 1


def test_overlong_validators_are_dropped_not_cut(session, now):
    http_cache.save(session, {NEWS: CacheEntry(etag='"' + "x" * 300 + '"',
                                               last_modified="y" * 65, sha256="4" * 64)}, now)
    assert http_cache.lookup(session, NEWS) == CacheEntry(None, None, "4" * 64)


def test_load_reads_many_urls_in_chunks(session, now):
    urls = [f"https://careinspectorate.wales/news?page={i}" for i in range(1200)]
    http_cache.save(session, {url: CacheEntry(sha256="5" * 64) for url in urls}, now)
    assert len(http_cache.load(session, urls)) == 1200


def test_session_store_feeds_the_client_conditional_headers(session, now):
    http_cache.save(session, {NEWS: ENTRY}, now)
    session.commit()
    seen: list[httpx.Request] = []

    def site(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404 if request.url.path == "/robots.txt" else 304)

    client = HttpClient(HttpSettings(min_interval=0), frozenset({"careinspectorate.wales"}),
                        transport=httpx.MockTransport(site), sleep=lambda s: None,
                        cache=http_cache.SessionStore(session))
    assert client.fetch(NEWS).not_modified
    assert seen[-1].headers["if-none-match"] == '"abc"'
    assert seen[-1].headers["if-modified-since"] == ENTRY.last_modified


def test_a_robots_txt_keeps_its_text_and_when_it_was_read(session) -> None:
    read = datetime(2020, 8, 4, 9, 0, tzinfo=UTC)
    url = "https://careinspectorate.wales/robots.txt"
    http_cache.save(session, {url: CacheEntry(etag='"r"', body="User-agent: *\n",
                                              checked_at=read)}, read + timedelta(hours=1))
    assert http_cache.lookup(session, url) == CacheEntry(etag='"r"', body="User-agent: *\n",
                                                         checked_at=read)
