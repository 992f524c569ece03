"""ciw_la_reports: parsers field by field on saved pages, and crawl() over a fake web."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrapers import ciw_la_reports as ciw
from scrapers.base import FetchError, ParseError
from scrapers.text import canonical_url

SOURCE = "ciw_la_reports"
BASE = "https://careinspectorate.wales"
LISTING0 = f"{BASE}/news"
LISTING1 = f"{BASE}/news?page=1"
NEWS_2021 = (
    "https://www.careinspectorate.wales/we-have-today-published-letter-summarising-findings-our-"
    "november-2021-monitoring-activity"
)
REPORT_2021 = (
    f"{BASE}/local-authority-monitoring-activity-letter-wrexham-county-borough-council-2021"
)
PDF_2021 = f"{BASE}/sites/default/files/2021-12/211216-wrexham-monitoring-letter-en.pdf"
NATIONAL = (
    f"{BASE}/190207-care-inspectorate-wales-ciw-and-healthcare-inspectorate-wales-hiw-today-"
    "publish-their-joint"
)


# --- parse_listing ----------------------------------------------------------------------------


@pytest.fixture
def listing0(load_fixture) -> ciw.ListingPage:
    return ciw.parse_listing(load_fixture(SOURCE, "2021-12-16_news_page0.html"), LISTING0)


def test_parse_listing_count(listing0: ciw.ListingPage) -> None:
    assert len(listing0.entries) == 5


def test_parse_listing_first_entry_url_keeps_www_host(listing0: ciw.ListingPage) -> None:
    assert listing0.entries[0].url == NEWS_2021


def test_parse_listing_first_entry_title(listing0: ciw.ListingPage) -> None:
    assert listing0.entries[0].title == (
        "We have today published a letter summarising the findings of our November 2021 "
        "monitoring activity"
    )


def test_parse_listing_first_entry_date(listing0: ciw.ListingPage) -> None:
    assert listing0.entries[0].published == date(2021, 12, 16)


def test_parse_listing_root_relative_links_resolve_against_real_url(listing0) -> None:
    assert listing0.entries[1].url == f"{BASE}/210610-wrexham-monitoring-activity"


def test_parse_listing_datetime_in_utc_is_london_date(listing0: ciw.ListingPage) -> None:
    # <time datetime="2021-06-09T23:00:00Z">10 June 2021</time>
    assert listing0.entries[1].published == date(2021, 6, 10)


def test_parse_listing_next_url(listing0: ciw.ListingPage) -> None:
    assert listing0.next_url == LISTING1


def test_parse_listing_last_page_has_no_next(load_fixture) -> None:
    page = ciw.parse_listing(load_fixture(SOURCE, "2021-12-16_news_page1.html"), LISTING1)
    assert [e.url for e in page.entries] == [NATIONAL]
    assert page.next_url is None


def test_parse_listing_empty_view(load_fixture) -> None:
    page = ciw.parse_listing(load_fixture(SOURCE, "2020-07-01_news_empty.html"), LISTING0)
    assert page.entries == []
    assert page.next_url is None


def test_parse_listing_empty_body() -> None:
    assert ciw.parse_listing(b"  \n", LISTING0).entries == []


def test_parse_listing_redesign_raises(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        ciw.parse_listing(load_fixture(SOURCE, "redesigned_page.html"), LISTING0)
    assert "div.views-row" in str(caught.value)
    assert "div.view-empty" in str(caught.value)
    assert str(caught.value).startswith(LISTING0)


def test_parse_listing_row_without_link_raises() -> None:
    body = b'<main><div class="view-news"><div class="views-row"><p>x</p></div></div></main>'
    with pytest.raises(ParseError, match="listing link"):
        ciw.parse_listing(body, LISTING0)


# --- parse_news_item --------------------------------------------------------------------------


@pytest.fixture
def news_2021(load_fixture) -> ciw.NewsItem:
    return ciw.parse_news_item(load_fixture(SOURCE, "2021-12-16_news_item.html"), NEWS_2021)


def test_parse_news_item_title(news_2021: ciw.NewsItem) -> None:
    assert news_2021.title.startswith("We have today published a letter summarising")


def test_parse_news_item_date(news_2021: ciw.NewsItem) -> None:
    assert news_2021.published == date(2021, 12, 16)


def test_parse_news_item_text_is_body_only(news_2021: ciw.NewsItem) -> None:
    assert news_2021.text.startswith("We carried out monitoring activity")
    assert "positive journey of improvement" in news_2021.text
    assert "Global keyword search" not in news_2021.text
    assert "Skip to main content" not in news_2021.text


def test_parse_news_item_report_url_is_last_ciw_page_link(news_2021: ciw.NewsItem) -> None:
    # not the PDF, not gov.wales, not the earlier code-of-practice link; resolved on www. host
    assert news_2021.report_url == (
        "https://www.careinspectorate.wales/local-authority-monitoring-activity-letter-wrexham-"
        "county-borough-council-2021"
    )


def test_parse_news_item_without_report_link(load_fixture) -> None:
    item = ciw.parse_news_item(load_fixture(SOURCE, "2019-02-07_news_item_national.html"), NATIONAL)
    assert item.report_url is None  # other host, and a link to itself, do not count
    assert item.published == date(2019, 2, 7)


def test_parse_news_item_missing_body_names_selector(load_fixture) -> None:
    body = load_fixture(SOURCE, "2021-12-16_news_item.html").replace(
        b"field--name-body", b"field--name-text"
    )
    with pytest.raises(ParseError) as caught:
        ciw.parse_news_item(body, NEWS_2021)
    assert "news body" in str(caught.value)
    assert "'div.field--name-body'" in str(caught.value)


def test_parse_news_item_title_falls_back_to_first_h1(load_fixture) -> None:
    body = load_fixture(SOURCE, "2021-12-16_news_item.html").replace(
        b'<h1 class="page-title">', b"<h1>"
    )
    assert ciw.parse_news_item(body, NEWS_2021).title.startswith("We have today published")


# --- parse_report_page ----------------------------------------------------------------------


@pytest.fixture
def report_2021(load_fixture) -> ciw.ReportPage:
    return ciw.parse_report_page(load_fixture(SOURCE, "2021-12-16_report_page.html"), REPORT_2021)


def test_parse_report_page_title(report_2021: ciw.ReportPage) -> None:
    assert report_2021.title == (
        "Local authority monitoring activity letter: Wrexham County Borough Council"
    )


def test_parse_report_page_text(report_2021: ciw.ReportPage) -> None:
    assert report_2021.text == (
        "This letter summarises the findings of our monitoring activity.\n\n"
        "What we found\n\n"
        "Gateway meetings are working well.\nStatutory visits must improve.\n\n"
        "We will carry out a follow-up inspection in 2022."
    )


def test_parse_report_page_pdf_urls(report_2021: ciw.ReportPage) -> None:
    assert report_2021.pdf_urls == (PDF_2021,)


def test_parse_report_page_pdf_fallback_without_attachment_block(load_fixture) -> None:
    body = load_fixture(SOURCE, "2021-12-16_report_page.html").replace(
        b"file-attachments", b"documents-block"
    )
    assert ciw.parse_report_page(body, REPORT_2021).pdf_urls == (PDF_2021,)


def test_parse_report_page_without_title_raises() -> None:
    with pytest.raises(ParseError, match="title"):
        ciw.parse_report_page(b"<main><article><p>no heading</p></article></main>", REPORT_2021)


# --- letter facts and kinds -----------------------------------------------------------------


def test_parse_letter_facts_dated_letter() -> None:
    text = (
        "Alwyn Jones\nDirector of Social Services\nWrexham County Borough Council\n\n"
        "Date: 03 August 2020\n\nDear Alwyn Jones,\n\nperformance review meeting, 10 April 2019"
    )
    facts = ciw.parse_letter_facts(text)
    assert facts == ciw.LetterFacts(date(2020, 8, 3), None, None)


def test_parse_letter_facts_seed_2020_letter() -> None:
    seeds = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
    text = next(seeds.glob("004_*.txt")).read_text()
    assert ciw.parse_letter_facts(text).letter_date == date(2020, 8, 3)


def test_parse_letter_facts_bare_date_line_and_fieldwork() -> None:
    text = (
        "Care Inspectorate Wales\n\n16 December 2021\n\nDear Director,\n\n"
        "We carried out monitoring activity between 15 to 19 November 2021."
    )
    assert ciw.parse_letter_facts(text) == ciw.LetterFacts(
        date(2021, 12, 16), date(2021, 11, 15), date(2021, 11, 19)
    )


def test_parse_letter_facts_nothing() -> None:
    assert ciw.parse_letter_facts("") == ciw.LetterFacts(None, None, None)


KINDS = [
    (
        "Local authority monitoring activity letter: Wrexham County Borough Council",
        "monitoring_letter",
    ),
    (
        "Local authority improvement check letter: Wrexham County Borough Council adult and "
        "children's services",
        "improvement_check",
    ),
    (
        "Report of Children's Services Risk Based Inspection and Adults Services Performance "
        "Evaluation Inspection: Wrexham County Borough Council",
        "inspection_report",
    ),
    ("Local Authority Performance Review April 2019 - March 2020: Wrexham", "annual_letter"),
    ("Annual letter: Wrexham County Borough Council 2019-20", "annual_letter"),
    ("Wrexham County Borough Council: annual performance review letter 2019-20", "annual_letter"),
    ("CIW annual report 2023-24 published", "inspection_report"),
    ("Changes to our office opening hours", "news"),
]


@pytest.mark.parametrize(("title", "kind"), KINDS)
def test_kind_for_title(title: str, kind: str) -> None:
    assert ciw.kind_for_title(title) == kind


# --- crawl ------------------------------------------------------------------------------------

LETTER_PDF_LINES = (
    "Alwyn Jones",
    "Director of Social Services",
    "Date: 16 December 2021",
    "Dear Alwyn Jones,",
    "Local authority monitoring activity letter",
    "We carried out monitoring activity between 15 to 19 November 2021.",
)


@pytest.fixture
def web(load_fixture, make_pdf, fake_web):
    """The whole CIW site as of 16 Dec 2021, as far as the fixtures go."""
    news_item = load_fixture(SOURCE, "2021-12-16_news_item.html")
    listing0 = load_fixture(SOURCE, "2021-12-16_news_page0.html")
    pages = {
        LISTING0: listing0,
        LISTING1: load_fixture(SOURCE, "2021-12-16_news_page1.html"),
        NEWS_2021: news_item,
        "https://www.careinspectorate.wales/local-authority-monitoring-activity-letter-wrexham-"
        "county-borough-council-2021": load_fixture(SOURCE, "2021-12-16_report_page.html"),
        "https://www.careinspectorate.wales/sites/default/files/2021-12/211216-wrexham-"
        "monitoring-letter-en.pdf": make_pdf(*LETTER_PDF_LINES),
        NATIONAL: load_fixture(SOURCE, "2019-02-07_news_item_national.html"),
    }
    return fake_web(pages)


def known_set(*urls: str):
    keys = set(urls)
    return lambda url: url in keys


def test_crawl_first_run_reads_all_pages(web) -> None:
    result = ciw.crawl(web, known_set(), base_url=BASE)
    assert result.found == 6
    assert LISTING1 in web.requests
    # three Wrexham/Bridgend entries have no fixture pages: 404s are per-item errors
    assert len(result.errors) == 4
    assert all("HTTP 404" in e for e in result.errors)
    urls = [p.url for p in result.publications]
    assert urls == [canonical(NATIONAL), REPORT_2021]  # oldest first


def canonical(url: str) -> str:
    return canonical_url(url)


def test_crawl_report_publication_fields(web) -> None:
    result = ciw.crawl(web, known_set(), base_url=BASE)
    report = next(p for p in result.publications if p.url == REPORT_2021)
    assert report.source == "ciw_la_reports"
    assert report.kind == "monitoring_letter"
    assert report.title == (
        "Local authority monitoring activity letter: Wrexham County Borough Council"
    )
    assert report.aliases == (canonical(NEWS_2021),)
    assert report.published == date(2021, 12, 16)  # from the news item
    assert report.letter_date == date(2021, 12, 16)  # from the PDF
    assert report.fieldwork_start == date(2021, 11, 15)
    assert report.fieldwork_end == date(2021, 11, 19)
    assert report.text.startswith("This letter summarises the findings")
    assert report.errors == ()
    (attachment,) = report.attachments
    assert attachment.url == PDF_2021
    assert attachment.content_type == "application/pdf"
    assert attachment.error is None
    assert "Date: 16 December 2021" in attachment.text


def test_crawl_news_without_report_is_news_publication(web) -> None:
    result = ciw.crawl(web, known_set(), base_url=BASE)
    news = next(p for p in result.publications if p.url == canonical(NATIONAL))
    assert news.kind == "news"
    assert news.published == date(2019, 2, 7)
    assert news.attachments == ()
    assert news.aliases == ()


def test_crawl_stops_at_first_page_with_all_entries_known(web, load_fixture) -> None:
    page = ciw.parse_listing(load_fixture(SOURCE, "2021-12-16_news_page0.html"), LISTING0)
    known = known_set(*(canonical_url(e.url) for e in page.entries))
    result = ciw.crawl(web, known, base_url=BASE)
    assert web.requests == [LISTING0]
    assert result.publications == ()
    assert result.found == 5
    assert result.errors == ()


def test_crawl_pages_on_while_one_entry_is_unknown(web, load_fixture) -> None:
    page = ciw.parse_listing(load_fixture(SOURCE, "2021-12-16_news_page0.html"), LISTING0)
    known = known_set(*(canonical_url(e.url) for e in page.entries[1:]), canonical(NATIONAL))
    result = ciw.crawl(web, known, base_url=BASE)
    assert [p.url for p in result.publications] == [REPORT_2021]
    assert web.requests[-1] != NATIONAL  # known: not fetched
    assert LISTING1 in web.requests
    assert result.errors == ()


def test_crawl_max_pages(web) -> None:
    ciw.crawl(web, known_set(), base_url=BASE, max_pages=1)
    assert LISTING1 not in web.requests


def test_crawl_skips_report_page_already_known(web) -> None:
    result = ciw.crawl(web, known_set(REPORT_2021), base_url=BASE, max_pages=1)
    assert REPORT_2021 not in [p.url for p in result.publications]
    assert not any("monitoring-activity-letter" in r for r in web.requests)


def test_crawl_corrupt_pdf_still_yields_publication(web) -> None:
    pdf = next(u for u in web.pages if u.endswith(".pdf"))
    web.pages[pdf] = b"%PDF-1.4 broken"
    result = ciw.crawl(web, known_set(), base_url=BASE, max_pages=1)
    report = next(p for p in result.publications if p.url == REPORT_2021)
    (attachment,) = report.attachments
    assert attachment.error.startswith("corrupt PDF")
    assert attachment.text == ""
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{PDF_2021}: corrupt PDF")
    assert report.letter_date is None
    assert report.fieldwork_start is None


def test_crawl_letter_facts_fall_back_to_page_text(web) -> None:
    pdf = next(u for u in web.pages if u.endswith(".pdf"))
    web.pages[pdf] = b"not a pdf"
    report_url = next(u for u in web.pages if u.endswith("council-2021"))
    web.pages[report_url] = web.pages[report_url].replace(
        b"findings of our monitoring activity.",
        b"findings of our monitoring activity between the 15 and 19 of November 2021.",
    )
    result = ciw.crawl(web, known_set(), base_url=BASE, max_pages=1)
    report = next(p for p in result.publications if p.url == REPORT_2021)
    assert report.fieldwork_start == date(2021, 11, 15)
    assert report.fieldwork_end == date(2021, 11, 19)


def test_crawl_transient_pdf_failure_fails_the_item(web) -> None:
    pdf = next(u for u in web.pages if u.endswith(".pdf"))
    web.pages[pdf] = FetchError(pdf, "HTTP 503 after 3 attempts", transient=True, status=503)
    result = ciw.crawl(web, known_set(), base_url=BASE, max_pages=1)
    assert REPORT_2021 not in [p.url for p in result.publications]
    assert any(e.startswith(NEWS_2021) and "HTTP 503" in e for e in result.errors)


def test_crawl_permanent_pdf_failure_is_noted(web) -> None:
    pdf = next(u for u in web.pages if u.endswith(".pdf"))
    del web.pages[pdf]
    result = ciw.crawl(web, known_set(), base_url=BASE, max_pages=1)
    report = next(p for p in result.publications if p.url == REPORT_2021)
    assert report.attachments == ()
    assert report.errors == (f"{pdf}: HTTP 404",)


def test_crawl_item_parse_error_is_recorded_and_crawl_continues(web) -> None:
    web.pages[NEWS_2021] = b"<html><body><p>maintenance</p></body></html>"
    result = ciw.crawl(web, known_set(), base_url=BASE)
    assert any(e.startswith(NEWS_2021) and "no element for content" in e for e in result.errors)
    assert canonical(NATIONAL) in [p.url for p in result.publications]


def test_crawl_first_listing_failure_raises(web) -> None:
    del web.pages[LISTING0]
    with pytest.raises(FetchError, match="HTTP 404"):
        ciw.crawl(web, known_set(), base_url=BASE)


def test_crawl_first_listing_redesign_raises(web, load_fixture) -> None:
    web.pages[LISTING0] = load_fixture(SOURCE, "redesigned_page.html")
    with pytest.raises(ParseError):
        ciw.crawl(web, known_set(), base_url=BASE)


def test_crawl_later_listing_failure_is_recorded(web) -> None:
    del web.pages[LISTING1]
    result = ciw.crawl(web, known_set(), base_url=BASE)
    assert f"{LISTING1}: HTTP 404" in result.errors
    assert REPORT_2021 in [p.url for p in result.publications]


def test_crawl_empty_listing(fake_web, load_fixture) -> None:
    web = fake_web({LISTING0: load_fixture(SOURCE, "2020-07-01_news_empty.html")})
    result = ciw.crawl(web, known_set(), base_url=BASE)
    assert result.publications == ()
    assert result.found == 0
