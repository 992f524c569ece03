"""ciw_la_reports against the replay site: parsers on every rendered page, crawl() over HTTP.

The replay catalogue records, for each document, what a correct scraper must find (title,
publication date, letter date, fieldwork), so the expectations here come from it, not from
the parser under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from replay.server import ReplayServer, ReplaySite
from replay.timeline import CIW, STEPS, default_catalogue
from scrapers import ciw_la_reports as ciw
from scrapers.base import FetchError
from scrapers.text import canonical_url, pdf_text

BASE = "https://careinspectorate.wales"
CATALOGUE = default_catalogue()
NEWS = [e for e in CATALOGUE.entries if e.source == CIW and e.kind == "news"]
DOCUMENTS = [e for e in CATALOGUE.entries if e.source == CIW and e.kind in ("report", "letter")]
LATEST = STEPS["latest"]


def ids(entries) -> list[str]:
    return [e.key for e in entries]


@pytest.fixture(scope="module")
def site() -> ReplaySite:
    return ReplaySite(as_of=LATEST)


def get(site: ReplaySite, url: str) -> bytes:
    response = site.get(f"/{url.split('://', 1)[1]}")
    assert response.status == 200, url
    return response.body


# --- listing ------------------------------------------------------------------------------


def test_replay_listing_walk_finds_every_visible_news_item(site: ReplaySite) -> None:
    url: str | None = f"{BASE}/news"
    seen: list[ciw.ListingEntry] = []
    while url:
        page = ciw.parse_listing(get(site, url), url)
        assert 0 < len(page.entries) <= 5
        seen.extend(page.entries)
        url = page.next_url
    visible = CATALOGUE.visible(LATEST, source=CIW, kinds=["news"])
    assert [canonical_url(e.url) for e in seen] == [e.url for e in visible]  # newest first
    assert [e.published for e in seen] == [e.published for e in visible]
    assert [e.title for e in seen] == [e.title for e in visible]


def test_replay_listing_mixes_hosts(site: ReplaySite) -> None:
    page = ciw.parse_listing(get(site, f"{BASE}/news"), f"{BASE}/news")
    hosts = {e.url.split("/")[2] for e in page.entries}
    assert hosts == {"careinspectorate.wales", "www.careinspectorate.wales"}


def test_replay_listing_empty_before_any_news() -> None:
    body = ReplaySite(as_of=STEPS["before-any"]).get("/careinspectorate.wales/news").body
    page = ciw.parse_listing(body, f"{BASE}/news")
    assert page.entries == []
    assert page.next_url is None


# --- news items -----------------------------------------------------------------------------


@pytest.mark.parametrize("entry", NEWS, ids=ids(NEWS))
def test_replay_news_item(site: ReplaySite, entry) -> None:
    item = ciw.parse_news_item(get(site, entry.url), entry.url)
    assert item.title == entry.title
    assert item.published == entry.published
    assert item.text
    linked = CATALOGUE.get(entry.links_to).url if entry.links_to else None
    assert (canonical_url(item.report_url) if item.report_url else None) == linked


# --- report and letter pages ------------------------------------------------------------------


@pytest.mark.parametrize("entry", DOCUMENTS, ids=ids(DOCUMENTS))
@pytest.mark.parametrize("host", ["careinspectorate.wales", "www.careinspectorate.wales"])
def test_replay_report_page(site: ReplaySite, entry, host: str) -> None:
    url = entry.url.replace("careinspectorate.wales", host, 1)
    page = ciw.parse_report_page(get(site, url), url)
    assert page.title == entry.title
    assert [canonical_url(u) for u in page.pdf_urls] == [f"{BASE}{entry.pdf.path}"]
    assert page.text and "Global keyword search" not in page.text


@pytest.mark.parametrize("entry", DOCUMENTS, ids=ids(DOCUMENTS))
def test_replay_kind_for_title(entry) -> None:
    expected = {"report": {"inspection_report"}}.get(
        entry.kind, {"annual_letter", "monitoring_letter", "improvement_check"}
    )
    assert ciw.kind_for_title(entry.title) in expected


@pytest.mark.parametrize("entry", DOCUMENTS, ids=ids(DOCUMENTS))
def test_replay_pdf_letter_facts(site: ReplaySite, entry) -> None:
    text = pdf_text(get(site, f"{BASE}{entry.pdf.path}"))
    facts = ciw.parse_letter_facts(text)
    assert facts.letter_date == entry.letter_date
    assert (facts.fieldwork_start, facts.fieldwork_end) == (
        entry.fieldwork_start,
        entry.fieldwork_end,
    )


# --- crawl over HTTP --------------------------------------------------------------------------


def expected_publications(as_of: date) -> dict[str, tuple]:
    """url -> (kind-ish, published, letter_date, fieldwork, aliases) from the catalogue."""
    expected = {}
    for news in CATALOGUE.visible(as_of, source=CIW, kinds=["news"]):
        if news.links_to:
            doc = CATALOGUE.get(news.links_to)
            fieldwork = (doc.fieldwork_start, doc.fieldwork_end)
            expected[doc.url] = (doc.title, news.published, doc.letter_date, fieldwork, (news.url,))
        else:
            expected[news.url] = (news.title, news.published, None, (None, None), ())
    return expected


def summary(publication) -> tuple:
    return (
        publication.title,
        publication.published,
        publication.letter_date,
        (publication.fieldwork_start, publication.fieldwork_end),
        publication.aliases,
    )


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["after-2020-letter"]) as server:
        client = replay_client(server)
        first = ciw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert first.errors == ()
        assert {p.url: summary(p) for p in first.publications} == expected_publications(
            STEPS["after-2020-letter"]
        )
        assert [p.published for p in first.publications] == sorted(
            p.published for p in first.publications
        )  # oldest first
        for publication in first.publications:
            assert publication.source == "ciw_la_reports"
            assert all(a.error is None and a.text for a in publication.attachments)
        memory_store.add(first)

        # a routine poll after the October 2020 inspection report: one new event; page 0 had
        # an unknown entry, so page 1 is read too, and it is all known: stop there
        server.set_as_of(STEPS["after-oct-2020-inspection"])
        server.clear_requests()
        second = ciw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        (report,) = second.publications
        assert report.url == (
            f"{BASE}/report-childrens-services-risk-based-inspection-and-adults-services-"
            "performance-evaluation"
        )
        assert report.kind == "inspection_report"
        assert report.published == date(2021, 1, 26)
        assert (report.fieldwork_start, report.fieldwork_end) == (
            date(2020, 10, 12),
            date(2020, 10, 23),
        )
        listing_requests = [r for r in server.requests if "/news" in r.path]
        assert [r.path for r in listing_requests] == [
            "/careinspectorate.wales/news",
            "/careinspectorate.wales/news?page=1",
        ]
        memory_store.add(second)

        # nothing new: one request, nothing found
        server.clear_requests()
        third = ciw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert third.publications == ()
        assert len(server.requests) == 1


def test_replay_crawl_survives_faults(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["after-nov-2021-monitoring"]) as server:
        client = replay_client(server)
        server.inject(r"^/careinspectorate\.wales/news$", status=500, times=1)  # retried
        server.inject(r"211216-wrexham-monitoring-letter-en\.pdf$", body=b"<html>oops</html>")
        server.inject(r"210610-letter-summarising", status=404)  # this news item fails
        result = ciw.crawl(client.fetch, memory_store.is_known, base_url=BASE)

        broken = next(p for p in result.publications if p.url.endswith("council-2021"))
        (attachment,) = broken.attachments
        assert attachment.error == "not a PDF (starts with b'<html>oops</html')"
        assert attachment.text == ""
        assert broken.errors and "not a PDF" in broken.errors[0]

        (error,) = result.errors
        assert error.startswith(f"{BASE}/210610-letter-summarising") and "HTTP 404" in error
        april = f"{BASE}/local-authority-monitoring-activity-letter-wrexham-county-borough-council"
        assert april not in [p.url for p in result.publications]
        memory_store.add(result)

        # next poll: the failed item is still unknown, so it is picked up
        server.clear_faults()
        retry = ciw.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert [p.url for p in retry.publications] == [april]


def test_replay_crawl_first_listing_failure_raises(replay_client, memory_store) -> None:
    with ReplayServer(as_of=LATEST) as server:
        server.inject(r"/news", status=503)
        with pytest.raises(FetchError, match="HTTP 503 after 3 attempts"):
            ciw.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
