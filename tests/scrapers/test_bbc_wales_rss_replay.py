"""bbc_wales_rss against the replay site: the rolling feed, every article page, crawl() over
HTTP along the timeline, and no status read from any kept story."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from replay.render_bbc_wales_rss import article_url, in_feed
from replay.server import ReplayServer, ReplaySite
from replay.timeline import BBC_WALES, STEPS, Entry, default_catalogue
from scrapers import bbc_wales_rss as bbc
from scrapers.base import FetchError
from scrapers.text import html_text, parse_html
from storage.classify import classify_document

BASE = "https://feeds.bbci.co.uk"
FEED = f"{BASE}/news/wales/rss.xml"
FEED_PATH = "/feeds.bbci.co.uk/news/wales/rss.xml"
CATALOGUE = default_catalogue()
ARTICLES = [e for e in CATALOGUE.entries if e.source == BBC_WALES]
LATEST = STEPS["latest"]
ESCALATION = CATALOGUE.get("bbc-2020-wrexham-childrens-services-concerns-escalated")
LDRS = CATALOGUE.get("bbc-2022-wrexham-childrens-services-journey-of-improvement")
CARE_HOME = CATALOGUE.get("bbc-2023-wrexham-care-home-to-close")
CHECK = CATALOGUE.get("bbc-2024-wrexham-social-services-improvement-check")
POWYS = CATALOGUE.get("bbc-2023-powys-overseas-social-workers")


def london_day(entry: Entry) -> date:
    return entry.published_at.astimezone(ZoneInfo("Europe/London")).date()


def key(entry: Entry) -> str:
    return bbc.url_keys(article_url(entry))[0]


@pytest.fixture(scope="module")
def site() -> ReplaySite:
    return ReplaySite(as_of=LATEST)


def get(site: ReplaySite, url: str) -> bytes:
    response = site.get(f"/{url.split('://', 1)[1]}")
    assert response.status == 200, url
    return response.body


def test_replay_feed_lists_the_window(site: ReplaySite) -> None:
    page = bbc.parse_feed(get(site, FEED), FEED)
    window = in_feed(CATALOGUE.visible(LATEST, source=BBC_WALES))
    assert 0 < len(window) < len(ARTICLES)  # the oldest items have rolled off
    assert [e.url for e in page.entries] == [article_url(w) for w in window]
    assert [e.title for e in page.entries] == [w.title for w in window]
    assert [e.description for e in page.entries] == [w.summary for w in window]
    assert [e.published for e in page.entries] == [london_day(w) for w in window]


def test_replay_feed_mixes_the_three_guid_styles(site: ReplaySite) -> None:
    page = bbc.parse_feed(get(site, FEED), FEED)
    hosts = {e.keys[0].split("/")[2] for e in page.entries}
    assert hosts == {"bbc.co.uk", "bbc.com"}
    assert any("/news/uk-wales-" in e.url and (e.published or date.max) < date(2020, 1, 1)
               for e in page.entries)


@pytest.mark.parametrize("entry", ARTICLES, ids=[e.key for e in ARTICLES])
def test_replay_article_fields(site: ReplaySite, entry: Entry) -> None:
    url = article_url(entry)
    article = bbc.parse_article(get(site, url), url)
    assert article.title == entry.title
    assert article.published == london_day(entry)
    assert article.text == html_text(parse_html(CATALOGUE.read_body(entry)))


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["before-any"]) as server:
        client = replay_client(server)
        empty = bbc.crawl(client.fetch, memory_store.is_known, base_url=BASE,
                          authorities=("Wrexham",))
        assert empty.publications == () and empty.found == 0 and empty.errors == ()

        server.set_as_of(STEPS["after-2020-letter"])
        first = bbc.crawl(client.fetch, memory_store.is_known, base_url=BASE,
                          authorities=("Wrexham",))
        visible = in_feed(CATALOGUE.visible(STEPS["after-2020-letter"], source=BBC_WALES))
        assert first.found == len(visible) > 10 and first.errors == ()
        (pub,) = first.publications
        assert pub.url == key(ESCALATION) == "https://bbc.co.uk" + ESCALATION.path
        assert pub.aliases == (f"https://bbc.com{ESCALATION.path}",
                               f"https://feeds.bbci.co.uk{ESCALATION.path}")
        assert pub.source == BBC_WALES and pub.kind == "article" and pub.errors == ()
        assert pub.title == ESCALATION.title and pub.published == ESCALATION.published
        assert "escalated from serious to significant" in pub.text
        memory_store.add(first)

        server.clear_requests()
        again = bbc.crawl(client.fetch, memory_store.is_known, base_url=BASE,
                          authorities=("Wrexham",))
        assert again.publications == ()
        assert [r.path for r in server.requests if not r.path.endswith("robots.txt")] == [
            FEED_PATH]

        server.set_as_of(STEPS["after-council-2022-report"])
        server.clear_requests()
        second = bbc.crawl(client.fetch, memory_store.is_known, base_url=BASE,
                           authorities=("Wrexham",))
        assert [p.url for p in second.publications] == [key(LDRS)]
        assert "firmly on a journey of improvement" in second.publications[0].text
        fetched = [r.path for r in server.requests if not r.path.endswith("robots.txt")]
        assert fetched == [FEED_PATH, f"/www.bbc.co.uk{LDRS.path}"]  # not the city-status item
        memory_store.add(second)

        server.set_as_of(LATEST)
        latest = bbc.crawl(client.fetch, memory_store.is_known, base_url=BASE,
                           authorities=("Wrexham",))
        assert [p.url for p in latest.publications] == [key(CARE_HOME), key(CHECK)]
        assert latest.publications[-1].url.startswith("https://bbc.com/news/articles/")


def test_replay_crawl_any_council_adds_other_councils(replay_client, memory_store) -> None:
    with ReplayServer(as_of=LATEST) as server:
        result = bbc.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE,
                           authorities=("*",))
        urls = [p.url for p in result.publications]
        assert key(POWYS) in urls and key(CHECK) in urls
        assert all(p.errors == () for p in result.publications)


def test_replay_kept_stories_state_no_status() -> None:
    """A recap of 2020's labels in press must not read as a new status (tests/flows/
    test_timeline.py counts exactly the regulator's transitions and no unconfirmed report)."""
    site = ReplaySite(as_of=LATEST)
    page = bbc.parse_feed(get(site, FEED), FEED)
    kept = [e for e in page.entries if bbc.is_relevant(e, None)]
    assert len(kept) >= 4
    for item in kept:
        article = bbc.parse_article(get(site, item.url), item.url)
        found = classify_document(bbc.story_text(item.description, article.text),
                                  title=item.title, url=item.keys[0],
                                  source_authoritative=False, published=item.published)
        assert not found.authoritative, item.url
        assert found.readings(effective_date=item.published) == [], item.url


def test_replay_crawl_article_redesign_is_kept_with_an_error(replay_client,
                                                             memory_store) -> None:
    with ReplayServer(as_of=STEPS["after-council-2022-report"]) as server:
        server.inject(r"uk-wales-59884153$", body=b"<html><body><div>gone</div></body></html>")
        result = bbc.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE,
                           authorities=("Wrexham",))
        ldrs = result.publications[-1]
        assert ldrs.url == key(LDRS) and ldrs.text == LDRS.summary
        (error,) = ldrs.errors
        assert "no element for article" in error and result.errors == ()


def test_replay_crawl_feed_down_raises(replay_client, memory_store) -> None:
    with ReplayServer(as_of=LATEST) as server:
        server.inject(r"^/feeds\.bbci\.co\.uk/news/wales/rss\.xml", status=500)
        with pytest.raises(FetchError):
            bbc.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
