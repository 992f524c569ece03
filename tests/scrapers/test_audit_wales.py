"""audit_wales: listing and page parsers field by field, both date formats, the four host forms,
the no-results and redesign states, and crawl() over both listings with PDFs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from scrapers import audit_wales as aw
from scrapers.base import Fetched, FetchError, ParseError

SOURCE = "audit_wales"
BASE = "https://audit.wales"
NEWS = f"{BASE}/news"
PUBS = f"{BASE}/publications"
GOVERNANCE = (f"{BASE}/news/wrexham-county-borough-council-faces-urgent-call-address-governance-"
              "failures-and-improve")
VALUES = f"{BASE}/publication/values-and-behaviours-follow-review-wrexham-county-borough-council"
AIR_2013 = (f"{BASE}/news/auditor-general-wales-publishes-his-annual-improvement-report-2013-"
            "wrexham-county-borough")
PDF = f"{BASE}/sites/default/files/publications/wrexham_values_behaviours_follow_up_eng.pdf"


def fixture_page(load_fixture, name: str, url: str) -> aw.Page:
    return aw.parse_page(load_fixture(SOURCE, name), url)


# --- parse_listing ----------------------------------------------------------------------------


@pytest.fixture
def news_listing(load_fixture) -> aw.ListingPage:
    return aw.parse_listing(load_fixture(SOURCE, "2025-09-10_news_listing.html"), NEWS)


def test_parse_listing_count_and_next_page(news_listing: aw.ListingPage) -> None:
    assert len(news_listing.entries) == 10
    assert news_listing.next_url == f"{NEWS}?page=1"


def test_parse_listing_first_entry_fields(news_listing: aw.ListingPage) -> None:
    first = news_listing.entries[0]
    assert first.url == GOVERNANCE
    assert first.kind == "news"
    assert first.title == ("Wrexham County Borough Council faces urgent call to address governance "
                           "failures and improve")
    assert first.published == date(2025, 9, 9)
    assert first.summary == ("The Auditor General's follow-up review of values and behaviours at "
                             "the Council.")


def test_parse_listing_newest_first(news_listing: aw.ListingPage) -> None:
    days = [e.published for e in news_listing.entries]
    assert None not in days
    assert days == sorted((d for d in days if d is not None), reverse=True)


def test_parse_listing_last_publications_page_keys_every_host_form(load_fixture) -> None:
    url = "https://www.audit.wales/publications?page=1"
    page = aw.parse_listing(
        load_fixture(SOURCE, "2025-09-10_publications_listing_page1.html"), url)
    assert page.next_url is None
    assert [(e.kind, e.published) for e in page.entries] == [
        ("publication", date(2019, 5, 16)), ("publication", date(2011, 1, 27))]
    # the first row links the old host over http, as a migrated link field may
    assert page.entries[0].url.startswith("http://www.wao.gov.uk/publication/")
    assert [aw.canonical_audit_url(e.url) for e in page.entries] == [
        f"{BASE}/publication/isle-anglesey-county-council-review-asset-management",
        f"{BASE}/publication/annual-improvement-report-wrexham-county-borough-council",
    ]


def test_parse_listing_no_results_is_empty(load_fixture) -> None:
    page = aw.parse_listing(load_fixture(SOURCE, "2013-01-01_news_listing_no_results.html"), NEWS)
    assert page.entries == [] and page.next_url is None


def test_parse_listing_redesign_raises_naming_selectors(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        aw.parse_listing(load_fixture(SOURCE, "variant_redesign_listing.html"), NEWS)
    message = str(caught.value)
    assert message.startswith(NEWS) and "no news or publication rows" in message
    assert "selectors" in message and "'div.views-row > article'" in message


def test_parse_listing_skips_rows_that_link_no_page() -> None:
    body = (b'<div class="view-content">'
            b'<div class="views-row"><article><h3><a href="/about-us">About us</a></h3>'
            b"</article></div>"
            b'<div class="views-row"><article><h3><a href="https://example.org/news/x">Elsewhere</a>'
            b"</h3></article></div>"
            b'<div class="views-row"><article><h3><a href="http://www.wao.gov.uk/news/a-story">'
            b"A story</a></h3></article></div></div>")
    page = aw.parse_listing(body, NEWS)
    assert [(e.url, e.kind, e.published, e.summary) for e in page.entries] == [
        ("http://www.wao.gov.uk/news/a-story", "news", None, "")]


def test_parse_listing_rows_of_unknown_links_only_is_a_redesign() -> None:
    body = b'<div class="views-row"><article><h3><a href="/about-us">About</a></h3></article></div>'
    with pytest.raises(ParseError, match="selectors"):
        aw.parse_listing(body, NEWS)


# --- parse_page -------------------------------------------------------------------------------


@pytest.fixture
def governance(load_fixture) -> aw.Page:
    return fixture_page(load_fixture, "2025-09-10_news_wrexham_governance.html",
                        GOVERNANCE.replace(BASE, "https://www.wao.gov.uk"))


def test_parse_page_news_title_and_2025_date(governance: aw.Page) -> None:
    assert governance.title == ("Wrexham County Borough Council faces urgent call to address "
                                "governance failures and improve")
    assert governance.published == date(2025, 9, 9)


def test_parse_page_text_is_the_body_only(governance: aw.Page) -> None:
    assert governance.text.startswith("Wrexham County Borough Council must take urgent action")
    assert governance.text.endswith("Values and Behaviours Follow-up Review – Wrexham County "
                                    "Borough Council")
    for chrome in ("Listen", "Related article", "View more", "Skip to main content",
                   "Local government", "09 September 2025", "Cymraeg", "Capital Quarter"):
        assert chrome not in governance.text


def test_parse_page_news_is_related_to_its_publication(governance: aw.Page) -> None:
    assert governance.related == (VALUES,)
    assert governance.pdf_urls == ()


def test_parse_page_publication_pdf_and_related_news(load_fixture) -> None:
    page = fixture_page(load_fixture, "2025-09-10_publication_values_behaviours.html",
                        VALUES.replace(BASE, "https://wao.gov.uk"))
    assert page.title == "Values and Behaviours Follow-up Review – Wrexham County Borough Council"
    assert page.published == date(2025, 9, 9)
    assert page.pdf_urls == (PDF.replace(BASE, "https://wao.gov.uk"),)
    assert page.related == (GOVERNANCE,)
    assert page.text.startswith("This report sets out the findings of our follow-up review")
    assert "PDF," not in page.text and "View more" not in page.text


def test_parse_page_2013_date_line_and_welsh_twin(load_fixture) -> None:
    page = fixture_page(load_fixture, "2024-12-31_news_2013_annual_improvement_report.html",
                        AIR_2013.replace(BASE, "https://www.audit.wales"))
    assert page.published == date(2013, 6, 28)
    assert page.related == (f"{BASE}/cy/node/1494",)
    assert "12:00am" not in page.text


def test_parse_page_drupal7_markup_uses_the_fallbacks(load_fixture) -> None:
    page = fixture_page(load_fixture, "variant_drupal7_page.html",
                        AIR_2013.replace(BASE, "http://www.wao.gov.uk"))
    assert page.title.startswith("Auditor General for Wales publishes his Annual Improvement")
    assert page.published == date(2013, 6, 28)  # by regex: no date element matches
    assert page.text.startswith("The Auditor General for Wales has today published")
    assert page.related == (
        f"{BASE}/publication/annual-improvement-report-2013-wrexham-county-borough-council",)


def test_parse_page_redesign_raises_naming_selectors(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        fixture_page(load_fixture, "variant_redesign_page.html", GOVERNANCE)
    message = str(caught.value)
    assert message.startswith(GOVERNANCE) and "no element for body" in message
    assert "selectors" in message and "'div.field--name-body'" in message


def test_parse_page_related_block_never_leaks_even_through_a_fallback() -> None:
    body = (b'<main><article><h1>T</h1><p>09 September 2025</p><p>Body text.</p>'
            b'<aside class="related-content"><h2>Related article</h2>'
            b'<a href="/publication/p">View more</a></aside>'
            b'<div class="rs_skip"><a href="#">Listen</a></div></article></main>')
    page = aw.parse_page(body, f"{BASE}/news/t")
    assert page.text == "09 September 2025\n\nBody text."
    assert page.published == date(2025, 9, 9)
    assert page.related == (f"{BASE}/publication/p",)


def test_parse_page_empty_body_is_an_error() -> None:
    body = b'<main><h1>T</h1><div class="field--name-body"> </div></main>'
    with pytest.raises(ParseError, match="body is empty"):
        aw.parse_page(body, f"{BASE}/news/t")


@pytest.mark.parametrize(("text", "expected"), [
    ("09 September 2025", date(2025, 9, 9)),
    ("9 September 2025", date(2025, 9, 9)),
    ("28 Jun 2013 - 12:00am", date(2013, 6, 28)),
    ("Posted 03 Feb 2012 - 4:30pm by the press office", date(2012, 2, 3)),
    ("28 Jun 2013", None),  # neither site's format
    ("No date here", None),
])
def test_parse_date(text: str, expected: date | None) -> None:
    assert aw.parse_date(text) == expected


@pytest.mark.parametrize("url", [
    "https://audit.wales/news/a-story",
    "http://audit.wales/news/a-story",
    "https://www.audit.wales/news/a-story",
    "http://www.wao.gov.uk/news/a-story",
    "https://wao.gov.uk/news/a-story#main-content",
    "https://WWW.WAO.GOV.UK/news/a-story/",
])
def test_canonical_audit_url(url: str) -> None:
    assert aw.canonical_audit_url(url) == f"{BASE}/news/a-story"
    assert aw.page_kind(url) == "news"


@pytest.mark.parametrize(("url", "kind"), [
    (f"{BASE}/publication/a-report", "publication"),
    (f"{BASE}/news", None),
    (f"{BASE}/publications", None),
    (f"{BASE}/cy/node/1494", None),
    (f"{BASE}/news/a/b", None),
    ("https://example.org/news/a-story", None),
])
def test_page_kind(url: str, kind: str | None) -> None:
    assert aw.page_kind(url) == kind


# --- crawl ------------------------------------------------------------------------------------


def _listing(*rows: tuple[str, str, str], next_url: str | None = None) -> bytes:
    items = "".join(f'<div class="views-row"><article><h3><a href="{href}">{title}</a></h3>'
                    f'<time datetime="{day}T09:00:00Z">{day}</time></article></div>'
                    for href, title, day in rows)
    pager = (f'<ul><li class="pager__item pager__item--next"><a href="{next_url}">Next</a></li>'
             "</ul>" if next_url else "")
    if not rows:
        items = '<div class="view-empty"><p>No results found.</p></div>'
    return f"<html><body><main>{items}{pager}</main></body></html>".encode()


def _page(title: str, day: str, text: str, *, links: str = "") -> bytes:
    return (f'<main id="main-content"><article><h1>{title}</h1><div class="field--name-field-date">'
            f'<time datetime="{day}T09:00:00Z">{day}</time></div>'
            f'<div class="field--name-body"><p>{text}</p>{links}</div></article></main>').encode()


OLD = f"{BASE}/news/old-story"
MIDDLE = f"{BASE}/news/middle-story"
REPORT = f"{BASE}/publication/a-report"


@pytest.fixture
def web(fake_web, make_pdf):
    return fake_web({
        NEWS: _listing(("/news/wrexham-story", "Wrexham", "2025-09-09"),
                       ("https://www.wao.gov.uk/news/middle-story", "Middle", "2024-01-02"),
                       next_url="?page=1"),
        f"{NEWS}?page=1": _listing(("/news/old-story", "Old", "2019-03-01")),
        PUBS: _listing(("/publication/a-report", "Report", "2025-09-09"),
                       ("/publication/other-report", "Other", "2021-05-05")),
        f"{BASE}/news/wrexham-story": _page("Wrexham", "2025-09-09", "Governance failures.",
                                           links='<a href="/publication/a-report">Report</a>'),
        MIDDLE: _page("Middle", "2024-01-02", "Council finances."),
        OLD: _page("Old", "2019-03-01", "Leisure services."),
        REPORT: _page("Report", "2025-09-09", "Follow-up review.",
                      links='<div class="file-attachments"><a href="/sites/default/files/'
                            'publications/report.pdf">PDF</a></div>'),
        f"{BASE}/publication/other-report": _page("Other", "2021-05-05", "Workforce."),
        f"{BASE}/sites/default/files/publications/report.pdf":
            make_pdf("Audit Wales", "Values and behaviours follow-up review."),
    })


def test_crawl_first_run_walks_both_listings_oldest_first(web) -> None:
    result = aw.crawl(web, lambda url: False, base_url=BASE)
    assert [p.url for p in result.publications] == [
        OLD, f"{BASE}/publication/other-report", MIDDLE, f"{BASE}/news/wrexham-story", REPORT]
    assert result.found == 5 and result.errors == ()


def test_crawl_publication_fields_with_pdf(web) -> None:
    result = aw.crawl(web, lambda url: False, base_url=BASE)
    report = result.publications[-1]
    assert report.source == "audit_wales" and report.kind == "publication"
    assert (report.title, report.text, report.published) == (
        "Report", "Follow-up review.", date(2025, 9, 9))
    (attachment,) = report.attachments
    assert attachment.url == f"{BASE}/sites/default/files/publications/report.pdf"
    assert "Values and behaviours follow-up review." in attachment.text
    assert report.errors == () and report.aliases == ()


def test_crawl_news_and_its_publication_are_two_records_joined_by_related(web) -> None:
    result = aw.crawl(web, lambda url: False, base_url=BASE)
    by_url = {p.url: p for p in result.publications}
    news = by_url[f"{BASE}/news/wrexham-story"]
    assert news.kind == "news" and news.related == (REPORT,) and news.attachments == ()
    assert by_url[MIDDLE].related == ()


def test_crawl_fetches_pages_at_their_key(web) -> None:
    aw.crawl(web, lambda url: False, base_url=BASE)
    assert MIDDLE in web.requests
    assert not any("wao.gov.uk" in r for r in web.requests)


def test_crawl_stops_at_known_reading_one_page_of_each_listing(web) -> None:
    known = {f"{BASE}/news/wrexham-story", MIDDLE, REPORT, f"{BASE}/publication/other-report"}
    result = aw.crawl(web, known.__contains__, base_url=BASE)
    assert result.publications == ()
    assert web.requests == [NEWS, PUBS]


def test_crawl_keeps_every_council_whatever_the_authorities(web) -> None:
    wanted = aw.crawl(web, lambda url: False, base_url=BASE, authorities=("Wrexham",))
    everything = aw.crawl(web, lambda url: False, base_url=BASE)
    assert [p.url for p in wanted.publications] == [p.url for p in everything.publications]


def test_crawl_missing_pdf_is_noted_on_the_record(web) -> None:
    del web.pages[f"{BASE}/sites/default/files/publications/report.pdf"]
    report = aw.crawl(web, lambda url: False, base_url=BASE).publications[-1]
    assert report.attachments == ()
    (problem,) = report.errors
    assert "report.pdf" in problem and "404" in problem


def test_crawl_unreadable_pdf_is_kept_with_its_error(web) -> None:
    web.pages[f"{BASE}/sites/default/files/publications/report.pdf"] = b"<html>oops</html>"
    report = aw.crawl(web, lambda url: False, base_url=BASE).publications[-1]
    (attachment,) = report.attachments
    assert attachment.text == "" and "not a PDF" in (attachment.error or "")
    assert len(report.errors) == 1


def test_crawl_transient_pdf_failure_is_an_item_error(web) -> None:
    pdf = f"{BASE}/sites/default/files/publications/report.pdf"
    web.pages[pdf] = FetchError(pdf, "HTTP 503", transient=True, status=503)
    result = aw.crawl(web, lambda url: False, base_url=BASE)
    assert REPORT not in [p.url for p in result.publications]
    (error,) = result.errors
    assert error.startswith(REPORT)


def test_crawl_broken_page_is_an_item_error(web) -> None:
    web.pages[MIDDLE] = b"<main><h1>Middle</h1><section><p>moved</p></section></main>"
    result = aw.crawl(web, lambda url: False, base_url=BASE)
    assert MIDDLE not in [p.url for p in result.publications]
    (error,) = result.errors
    assert error.startswith(f"{MIDDLE}: no element for body")  # named by its key


def test_crawl_empty_listings_find_nothing(fake_web) -> None:
    web = fake_web({NEWS: _listing(), PUBS: _listing()})
    result = aw.crawl(web, lambda url: False, base_url=BASE)
    assert result.publications == () and result.found == 0 and result.errors == ()


@pytest.mark.parametrize("listing", [NEWS, PUBS])
def test_crawl_listing_failure_raises(web, listing: str) -> None:
    web.pages[listing] = FetchError(listing, "HTTP 503", transient=True, status=503)
    with pytest.raises(FetchError):
        aw.crawl(web, lambda url: False, base_url=BASE)


def test_crawl_redesigned_listing_raises_parse_error(web, load_fixture) -> None:
    web.pages[PUBS] = load_fixture(SOURCE, "variant_redesign_listing.html")
    with pytest.raises(ParseError, match=r"no news or publication rows .*\(selectors: "):
        aw.crawl(web, lambda url: False, base_url=BASE)


def _not_modified(web, *urls: str):
    """``web`` with ``urls`` answered as the HTTP layer answers an unchanged listing."""
    def fetch(url: str) -> Fetched:
        fetched = web(url)
        return replace(fetched, content=b"", not_modified=True) if url in urls else fetched
    return fetch


def test_crawl_is_unchanged_only_when_both_listings_are(web) -> None:
    result = aw.crawl(_not_modified(web, NEWS, PUBS), lambda url: False, base_url=BASE)
    assert result.unchanged and result.publications == () and result.found == 0


def test_crawl_counts_only_the_listing_it_read(web) -> None:
    result = aw.crawl(_not_modified(web, NEWS), lambda url: False, base_url=BASE)
    assert not result.unchanged
    assert result.found == 2
    assert [p.url for p in result.publications] == [f"{BASE}/publication/other-report", REPORT]
