"""audit_wales against the replay site: both listings, every page, crawl() over HTTP along the
timeline, the 2025 Wrexham pair with its PDF, and a redesign."""

from __future__ import annotations

from datetime import date

import pytest

from replay.server import ReplayServer, ReplaySite
from replay.timeline import AUDIT_WALES, STEPS, default_catalogue
from scrapers import audit_wales as aw
from scrapers.base import ParseError
from scrapers.text import html_text, parse_html

BASE = "https://audit.wales"
CATALOGUE = default_catalogue()
ENTRIES = [e for e in CATALOGUE.entries if e.source == AUDIT_WALES]
AFTER_2025 = date(2025, 9, 10)


@pytest.fixture(scope="module")
def site() -> ReplaySite:
    return ReplaySite(as_of=AFTER_2025)


def get(site: ReplaySite, url: str) -> bytes:
    response = site.get(f"/{url.split('://', 1)[1]}")
    assert response.status == 200, url
    return response.body


def keys_of(result) -> list[str]:
    return [p.url for p in result.publications]


@pytest.mark.parametrize(("path", "kind"), [("/news", "news"), ("/publications", "publication")])
def test_replay_listing_lists_every_visible_entry(site: ReplaySite, path: str, kind: str) -> None:
    entries: list[aw.ListingEntry] = []
    url: str | None = f"{BASE}{path}"
    while url:
        page = aw.parse_listing(get(site, url), url)
        assert 0 < len(page.entries) <= 10
        entries.extend(page.entries)
        url = page.next_url
    visible = CATALOGUE.visible(AFTER_2025, source=AUDIT_WALES, kinds=[kind])
    assert [aw.canonical_audit_url(e.url) for e in entries] == [v.url for v in visible]
    assert [(e.kind, e.title, e.published, e.summary) for e in entries] == [
        (kind, v.title, v.published, v.summary) for v in visible]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.key for e in ENTRIES])
def test_replay_page_fields(site: ReplaySite, entry) -> None:
    page = aw.parse_page(get(site, entry.url), entry.url)
    assert page.title == entry.title
    assert page.published == entry.published
    assert page.text == html_text(parse_html(CATALOGUE.read_body(entry)))
    pair = entry.extra.get("pair")
    welsh = entry.extra.get("welsh_node")
    assert page.related == ((CATALOGUE.get(pair).url,) if pair else ()) + (
        (f"{BASE}/cy/node/{welsh}",) if welsh else ())
    pdfs = (f"{BASE}{entry.pdf.path}",) if entry.pdf else ()
    assert page.pdf_urls == pdfs


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    first_day = STEPS["before-2020-letter"]
    with ReplayServer(as_of=first_day) as server:
        client = replay_client(server)
        first = aw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert first.errors == ()
        visible = CATALOGUE.visible(first_day, source=AUDIT_WALES)
        assert sorted(keys_of(first)) == sorted(v.url for v in visible)
        days = [p.published or date.max for p in first.publications]
        assert days == sorted(days)  # oldest first across both listings
        memory_store.add(first)

        server.set_as_of(STEPS["latest"])
        server.clear_requests()
        second = aw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert second.errors == ()
        new = CATALOGUE.visible(STEPS["latest"], source=AUDIT_WALES)[:-len(visible)]
        assert sorted(keys_of(second)) == sorted(e.url for e in new)
        listings = [r.path for r in server.requests if r.path.split("?")[0].endswith(
            ("/news", "/publications"))]
        assert listings == ["/audit.wales/news", "/audit.wales/news?page=1",
                            "/audit.wales/news?page=2", "/audit.wales/publications",
                            "/audit.wales/publications?page=1"]
        memory_store.add(second)

        server.clear_requests()
        third = aw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert third.publications == () and third.errors == ()
        assert [r.path for r in server.requests if not r.path.endswith("robots.txt")] == [
            "/audit.wales/news", "/audit.wales/publications"]

        server.set_as_of(AFTER_2025)
        fourth = aw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert keys_of(fourth) == [
            f"{BASE}/news/wrexham-county-borough-council-faces-urgent-call-address-governance-"
            "failures-and-improve",
            f"{BASE}/publication/values-and-behaviours-follow-review-wrexham-county-borough-council",
        ]


def test_replay_crawl_2025_pair_with_pdf(replay_client, memory_store) -> None:
    news = CATALOGUE.get("aw-2025-wrexham-governance-news")
    report = CATALOGUE.get("aw-2025-wrexham-values-behaviours")
    with ReplayServer(as_of=AFTER_2025) as server:
        result = aw.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
    assert result.errors == ()
    by_url = {p.url: p for p in result.publications}
    story, publication = by_url[news.url], by_url[report.url]
    assert (story.kind, story.published, story.related) == ("news", date(2025, 9, 9), (report.url,))
    assert (publication.kind, publication.related) == ("publication", (news.url,))
    (attachment,) = publication.attachments
    assert report.pdf is not None
    assert attachment.url == f"{BASE}{report.pdf.path}" and attachment.error is None
    assert attachment.content_type == "application/pdf"
    assert "R4 The Council should report its progress" in attachment.text
    assert "Related article" not in story.text and "Listen" not in story.text


def test_replay_crawl_2013_item_keeps_its_welsh_twin(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["before-any"]) as server:
        result = aw.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
    (air,) = [p for p in result.publications if p.published == date(2013, 6, 28)]
    assert air.related == (f"{BASE}/cy/node/1494",) and air.language == "en"


def test_replay_crawl_listing_redesign_raises(replay_client, memory_store, load_fixture) -> None:
    with ReplayServer(as_of=STEPS["latest"]) as server:
        server.inject(r"^/audit\.wales/news$", body=load_fixture("audit_wales",
                                                                  "variant_redesign_listing.html"))
        with pytest.raises(ParseError, match="selectors"):
            aw.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)


def test_replay_crawl_page_redesign_is_an_item_error(replay_client, memory_store,
                                                     load_fixture) -> None:
    with ReplayServer(as_of=STEPS["latest"]) as server:
        server.inject(r"/news/councils-finances-under-increasing-pressure$",
                      body=load_fixture("audit_wales", "variant_redesign_page.html"))
        result = aw.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
    (error,) = result.errors
    assert error.startswith(f"{BASE}/news/councils-finances-under-increasing-pressure: ")
    assert "no element for body" in error
    assert len(result.publications) == len(
        CATALOGUE.visible(STEPS["latest"], source=AUDIT_WALES)) - 1


@pytest.mark.parametrize("host", ["www.audit.wales", "wao.gov.uk", "www.wao.gov.uk"])
def test_replay_crawl_from_another_host_form_gives_the_same_keys(replay_client, memory_store,
                                                                 host: str) -> None:
    with ReplayServer(as_of=STEPS["after-2020-letter"]) as server:
        result = aw.crawl(replay_client(server).fetch, memory_store.is_known,
                          base_url=f"https://{host}")
    visible = CATALOGUE.visible(STEPS["after-2020-letter"], source=AUDIT_WALES)
    assert sorted(keys_of(result)) == sorted(v.url for v in visible)
