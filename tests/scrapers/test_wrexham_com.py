"""wrexham_com: listing and article parsers field by field, date lines, canonical keys, crawl()."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers import wrexham_com as wcom
from scrapers.base import FetchError, ParseError

SOURCE = "wrexham_com"
BASE = "https://wrexham.com"
LISTING = f"{BASE}/news/"
PAGE2 = f"{BASE}/news/page/2/"
CONCERNS = (f"{BASE}/news/inspectors-raise-significant-concerns-over-performance-of-childrens-"
            "social-services-in-wrexham-190667.html")
ESCALATED = (f"{BASE}/news/care-inspectorate-wales-say-concerns-have-escalated-from-serious-to-"
             "significant-over-councils-childrens-services-192597.html")
FRIENDLIES = f"{BASE}/news/wrexham-afc-pre-season-friendlies-191230.html"
ROADWORKS = f"{BASE}/news/mold-road-roadworks-188912.html"


# --- parse_listing ----------------------------------------------------------------------------


@pytest.fixture
def listing(load_fixture) -> wcom.ListingPage:
    return wcom.parse_listing(load_fixture(SOURCE, "2020-09-15_listing.html"), LISTING)


def test_parse_listing_count(listing: wcom.ListingPage) -> None:
    assert len(listing.entries) == 4


def test_parse_listing_first_entry_fields(listing: wcom.ListingPage) -> None:
    first = listing.entries[0]
    assert first.url == ESCALATED
    assert first.article_id == 192597
    assert first.title == ("Care Inspectorate Wales say concerns have escalated from serious to "
                           "significant over council's children's services")
    assert first.published == date(2020, 9, 14)


def test_parse_listing_www_http_link_is_canonicalised(listing: wcom.ListingPage) -> None:
    # the replay listing links the Aug 2020 story on http://www. as the seen URL is
    concerns = listing.entries[2]
    assert concerns.url == CONCERNS
    assert concerns.article_id == 190667
    assert concerns.published == date(2020, 8, 4)


def test_parse_listing_newest_first(listing: wcom.ListingPage) -> None:
    assert [e.article_id for e in listing.entries] == [192597, 191230, 190667, 188912]


def test_parse_listing_last_page_has_no_next(listing: wcom.ListingPage) -> None:
    assert listing.next_url is None


def test_parse_listing_page2_fields(load_fixture) -> None:
    page = wcom.parse_listing(load_fixture(SOURCE, "2024-12-31_listing_page2.html"), PAGE2)
    assert [e.article_id for e in page.entries] == [188912]
    assert page.next_url is None


def test_parse_listing_without_article_links_names_selectors() -> None:
    body = b"<html><body><main><h1>News</h1><p>Nothing here</p></main></body></html>"
    with pytest.raises(ParseError) as caught:
        wcom.parse_listing(body, LISTING)
    assert "'main article'" in str(caught.value) and LISTING in str(caught.value)


def test_parse_listing_ignores_links_that_are_not_articles() -> None:
    body = (b'<main><article><h2><a href="/whats-on/gig.html">Gig</a></h2></article>'
            b'<article><h2><a href="/news/a-story-5.html">A story</a></h2>'
            b'<p class="posted">Posted: Wed 5th Aug 2020</p></article></main>')
    page = wcom.parse_listing(body, LISTING)
    assert [(e.url, e.article_id) for e in page.entries] == [(f"{BASE}/news/a-story-5.html", 5)]


# --- parse_article ----------------------------------------------------------------------------


@pytest.fixture
def old_article(load_fixture) -> wcom.Article:
    return wcom.parse_article(load_fixture(SOURCE, "2024-12-31_article_old_190667.html"), CONCERNS)


def test_parse_article_title(old_article: wcom.Article) -> None:
    assert old_article.title == ("Inspectors raise significant concerns over performance of "
                                 "children's social services in Wrexham")


def test_parse_article_date_from_posted_line(old_article: wcom.Article) -> None:
    assert old_article.published == date(2020, 8, 4)


def test_parse_article_text_excludes_tagline_and_date_lines(old_article: wcom.Article) -> None:
    assert old_article.text.startswith("Care Inspectorate Wales has raised significant concerns")
    assert "escalated from serious to significant" in old_article.text
    for chrome in ("Posted:", "This article is old", "online news and information"):
        assert chrome not in old_article.text


def test_parse_article_old_published_line_is_the_fallback(load_fixture) -> None:
    article = wcom.parse_article(load_fixture(SOURCE, "variant_old_line_only.html"), CONCERNS)
    assert article.published == date(2015, 3, 2)
    assert article.title == "Town centre market to reopen after refurbishment"
    assert article.text == "The market will reopen on Saturday with new stalls."


def test_parse_article_missing_body_names_selector(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        wcom.parse_article(load_fixture(SOURCE, "variant_no_body.html"), CONCERNS)
    message = str(caught.value)
    assert "article body" in message and "'div.article-body'" in message and CONCERNS in message


@pytest.mark.parametrize(("line", "expected"), [
    ("Posted: Tue 4th Aug 2020", date(2020, 8, 4)),
    ("Posted: Mon 14th Sep 2020", date(2020, 9, 14)),
    ("Posted: Sat 1st Jan 2022", date(2022, 1, 1)),
    ("Posted: Thu 22nd Feb 2024", date(2024, 2, 22)),
    ("This article is old - Published: Tuesday, Aug 4th, 2020", date(2020, 8, 4)),
    ("Nothing dated here", None),
])
def test_parse_date_lines(line: str, expected: date | None) -> None:
    assert wcom.parse_date_lines(line) == expected


def test_parse_date_lines_posted_wins_over_old_line() -> None:
    text = "This article is old - Published: Monday, Mar 2nd, 2015\nPosted: Tue 4th Aug 2020"
    assert wcom.parse_date_lines(text) == date(2020, 8, 4)


@pytest.mark.parametrize("url", [
    "http://www.wrexham.com/news/a-story-190667.html",
    "https://www.wrexham.com/news/a-story-190667.html",
    "http://wrexham.com/news/a-story-190667.html",
    "https://wrexham.com/news/a-story-190667.html#comments",
])
def test_canonical_article_url_and_id(url: str) -> None:
    assert wcom.canonical_article_url(url) == f"{BASE}/news/a-story-190667.html"
    assert wcom.article_id(url) == 190667


def test_article_id_of_other_urls_is_none() -> None:
    assert wcom.article_id(f"{BASE}/news/") is None
    assert wcom.article_id(f"{BASE}/whats-on/gig-12.html") is None


# --- crawl ------------------------------------------------------------------------------------


def _listing(*items: tuple[str, str, str], next_url: str | None = None) -> bytes:
    rows = "".join(f'<article><h2><a href="{u}">{t}</a></h2><p class="posted">Posted: {d}</p>'
                   "</article>" for u, t, d in items)
    nav = f'<a class="next" href="{next_url}">Older</a>' if next_url else ""
    return f"<html><body><main>{rows}{nav}</main></body></html>".encode()


def _article(title: str, posted: str, text: str) -> bytes:
    return (f'<main><article><p class="posted">Posted: {posted}</p><h1>{title}</h1>'
            f'<div class="article-body"><p>{text}</p></div></article></main>').encode()


@pytest.fixture
def web(fake_web):
    return fake_web({
        LISTING: _listing((ESCALATED, "Escalated", "Mon 14th Sep 2020"),
                          ("http://www.wrexham.com/news/wrexham-afc-pre-season-friendlies-191230.html",
                           "Friendlies", "Thu 20th Aug 2020"),
                          next_url=PAGE2),
        PAGE2: _listing((CONCERNS, "Concerns", "Tue 4th Aug 2020"),
                        (ROADWORKS, "Roadworks", "Sat 18th Jul 2020")),
        ESCALATED: _article("Escalated", "Mon 14th Sep 2020", "Concerns escalated."),
        FRIENDLIES: _article("Friendlies", "Thu 20th Aug 2020", "Behind closed doors."),
        CONCERNS: _article("Concerns", "Tue 4th Aug 2020", "Significant concerns."),
        ROADWORKS: _article("Roadworks", "Sat 18th Jul 2020", "One lane closed."),
    })


def test_crawl_first_run_reads_every_page_oldest_first(web) -> None:
    result = wcom.crawl(web, lambda url: False, base_url=BASE)
    assert [p.url for p in result.publications] == [ROADWORKS, CONCERNS, FRIENDLIES, ESCALATED]
    assert result.found == 4 and result.errors == ()


def test_crawl_publication_fields(web) -> None:
    result = wcom.crawl(web, lambda url: False, base_url=BASE)
    pub = result.publications[1]
    assert pub.source == "wrexham_com" and pub.kind == "article"
    assert pub.url == CONCERNS
    assert pub.aliases == ("https://wrexham.com/?p=190667",)
    assert pub.title == "Concerns"
    assert pub.text == "Significant concerns."
    assert pub.published == date(2020, 8, 4)


def test_crawl_fetches_the_canonical_url_of_a_www_link(web) -> None:
    wcom.crawl(web, lambda url: False, base_url=BASE)
    assert FRIENDLIES in web.requests


def test_crawl_stops_when_a_page_is_all_known(web) -> None:
    known = {ESCALATED, FRIENDLIES}
    result = wcom.crawl(web, known.__contains__, base_url=BASE)
    assert result.publications == ()
    assert web.requests == [LISTING]


def test_crawl_reads_next_page_while_entries_unknown(web) -> None:
    known = {ESCALATED}
    result = wcom.crawl(web, known.__contains__, base_url=BASE)
    assert [p.url for p in result.publications] == [ROADWORKS, CONCERNS, FRIENDLIES]
    assert PAGE2 in web.requests


def test_crawl_knows_a_reslugged_article_by_its_id(web) -> None:
    known = {"https://wrexham.com/?p=192597", "https://wrexham.com/?p=191230"}
    result = wcom.crawl(web, known.__contains__, base_url=BASE)
    assert result.publications == ()


def test_crawl_listing_failure_raises(web) -> None:
    web.pages[LISTING] = FetchError(LISTING, "HTTP 503", transient=True, status=503)
    with pytest.raises(FetchError):
        wcom.crawl(web, lambda url: False, base_url=BASE)


def test_crawl_404_past_the_last_page_is_the_end(web) -> None:
    web.pages[PAGE2] = _listing((CONCERNS, "Concerns", "Tue 4th Aug 2020"),
                                next_url=f"{BASE}/news/page/3/")
    result = wcom.crawl(web, lambda url: False, base_url=BASE)
    assert result.errors == ()
    assert f"{BASE}/news/page/3/" in web.requests


def test_crawl_broken_article_is_an_item_error(web) -> None:
    web.pages[CONCERNS] = b"<main><article><h1>Concerns</h1></article></main>"
    result = wcom.crawl(web, lambda url: False, base_url=BASE)
    assert CONCERNS not in [p.url for p in result.publications]
    assert len(result.errors) == 1 and result.errors[0].startswith(CONCERNS)


def test_parse_listing_nothing_found_is_empty() -> None:
    body = (b'<main><section class="no-results not-found"><h2>Nothing Found</h2></section>'
            b"</main>")
    page = wcom.parse_listing(body, LISTING)
    assert page.entries == [] and page.next_url is None
