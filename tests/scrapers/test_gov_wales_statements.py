"""gov_wales_statements: feed and statement parsers field by field, selector fallbacks, crawl()."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers import gov_wales_statements as gw
from scrapers.base import FetchError, ParseError

SOURCE = "gov_wales_statements"
BASE = "https://gov.wales"
FEED = f"{BASE}/announcements/rss"
REMOVAL = (f"{BASE}/written-statement-powys-county-council-removal-enhanced-monitoring-"
           "arrangements-social-services")
WARNING = (f"{BASE}/written-statement-powys-county-council-childrens-social-services-"
           "publication-warning-notice-issued")
FOLLOW_UP = (f"{BASE}/written-statement-powys-county-council-childrens-social-services-"
             "follow-warning-notice")
BUILDINGS = f"{BASE}/funding-announced-new-and-refurbished-school-buildings"


# --- parse_feed -------------------------------------------------------------------------------


@pytest.fixture
def feed(load_fixture) -> gw.FeedPage:
    # A long feed (every announcement to 3 Nov 2020, the replay markup without its roll-off
    # window): statements mixed with a press release, 2017 to 2020.
    return gw.parse_feed(load_fixture(SOURCE, "variant_long_feed.xml"), FEED)


def test_parse_feed_count_includes_other_announcements(feed: gw.FeedPage) -> None:
    assert len(feed.entries) == 7
    assert [e.is_statement for e in feed.entries].count(False) == 1


def test_parse_feed_first_entry_fields(feed: gw.FeedPage) -> None:
    first = feed.entries[0]
    assert first.url == REMOVAL
    assert first.title == ("Written Statement: Powys County Council: removal of enhanced "
                           "monitoring arrangements for social services")
    assert first.published == date(2020, 11, 2)
    assert first.is_statement


def test_parse_feed_press_release_is_not_a_statement(feed: gw.FeedPage) -> None:
    other = next(e for e in feed.entries if e.url == BUILDINGS)
    assert not other.is_statement
    assert other.published == date(2019, 9, 10)


def test_parse_feed_has_no_next_page(feed: gw.FeedPage) -> None:
    assert feed.next_url is None


def test_parse_feed_html_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match="not a feed"):
        gw.parse_feed(b"<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>", FEED)


def test_parse_feed_item_without_link_raises() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>A</title>'
            b"<item><title>No link</title></item></channel></rss>")
    with pytest.raises(ParseError, match="without a link"):
        gw.parse_feed(body, FEED)


# --- parse_statement --------------------------------------------------------------------------


@pytest.fixture
def statement(load_fixture) -> gw.Statement:
    return gw.parse_statement(load_fixture(SOURCE, "2020-11-03_statement_powys_removal.html"),
                              REMOVAL)


def test_parse_statement_title(statement: gw.Statement) -> None:
    assert statement.title == ("Written Statement: Powys County Council: removal of enhanced "
                               "monitoring arrangements for social services")


def test_parse_statement_first_published(statement: gw.Statement) -> None:
    assert statement.published == date(2020, 11, 2)


def test_parse_statement_summary(statement: gw.Statement) -> None:
    assert statement.summary == ("The enhanced monitoring arrangements for Powys County Council "
                                 "social services have been removed.")


def test_parse_statement_text_is_summary_then_body(statement: gw.Statement) -> None:
    paragraphs = statement.text.split("\n\n")
    assert paragraphs[0] == statement.summary
    assert paragraphs[1].startswith("Since 2017 Powys County Council\u2019s social services")
    assert "have been removed" in paragraphs[3]
    for chrome in ("First published", "administration", "Skip to main content", "Crown"):
        assert chrome not in statement.text


def test_parse_statement_2019_markup_falls_back_to_h1_and_label(load_fixture) -> None:
    page = gw.parse_statement(load_fixture(SOURCE, "variant_2019_markup.html"), FOLLOW_UP)
    assert page.title == ("Written Statement: Powys County Council children's social services: "
                          "follow-up warning notice")
    assert page.published == date(2018, 1, 15)
    assert page.summary == ""
    assert page.text == ("Today the Welsh Ministers have issued a Follow-Up Warning Notice to the "
                         "council.")


def test_parse_statement_missing_body_names_selectors(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        gw.parse_statement(load_fixture(SOURCE, "variant_no_body.html"), REMOVAL)
    message = str(caught.value)
    assert "statement body" in message and "'div.announcement-item__body'" in message
    assert REMOVAL in message


def test_parse_statement_missing_title_names_selectors() -> None:
    with pytest.raises(ParseError, match="'h1.hero-block__title', 'h1'"):
        gw.parse_statement(b"<main><div class='announcement-item__body'>x</div></main>", REMOVAL)


# --- crawl ------------------------------------------------------------------------------------


def _feed(*items: tuple[str, str, str]) -> bytes:
    rows = "".join(f"<item><title>{t}</title><link>{u}</link><pubDate>{d}</pubDate></item>"
                   for u, t, d in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Announcements</title>'
            f"<link>{BASE}/announcements</link>{rows}</channel></rss>").encode()


def _page(title: str, published: str, text: str) -> bytes:
    return (f'<main><h1 class="hero-block__title">{title}</h1><div class="header-meta">'
            f'<div class="first-published"><div class="item">{published}</div></div></div>'
            f'<div class="container-fluid announcement-item__body"><p>{text}</p></div>'
            "</main>").encode()


@pytest.fixture
def web(fake_web):
    www_removal = REMOVAL.replace("https://", "https://www.")
    return fake_web({
        FEED: (_feed(
            (www_removal, "Removal", "Mon, 02 Nov 2020 12:00:00 +0000"),
            (BUILDINGS, "School buildings", "Tue, 10 Sep 2019 11:00:00 +0000"),
            (WARNING, "Warning notice", "Tue, 17 Oct 2017 14:00:00 +0000"),
        ), "application/rss+xml"),
        www_removal: _page("Removal", "2 November 2020", "The arrangements have been removed."),
        WARNING: _page("Warning notice", "17 October 2017", "A Warning Notice has been issued."),
    })


def test_crawl_keeps_only_written_statements_oldest_first(web) -> None:
    result = gw.crawl(web, lambda url: False, base_url=BASE)
    assert [p.url for p in result.publications] == [WARNING, REMOVAL]
    assert result.found == 3 and result.errors == ()
    assert BUILDINGS not in web.requests


def test_crawl_publication_fields(web) -> None:
    pub = gw.crawl(web, lambda url: False, base_url=BASE).publications[1]
    assert pub.source == "gov_wales_statements" and pub.kind == "statement"
    assert pub.url == REMOVAL  # canonical: no www.
    assert pub.title == "Removal"
    assert pub.text == "The arrangements have been removed."
    assert pub.published == date(2020, 11, 2)


def test_crawl_makes_one_request_when_everything_is_known(web) -> None:
    known = {REMOVAL, WARNING}
    result = gw.crawl(web, known.__contains__, base_url=BASE)
    assert result.publications == () and result.found == 3
    assert web.requests == [FEED]


def test_crawl_feed_failure_raises(web) -> None:
    web.pages[FEED] = FetchError(FEED, "HTTP 403", transient=False, status=403)
    with pytest.raises(FetchError):
        gw.crawl(web, lambda url: False, base_url=BASE)


def test_crawl_broken_statement_is_an_item_error(web) -> None:
    web.pages[WARNING] = b"<main><h1>Warning notice</h1></main>"
    result = gw.crawl(web, lambda url: False, base_url=BASE)
    assert [p.url for p in result.publications] == [REMOVAL]
    assert len(result.errors) == 1 and result.errors[0].startswith(WARNING)


def test_crawl_uses_feed_date_when_page_has_none(web) -> None:
    web.pages[WARNING] = (b'<main><h1>Warning notice</h1><div class="announcement-item__body">'
                          b"<p>Issued.</p></div></main>")
    pub = gw.crawl(web, lambda url: False, base_url=BASE).publications[0]
    assert pub.published == date(2017, 10, 17)
