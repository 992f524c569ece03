"""Audit Wales over real HTTP: the inferred Drupal listings and pager along the timeline, the 2025
page order, both date formats, the four host forms, the PDF, the Welsh twin, robots.txt, and the
catalogue entries the brief asks for."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.robotparser import RobotFileParser

import httpx
import pytest

from replay.server import ReplayServer
from replay.timeline import AUDIT_WALES, STEPS, default_catalogue
from tests.replay.helpers import norm, soup

CATALOGUE = default_catalogue()
HOSTS = ["audit.wales", "www.audit.wales", "wao.gov.uk", "www.wao.gov.uk"]
GOVERNANCE = CATALOGUE.get("aw-2025-wrexham-governance-news")
VALUES = CATALOGUE.get("aw-2025-wrexham-values-behaviours")
AIR_2013 = CATALOGUE.get("aw-2013-wrexham-annual-improvement-report-news")
assert VALUES.pdf is not None
PDF_PATH = VALUES.pdf.path
AFTER_2025 = date(2025, 9, 10)


def page_soup(http: httpx.Client, path: str, host: str = "audit.wales"):
    resp = http.get(f"/{host}{path}")
    assert resp.status_code == 200, path
    assert resp.headers["content-type"] == "text/html; charset=UTF-8"
    return soup(resp.text)


# --- listings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "prefix"), [("/news", "/news/"),
                                              ("/publications", "/publication/")])
def test_listing_rows_match_the_skeleton(replay_server: ReplayServer, replay_http: httpx.Client,
                                         path: str, prefix: str) -> None:
    replay_server.set_as_of(AFTER_2025)
    rows = page_soup(replay_http, path).select("div.views-row > article")
    assert len(rows) == 10
    for row in rows:
        link = row.select_one("h3 > a[href]")
        assert link["href"].startswith(prefix)
        assert row.select_one("time[datetime]")["datetime"].endswith("Z")
        assert norm(row.select_one("p.summary").get_text())
    first = rows[0]
    assert norm(first.select_one("time").get_text()) == "09 September 2025"


def test_listing_pager_counts_from_zero_and_ends_in_no_results(replay_server: ReplayServer,
                                                               replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["latest"])
    total = len(CATALOGUE.visible(STEPS["latest"], source=AUDIT_WALES, kinds=["news"]))
    pages = -(-total // 10)
    assert pages == 3
    first = page_soup(replay_http, "/news")
    assert first.select_one("li.pager__item--next a[rel=next]")["href"] == "?page=1"
    assert [norm(a.get_text()) for a in first.select("li.pager__item a")][:3] == ["1", "2", "3"]
    last = page_soup(replay_http, f"/news?page={pages - 1}")
    assert last.select_one("li.pager__item--next") is None
    assert len(last.select("div.views-row")) == total - 10 * (pages - 1)
    beyond = page_soup(replay_http, f"/news?page={pages}")
    assert beyond.select("div.views-row") == []
    assert norm(beyond.select_one("div.view-empty").get_text()) == "No results found."
    assert page_soup(replay_http, "/news?page=x").select("div.views-row")  # Drupal: page 0


def test_news_listing_is_empty_before_the_first_item(replay_server: ReplayServer,
                                                     replay_http: httpx.Client) -> None:
    replay_server.set_as_of(AIR_2013.published - timedelta(days=1))
    news = page_soup(replay_http, "/news")
    assert news.select("div.views-row") == [] and news.select_one("div.view-empty") is not None
    assert news.select_one("nav.pager") is None
    assert len(page_soup(replay_http, "/publications").select("div.views-row")) == 1  # 2011


@pytest.mark.parametrize("step", [s for s, d in STEPS.items() if 2019 <= d.year <= 2024])
@pytest.mark.parametrize("path", ["/news", "/publications"])
def test_listings_are_never_empty_at_a_timeline_step(replay_server: ReplayServer,
                                                     replay_http: httpx.Client, step: str,
                                                     path: str) -> None:
    replay_server.set_as_of(STEPS[step])
    assert page_soup(replay_http, path).select("div.views-row")


def test_every_entry_is_on_the_first_page_of_its_listing_on_its_day(
        replay_server: ReplayServer, replay_http: httpx.Client) -> None:
    for entry in CATALOGUE.visible(AFTER_2025, source=AUDIT_WALES):
        replay_server.set_as_of(entry.published)
        path = "/news" if entry.kind == "news" else "/publications"
        hrefs = [a["href"] for a in page_soup(replay_http, path).select("div.views-row h3 a")]
        assert (entry.listing_href or entry.path) in hrefs, entry.key


# --- pages ------------------------------------------------------------------------------------


def test_page_visible_order_2025(replay_server: ReplayServer, replay_http: httpx.Client) -> None:
    replay_server.set_as_of(AFTER_2025)
    page = page_soup(replay_http, GOVERNANCE.path)
    text = norm(page.body.get_text(" "))
    markers = ["Local government", "National studies", "Listen", GOVERNANCE.title,
               "09 September 2025", "must take urgent action", "Read the report:",
               "Related article", VALUES.title, "View more", "Capital Quarter"]
    at = 0
    for marker in markers:  # each one found after the one before
        at = text.find(marker, at)
        assert at != -1, marker
    assert text.count("Related article") == 1 and text.count("View more") == 1
    assert page.select_one("main #readspeaker_button1.rs_skip a.rsbtn_play") is not None
    assert page.select_one("aside.related-content a.view-more")["href"] == VALUES.path
    assert page.select_one("div.field--name-field-date time")["datetime"] == "2025-09-09T10:00:00Z"


def test_publication_page_links_its_pdf(replay_server: ReplayServer,
                                        replay_http: httpx.Client) -> None:
    replay_server.set_as_of(AFTER_2025)
    page = page_soup(replay_http, VALUES.path)
    files = page.select_one("div.file-attachments")
    assert files.a["href"] == PDF_PATH
    assert PDF_PATH.startswith("/sites/default/files/publications/")
    assert norm(files.select_one("span.file-size").get_text()).startswith("PDF, ")
    assert page.select_one("aside.related-content a.view-more")["href"] == GOVERNANCE.path


@pytest.mark.parametrize("host", HOSTS)
def test_pdf_is_served_on_every_host_from_its_day(replay_server: ReplayServer,
                                                  replay_http: httpx.Client, host: str) -> None:
    replay_server.set_as_of(VALUES.published - timedelta(days=1))
    assert replay_http.get(f"/{host}{PDF_PATH}").status_code == 404
    replay_server.set_as_of(VALUES.published)
    resp = replay_http.get(f"/{host}{PDF_PATH}")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")


def test_2013_page_keeps_the_2013_date_line_and_declares_its_welsh_twin(
        replay_http: httpx.Client) -> None:
    page = page_soup(replay_http, AIR_2013.path, "www.audit.wales")
    field = page.select_one("div.field--name-field-date")
    assert norm(field.get_text()) == "28 Jun 2013 - 12:00am"
    assert field.select_one("span.date-display-single") is not None and field.time is None
    alternate = page.select_one('link[rel="alternate"][hreflang="cy"]')
    assert alternate["href"] == "https://www.audit.wales/cy/node/1494"
    assert page.select_one(".language-switcher a[hreflang=cy]")["href"] == "/cy/node/1494"


def test_untranslated_page_declares_no_welsh_twin(replay_http: httpx.Client) -> None:
    entry = CATALOGUE.get("aw-2024-nhs-finances")
    page = page_soup(replay_http, entry.path)
    assert page.select('link[rel="alternate"]') == []
    assert page.select_one(".language-switcher a[hreflang=cy]")["href"] == "/cy"


def test_welsh_twin_is_served_from_its_day(replay_server: ReplayServer,
                                           replay_http: httpx.Client) -> None:
    page = page_soup(replay_http, "/cy/node/1494")
    assert page.html["lang"] == "cy"
    assert norm(page.h1.get_text()) == AIR_2013.extra["welsh_title"]
    assert page.select_one("div.field--name-body a[hreflang=en]")["href"] == AIR_2013.path
    assert replay_http.get("/audit.wales/cy/node/1495").status_code == 404
    replay_server.set_as_of(AIR_2013.published - timedelta(days=1))
    assert replay_http.get("/audit.wales/cy/node/1494").status_code == 404


def test_every_page_is_the_same_on_all_four_hosts(replay_server: ReplayServer,
                                                  replay_http: httpx.Client) -> None:
    replay_server.set_as_of(AFTER_2025)
    for path in (GOVERNANCE.path, VALUES.path, "/news?page=1", "/publications"):
        bodies = {replay_http.get(f"/{host}{path}").content for host in HOSTS}
        assert len(bodies) == 1, path


@pytest.mark.parametrize("host", HOSTS[1:])
def test_page_answers_404_before_its_day_on_every_host(replay_server: ReplayServer,
                                                       replay_http: httpx.Client,
                                                       host: str) -> None:
    replay_server.set_as_of(GOVERNANCE.published - timedelta(days=1))
    assert replay_http.get(f"/{host}{GOVERNANCE.path}").status_code == 404
    replay_server.set_as_of(GOVERNANCE.published)
    assert replay_http.get(f"/{host}{GOVERNANCE.path}").status_code == 200


@pytest.mark.parametrize("host", HOSTS)
def test_robots_txt_allows_what_carewatch_reads(replay_http: httpx.Client, host: str) -> None:
    resp = replay_http.get(f"/{host}/robots.txt")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    robots = RobotFileParser()
    robots.parse(resp.text.splitlines())
    assert "Disallow: /cy/search/" in resp.text
    for path in ("/news", "/news?page=2", "/publications", GOVERNANCE.path, VALUES.path,
                 PDF_PATH, "/cy/node/1494"):
        assert robots.can_fetch("carewatch", f"https://{host}{path}"), path
    assert not robots.can_fetch("carewatch", f"https://{host}/search/node?keys=wrexham")


def test_unverified_feed_is_not_served(replay_http: httpx.Client) -> None:
    assert replay_http.get("/www.audit.wales/rss.xml").status_code == 404


# --- catalogue --------------------------------------------------------------------------------


def test_catalogue_has_the_seen_wrexham_items() -> None:
    assert GOVERNANCE.path == ("/news/wrexham-county-borough-council-faces-urgent-call-address-"
                               "governance-failures-and-improve")
    assert VALUES.path == ("/publication/values-and-behaviours-follow-review-wrexham-county-"
                           "borough-council")
    assert AIR_2013.path == ("/news/auditor-general-wales-publishes-his-annual-improvement-"
                             "report-2013-wrexham-county-borough")
    assert (AIR_2013.published, AIR_2013.extra["welsh_node"]) == (date(2013, 6, 28), 1494)
    assert GOVERNANCE.published == VALUES.published == date(2025, 9, 9)
    for entry in (GOVERNANCE, VALUES, AIR_2013):
        assert entry.provenance == "recreated" and entry.note


def test_catalogue_pairs_are_mutual_and_published_together() -> None:
    paired = [e for e in CATALOGUE.entries if e.source == AUDIT_WALES and "pair" in e.extra]
    assert len(paired) == 6
    for entry in paired:
        other = CATALOGUE.get(entry.extra["pair"])
        assert other.extra["pair"] == entry.key
        assert {entry.kind, other.kind} == {"news", "publication"}
        assert other.published == entry.published


def test_catalogue_volume_and_the_other_council_social_services_item() -> None:
    latest = CATALOGUE.visible(STEPS["latest"], source=AUDIT_WALES)
    assert len([e for e in latest if e.kind == "news"]) > 20
    assert len([e for e in latest if e.kind == "publication"]) > 10
    assert {e.published.year for e in latest} >= set(range(2019, 2025))
    assert STEPS["latest"] < AFTER_2025  # the 2025 pair lies beyond the standard timeline
    mentions = [e for e in latest if "social services" in CATALOGUE.read_body(e)
                and "Wrexham" not in CATALOGUE.read_body(e)]
    assert any("Denbighshire" in e.title for e in mentions)
