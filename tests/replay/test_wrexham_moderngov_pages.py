"""The Wrexham ModernGov replay pages match markup.md §7: the what's-new feed (text/xml, entities
double-encoded), bcr=1 answering HTML, meeting pages (both link forms, the item table, the
cancelled and empty states, minutes from the meeting day), space-containing document paths
serving the committed CIW PDFs, and robots.txt."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import feedparser
import httpx
import pytest
from bs4 import Tag
from protego import Protego

from replay.render_wrexham_moderngov import Meeting, meeting, meetings, when
from replay.server import ReplayServer
from replay.timeline import CIW, MODERNGOV, STEPS, default_catalogue
from tests.replay.helpers import norm, soup

HOST = "moderngov.wrexham.gov.uk"
CATALOGUE = default_catalogue()
MEETINGS = meetings(CATALOGUE.entries)
SCRUTINY = meeting(CATALOGUE.get("moderngov-2020-09-scrutiny-ciw-letter"))
CANCELLED = meeting(CATALOGUE.get("moderngov-2020-03-scrutiny-cancelled"))
FEED = f"/{HOST}/mgRss.aspx?XXR=0"


def get(client: httpx.Client, path: str) -> httpx.Response:
    return client.get(f"/{HOST}{path}")


def one(node: Tag, selector: str) -> Tag:
    """The element ``selector`` finds under ``node``; the test fails if there is none."""
    found = node.select_one(selector)
    assert found is not None, selector
    return found


def page_of(client: httpx.Client, path: str) -> Tag:
    return soup(get(client, path).text)


# --- the feed ---------------------------------------------------------------------------------


def test_feed_lists_visible_meetings_newest_first(replay_server: ReplayServer,
                                                  replay_http: httpx.Client) -> None:
    resp = replay_http.get(FEED)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/xml; charset=utf-8"
    parsed = feedparser.parse(resp.content)
    assert parsed.version == "rss20"
    visible = meetings(CATALOGUE.visible(replay_server.as_of, source=MODERNGOV))
    assert [e.link for e in parsed.entries] == [m.feed_link for m in visible]
    assert [e.published_parsed[:3] for e in parsed.entries] == [
        m.entry.published.timetuple()[:3] for m in visible]


def test_feed_double_encodes_entities(replay_http: httpx.Client) -> None:
    raw = replay_http.get(FEED).text
    assert "Children&amp;#39;s and Young People&amp;#39;s Scrutiny Committee" in raw
    assert "Children's" not in raw


def test_feed_links_the_2020_meeting_in_the_seen_form(replay_http: httpx.Client) -> None:
    raw = replay_http.get(FEED).text
    assert ("<link>http://moderngov.wrexham.gov.uk/ieListDocuments.aspx?CId=174&amp;"
            "MeetingId=4272</link>") in raw


def test_feed_is_empty_before_any_meeting(replay_server: ReplayServer,
                                          replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-any"])
    parsed = feedparser.parse(replay_http.get(FEED).content)
    assert parsed.version == "rss20" and parsed.entries == []


def test_feed_lists_the_2020_papers_after_ciw_published_the_letter(
        replay_server: ReplayServer, replay_http: httpx.Client) -> None:
    letter = CATALOGUE.get("ciw-2020-wrexham-annual-letter")
    assert SCRUTINY.entry.published > letter.published  # a restatement, never a first reading
    replay_server.set_as_of(SCRUTINY.entry.published - timedelta(days=1))
    before = feedparser.parse(replay_http.get(FEED).content)
    replay_server.set_as_of(SCRUTINY.entry.published)
    after = feedparser.parse(replay_http.get(FEED).content)
    assert [e.link for e in after.entries][:1] == [SCRUTINY.feed_link]
    assert SCRUTINY.feed_link not in [e.link for e in before.entries]


def test_bcr_feed_address_answers_html(replay_http: httpx.Client) -> None:
    resp = get(replay_http, "/mgRss.aspx?bcr=1")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=UTF-8"
    assert feedparser.parse(resp.content).version == ""
    assert one(soup(resp.text), "h1.mgMainTitleTxt").get_text() == "RSS feeds"


def test_other_feed_queries_are_not_served(replay_http: httpx.Client) -> None:
    assert get(replay_http, "/mgRss.aspx").status_code == 404


# --- meeting pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("found", MEETINGS, ids=lambda m: m.entry.key)
def test_meeting_page_skeleton(replay_server: ReplayServer, replay_http: httpx.Client,
                               found: Meeting) -> None:
    replay_server.set_as_of(found.entry.published)
    page = page_of(replay_http, found.entry.path)
    assert one(page, 'meta[name="DC.date"]')["content"] == f"{found.held:%Y-%m-%d}"
    modgov = one(page, "div#modgov")
    assert norm(one(modgov, "div.mgHeader > h1.mgMainTitleTxt").get_text()) == \
        found.entry.title
    heading = one(modgov, "div.mgSubTitle > h2.mgSubTitleTxt > a")
    assert heading["href"] == f"mgCommitteeDetails.aspx?ID={found.committee_id}"
    assert norm(heading.get_text()) == f"{found.committee} - {when(found.held)}" + (
        ", CANCELLED" if found.cancelled else "")
    content = one(modgov, "div.mgContent")
    assert one(content, "span.mgLabel").get_text().lower().rstrip().endswith("venue:")
    rows = content.select("table#mgItemTable.mgItemTable tr:has(> td.mgItemNumberCell)")
    assert [one(r, "td.mgItemNumberCell a")["name"] for r in rows] == [
        f"AI{i.ai}" for i in found.items]
    if not found.items:
        assert norm(one(content, "p").get_text()) == "No documents are available for this meeting"


def test_meeting_page_document_links_keep_raw_spaces(replay_http: httpx.Client) -> None:
    row = one(page_of(replay_http, SCRUTINY.entry.path), "tr:has(a[name=AI21404])")
    link = one(row, "a.mgAiTitleLnk")
    assert link["href"] == "documents/s54117/CIW Performance Review Letter 2019-20.pdf"
    assert one(link, "span.mgFileSize").get_text().strip().startswith("PDF ")
    assert norm(link.get_text()).startswith(
        "Care Inspectorate Wales – Annual Performance Review Letter 2019-20 PDF")


def test_cancelled_meeting_page(replay_http: httpx.Client) -> None:
    page = page_of(replay_http, CANCELLED.entry.path)
    assert one(page, "h1").get_text() == "Meeting"
    assert norm(one(page, "h2").get_text()).endswith(", CANCELLED")
    assert page.select_one("table.mgItemTable") is None


@pytest.mark.parametrize("query", ["CId=174&MId=4272&Ver=4", "CId=174&MeetingId=4272",
                                   "MId=4272", "mid=4272&LLL=0"])
def test_meeting_page_answers_every_link_form(replay_http: httpx.Client, query: str) -> None:
    resp = get(replay_http, f"/ieListDocuments.aspx?{query}")
    assert resp.status_code == 200
    assert get(replay_http, SCRUTINY.entry.path).content == resp.content


@pytest.mark.parametrize("query", ["CId=174&MId=1", "CId=174", "MId=abc"])
def test_unknown_meeting_is_404(replay_http: httpx.Client, query: str) -> None:
    assert get(replay_http, f"/ieListDocuments.aspx?{query}").status_code == 404


def test_minutes_appear_from_the_meeting_day(replay_server: ReplayServer,
                                             replay_http: httpx.Client) -> None:
    replay_server.set_as_of(SCRUTINY.held.date() - timedelta(days=1))
    before = soup(get(replay_http, SCRUTINY.entry.path).text)
    replay_server.set_as_of(SCRUTINY.held.date())
    after = soup(get(replay_http, SCRUTINY.entry.path).text)
    headings = [norm(p.get_text()) for p in after.select("p.mgSubItemTitleTxt")]
    assert "Minutes:" in headings
    assert before.select("p.mgSubItemTitleTxt") == []


# --- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize("found", [m for m in MEETINGS if any(i.documents for i in m.items)],
                         ids=lambda m: m.entry.key)
def test_documents_are_the_committed_ciw_pdfs(replay_server: ReplayServer,
                                              replay_http: httpx.Client, found: Meeting) -> None:
    for item in found.items:
        for document in item.documents:
            assert " " in document.path and document.path.startswith("/documents/s")
            encoded = f"/{HOST}{quote(document.path)}"
            source = CATALOGUE.get(document.pdf_of)
            assert source.source == CIW
            replay_server.set_as_of(found.entry.published - timedelta(days=1))
            assert replay_http.get(encoded).status_code == 404
            replay_server.set_as_of(found.entry.published)
            resp = replay_http.get(encoded)
            assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
            assert resp.content == CATALOGUE.read_pdf(source)


def test_document_paths_are_unique() -> None:
    paths = [d.path for m in MEETINGS for i in m.items for d in i.documents]
    assert len(paths) == len(set(paths)) >= 2


def test_meeting_and_item_ids_are_unique() -> None:
    assert len({m.meeting_id for m in MEETINGS}) == len(MEETINGS)
    ais = [i.ai for m in MEETINGS for i in m.items]
    assert len(ais) == len(set(ais))


# --- robots.txt -------------------------------------------------------------------------------


def test_robots_txt_disallows_nothing_carewatch_reads(replay_http: httpx.Client) -> None:
    resp = get(replay_http, "/robots.txt")
    assert resp.status_code == 200 and "Disallow: /" in resp.text
    robots = Protego.parse(resp.text)
    for path in [FEED.removeprefix(f"/{HOST}"), SCRUTINY.entry.path,
                 quote("/documents/s54117/CIW Performance Review Letter 2019-20.pdf")]:
        assert robots.can_fetch(f"https://{HOST}{path}", "carewatch")
    assert not robots.can_fetch(f"https://{HOST}/ieDocSearch.aspx", "carewatch")
