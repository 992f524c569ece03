"""wrexham_news_rss against the replay site: feed pages, every article, crawl() over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from replay.server import ReplayServer, ReplaySite
from replay.timeline import STEPS, WREXHAM_NEWS, default_catalogue
from scrapers import wrexham_news_rss as wrexham
from scrapers.base import FetchError
from scrapers.text import canonical_url, clean_text

BASE = "https://news.wrexham.gov.uk"
CATALOGUE = default_catalogue()
ARTICLES = [e for e in CATALOGUE.entries if e.source == WREXHAM_NEWS]
LATEST = STEPS["latest"]
SEED_000 = next((Path(__file__).resolve().parents[1] / "fixtures" / "seeds").glob("000_*.txt"))


@pytest.fixture(scope="module")
def site() -> ReplaySite:
    return ReplaySite(as_of=LATEST)


def get(site: ReplaySite, url: str) -> bytes:
    response = site.get(f"/{url.split('://', 1)[1]}")
    assert response.status == 200, url
    return response.body


@pytest.fixture(scope="module")
def feed_entries(site: ReplaySite) -> list[wrexham.FeedEntry]:
    entries: list[wrexham.FeedEntry] = []
    url: str | None = f"{BASE}/feed/"
    while url and site.get(f"/{url.split('://', 1)[1]}").status == 200:
        page = wrexham.parse_feed(get(site, url), url)
        assert len(page.entries) <= 10
        entries.extend(page.entries)
        url = page.next_url
    assert url == f"{BASE}/feed/?paged=3"  # answered 404: the end of the feed
    return entries


def test_replay_feed_lists_every_visible_article(feed_entries) -> None:
    visible = CATALOGUE.visible(LATEST, source=WREXHAM_NEWS)
    assert [canonical_url(e.url) for e in feed_entries] == [canonical_url(v.url) for v in visible]
    assert [e.published for e in feed_entries] == [v.published for v in visible]
    assert [e.title for e in feed_entries] == [v.title for v in visible]
    assert [e.categories for e in feed_entries] == [v.categories for v in visible]
    assert [e.guid for e in feed_entries] == [f"{BASE}/?p={v.post_id}" for v in visible]


def test_replay_feed_page_sizes(site: ReplaySite) -> None:
    assert len(wrexham.parse_feed(get(site, f"{BASE}/feed/"), f"{BASE}/feed/").entries) == 10
    assert site.get("/news.wrexham.gov.uk/feed/?paged=3").status == 404


@pytest.mark.parametrize("entry", ARTICLES, ids=[e.key for e in ARTICLES])
def test_replay_article_page_confirms_feed_body(site: ReplaySite, feed_entries, entry) -> None:
    article = wrexham.parse_article(get(site, entry.url), entry.url)
    assert article.title == entry.title
    assert article.category == ", ".join(entry.categories)
    feed_entry = next(e for e in feed_entries if e.url == entry.url)
    assert article.text == wrexham.content_text(feed_entry.content_html)
    for line in article.text.split("\n"):
        assert not any(pattern.match(line) for pattern in wrexham.BOILERPLATE), line


def test_replay_seed_article_matches_seed_text(site: ReplaySite) -> None:
    url = f"{BASE}/improvements-in-childrens-social-care-reported-to-executive-board/"
    article = wrexham.parse_article(get(site, url), url)
    seed = wrexham.strip_boilerplate(clean_text(SEED_000.read_text()))

    def words(text: str) -> list[str]:
        return text.replace("•", " ").split()

    assert words(article.text) == words(seed)


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["after-council-2021-report"]) as server:
        client = replay_client(server)
        first = wrexham.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert first.errors == ()  # the 404 past the last feed page ends the walk quietly
        visible = CATALOGUE.visible(STEPS["after-council-2021-report"], source=WREXHAM_NEWS)
        oldest_first = [canonical_url(v.url) for v in reversed(visible)]
        assert [p.url for p in first.publications] == oldest_first
        for publication, entry in zip(first.publications, reversed(visible), strict=True):
            assert publication.source == "wrexham_news_rss"
            assert publication.kind == "article"
            assert publication.title == entry.title
            assert publication.published == entry.published
            assert publication.aliases == (f"{BASE}/?p={entry.post_id}",)
            assert publication.text
        memory_store.add(first)

        server.set_as_of(STEPS["after-council-2022-report"])
        server.clear_requests()
        second = wrexham.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert [p.title for p in second.publications] == [
            "Council tax bills for 2021/22 on their way",
            "Summer Reading Challenge returns to Wrexham libraries",
            "Christmas and New Year bin collection dates",
            "Road closures for match days at the Racecourse",
            "Report notes progress in social services",
        ]
        feed_requests = [r.path for r in server.requests if "/feed/" in r.path]
        assert feed_requests == ["/news.wrexham.gov.uk/feed/", "/news.wrexham.gov.uk/feed/?paged=2"]


def test_replay_crawl_article_redesign_is_an_item_error(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["after-council-2020-response"]) as server:
        server.inject(
            r"/how-were-addressing-concerns",
            body=b"<html><body><div class='page'><h1>x</h1><p>y</p></div></body></html>",
        )
        result = wrexham.crawl(
            replay_client(server).fetch, memory_store.is_known, base_url=BASE
        )
        (error,) = result.errors
        assert error.startswith(f"{BASE}/how-were-addressing-concerns")
        assert "no element for article body" in error
        assert len(result.publications) == 3


def test_replay_crawl_feed_down_raises(replay_client, memory_store) -> None:
    with ReplayServer(as_of=LATEST) as server:
        server.inject(r"^/news\.wrexham\.gov\.uk/feed/", status=500)
        with pytest.raises(FetchError) as caught:
            wrexham.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
        assert str(caught.value) == f"{BASE}/feed/: HTTP 500 after 3 attempts"
