"""moderngov against the replay site: crawl() over HTTP through the timeline, the council paper
that carries the CIW letter byte for byte, known items, conditional GET, and the bcr=1 page."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from replay.render_wrexham_moderngov import meeting, meetings
from replay.server import ReplayServer
from replay.timeline import CIW, MODERNGOV, STEPS, default_catalogue
from scrapers import moderngov as mg
from scrapers.base import ParseError
from scrapers.crawl import listing_pages
from scrapers.http import CacheEntry, HttpClient, HttpSettings
from scrapers.registry import allowed_hosts

BASE = "https://moderngov.wrexham.gov.uk"
HOST = "moderngov.wrexham.gov.uk"
CATALOGUE = default_catalogue()
SCRUTINY = meeting(CATALOGUE.get("moderngov-2020-09-scrutiny-ciw-letter"))
BOARD = meeting(CATALOGUE.get("moderngov-2021-02-executive-board-ciw-report"))
LETTER = CATALOGUE.get("ciw-2020-wrexham-annual-letter")
REPORT = CATALOGUE.get("ciw-2021-wrexham-inspection-report")
LETTER_ITEM = f"{BASE}/mgAi.aspx?ID=21404"
REPORT_ITEM = f"{BASE}/mgAi.aspx?ID=22066"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def paths(server: ReplayServer) -> list[str]:
    return [r.path for r in server.requests if not r.path.endswith("/robots.txt")]


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    with ReplayServer(as_of=STEPS["before-any"]) as server:
        client = replay_client(server)
        empty = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert empty.publications == () and empty.found == 0 and empty.errors == ()

        # a planning meeting and a cancelled scrutiny meeting: read, nothing stored
        server.set_as_of(STEPS["before-2020-letter"])
        server.clear_requests()
        quiet = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert quiet.publications == () and quiet.found == 2 and quiet.errors == ()
        assert not any("/documents/" in p for p in paths(server))

        # the scrutiny papers carry the CIW letter: the identical bytes, a month after CIW
        server.set_as_of(SCRUTINY.entry.published)
        first = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert [p.url for p in first.publications] == [LETTER_ITEM]
        (pub,) = first.publications
        assert pub.source == MODERNGOV and pub.kind == "agenda_item"
        assert pub.title == "Care Inspectorate Wales – Annual Performance Review Letter 2019-20"
        assert pub.published == date(2020, 9, 4) > LETTER.published
        assert pub.related == (LETTER.url,)
        (attachment,) = pub.attachments
        assert attachment.url == (f"{BASE}/documents/s54117/CIW%20Performance%20Review%20Letter"
                                  "%202019-20.pdf")
        assert attachment.sha256 == sha256(CATALOGUE.read_pdf(LETTER))
        assert attachment.error is None
        assert "escalated from serious to significant" in pub.full_text
        memory_store.add(first)

        # a routine poll: the feed and the meeting pages it lists, never a document again
        server.clear_requests()
        again = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert again.publications == () and again.errors == () and again.found == 3
        assert paths(server)[0] == f"/{HOST}/mgRss.aspx?XXR=0"
        assert all("/ieListDocuments.aspx?" in p for p in paths(server)[1:])
        assert len(paths(server)) == 4

        # the Executive Board papers carry the October 2020 inspection report
        server.set_as_of(BOARD.entry.published)
        board = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert [p.url for p in board.publications] == [REPORT_ITEM]
        (report,) = board.publications[0].attachments
        assert report.sha256 == sha256(CATALOGUE.read_pdf(REPORT))
        assert board.publications[0].related == (REPORT.url,)
        words = " ".join(board.publications[0].full_text.split())
        assert "children's services in Wrexham are inadequate with early indicators" in words
        memory_store.add(board)

        server.set_as_of(STEPS["latest"])
        latest = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        visible = meetings(CATALOGUE.visible(STEPS["latest"], source=MODERNGOV))
        assert latest.publications == () and latest.errors == ()
        assert latest.found == len(visible) == 7


def test_replay_first_poll_at_latest_backfills_both_papers_oldest_first(replay_client,
                                                                        memory_store) -> None:
    with ReplayServer(as_of=STEPS["latest"]) as server:
        result = mg.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
        assert [p.url for p in result.publications] == [LETTER_ITEM, REPORT_ITEM]
        assert [p.published for p in result.publications] == [date(2020, 9, 4),
                                                              date(2021, 1, 28)]
        documents = [p for p in paths(server) if "/documents/" in p]
        assert len(documents) == 2  # only the relevant items' papers


def test_replay_unchanged_feed_is_one_conditional_request(memory_store) -> None:
    cache: dict[str, CacheEntry] = {}
    with ReplayServer(as_of=SCRUTINY.entry.published) as server, HttpClient(
            HttpSettings(replay_url=server.url), allowed_hosts(environ={}),
            sleep=lambda seconds: None, cache=cache) as client:
        with listing_pages() as pages:
            first = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        memory_store.add(first)
        # what the flow keeps: validators of the pages read as listings (feed and meetings)
        cache.update({url: v for url, v in client.pending_cache().items() if url in pages})
        assert f"{BASE}/mgRss.aspx?XXR=0" in pages and SCRUTINY.entry.url in pages
        assert not any("/documents/" in url for url in pages)

        server.clear_requests()
        again = mg.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert again.unchanged is True and again.publications == ()
        assert paths(server) == [f"/{HOST}/mgRss.aspx?XXR=0"]
        assert [r.status for r in server.requests if "mgRss" in r.path] == [304]


def test_replay_bcr_feed_page_is_html_and_a_clear_parse_error(replay_client) -> None:
    url = f"{BASE}/mgRss.aspx?bcr=1"
    with ReplayServer(as_of=STEPS["latest"]) as server:
        fetched = replay_client(server).fetch(url)
        assert fetched.content_type.startswith("text/html")
        with pytest.raises(ParseError) as caught:
            mg.parse_feed(fetched.content, fetched.url)
        assert str(caught.value).startswith(url)


def test_replay_every_meeting_page_parses_as_catalogued(replay_client) -> None:
    with ReplayServer(as_of=STEPS["latest"]) as server:
        client = replay_client(server)
        for found in meetings(CATALOGUE.visible(STEPS["latest"], source=MODERNGOV)):
            page = mg.parse_meeting(client.fetch(found.entry.url).content, found.entry.url)
            assert page.heading == found.heading
            assert page.meeting_date == found.held.date()
            assert page.cancelled is found.cancelled
            assert [(i.ai_id, i.number, i.title) for i in page.items] == [
                (i.ai, i.number, i.title) for i in found.items]
            kept = {e.item.ai_id for e in page.entries}
            assert kept == {4272: {21404}, 4321: {22066}}.get(found.meeting_id, set())


def test_replay_meeting_link_forms_reach_one_page(replay_client) -> None:
    with ReplayServer(as_of=STEPS["latest"]) as server:
        client = replay_client(server)
        seen_form = client.fetch(SCRUTINY.feed_link)  # http://…?CId=174&MeetingId=4272
        canonical = client.fetch(SCRUTINY.entry.url)
        assert seen_form.content == canonical.content
        assert SCRUTINY.feed_link.startswith("http://")
        assert mg.meeting_url(SCRUTINY.feed_link) == SCRUTINY.entry.url


def test_replay_papers_only_reuse_ciw_pdfs() -> None:
    # every document served is a committed CIW PDF, published before the meeting's papers
    for found in meetings(CATALOGUE.entries):
        for item in found.items:
            for document in item.documents:
                source = CATALOGUE.get(document.pdf_of)
                assert source.source == CIW and source.pdf is not None
                assert source.published < found.entry.published
