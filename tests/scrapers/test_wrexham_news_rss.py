"""wrexham_news_rss: feed and article parsers field by field, boilerplate, crawl() on a fake web."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrapers import wrexham_news_rss as wrexham
from scrapers.base import FetchError, ParseError
from scrapers.text import clean_text

SOURCE = "wrexham_news_rss"
BASE = "https://news.wrexham.gov.uk"
FEED = f"{BASE}/feed/"
FEED2 = f"{BASE}/feed/?paged=2"
FEED3 = f"{BASE}/feed/?paged=3"
ARTICLE = f"{BASE}/improvements-in-childrens-social-care-reported-to-executive-board/"
BINS = f"{BASE}/bins-collected-as-normal-this-week/"
CONCERNS = f"{BASE}/how-were-addressing-concerns-and-improving-our-childrens-services/"
TITLE = "Improvements in children\u2019s social care reported to Executive Board"
SEED_000 = next((Path(__file__).resolve().parents[1] / "fixtures" / "seeds").glob("000_*.txt"))


# --- parse_feed -------------------------------------------------------------------------------


@pytest.fixture
def feed(load_fixture) -> wrexham.FeedPage:
    return wrexham.parse_feed(load_fixture(SOURCE, "2021-02-03_feed.xml"), FEED)


def test_parse_feed_count(feed: wrexham.FeedPage) -> None:
    assert len(feed.entries) == 2


def test_parse_feed_first_entry_url(feed: wrexham.FeedPage) -> None:
    assert feed.entries[0].url == ARTICLE


def test_parse_feed_first_entry_guid(feed: wrexham.FeedPage) -> None:
    assert feed.entries[0].guid == "https://news.wrexham.gov.uk/?p=24101"


def test_parse_feed_first_entry_title_unescaped(feed: wrexham.FeedPage) -> None:
    assert feed.entries[0].title == TITLE


def test_parse_feed_first_entry_published(feed: wrexham.FeedPage) -> None:
    assert feed.entries[0].published == date(2021, 2, 3)


def test_parse_feed_late_evening_pubdate_is_london_date(feed: wrexham.FeedPage) -> None:
    # Mon, 01 Feb 2021 23:30:00 +0000 is still 1 Feb in Wrexham in winter (GMT)
    assert feed.entries[1].published == date(2021, 2, 1)


def test_parse_feed_categories(feed: wrexham.FeedPage) -> None:
    assert feed.entries[0].categories == ("Social services", "Executive Board")


def test_parse_feed_content_html(feed: wrexham.FeedPage) -> None:
    assert feed.entries[0].content_html.startswith("<p>At its next meeting")


def test_parse_feed_next_url(feed: wrexham.FeedPage) -> None:
    assert feed.next_url == FEED2


def test_parse_feed_next_url_from_paged(load_fixture) -> None:
    page = wrexham.parse_feed(load_fixture(SOURCE, "2021-02-03_feed_page2.xml"), FEED2)
    assert page.next_url == FEED3
    assert page.entries[0].content_html == ""


def test_parse_feed_empty_channel_has_no_next() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wrexham Council News</title>'
        b"<link>https://news.wrexham.gov.uk</link></channel></rss>"
    )
    page = wrexham.parse_feed(body, FEED)
    assert page.entries == []
    assert page.next_url is None


def test_parse_feed_html_is_not_a_feed(load_fixture) -> None:
    with pytest.raises(ParseError, match="not a feed"):
        wrexham.parse_feed(load_fixture(SOURCE, "not_a_feed.html"), FEED)


def test_parse_feed_without_channel() -> None:
    with pytest.raises(ParseError, match="no channel"):
        wrexham.parse_feed(b'<?xml version="1.0"?><rss version="2.0"></rss>', FEED)


def test_parse_feed_bytes_are_never_opened_as_a_file_name(tmp_path, monkeypatch) -> None:
    # feedparser.parse(b"...") tries open(b"...") first; we hand it a stream instead
    (tmp_path / "feed.xml").write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>X</title></channel></rss>'
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParseError, match="not a feed"):
        wrexham.parse_feed(b"feed.xml", FEED)


def test_parse_feed_does_not_expand_external_entities(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>T</title><link>https://news.wrexham.gov.uk</link>'
        "<item><title>&x;</title><link>https://news.wrexham.gov.uk/a/</link></item>"
        "</channel></rss>"
    ).encode()
    page = wrexham.parse_feed(body, FEED)
    assert all("TOP-SECRET" not in e.title for e in page.entries)


# --- boilerplate ------------------------------------------------------------------------------


def test_strip_boilerplate_on_seed_000() -> None:
    raw = clean_text(SEED_000.read_text())
    stripped = wrexham.strip_boilerplate(raw)
    assert "Get the latest COVID-19 vaccination information" in raw
    assert "Get the latest COVID-19 vaccination information" not in stripped
    assert "NHS Wales Covid-19 vaccination info" not in stripped
    # nothing else is lost
    kept = [line for line in raw.split("\n") if "vaccination" not in line and line]
    assert [line for line in stripped.split("\n") if line] == kept
    assert stripped.endswith("you can check out this and other reports here:")


@pytest.mark.parametrize(
    "line",
    [
        "Get the latest COVID-19 vaccination information",
        "Get the facts…read the latest NHS Wales Covid-19 vaccination info.",
        "Get the facts...read the latest NHS Wales Covid-19 vaccination info.",
        "Sign-up for email bulletins",
        "Sign up for our email bulletins on the things that matter to you",
        "MyUpdates – sign up to get the latest news straight to your inbox",
    ],
)
def test_strip_boilerplate_removes_promo_line(line: str) -> None:
    assert wrexham.strip_boilerplate(f"Before.\n\n{line}\n\nAfter.") == "Before.\n\nAfter."


@pytest.mark.parametrize(
    "line",
    [
        "The council has set up a COVID-19 vaccination centre at Wrexham Racecourse, and "
        "residents aged 70 and over are being invited in order of priority by the health board.",
        "Councillors will sign up to the new email policy next month.",
    ],
)
def test_strip_boilerplate_keeps_article_lines(line: str) -> None:
    assert wrexham.strip_boilerplate(line) == line


# --- parse_article ----------------------------------------------------------------------------


@pytest.fixture
def article(load_fixture) -> wrexham.Article:
    return wrexham.parse_article(load_fixture(SOURCE, "2021-02-03_article.html"), ARTICLE)


def test_parse_article_title(article: wrexham.Article) -> None:
    assert article.title == TITLE


def test_parse_article_category(article: wrexham.Article) -> None:
    assert article.category == "Social services"


def test_parse_article_text(article: wrexham.Article) -> None:
    assert article.text == (
        "At its next meeting Wrexham\u2019s Executive Board will receive a report from the Care "
        "Inspectorate Wales (CIW) about children\u2019s services in Wrexham following an "
        "inspection last October.\n\n"
        "The inspection noted that significant progress had been made with good prospects for "
        "continuing improvement.\n\n"
        "We allocated an extra £1million.\n"
        "We built on the work of the \u2018Accelerated Improvement Board\u2019."
    )


def test_parse_article_falls_back_to_article_then_main(load_fixture) -> None:
    body = load_fixture(SOURCE, "2021-02-03_article.html").replace(b"entry-content", b"post-body")
    assert wrexham.parse_article(body, ARTICLE).text.startswith("Social services\n\n")
    body = body.replace(b"<article", b"<section").replace(b"</article>", b"</section>")
    assert "significant progress" in wrexham.parse_article(body, ARTICLE).text


def test_parse_article_missing_content_names_selectors() -> None:
    body = b"<html><body><div id='page'><h1>Title</h1><p>text</p></div></body></html>"
    with pytest.raises(ParseError) as caught:
        wrexham.parse_article(body, ARTICLE)
    message = str(caught.value)
    assert message.startswith(f"{ARTICLE}: no element for article body")
    assert "'article .entry-content'" in message and "'main'" in message


def test_parse_article_empty_content_raises() -> None:
    body = (
        b'<main><article><h1 class="entry-title">T</h1>'
        b'<div class="entry-content"><p>Sign-up for email bulletins</p></div></article></main>'
    )
    with pytest.raises(ParseError, match="article body is empty"):
        wrexham.parse_article(body, ARTICLE)


# --- crawl ------------------------------------------------------------------------------------


@pytest.fixture
def web(load_fixture, fake_web):
    article = load_fixture(SOURCE, "2021-02-03_article.html")
    return fake_web(
        {
            FEED: load_fixture(SOURCE, "2021-02-03_feed.xml"),
            FEED2: load_fixture(SOURCE, "2021-02-03_feed_page2.xml"),
            ARTICLE: article,
            BINS: article.replace(b"significant progress", b"bins"),
            CONCERNS: article.replace(b"significant progress", b"escalated concerns"),
        }
    )


def known_set(*urls: str):
    keys = set(urls)
    return lambda url: url in keys


def test_crawl_first_run(web) -> None:
    result = wrexham.crawl(web, known_set(), base_url=BASE)
    assert result.found == 3
    assert result.errors == ()  # the 404 on ?paged=3 is the end of the feed
    assert web.requests[-1] == FEED3
    assert [p.url for p in result.publications] == [
        CONCERNS.rstrip("/"),
        BINS.rstrip("/"),
        ARTICLE.rstrip("/"),
    ]


def test_crawl_publication_fields(web) -> None:
    result = wrexham.crawl(web, known_set(), base_url=BASE)
    pub = result.publications[-1]
    assert pub.source == "wrexham_news_rss"
    assert pub.kind == "article"
    assert pub.url == ARTICLE.rstrip("/")
    assert pub.aliases == ("https://news.wrexham.gov.uk/?p=24101",)
    assert pub.title == TITLE
    assert pub.published == date(2021, 2, 3)
    # body from content:encoded, promo lines gone
    assert pub.text == (
        "At its next meeting Wrexham\u2019s Executive Board will receive a report from the Care "
        "Inspectorate Wales (CIW) about children\u2019s services in Wrexham following an "
        "inspection last October.\n\n"
        "The inspection noted that significant progress had been made with good prospects for "
        "continuing improvement."
    )
    assert pub.attachments == ()


def test_crawl_uses_page_text_when_content_encoded_is_empty(web) -> None:
    result = wrexham.crawl(web, known_set(), base_url=BASE)
    concerns = result.publications[0]
    assert "escalated concerns" in concerns.text
    assert concerns.published == date(2020, 8, 20)


def test_crawl_stops_when_page_entries_all_known(web) -> None:
    known = known_set(ARTICLE.rstrip("/"), "https://news.wrexham.gov.uk/?p=24090")  # bins by guid
    result = wrexham.crawl(web, known, base_url=BASE)
    assert web.requests == [FEED]
    assert result.publications == ()


def test_crawl_reads_next_page_while_entries_unknown(web) -> None:
    result = wrexham.crawl(web, known_set(ARTICLE.rstrip("/")), base_url=BASE)
    assert FEED2 in web.requests
    assert ARTICLE not in web.requests
    assert BINS.rstrip("/") in [p.url for p in result.publications]


def test_crawl_article_without_content_is_an_item_error(web) -> None:
    web.pages[BINS] = b"<html><body><div id='page'><h1>Bins</h1></div></body></html>"
    result = wrexham.crawl(web, known_set(), base_url=BASE)
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"{BINS}: no element for article body")
    assert BINS.rstrip("/") not in [p.url for p in result.publications]
    assert ARTICLE.rstrip("/") in [p.url for p in result.publications]


def test_crawl_feed_failure_raises(web) -> None:
    web.pages[FEED] = FetchError(FEED, "HTTP 500 after 3 attempts", transient=True, status=500)
    with pytest.raises(FetchError):
        wrexham.crawl(web, known_set(), base_url=BASE)


def test_crawl_feed_not_a_feed_raises(web, load_fixture) -> None:
    web.pages[FEED] = load_fixture(SOURCE, "not_a_feed.html")
    with pytest.raises(ParseError):
        wrexham.crawl(web, known_set(), base_url=BASE)


def test_crawl_later_page_server_error_is_recorded(web) -> None:
    web.pages[FEED2] = FetchError(FEED2, "HTTP 500 after 3 attempts", transient=True, status=500)
    result = wrexham.crawl(web, known_set(), base_url=BASE)
    assert result.errors == (f"{FEED2}: HTTP 500 after 3 attempts",)
    assert len(result.publications) == 2
