"""The benchmark's pure helpers (bench/meter.py, bench/urlwatch_env.py, bench/backfill.py):
how requests are classified and counted, and what the generated files say.  No timings."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from bench.backfill import Plan, letter_text
from bench.meter import (
    DOCUMENT,
    LISTING,
    MORE,
    ROBOTS,
    Hit,
    MeteredReplayServer,
    listing_urls,
    path_kind,
    ratio,
    site_fetch,
    tally,
    wire_path,
)
from bench.urlwatch_env import UrlwatchRun, jobs_yaml
from replay.site import ReplaySite
from scrapers.base import FetchError
from scrapers.registry import get_source

LISTINGS = {"/careinspectorate.wales/news", "/news.wrexham.gov.uk/feed/", "/wrexham.com/news/"}


def hit(path: str, status: int = 200, size: int = 100, conditional: bool = False) -> Hit:
    return Hit("GET", path, status, size, ("if-none-match",) if conditional else (), "ua", 0.0)


@pytest.mark.parametrize(("path", "kind"), [
    ("/careinspectorate.wales/robots.txt", ROBOTS),
    ("/careinspectorate.wales/news", LISTING),
    ("/careinspectorate.wales/news?page=1", MORE),
    ("/news.wrexham.gov.uk/feed/?paged=2", MORE),
    ("/wrexham.com/news/page/2/", MORE),
    ("/careinspectorate.wales/news-item-about-wrexham", DOCUMENT),
    ("/careinspectorate.wales/sites/default/files/2020-08/letter.pdf", DOCUMENT),
])
def test_path_kind(path: str, kind: str) -> None:
    assert path_kind(path, LISTINGS) == kind


def test_wire_path_keeps_the_query() -> None:
    assert wire_path("https://careinspectorate.wales/news?page=2") == \
        "/careinspectorate.wales/news?page=2"
    assert wire_path("https://wrexham.com") == "/wrexham.com/"


def test_tally_counts_robots_apart_and_only_bodies_as_documents() -> None:
    figures = tally([
        hit("/careinspectorate.wales/robots.txt", size=700),
        hit("/careinspectorate.wales/news", status=304, size=0, conditional=True),
        hit("/careinspectorate.wales/news?page=1", size=4000),
        hit("/careinspectorate.wales/a-letter", size=9000),
        hit("/careinspectorate.wales/gone", status=404, size=300),
        hit("/wrexham.com/news", status=301, size=0),
    ], LISTINGS)
    assert (figures.requests, figures.robots, figures.listing, figures.more_pages) == (5, 1, 1, 1)
    assert (figures.not_modified, figures.redirects, figures.errors) == (1, 1, 1)
    assert figures.documents == 1
    assert figures.document_paths == ["/careinspectorate.wales/a-letter"]
    assert figures.conditional == 1
    assert (figures.bytes, figures.robots_bytes, figures.bytes_without_robots) == \
        (14000, 700, 13300)


@pytest.mark.parametrize(("num", "den", "shown"), [
    (6, 2, "3.0x"), (0, 0, "-"), (5, 0, "inf"), (1, 4, "0.2x")])
def test_ratio(num: float, den: float, shown: str) -> None:
    assert ratio(num, den) == shown


def test_listing_urls_come_from_the_sources_own_crawl() -> None:
    site = ReplaySite()
    assert listing_urls(get_source("ciw_la_reports"), site) == \
        ["https://careinspectorate.wales/news"]
    assert listing_urls(get_source("wrexham_news_rss"), site) == \
        ["https://news.wrexham.gov.uk/feed/"]


def test_site_fetch_follows_redirects_and_raises_on_404() -> None:
    fetch = site_fetch(ReplaySite())
    assert fetch("https://news.wrexham.gov.uk/feed").url == "https://news.wrexham.gov.uk/feed/"
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch("https://careinspectorate.wales/no-such-page")


def test_metered_server_logs_sizes_and_can_ignore_validators() -> None:
    with MeteredReplayServer() as server, httpx.Client(base_url=server.url) as client:
        first = client.get("/careinspectorate.wales/news")
        etag = first.headers["etag"]
        again = client.get("/careinspectorate.wales/news", headers={"If-None-Match": etag})
        server.validators = False
        plain = client.get("/careinspectorate.wales/news", headers={"If-None-Match": etag})
        hits = server.hits
        assert len(hits) == len(server.requests) == 3
    assert (again.status_code, plain.status_code) == (304, 200)
    assert "etag" not in plain.headers and "last-modified" not in plain.headers
    assert [h.body_bytes for h in hits] == [len(first.content), 0, len(plain.content)]
    assert [h.conditional for h in hits] == [(), ("if-none-match",), ("if-none-match",)]


def test_jobs_yaml_is_one_document_per_job() -> None:
    yaml = pytest.importorskip("yaml")
    text = jobs_yaml([("ciw", "http://127.0.0.1:1/careinspectorate.wales/news"),
                      ("feed 0", 'http://127.0.0.1:1/x?a="b"')])
    assert list(yaml.safe_load_all(text)) == [
        {"name": "ciw", "url": "http://127.0.0.1:1/careinspectorate.wales/news"},
        {"name": "feed 0", "url": 'http://127.0.0.1:1/x?a="b"'},
    ]


def test_urlwatch_report_states_are_counted() -> None:
    out = ("01. NEW: ciw_la_reports ( http://127.0.0.1:1/careinspectorate.wales/news )\n"
           "02. UNCHANGED: wrexham_com ( http://127.0.0.1:1/wrexham.com/news/ )\n"
           "03. ERROR: gov ( http://127.0.0.1:1/gov.wales/announcements/rss )\n"
           "--\nNEW: not a job line\n")
    assert UrlwatchRun(0.1, 0, out, "").states() == {"NEW": 1, "UNCHANGED": 1, "ERROR": 1}


@pytest.mark.parametrize("docs", [5, 100, 1000, 1001])
def test_plan_adds_up_to_the_documents_asked_for(docs: int) -> None:
    plan = Plan.for_docs(docs)
    assert plan.documents == docs
    assert plan.pdfs == plan.letters > 0


def test_generated_letter_states_its_date_fieldwork_and_status() -> None:
    import random

    text = letter_text(random.Random(1), "Wrexham", date(2020, 8, 3), "Improvement Check",
                       (date(2020, 6, 1), date(2020, 6, 5)),
                       {"children's services": "significant", "adult services": "none"})
    assert "Date: 03 August 2020" in text
    assert "Wrexham County Borough Council" in text
    assert "between 1 June 2020 and 5 June 2020" in text
    assert "Our concerns about children's services have escalated from serious to significant." \
        in text
