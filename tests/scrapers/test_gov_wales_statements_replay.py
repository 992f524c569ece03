"""gov_wales_statements against the replay site: the feed, every statement, crawl() over HTTP."""

from __future__ import annotations

import pytest

from replay.render_gov_wales import in_feed
from replay.server import ReplayServer, ReplaySite
from replay.timeline import GOV_WALES, STEPS, default_catalogue
from scrapers import gov_wales_statements as gw
from scrapers.base import FetchError
from scrapers.text import html_text, parse_html

BASE = "https://gov.wales"
FEED = f"{BASE}/announcements/rss"
CATALOGUE = default_catalogue()
ENTRIES = [e for e in CATALOGUE.entries if e.source == GOV_WALES]
STATEMENTS = [e for e in ENTRIES if e.kind == "statement"]
LATEST = STEPS["latest"]


@pytest.fixture(scope="module")
def site() -> ReplaySite:
    return ReplaySite(as_of=LATEST)


def get(site: ReplaySite, url: str) -> bytes:
    response = site.get(f"/{url.split('://', 1)[1]}")
    assert response.status == 200, url
    return response.body


def test_replay_feed_lists_every_visible_announcement(site: ReplaySite) -> None:
    page = gw.parse_feed(get(site, FEED), FEED)
    visible = in_feed(CATALOGUE.visible(LATEST, source=GOV_WALES), LATEST)
    assert len(visible) >= 2
    assert [e.url for e in page.entries] == [v.url for v in visible]
    assert [e.title for e in page.entries] == [v.title for v in visible]
    assert [e.published for e in page.entries] == [v.published for v in visible]
    assert [e.is_statement for e in page.entries] == [v.kind == "statement" for v in visible]


@pytest.mark.parametrize("entry", STATEMENTS, ids=[e.key for e in STATEMENTS])
def test_replay_statement_fields(site: ReplaySite, entry) -> None:
    statement = gw.parse_statement(get(site, entry.url), entry.url)
    assert statement.title == entry.title
    assert statement.published == entry.published
    assert statement.summary == entry.summary
    body = html_text(parse_html(CATALOGUE.read_body(entry)))
    assert statement.text == f"{entry.summary}\n\n{body}"


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    warning = CATALOGUE.get("govwales-2017-powys-warning-notice")
    follow_up = CATALOGUE.get("govwales-2018-powys-follow-up-warning-notice")
    removal = CATALOGUE.get("govwales-2020-powys-removal-enhanced-monitoring")
    with ReplayServer(as_of=STEPS["before-any"]) as server:
        client = replay_client(server)
        # a first poll in 2019 sees nothing: the 2017-18 notices have rolled off the feed
        empty = gw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert empty.publications == () and empty.found == 0 and empty.errors == ()

        server.set_as_of(warning.published)
        first = gw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert [p.url for p in first.publications] == [warning.url]
        (pub,) = first.publications
        assert pub.source == GOV_WALES and pub.kind == "statement"
        assert pub.published == warning.published and pub.title == warning.title
        assert "Warning Notice" in pub.text and "Part 8" in pub.text
        memory_store.add(first)

        server.set_as_of(follow_up.published)
        server.clear_requests()
        second = gw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert [p.url for p in second.publications] == [follow_up.url]
        assert second.found == 2  # the 2017 notice is still listed, and known
        memory_store.add(second)

        server.set_as_of(removal.published)
        third = gw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert third.publications[-1].url == removal.url  # newest, so last
        assert "have been removed" in third.publications[-1].text

        server.set_as_of(LATEST)
        server.clear_requests()
        latest = gw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert [p.kind for p in latest.publications] == ["statement"]
        assert latest.found == 2  # a press release is listed, counted and skipped
        fetched = [r.path for r in server.requests if not r.path.endswith("robots.txt")]
        assert all("/written-statement-" in p or p == "/gov.wales/announcements/rss"
                   for p in fetched)  # other announcements are never fetched


def test_replay_crawl_feed_forbidden_raises(replay_client, memory_store) -> None:
    with ReplayServer(as_of=LATEST) as server:
        server.inject(r"^/gov\.wales/announcements/rss", status=403)
        with pytest.raises(FetchError):
            gw.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
