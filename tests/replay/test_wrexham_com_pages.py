"""wrexham.com over real HTTP: the inferred listing skeleton along the timeline, its paging, the
article page's two date lines, both hosts, and the seed 001 article verbatim."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest

from replay.server import ReplayServer
from replay.timeline import STEPS, WREXHAM_COM, default_catalogue
from tests.replay.helpers import norm, soup

CATALOGUE = default_catalogue()
HOST = "/wrexham.com"
CONCERNS = ("/news/inspectors-raise-significant-concerns-over-performance-of-childrens-social-"
            "services-in-wrexham-190667.html")
SEED_001 = next((Path(__file__).resolve().parents[1] / "fixtures" / "seeds").glob("001_*.txt"))


def listing_hrefs(http: httpx.Client, path: str = "/news/") -> list[str]:
    resp = http.get(f"{HOST}{path}")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=UTF-8"
    return [a["href"] for a in soup(resp.text).select("main article h2 a")]


def test_listing_shows_what_is_published_newest_first(replay_server: ReplayServer,
                                                      replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2020, 9, 14))
    hrefs = listing_hrefs(replay_http)
    assert [h.rsplit("-", 1)[1] for h in hrefs] == ["192597.html", "191230.html", "190667.html",
                                                   "188912.html"]
    assert hrefs[2] == f"http://www.wrexham.com{CONCERNS}"  # the seen http://www. form
    replay_server.set_as_of(date(2020, 9, 13))
    assert len(listing_hrefs(replay_http)) == 3


def test_listing_has_posted_line_per_item(replay_http: httpx.Client) -> None:
    page = soup(replay_http.get(f"{HOST}/news/").text)
    posted = [norm(p.get_text()) for p in page.select("main article p.posted")]
    assert posted[0] == "Posted: Fri 8th Nov 2024"
    assert len(posted) == 10


def test_listing_pages_ten_at_a_time_and_404s_beyond(replay_http: httpx.Client) -> None:
    total = len(CATALOGUE.visible(STEPS["latest"], source=WREXHAM_COM))
    first = soup(replay_http.get(f"{HOST}/news/").text)
    assert first.select_one("a.next")["href"] == "https://wrexham.com/news/page/2/"
    assert len(listing_hrefs(replay_http, "/news/page/2/")) == total - 10
    assert replay_http.get(f"{HOST}/news/page/3/").status_code == 404
    assert replay_http.get(f"{HOST}/news").status_code == 301


def test_empty_listing_shows_nothing_found(replay_server: ReplayServer,
                                           replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-any"])
    page = soup(replay_http.get(f"{HOST}/news/").text)
    assert page.select("main article") == []
    assert page.select_one("section.no-results") is not None


def test_article_has_posted_line_before_h1_then_tagline(replay_server: ReplayServer,
                                                        replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2020, 8, 4))
    article = soup(replay_http.get(f"{HOST}{CONCERNS}").text).select_one("main article")
    lines = [norm(tag.get_text()) for tag in article.find_all(["p", "h1"], recursive=False)]
    assert lines[0] == "Posted: Tue 4th Aug 2020"
    assert lines[1].startswith("Inspectors raise significant concerns")
    assert lines[2] == "Wrexham's online news and information"
    assert article.select_one("p.old-article") is None
    assert article.select_one("div.article-body") is not None


def test_old_article_gains_the_second_date_line(replay_server: ReplayServer,
                                                replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2021, 8, 5))
    old = soup(replay_http.get(f"{HOST}{CONCERNS}").text).select_one("p.old-article")
    assert norm(old.get_text()) == "This article is old - Published: Tuesday, Aug 4th, 2020"


@pytest.mark.parametrize("host", ["wrexham.com", "www.wrexham.com"])
def test_article_is_served_on_both_hosts(replay_http: httpx.Client, host: str) -> None:
    assert replay_http.get(f"/{host}{CONCERNS}").status_code == 200


def test_article_answers_404_before_its_date(replay_server: ReplayServer,
                                             replay_http: httpx.Client) -> None:
    replay_server.set_as_of(date(2020, 8, 3))
    assert replay_http.get(f"{HOST}{CONCERNS}").status_code == 404


def test_seed_001_article_is_verbatim() -> None:
    entry = CATALOGUE.get("wrexhamcom-2024-positive-inspection-report")
    assert entry.provenance == "seed" and entry.seed == "001"
    quoted = SEED_001.read_text(encoding="utf-8").split("***")[1]
    body = soup(CATALOGUE.read_body(entry)).get_text("\n")
    assert norm(body) == norm(quoted)


def test_ids_rise_with_dates() -> None:
    entries = sorted(CATALOGUE.visible(STEPS["latest"], source=WREXHAM_COM),
                     key=lambda e: e.published)
    ids = [e.article_id for e in entries]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {190667, 192597, 256769} <= set(ids)
