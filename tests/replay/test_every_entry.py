"""Every catalogue entry renders on its publication day (on every host that serves it), answers
404 the day before, and is reachable from the listing or feed the scrapers start from."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import httpx
import pytest

from replay.server import ReplayServer
from replay.timeline import (
    AUDIT_WALES,
    BBC_WALES,
    CIW,
    CIW_CY,
    GOV_WALES,
    MODERNGOV,
    WREXHAM_COM,
    Entry,
    default_catalogue,
)
from tests.replay.helpers import norm, soup

CATALOGUE = default_catalogue()


def hosts_for(entry: Entry) -> list[str]:
    both = (CIW, WREXHAM_COM, GOV_WALES)
    return [entry.host, "www." + entry.host] if entry.source in both else [entry.host]


@pytest.mark.parametrize("entry", CATALOGUE.entries, ids=lambda e: e.key)
def test_entry_renders_from_its_publication_day(replay_server: ReplayServer,
                                                replay_http: httpx.Client, entry: Entry) -> None:
    replay_server.set_as_of(entry.published - timedelta(days=1))
    for host in hosts_for(entry):
        assert replay_http.get(f"/{host}{entry.path}").status_code == 404
        if entry.pdf is not None:
            assert replay_http.get(f"/{host}{entry.pdf.path}").status_code == 404
    replay_server.set_as_of(entry.published)
    for host in hosts_for(entry):
        resp = replay_http.get(f"/{host}{entry.path}")
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "text/html; charset=UTF-8"
        page = soup(resp.text)
        assert norm(page.h1.get_text()) == norm(entry.title)
        # a skip link first, in the page's language (by its target, not its words)
        assert page.find("a", href=lambda h: bool(h) and h.startswith("#")) is not None
        assert page.find("footer") is not None
        if entry.pdf is not None:
            pdf = replay_http.get(f"/{host}{entry.pdf.path}")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
            assert page.select_one("div.file-attachments a")["href"] == entry.pdf.path


@pytest.mark.parametrize("entry", [e for e in CATALOGUE.entries
                                   if e.kind in ("news", "article", "statement")],
                         ids=lambda e: e.key)
def test_entry_is_reachable_from_the_first_listing_page_on_its_day(
        replay_server: ReplayServer, replay_http: httpx.Client, entry: Entry) -> None:
    replay_server.set_as_of(entry.published)
    if entry.source == CIW:
        page = soup(replay_http.get("/careinspectorate.wales/news").text)
        hrefs = [a["href"] for a in page.select(".views-row h3.node__title a")]
        assert (entry.listing_href or entry.path) == hrefs[0]
    elif entry.source == CIW_CY:
        page = soup(replay_http.get("/arolygiaethgofal.cymru/newyddion").text)
        hrefs = [a["href"] for a in page.select(".views-row h3.node__title a")]
        assert (entry.listing_href or entry.path) == hrefs[0]
    elif entry.source == WREXHAM_COM:
        page = soup(replay_http.get("/wrexham.com/news/").text)
        hrefs = [a["href"] for a in page.select("main article h2 a")]
        assert (entry.listing_href or entry.url) == hrefs[0]
    elif entry.source == GOV_WALES:
        parsed = feedparser.parse(replay_http.get("/gov.wales/announcements/rss").content)
        assert parsed.entries[0].link == entry.url
    elif entry.source == AUDIT_WALES:
        listing = "news" if entry.path.startswith("/news/") else "publications"
        page = soup(replay_http.get(f"/audit.wales/{listing}").text)
        hrefs = [a["href"] for a in page.select("div.views-row h3 a")]
        assert (entry.listing_href or entry.path) == hrefs[0]
    elif entry.source == BBC_WALES:
        from replay.render_bbc_wales_rss import item_link

        parsed = feedparser.parse(
            replay_http.get("/feeds.bbci.co.uk/news/wales/rss.xml").content)
        assert parsed.entries[0].link == item_link(entry)
    elif entry.source == MODERNGOV:
        parsed = feedparser.parse(
            replay_http.get("/moderngov.wrexham.gov.uk/mgRss.aspx?XXR=0").content)
        assert entry.extra["meeting_id"] and str(entry.extra["meeting_id"]) in (
            parsed.entries[0].link)
    else:
        parsed = feedparser.parse(replay_http.get("/news.wrexham.gov.uk/feed/").content)
        assert parsed.entries[0].link == entry.url
        assert parsed.entries[0].id == f"https://news.wrexham.gov.uk/?p={entry.post_id}"


def test_every_linked_page_is_joined_by_the_last_ciw_link_of_its_news_item(
        replay_http: httpx.Client) -> None:
    for news in CATALOGUE.entries:
        if news.kind != "news" or news.source not in (CIW, CIW_CY):
            continue
        page = soup(replay_http.get(f"/{news.host}{news.path}").text)
        internal = [a for a in page.select("div.field--name-body a")
                    if a["href"].startswith("/") and not a["href"].endswith(".pdf")]
        if news.links_to is None:
            assert internal == [], news.key
            continue
        target = CATALOGUE.get(news.links_to)
        assert internal[-1]["href"] == target.path
        assert norm(internal[-1].get_text()) == norm(target.title)
