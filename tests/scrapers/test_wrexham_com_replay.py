"""wrexham_com against the replay site: listing pages, every article, crawl() over HTTP."""

from __future__ import annotations

import pytest

from replay.server import ReplayServer, ReplaySite
from replay.timeline import STEPS, WREXHAM_COM, default_catalogue
from scrapers import wrexham_com as wcom
from scrapers.base import FetchError
from scrapers.text import html_text, parse_html

BASE = "https://wrexham.com"
CATALOGUE = default_catalogue()
ARTICLES = [e for e in CATALOGUE.entries if e.source == WREXHAM_COM]
LATEST = STEPS["latest"]


@pytest.fixture(scope="module")
def site() -> ReplaySite:
    return ReplaySite(as_of=LATEST)


def get(site: ReplaySite, url: str) -> bytes:
    response = site.get(f"/{url.split('://', 1)[1]}")
    assert response.status == 200, url
    return response.body


def test_replay_listing_lists_every_visible_article(site: ReplaySite) -> None:
    entries: list[wcom.ListingEntry] = []
    url: str | None = f"{BASE}/news/"
    while url:
        page = wcom.parse_listing(get(site, url), url)
        assert len(page.entries) <= 10
        entries.extend(page.entries)
        url = page.next_url
    visible = CATALOGUE.visible(LATEST, source=WREXHAM_COM)
    assert [e.url for e in entries] == [v.url for v in visible]
    assert [e.article_id for e in entries] == [v.article_id for v in visible]
    assert [e.title for e in entries] == [v.title for v in visible]
    assert [e.published for e in entries] == [v.published for v in visible]


@pytest.mark.parametrize("entry", ARTICLES, ids=[e.key for e in ARTICLES])
def test_replay_article_fields(site: ReplaySite, entry) -> None:
    article = wcom.parse_article(get(site, entry.url), entry.url)
    assert article.title == entry.title
    assert article.published == entry.published
    assert article.text == html_text(parse_html(CATALOGUE.read_body(entry)))


@pytest.mark.parametrize("as_of", ["2020-08-04", "2024-12-31"])
def test_replay_article_text_does_not_change_when_it_turns_old(as_of: str) -> None:
    entry = CATALOGUE.get("wrexhamcom-2020-inspectors-raise-significant-concerns")
    article = wcom.parse_article(get(ReplaySite(as_of=as_of), entry.url), entry.url)
    assert article.published == entry.published
    assert article.text == html_text(parse_html(CATALOGUE.read_body(entry)))


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["after-council-2020-response"]) as server:
        client = replay_client(server)
        first = wcom.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert first.errors == ()
        visible = CATALOGUE.visible(STEPS["after-council-2020-response"], source=WREXHAM_COM)
        assert [p.url for p in first.publications] == [v.url for v in reversed(visible)]
        for publication, entry in zip(first.publications, reversed(visible), strict=True):
            assert publication.source == "wrexham_com" and publication.kind == "article"
            assert publication.title == entry.title
            assert publication.published == entry.published
            assert publication.aliases == (f"{BASE}/?p={entry.article_id}",)
        memory_store.add(first)

        server.set_as_of(STEPS["latest"])
        server.clear_requests()
        second = wcom.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert second.errors == ()
        assert len(second.publications) == len(ARTICLES) - len(visible)
        listing = [r.path for r in server.requests if "/news/" in r.path
                   and not r.path.endswith(".html")]
        assert listing == ["/wrexham.com/news/", "/wrexham.com/news/page/2/"]

        server.clear_requests()
        third = wcom.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        memory_store.add(second)
        assert len(third.publications) == len(second.publications)  # store not yet updated
        server.clear_requests()
        fourth = wcom.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert fourth.publications == ()
        assert [r.path for r in server.requests if not r.path.endswith("robots.txt")] == [
            "/wrexham.com/news/"]


def test_replay_crawl_article_redesign_is_an_item_error(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["after-council-2020-response"]) as server:
        server.inject(r"-190667\.html$",
                      body=b"<html><body><article><h1>x</h1><p>y</p></article></body></html>")
        result = wcom.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
        (error,) = result.errors
        assert "190667.html" in error and "no element for article body" in error
        assert len(result.publications) == 2


def test_replay_crawl_listing_down_raises(replay_client, memory_store) -> None:
    with ReplayServer(as_of=LATEST) as server:
        server.inject(r"^/wrexham\.com/news/$", status=500)
        with pytest.raises(FetchError):
            wcom.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
