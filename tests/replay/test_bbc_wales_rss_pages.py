"""BBC News - Wales over real HTTP: the feed skeleton of markup.md §6 (CDATA, channel fields,
ttl, the old stylesheet line, three guid styles, missing thumbnails, GMT dates), the rolling
window, article pages on every host, bare-host redirects, and robots.txt."""

from __future__ import annotations

import re
from datetime import date, timedelta

import feedparser
import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from lxml import etree
from protego import Protego

from replay.render_bbc_wales_rss import FEED_ITEMS, in_feed
from replay.server import ReplayServer
from replay.timeline import BBC_WALES, STEPS, default_catalogue
from tests.replay.helpers import norm, soup

CATALOGUE = default_catalogue()
ENTRIES = CATALOGUE.visible(STEPS["latest"], source=BBC_WALES)
FEED = "/feeds.bbci.co.uk/news/wales/rss.xml"
LDRS = "/news/uk-wales-59884153"
CHECK = CATALOGUE.get("bbc-2024-wrexham-social-services-improvement-check")
OLDEST = ENTRIES[-1]
NS = {"media": "http://search.yahoo.com/mrss/", "atom": "http://www.w3.org/2005/Atom"}


def fetch_feed(http: httpx.Client) -> tuple[bytes, etree._Element]:
    resp = http.get(FEED)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/xml; charset=utf-8"
    parsed = feedparser.parse(resp.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return resp.content, etree.fromstring(resp.content)


def one(root: BeautifulSoup | Tag, selector: str) -> Tag:
    found = root.select_one(selector)
    assert found is not None, selector
    return found


def items(root: etree._Element) -> list[etree._Element]:
    return root.findall("channel/item")


def test_channel_skeleton(replay_http: httpx.Client) -> None:
    raw, root = fetch_feed(replay_http)
    assert root.get("version") == "2.0"
    assert set(NS.values()) <= set(root.nsmap.values())
    assert b"<title><![CDATA[BBC News - Wales]]></title>" in raw
    assert b"<language><![CDATA[en-gb]]></language>" in raw
    channel = root.find("channel")
    assert channel.findtext("link") == "https://www.bbc.co.uk/news/wales"
    assert channel.findtext("generator") == "RSS for Node"
    assert channel.findtext("ttl") == "15"
    assert channel.findtext("image/url").endswith("bbc_news_120x60.gif")
    assert channel.find("atom:link", NS).get("href") == "https://feeds.bbci.co.uk/news/wales/rss.xml"
    assert channel.find("atom:link", NS).get("rel") == "self"
    assert "British Broadcasting Corporation" in channel.findtext("copyright")
    assert channel.findtext("lastBuildDate") == items(root)[0].findtext("pubDate")


def test_items_use_cdata_and_gmt_dates(replay_http: httpx.Client) -> None:
    raw, root = fetch_feed(replay_http)
    assert raw.count(b"<title><![CDATA[") == len(items(root)) + 1  # the channel's too
    assert raw.count(b"<description><![CDATA[") == len(items(root)) + 1
    for item in items(root):
        assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
                            item.findtext("pubDate"))


def test_feed_is_the_window_of_newest_items(replay_http: httpx.Client) -> None:
    _, root = fetch_feed(replay_http)
    assert len(items(root)) == FEED_ITEMS == len(in_feed(ENTRIES)) < len(ENTRIES)
    titles = [i.findtext("title") for i in items(root)]
    assert titles == [e.title for e in ENTRIES[:FEED_ITEMS]]
    assert OLDEST.title not in titles  # rolled off, but its page stays up
    assert replay_http.get(f"/www.bbc.co.uk{OLDEST.path}").status_code == 200


def test_feed_mixes_the_three_guid_styles(replay_http: httpx.Client) -> None:
    _, root = fetch_feed(replay_http)
    styles = set()
    for item in items(root):
        link, guid = item.findtext("link"), item.find("guid")
        permalink = guid.get("isPermaLink")
        if permalink == "true":
            assert link == guid.text and "?" not in link
            assert re.fullmatch(r"https://www\.bbc\.co\.uk/news/uk-wales-\d{8}", link)
            styles.add("2019")
        elif link.endswith("at_campaign=KARANGA"):
            assert permalink == "false" and link == guid.text + "?at_medium=RSS&at_campaign=KARANGA"
            styles.add("2021")
        else:
            assert re.fullmatch(r"https://www\.bbc\.com/news/articles/c[0-9a-z]{10}o",
                                guid.text[:-2])
            assert guid.text.endswith("#0") and permalink == "false"
            assert link == guid.text[:-2] + "?at_medium=RSS&at_campaign=rss"
            styles.add("2024")
    assert styles == {"2019", "2021", "2024"}


def test_some_items_have_no_thumbnail(replay_http: httpx.Client) -> None:
    _, root = fetch_feed(replay_http)
    thumbs = [i.find("media:thumbnail", NS) for i in items(root)]
    assert 0 < sum(t is None for t in thumbs) < len(thumbs)
    for thumb in (t for t in thumbs if t is not None):
        assert thumb.get("width") and thumb.get("height") and thumb.get("url").endswith(".jpg")
    ldrs = next(i for i in items(root) if i.findtext("guid").endswith(LDRS))
    assert ldrs.find("media:thumbnail", NS) is None


def test_old_feeds_carry_the_stylesheet_line(replay_server: ReplayServer,
                                             replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2020, 8, 5))
    raw, _ = fetch_feed(replay_http)
    assert raw.split(b"\n")[1] == (b'<?xml-stylesheet title="XSL_formatting" type="text/xsl" '
                                   b'href="/shared/bsp/xsl/rss/nolsol.xsl"?>')
    replay_server.set_as_of(STEPS["latest"])
    raw, _ = fetch_feed(replay_http)
    assert b"nolsol.xsl" not in raw


def test_feed_is_an_empty_channel_before_any_item(replay_server: ReplayServer,
                                                  replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-any"])
    _, root = fetch_feed(replay_http)
    assert items(root) == [] and root.find("channel/title") is not None


def test_feed_shows_an_item_from_its_day(replay_server: ReplayServer,
                                         replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2022, 1, 7))
    _, root = fetch_feed(replay_http)
    assert items(root)[0].findtext("guid") == f"https://www.bbc.co.uk{LDRS}"
    replay_server.set_as_of(date(2022, 1, 6))
    _, root = fetch_feed(replay_http)
    assert all(not i.findtext("guid").endswith(LDRS) for i in items(root))


def test_feed_answers_conditional_get(replay_http: httpx.Client) -> None:
    first = replay_http.get(FEED)
    again = replay_http.get(FEED, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("host", ["www.bbc.co.uk", "www.bbc.com", "feeds.bbci.co.uk"])
def test_article_is_served_on_every_host(replay_http: httpx.Client, host: str) -> None:
    for path in (LDRS, CHECK.path):
        resp = replay_http.get(f"/{host}{path}")
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "text/html; charset=UTF-8"


@pytest.mark.parametrize("host", ["bbc.co.uk", "bbc.com"])
def test_bare_hosts_redirect_to_www(replay_http: httpx.Client, host: str) -> None:
    resp = replay_http.get(f"/{host}{LDRS}")
    assert resp.status_code == 301
    assert resp.headers["location"] == f"https://www.{host}{LDRS}"


def test_article_page_skeleton(replay_http: httpx.Client) -> None:
    page = soup(replay_http.get(f"/www.bbc.co.uk{LDRS}").text)
    article = one(page, "main article")
    assert norm(one(article, "h1#main-heading").get_text()).startswith("Wrexham children")
    stamp = one(article, '[data-component="byline-block"] time')
    assert str(stamp["datetime"]).startswith("2022-01-07T")
    blocks = article.select('[data-component="text-block"]')
    assert len(blocks) == 6 and all(b.find("p") for b in blocks)
    assert "firmly on a journey of improvement" in blocks[0].get_text()
    assert one(page, 'link[rel="canonical"]')["href"] == f"https://www.bbc.co.uk{LDRS}"


def test_2024_article_page_uses_the_headline_block(replay_http: httpx.Client) -> None:
    page = soup(replay_http.get(f"/www.bbc.com{CHECK.path}").text)
    assert norm(one(page, '[data-component="headline-block"] h1').get_text()) == CHECK.title
    assert one(page, 'link[rel="canonical"]')["href"] == f"https://www.bbc.com{CHECK.path}"


def test_article_answers_404_before_its_date(replay_server: ReplayServer,
                                             replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2022, 1, 7) - timedelta(days=1))
    assert replay_http.get(f"/www.bbc.co.uk{LDRS}").status_code == 404
    assert replay_http.get("/www.bbc.co.uk/news/wales/rss.xml").status_code == 404


@pytest.mark.parametrize("host", ["feeds.bbci.co.uk", "www.bbc.co.uk", "www.bbc.com"])
def test_robots_txt_allows_what_carewatch_reads(replay_server: ReplayServer,
                                               replay_http: httpx.Client, host: str) -> None:
    replay_server.set_as_of(STEPS["before-any"])
    resp = replay_http.get(f"/{host}/robots.txt")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    assert "Disallow: /" in resp.text
    rules = Protego.parse(resp.text)
    for path in ("/news/wales/rss.xml", LDRS, CHECK.path):
        assert rules.can_fetch(f"https://{host}{path}", "carewatch")
    assert not rules.can_fetch(f"https://{host}{LDRS}", "CCBot") or host == "feeds.bbci.co.uk"
