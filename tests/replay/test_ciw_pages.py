"""CIW pages over real HTTP: the news listing along the timeline, paging, both hosts, the
news -> report join, report pages without dates, and PDFs appearing only once published."""

from __future__ import annotations

import re

import httpx
import pytest

from replay.server import ReplayServer
from replay.timeline import STEPS
from tests.replay.helpers import norm, soup

CIW = "/careinspectorate.wales"
WWW = "/www.careinspectorate.wales"
WREXHAM_2020_NEWS = (
    "/200804-annual-performance-review-letter-wrexham-county-borough-council-2019-20"
)
WREXHAM_2020_PAGE = (
    "/local-authority-performance-review-april-2019-march-2020-wrexham-county-borough-council"
)
WREXHAM_2020_PDF = "/sites/default/files/2020-08/200804-wrexham-annual-letter-2019-20-en.pdf"
FULL_DATE = re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|"
                       r"October|November|December) \d{4}\b")
NOV_2021_NEWS = (
    "/we-have-today-published-letter-summarising-findings-our-november-2021-monitoring-activity"
)


def listing(http: httpx.Client, query: str = "", host: str = CIW) -> tuple[list[str], dict]:
    resp = http.get(f"{host}/news{query}")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    page = soup(resp.text)
    hrefs = [a["href"] for a in page.select("div.view-content .views-row h3.node__title a")]
    pager = {
        rel: a["href"]
        for rel in ("prev", "next")
        for a in page.select(f'nav.pager a[rel="{rel}"]')
    }
    return hrefs, {"pager": pager, "page": page}


def test_listing_is_empty_before_anything_is_published(replay_server: ReplayServer,
                                                       replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-any"])
    hrefs, info = listing(replay_http)
    assert hrefs == []
    assert norm(info["page"].select_one("div.view-empty").get_text()) == "No news found."
    assert info["page"].select_one("div.view-content") is None
    assert info["pager"] == {}


@pytest.mark.parametrize(("step", "expected_first", "count"), [
    ("before-2020-letter",
     "/190710-annual-performance-review-letter-wrexham-county-borough-council-2018-19", 2),
    ("after-2020-letter", WREXHAM_2020_NEWS, 5),
    ("after-oct-2020-inspection",
     "/210126-inspection-childrens-services-and-adult-services-wrexham-county-borough-council", 5),
])
def test_listing_shows_what_is_published_newest_first(
        replay_server: ReplayServer, replay_http: httpx.Client,
        step: str, expected_first: str, count: int) -> None:
    replay_server.set_as_of(STEPS[step])
    hrefs, info = listing(replay_http)
    assert hrefs[0] == expected_first
    assert len(hrefs) == count
    dates = [t["datetime"] for t in info["page"].select(".views-row time")]
    assert dates == sorted(dates, reverse=True)
    assert all(d.endswith("T09:00:00Z") for d in dates)


def test_listing_before_2020_letter_does_not_show_it(replay_server: ReplayServer,
                                                     replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-2020-letter"])
    hrefs, _ = listing(replay_http)
    assert WREXHAM_2020_NEWS not in hrefs
    replay_server.set_as_of(STEPS["after-2020-letter"])
    hrefs, _ = listing(replay_http)
    assert WREXHAM_2020_NEWS in hrefs


def test_listing_pages_five_at_a_time_with_prev_and_next(replay_http: httpx.Client) -> None:
    first, info0 = listing(replay_http)
    assert len(first) == 5 and info0["pager"] == {"next": "?page=1"}
    second, info1 = listing(replay_http, "?page=1")
    assert len(second) == 5 and info1["pager"] == {"prev": "?page=0", "next": "?page=2"}
    third, info2 = listing(replay_http, "?page=2")
    assert len(third) == 1 and info2["pager"] == {"prev": "?page=1"}
    assert third == ["/190207-care-inspectorate-wales-ciw-and-healthcare-inspectorate-wales-hiw-"
                     "today-publish-their-joint"]
    assert len(set(first + second + third)) == 11
    beyond, info3 = listing(replay_http, "?page=3")
    assert beyond == [] and info3["page"].select_one("div.view-empty") is not None
    # /news is page 0, and a nonsense page number falls back to it, as Drupal does
    assert listing(replay_http, "?page=0")[0] == first
    assert listing(replay_http, "?page=x")[0] == first


def test_listing_links_november_2021_item_with_absolute_www_href(
        replay_server: ReplayServer, replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["after-nov-2021-monitoring"])
    hrefs, _ = listing(replay_http)
    assert hrefs[0] == "https://www.careinspectorate.wales" + NOV_2021_NEWS
    assert all(h.startswith("/") for h in hrefs[1:])


def test_both_hosts_serve_the_same_content_with_different_chrome(
        replay_http: httpx.Client) -> None:
    for path in ("/news?page=1", NOV_2021_NEWS, WREXHAM_2020_PAGE):
        bare = soup(replay_http.get(CIW + path).text)
        www = soup(replay_http.get(WWW + path).text)
        assert bare.select_one("main").get_text() == www.select_one("main").get_text()
        assert "Global keyword search" not in bare.get_text()
        assert www.select_one("form[role=search] label").get_text() == "Global keyword search"
        for page in (bare, www):
            assert page.html["lang"] == "en"
            assert page.find("a", string="Skip to main content")["href"] == "#main-content"
    assert replay_http.get(WWW + WREXHAM_2020_PDF).content[:5] == b"%PDF-"


def test_news_item_has_date_label_and_joins_to_its_report_by_last_link(
        replay_http: httpx.Client) -> None:
    page = soup(replay_http.get(CIW + NOV_2021_NEWS).text)
    article = page.select_one("main#main-content article.node--type-news.node--view-mode-full")
    meta = [li.get_text() for li in article.select("ul.meta li")]
    assert meta == ["16 December 2021", "News"]
    assert article.select_one("ul.meta time")["datetime"] == "2021-12-16"
    assert article.select_one("h1.page-title").get_text().startswith("We have today published")
    last = article.select("div.field--name-body a")[-1]
    assert last["href"] == (
        "/local-authority-monitoring-activity-letter-wrexham-county-borough-council-2021")
    assert last.get_text() == (
        "Local authority monitoring activity letter: Wrexham County Borough Council")


def test_national_news_item_has_no_join_to_a_ciw_page(replay_http: httpx.Client) -> None:
    path = ("/190207-care-inspectorate-wales-ciw-and-healthcare-inspectorate-wales-hiw-today-"
            "publish-their-joint")
    page = soup(replay_http.get(CIW + path).text)
    links = [a["href"] for a in page.select("div.field--name-body a")]
    assert links and all(h.startswith("https://") for h in links)


def test_report_page_has_no_date_and_links_its_pdf(replay_http: httpx.Client) -> None:
    resp = replay_http.get(CIW + WREXHAM_2020_PAGE)
    page = soup(resp.text)
    article = page.select_one("main#main-content article.node--type-report.node--view-mode-full")
    assert article.select_one("time") is None
    assert not FULL_DATE.search(article.get_text())
    link = article.select_one("div.file-attachments a")
    assert link["href"] == WREXHAM_2020_PDF
    size = article.select_one("div.file-attachments span.file-size").get_text()
    pdf = replay_http.get(CIW + WREXHAM_2020_PDF)
    assert size == f"PDF, {round(len(pdf.content) / 1024)} KB"
    assert pdf.headers["content-type"] == "application/pdf"


def test_collision_suffix_pages_both_exist_with_the_same_title(
        replay_http: httpx.Client) -> None:
    base = "/local-authority-monitoring-activity-letter-wrexham-county-borough-council"
    titles = {
        norm(soup(replay_http.get(CIW + path).text).h1.get_text())
        for path in (base, base + "-2021")
    }
    assert titles == {"Local authority monitoring activity letter: Wrexham County Borough Council"}


@pytest.mark.parametrize("path", [WREXHAM_2020_NEWS, WREXHAM_2020_PAGE, WREXHAM_2020_PDF])
def test_documents_answer_404_before_publication(
        replay_server: ReplayServer, replay_http: httpx.Client, path: str) -> None:
    replay_server.set_as_of("2020-08-03")
    for host in (CIW, WWW):
        resp = replay_http.get(host + path)
        assert resp.status_code == 404
        assert "Page not found" in resp.text
    replay_server.set_as_of("2020-08-04")
    assert replay_http.get(CIW + path).status_code == 200
