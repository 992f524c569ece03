"""gov.wales over real HTTP: the announcements feed along the timeline (statements mixed with
other announcements), the statement page's seen selectors, and both hosts."""

from __future__ import annotations

from datetime import date

import feedparser
import httpx
import pytest
from lxml import etree

from replay.render_gov_wales import in_feed
from replay.server import ReplayServer
from replay.timeline import GOV_WALES, STEPS, default_catalogue
from tests.replay.helpers import norm, soup

CATALOGUE = default_catalogue()
HOST = "/gov.wales"
REMOVAL = ("/written-statement-powys-county-council-removal-enhanced-monitoring-arrangements-"
           "social-services")


def feed(http: httpx.Client) -> feedparser.FeedParserDict:
    resp = http.get(f"{HOST}/announcements/rss")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/rss+xml; charset=UTF-8"
    etree.fromstring(resp.content)
    parsed = feedparser.parse(resp.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def test_feed_shows_what_is_published_newest_first(replay_server: ReplayServer,
                                                   replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2020, 11, 2))
    parsed = feed(replay_http)
    assert parsed.entries[0].link == f"https://gov.wales{REMOVAL}"
    assert parsed.entries[0].published_parsed[:3] == (2020, 11, 2)
    replay_server.set_as_of(date(2020, 11, 1))
    assert f"https://gov.wales{REMOVAL}" not in [e.link for e in feed(replay_http).entries]


def test_feed_mixes_statements_and_other_announcements(replay_http: httpx.Client) -> None:
    links = [e.link for e in feed(replay_http).entries]
    statements = [link for link in links if "/written-statement-" in link]
    assert 0 < len(statements) < len(links)
    assert len(links) == len(in_feed(CATALOGUE.visible(STEPS["latest"], source=GOV_WALES),
                                     STEPS["latest"]))


def test_feed_lists_only_recent_announcements(replay_server: ReplayServer,
                                              replay_http: httpx.Client) -> None:
    # the 2017 warning notice rolls off the feed, but its page stays reachable
    replay_server.set_as_of(date(2017, 10, 17))
    assert "warning-notice-issued" in feed(replay_http).entries[0].link
    replay_server.set_as_of(STEPS["before-any"])
    assert feed(replay_http).entries == []
    assert replay_http.get(
        f"{HOST}/written-statement-powys-county-council-childrens-social-services-"
        "publication-warning-notice-issued").status_code == 200


def test_feed_items_have_title_link_pubdate(replay_http: httpx.Client) -> None:
    for item in feed(replay_http).entries:
        assert item.title and item.link.startswith("https://gov.wales/") and item.published


def test_statement_page_has_seen_selectors(replay_http: httpx.Client) -> None:
    page = soup(replay_http.get(f"{HOST}{REMOVAL}").text)
    assert norm(page.h1.get_text()).startswith("Written Statement: Powys County Council")
    item = page.select_one("div.header-meta > div.first-published > div.item")
    assert norm(item.get_text()) == "2 November 2020"
    assert page.select_one("div.last-updated > div.item > time")["datetime"].startswith(
        "2020-11-02")
    assert "have been removed" in page.select_one("div.hero-block__summary > div > p").get_text()
    assert "have been removed" in page.select_one(
        "div.container-fluid.announcement-item__body").get_text()
    assert "2016 to 2021 administration" in page.get_text()


def test_text_after_first_published_label_is_the_date(replay_http: httpx.Client) -> None:
    text = norm(soup(replay_http.get(f"{HOST}{REMOVAL}").text).get_text(" "))
    assert "First published: 2 November 2020" in text


@pytest.mark.parametrize("host", ["gov.wales", "www.gov.wales"])
def test_statement_is_served_on_both_hosts(replay_http: httpx.Client, host: str) -> None:
    assert replay_http.get(f"/{host}{REMOVAL}").status_code == 200


def test_statement_answers_404_before_its_date(replay_server: ReplayServer,
                                               replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2020, 11, 1))
    assert replay_http.get(f"{HOST}{REMOVAL}").status_code == 404


def test_nothing_about_wrexham_intervention() -> None:
    for entry in CATALOGUE.entries:
        if entry.source == GOV_WALES:
            assert "wrexham" not in (entry.title + CATALOGUE.read_body(entry)).lower(), entry.key


def test_powys_intervention_dates() -> None:
    dates = {e.published for e in CATALOGUE.entries
             if e.source == GOV_WALES and "Powys" in e.title}
    assert dates == {date(2017, 10, 17), date(2018, 1, 15), date(2020, 11, 2)}
