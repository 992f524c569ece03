"""Wrexham Council news over real HTTP: the WordPress feed along the timeline, its paging,
article pages (no date, promo lines inside the body) and WordPress-style redirects."""

from __future__ import annotations

import feedparser
import httpx
import pytest
from lxml import etree

from replay.server import ReplayServer
from replay.timeline import STEPS, WREXHAM_NEWS, default_catalogue
from tests.replay.helpers import norm, soup

HOST = "/news.wrexham.gov.uk"
BASE = "https://news.wrexham.gov.uk"
RESPONSE_2020 = "/how-were-addressing-concerns-and-improving-our-childrens-services/"
PROMOS = ("Sign-up for email bulletins", "MyUpdates", "COVID-19", "coronavirus")


def feed(http: httpx.Client, query: str = "") -> feedparser.FeedParserDict:
    resp = http.get(f"{HOST}/feed/{query}")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/rss+xml; charset=UTF-8"
    etree.fromstring(resp.content)  # well-formed XML, or this raises
    parsed = feedparser.parse(resp.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def test_feed_is_wordpress_rss2(replay_http: httpx.Client) -> None:
    parsed = feed(replay_http)
    assert parsed.feed.title == "Wrexham Council News"
    assert parsed.feed.link == BASE
    assert parsed.feed.language == "en-GB"
    assert parsed.feed.generator.startswith("https://wordpress.org/")
    for item in parsed.entries:
        assert item.link.startswith(BASE + "/") and item.link.endswith("/")
        assert item.id.startswith(BASE + "/?p=") and not item.guidislink
        assert item.published.endswith(" +0000")
        assert item.author
        assert item.tags
        assert item.comments == item.link + "#respond"
        assert item.wfw_commentrss == item.link + "feed/"
        assert item.slash_comments == "0"
        html = item.content[0].value
        assert any(promo in html for promo in PROMOS), item.link
        assert item.summary


def test_feed_content_is_cdata_with_full_html(replay_http: httpx.Client) -> None:
    raw = replay_http.get(f"{HOST}/feed/").text
    assert "<content:encoded><![CDATA[<p>" in raw
    assert "<dc:creator><![CDATA[" in raw
    assert '<guid isPermaLink="false">https://news.wrexham.gov.uk/?p=' in raw
    assert '<atom:link href="https://news.wrexham.gov.uk/feed/" rel="self"' in raw


@pytest.mark.parametrize(("step", "count", "first"), [
    ("before-2020-letter", 3, "/resurfacing-works-planned-for-town-centre-streets/"),
    ("after-council-2020-response", 4, RESPONSE_2020),
    ("after-council-2021-report", 6,
     "/improvements-in-childrens-social-care-reported-to-executive-board/"),
])
def test_feed_shows_what_is_published_newest_first(
        replay_server: ReplayServer, replay_http: httpx.Client,
        step: str, count: int, first: str) -> None:
    replay_server.set_as_of(STEPS[step])
    parsed = feed(replay_http)
    assert len(parsed.entries) == count
    assert parsed.entries[0].link == BASE + first
    stamps = [e.published_parsed for e in parsed.entries]
    assert stamps == sorted(stamps, reverse=True)
    assert parsed.feed.updated == parsed.entries[0].published


def test_feed_is_empty_but_valid_before_any_post(replay_server: ReplayServer,
                                                 replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-any"])
    assert feed(replay_http).entries == []
    assert replay_http.get(f"{HOST}/feed/?paged=2").status_code == 404


def test_feed_pages_ten_at_a_time_and_404s_beyond(replay_http: httpx.Client) -> None:
    page1 = feed(replay_http)
    page2 = feed(replay_http, "?paged=2")
    assert len(page1.entries) == 10
    total = len(default_catalogue().visible(STEPS["latest"], source=WREXHAM_NEWS))
    assert len(page2.entries) == total - 10 > 0
    assert not {e.id for e in page1.entries} & {e.id for e in page2.entries}
    assert page1.entries[-1].published_parsed >= page2.entries[0].published_parsed
    assert replay_http.get(f"{HOST}/feed/?paged=3").status_code == 404
    assert [e.id for e in feed(replay_http, "?paged=1").entries] == [e.id for e in page1.entries]


def test_article_page_has_contract_markup_and_no_date(replay_http: httpx.Client) -> None:
    resp = replay_http.get(HOST + RESPONSE_2020)
    assert resp.status_code == 200
    page = soup(resp.text)
    assert page.html["lang"] == "en"
    assert page.find("a", string="Skip to main content") is not None
    body_class = page.body["class"]
    assert {"single", "single-post", "postid-200820"} <= set(body_class)
    article = page.select_one("main#main.site-main article#post-200820.post.type-post")
    cat = article.select_one("header.entry-header span.cat-links a[rel~=category]")
    assert cat["href"] == f"{BASE}/category/social-services/"
    assert cat.get_text() == "Social services"
    title = article.select_one("header.entry-header h1.entry-title").get_text()
    assert title == "How we’re addressing concerns and improving our children’s services"
    assert page.find("time") is None
    content = article.select_one("div.entry-content")
    assert "escalated from serious to significant" in norm(content.get_text())
    promos = [p for p in content.find_all("p", recursive=False)
              if p.find("a") and norm(p.get_text()) == norm(p.a.get_text())]
    assert [norm(p.get_text()) for p in promos] == [
        "Get the latest coronavirus (COVID-19) information and advice",
        "Sign-up for email bulletins",
    ]


def test_every_article_body_matches_its_feed_item(replay_http: httpx.Client) -> None:
    items = feed(replay_http).entries + feed(replay_http, "?paged=2").entries
    for item in items:
        path = item.link.removeprefix(BASE)
        page = soup(replay_http.get(HOST + path).text)
        content = page.select_one("div.entry-content")
        assert norm(content.get_text()) == norm(soup(item.content[0].value).get_text())


def test_article_answers_404_before_its_pubdate(replay_server: ReplayServer,
                                                replay_http: httpx.Client) -> None:
    replay_server.set_as_of("2020-08-19")
    assert replay_http.get(HOST + RESPONSE_2020).status_code == 404
    replay_server.set_as_of("2020-08-20")
    assert replay_http.get(HOST + RESPONSE_2020).status_code == 200


def test_wordpress_redirects_point_at_real_urls(replay_server: ReplayServer,
                                                replay_http: httpx.Client) -> None:
    feed_redirect = replay_http.get(f"{HOST}/feed")
    assert feed_redirect.status_code == 301
    assert feed_redirect.headers["location"] == f"{BASE}/feed/"
    slashless = replay_http.get(HOST + RESPONSE_2020.rstrip("/"))
    assert slashless.status_code == 301
    assert slashless.headers["location"] == BASE + RESPONSE_2020
    short = replay_http.get(f"{HOST}/?p=200820")
    assert short.status_code == 301 and short.headers["location"] == BASE + RESPONSE_2020
    replay_server.set_as_of("2020-08-19")
    assert replay_http.get(f"{HOST}/?p=200820").status_code == 404
    assert replay_http.get(HOST + RESPONSE_2020.rstrip("/")).status_code == 404
