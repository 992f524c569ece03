"""bbc_wales_rss: the feed parser (CDATA, three guid styles, GMT dates, empty and redesigned
feeds), keys across bbc.co.uk and bbc.com, the relevance rule, article pages, crawl()."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers import bbc_wales_rss as bbc
from scrapers.base import FetchError, ParseError
from storage.classify.authority import AUTHORITIES

SOURCE = "bbc_wales_rss"
FEED = "https://feeds.bbci.co.uk/news/wales/rss.xml"
LDRS = "https://www.bbc.co.uk/news/uk-wales-59884153"
CHECK = "https://www.bbc.com/news/articles/cpd8pm4djd2o"
POWYS = "https://www.bbc.co.uk/news/uk-wales-64693800"
WATCHED = frozenset({"Wrexham"})


@pytest.fixture
def feed(load_fixture) -> bbc.FeedPage:
    return bbc.parse_feed(load_fixture(SOURCE, "2024-12-31_feed.xml"), FEED)


def item(feed: bbc.FeedPage, url: str) -> bbc.FeedItem:
    (found,) = [e for e in feed.entries if e.url == url]
    return found


def feed_of(*items: str) -> bytes:
    """A minimal BBC-shaped feed around hand-written ``<item>`` elements."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:media="http://search.yahoo.com/mrss/"><channel>'
            "<title><![CDATA[BBC News - Wales]]></title>"
            "<link>https://www.bbc.co.uk/news/wales</link>"
            + "".join(items) + "</channel></rss>").encode()


# --- parse_feed -------------------------------------------------------------------------------


def test_parse_feed_count_and_no_next_page(feed: bbc.FeedPage) -> None:
    assert len(feed.entries) == 12
    assert feed.next_url is None


def test_parse_feed_first_item_fields(feed: bbc.FeedPage) -> None:
    first = feed.entries[0]
    assert first.url == "https://www.bbc.com/news/articles/cnnjc94fs6do"
    assert first.keys[0] == "https://bbc.com/news/articles/cnnjc94fs6do"
    assert first.title == "Snow: Travel disruption on mountain roads"  # CDATA, padded
    assert first.description == ("Gritters were out overnight as temperatures dropped below "
                                 "freezing.")
    assert first.published == date(2024, 12, 20)


def test_parse_feed_cdata_keeps_quotes_and_decodes_description_markup(
        feed: bbc.FeedPage) -> None:
    lights = item(feed, "https://www.bbc.co.uk/news/uk-wales-50846540")
    assert lights.title == 'Aberystwyth: Lights & carols for "biggest" switch-on'
    assert lights.description == ("Hundreds gathered on the promenade & sang carols before the "
                                  "countdown.")


def test_parse_feed_2019_permalink_guid(feed: bbc.FeedPage) -> None:
    lights = item(feed, "https://www.bbc.co.uk/news/uk-wales-50846540")
    assert lights.keys == ("https://bbc.co.uk/news/uk-wales-50846540",
                           "https://bbc.com/news/uk-wales-50846540",
                           "https://feeds.bbci.co.uk/news/uk-wales-50846540")


def test_parse_feed_2021_karanga_link_and_bare_guid_are_one_key(feed: bbc.FeedPage) -> None:
    ldrs = item(feed, LDRS)  # link had ?at_medium=RSS&at_campaign=KARANGA
    assert ldrs.keys[0] == "https://bbc.co.uk/news/uk-wales-59884153"
    assert len(ldrs.keys) == 3
    assert ldrs.published == date(2022, 1, 7)


def test_parse_feed_2024_guid_fragment_and_campaign_query_are_stripped(
        feed: bbc.FeedPage) -> None:
    check = item(feed, CHECK)
    assert check.keys == ("https://bbc.com/news/articles/cpd8pm4djd2o",
                          "https://bbc.co.uk/news/articles/cpd8pm4djd2o",
                          "https://feeds.bbci.co.uk/news/articles/cpd8pm4djd2o")
    bare = item(feed, "https://www.bbc.com/news/articles/cfw8x7gc0fpo")  # link had no query
    assert bare.keys[0] == "https://bbc.com/news/articles/cfw8x7gc0fpo"


def test_parse_feed_item_with_only_a_permalink_guid(feed: bbc.FeedPage) -> None:
    parades = feed.entries[-1]
    assert parades.url == "https://www.bbc.co.uk/news/uk-wales-47348479"
    assert parades.published == date(2019, 2, 24)


def test_parse_feed_missing_thumbnail_is_no_problem(feed: bbc.FeedPage) -> None:
    # the LDRS item and the Eisteddfod item carry no media:thumbnail
    assert item(feed, LDRS).title.startswith("Wrexham children's services")
    assert item(feed, "https://www.bbc.com/news/articles/cfw8x7gc0fpo").published == date(
        2024, 8, 10)


def test_parse_feed_gmt_pubdate_is_the_london_date(feed: bbc.FeedPage) -> None:
    # Tue, 04 Aug 2020 23:30:00 GMT is 00:30 BST on 5 August in Wales
    beach = item(feed, "https://www.bbc.co.uk/news/uk-wales-53692100")
    assert beach.published == date(2020, 8, 5)


def test_parse_feed_empty_channel_is_an_empty_window(load_fixture) -> None:
    page = bbc.parse_feed(load_fixture(SOURCE, "2019-02-24_feed_empty.xml"), FEED)
    assert page.entries == [] and page.next_url is None


def test_parse_feed_redesign_without_items_or_channel_names_selectors(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        bbc.parse_feed(load_fixture(SOURCE, "variant_redesigned_feed.xml"), FEED)
    message = str(caught.value)
    assert message.startswith(FEED) and "no feed items" in message and "selectors:" in message


def test_parse_feed_html_page_is_not_a_feed(load_fixture) -> None:
    with pytest.raises(ParseError, match="not a feed"):
        bbc.parse_feed(load_fixture(SOURCE, "not_a_feed.html"), FEED)


def test_parse_feed_item_without_link_or_url_guid_raises() -> None:
    body = feed_of('<item><title>No link</title><guid isPermaLink="false">abc123</guid></item>')
    with pytest.raises(ParseError, match="without a link"):
        bbc.parse_feed(body, FEED)


# --- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "https://www.bbc.co.uk/news/uk-wales-59884153",
    "https://www.bbc.co.uk/news/uk-wales-59884153?at_medium=RSS&at_campaign=KARANGA",
    "https://www.bbc.com/news/uk-wales-59884153",
    "http://bbc.co.uk/news/uk-wales-59884153#0",
    "https://feeds.bbci.co.uk/news/uk-wales-59884153",
])
def test_url_keys_meet_across_hosts(url: str) -> None:
    assert "https://bbc.co.uk/news/uk-wales-59884153" in bbc.url_keys(url)
    assert "https://bbc.com/news/uk-wales-59884153" in bbc.url_keys(url)


def test_url_keys_of_a_video_are_its_own() -> None:
    assert bbc.url_keys("https://www.bbc.com/news/videos/c86lqldp26xo?at_medium=RSS") == (
        "https://bbc.com/news/videos/c86lqldp26xo",)
    assert not bbc.is_article("https://www.bbc.com/news/videos/c86lqldp26xo")
    assert not bbc.is_article("https://www.bbc.co.uk/news/av/uk-wales-59884153")
    assert bbc.is_article("https://www.bbc.co.uk/news/uk-wales-politics-59884153")


# --- relevance --------------------------------------------------------------------------------


def test_relevant_wrexham_social_care_items_are_kept(feed: bbc.FeedPage) -> None:
    kept = [e.url for e in feed.entries if bbc.is_relevant(e, WATCHED)]
    assert kept == ["https://www.bbc.com/news/videos/c86lqldp26xo", CHECK, LDRS]


def test_wrexham_items_not_about_social_care_are_dropped(feed: bbc.FeedPage) -> None:
    afc = item(feed, "https://www.bbc.co.uk/news/uk-wales-55935435")  # names the club
    city = item(feed, "https://www.bbc.co.uk/news/uk-wales-62715920")  # names the place
    assert "Wrexham" not in bbc.councils_named(afc.title + "\n" + afc.description)
    assert bbc.councils_named(city.title) == {"Wrexham"}
    assert not bbc.is_relevant(afc, WATCHED) and not bbc.is_relevant(city, WATCHED)
    assert not bbc.is_relevant(afc, None) and not bbc.is_relevant(city, None)


def test_other_councils_social_care_is_kept_only_for_any_council(feed: bbc.FeedPage) -> None:
    powys = item(feed, POWYS)
    assert not bbc.is_relevant(powys, WATCHED)
    assert bbc.is_relevant(powys, None)
    assert bbc.is_relevant(powys, bbc.resolve_authorities(["Powys", "Wrexham"]))


def test_social_care_without_a_council_is_dropped_even_for_any_council(
        feed: bbc.FeedPage) -> None:
    national = item(feed, "https://www.bbc.co.uk/news/uk-wales-57840640")
    assert not bbc.is_relevant(national, None)


@pytest.mark.parametrize("text", [
    "Wrexham children's services praised", "Wrexham: adults' services under pressure",
    "Wrexham Council social workers strike", "Wrexham care home to close",
    "Watchdog says Wrexham must act", "Safeguarding review in Wrexham",
    "Wrexham foster carers needed", "Wrexham children\u2019s services",
])
def test_social_care_cues(text: str) -> None:
    assert bbc.PATTERNS["social_care"].search(text)


@pytest.mark.parametrize("text", [
    "Intensive care beds full", "Careers fair in Wrexham", "Wrexham AFC promoted",
    "Childcare costs rise",
])
def test_not_social_care_cues(text: str) -> None:
    assert not bbc.PATTERNS["social_care"].search(text)


def test_resolve_authorities() -> None:
    assert bbc.resolve_authorities(["*"]) is None
    assert bbc.resolve_authorities(["wrexham", "Wrecsam"]) == WATCHED
    assert bbc.resolve_authorities(["Anglesey"]) == {"Isle of Anglesey"}
    with pytest.raises(ValueError, match="'Wrexhm'"):
        bbc.resolve_authorities(["Wrexhm"])


def test_councils_are_the_classifiers() -> None:
    """The filter's areas are the classifier's (one table, ``scrapers.councils``): a council
    the classifier would credit is one the filter looks for."""
    assert {a.name: a.places for a in AUTHORITIES} == bbc.COUNCILS
    assert len(bbc.COUNCILS) == 22


@pytest.mark.parametrize(("text", "named"), [
    ("Wrexham children's services praised", {"Wrexham"}),
    ("Wrexham\u2019s care homes", {"Wrexham"}),
    ("Wrexham County Borough Council said", {"Wrexham"}),
    ("Wrexham AFC: Fans welcome takeover", set()),
    ("Wrexham Maelor Hospital: A&E waits", set()),
    ("Newport County win", set()),
    ("Newport City Council", {"Newport"}),
    ("Rhondda Cynon Taf: Social workers strike", {"Rhondda Cynon Taf"}),
    ("Ynys Môn: Gofal", {"Isle of Anglesey"}),
])
def test_councils_named(text: str, named: set[str]) -> None:
    assert bbc.councils_named(text) == named


# --- parse_article ----------------------------------------------------------------------------


def test_parse_article_2022_layout(load_fixture) -> None:
    article = bbc.parse_article(load_fixture(SOURCE, "2022-01-07_article_59884153.html"), LDRS)
    assert article.title == "Wrexham children's services 'firmly on a journey of improvement'"
    assert article.published == date(2022, 1, 7)
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("Children's social services in Wrexham are \"firmly on")
    assert paragraphs[-1] == 'The council said it hoped to "move on" from the findings of 2020.'
    for chrome in ("Advertisement", "More on this story", "Most read", "Wrexham Guildhall",
                   "Local Democracy Reporting Service", "Copyright"):
        assert chrome not in article.text


def test_parse_article_2024_layout_keeps_crossheads(load_fixture) -> None:
    article = bbc.parse_article(load_fixture(SOURCE, "2024-01-11_article_cpd8pm4djd2o.html"),
                                CHECK)
    assert article.title == "Wrexham social services: Inspectors find clear improvement"
    assert article.published == date(2024, 1, 11)
    assert article.text.split("\n\n")[2] == "'Further action needed'"
    assert "Earlier story" not in article.text and "Copyright" not in article.text


def test_parse_article_without_text_blocks_falls_back_to_paragraphs(load_fixture) -> None:
    article = bbc.parse_article(load_fixture(SOURCE, "variant_article_plain_paragraphs.html"),
                                LDRS)
    assert article.text.split("\n\n")[1] == ('The council said it hoped to "move on" from the '
                                             "findings of 2020.")
    assert article.published == date(2022, 1, 7)


def test_parse_article_redesign_names_selectors(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        bbc.parse_article(load_fixture(SOURCE, "variant_article_redesign.html"), LDRS)
    assert LDRS in str(caught.value) and "'article'" in str(caught.value)


def test_parse_article_with_no_text_raises() -> None:
    with pytest.raises(ParseError, match="no article text"):
        bbc.parse_article(b"<html><body><article><h1>Only a headline</h1></article></body></html>",
                          LDRS)


def test_story_text_leads_with_a_standfirst_the_page_does_not_repeat() -> None:
    assert bbc.story_text("Short.", "Short. And more.") == "Short. And more."
    assert bbc.story_text("Other words.", "Body.") == "Other words.\n\nBody."
    assert bbc.story_text("Standfirst only.", "") == "Standfirst only."


# --- crawl ------------------------------------------------------------------------------------


@pytest.fixture
def web(fake_web, load_fixture):
    return fake_web({
        FEED: load_fixture(SOURCE, "2024-12-31_feed.xml"),
        LDRS: load_fixture(SOURCE, "2022-01-07_article_59884153.html"),
        CHECK: load_fixture(SOURCE, "2024-01-11_article_cpd8pm4djd2o.html"),
    })


def crawl(web, store, **kwargs):
    return bbc.crawl(web, store.is_known, base_url="https://feeds.bbci.co.uk",
                     authorities=kwargs.pop("authorities", ("Wrexham",)), **kwargs)


def test_crawl_keeps_relevant_items_oldest_first_and_counts_every_item(
        web, memory_store) -> None:
    result = crawl(web, memory_store)
    assert result.found == 12 and result.errors == ()
    assert [p.url for p in result.publications] == [
        "https://bbc.co.uk/news/uk-wales-59884153",
        "https://bbc.com/news/articles/cpd8pm4djd2o",
        "https://bbc.com/news/videos/c86lqldp26xo",
    ]
    # the feed and the two article pages; never a dropped item's page, never the video
    assert web.requests == [FEED, CHECK, LDRS]


def test_crawl_publication_fields(web, memory_store) -> None:
    ldrs = crawl(web, memory_store).publications[0]
    assert ldrs.source == SOURCE and ldrs.kind == "article" and ldrs.language == "en"
    assert ldrs.title == "Wrexham children's services 'firmly on a journey of improvement'"
    assert ldrs.published == date(2022, 1, 7)
    assert ldrs.aliases == ("https://bbc.com/news/uk-wales-59884153",
                            "https://feeds.bbci.co.uk/news/uk-wales-59884153")
    assert ldrs.text.startswith("A council's children's services are on the right track")
    assert "firmly on a journey of improvement" in ldrs.text and ldrs.errors == ()


def test_crawl_video_item_is_kept_on_its_standfirst(web, memory_store) -> None:
    video = crawl(web, memory_store).publications[-1]
    assert video.text == ("Two miniature ponies have been visiting a care home in Wrexham "
                          "every week.")
    assert video.errors == () and video.aliases == ()


def test_crawl_second_poll_fetches_only_the_feed(web, memory_store) -> None:
    memory_store.add(crawl(web, memory_store))
    web.requests.clear()
    again = crawl(web, memory_store)
    assert again.publications == () and again.found == 12
    assert web.requests == [FEED]


def test_crawl_item_moved_from_bbc_co_uk_to_bbc_com_is_known(
        fake_web, load_fixture, memory_store) -> None:
    first = fake_web({FEED: load_fixture(SOURCE, "2024-12-31_feed.xml"),
                      LDRS: load_fixture(SOURCE, "2022-01-07_article_59884153.html"),
                      CHECK: load_fixture(SOURCE, "2024-01-11_article_cpd8pm4djd2o.html")})
    memory_store.add(crawl(first, memory_store))
    moved = fake_web({FEED: feed_of(
        "<item><title><![CDATA[Wrexham children's services 'firmly on a journey of improvement'"
        "]]></title><description><![CDATA[A council's children's services.]]></description>"
        "<link>https://www.bbc.com/news/uk-wales-59884153?at_medium=RSS&amp;at_campaign=rss"
        '</link><guid isPermaLink="false">https://www.bbc.com/news/uk-wales-59884153#0</guid>'
        "<pubDate>Fri, 07 Jan 2022 06:12:51 GMT</pubDate></item>")})
    result = crawl(moved, memory_store)
    assert result.publications == () and result.found == 1
    assert moved.requests == [FEED]


def test_crawl_any_council_keeps_other_councils_social_care(web, memory_store) -> None:
    result = crawl(web, memory_store, authorities=("*",))
    urls = [p.url for p in result.publications]
    assert "https://bbc.co.uk/news/uk-wales-64693800" in urls and len(urls) == 4
    (powys,) = [p for p in result.publications if "64693800" in p.url]
    # no page for it on the fake web: a 404 keeps the item on its standfirst, with the error
    assert powys.text == ("The council says the recruits will help fill vacancies in its "
                          "children's services.")
    assert len(powys.errors) == 1 and "HTTP 404" in powys.errors[0] and POWYS in powys.errors[0]


def test_crawl_unreadable_article_keeps_the_item_with_the_error(
        fake_web, load_fixture, memory_store) -> None:
    web = fake_web({FEED: load_fixture(SOURCE, "2024-12-31_feed.xml"),
                    LDRS: load_fixture(SOURCE, "variant_article_redesign.html"),
                    CHECK: load_fixture(SOURCE, "2024-01-11_article_cpd8pm4djd2o.html")})
    result = crawl(web, memory_store)
    ldrs = result.publications[0]
    assert ldrs.url == "https://bbc.co.uk/news/uk-wales-59884153"
    assert ldrs.text == ("A council's children's services are on the right track after two "
                         "difficult years, the care watchdog says.")
    (error,) = ldrs.errors
    assert error.startswith(LDRS) and "selectors tried" in error and "standfirst" in error
    assert result.errors == ()


def test_crawl_transient_article_failure_leaves_the_item_for_next_poll(
        fake_web, load_fixture, memory_store) -> None:
    web = fake_web({FEED: load_fixture(SOURCE, "2024-12-31_feed.xml"),
                    LDRS: FetchError(LDRS, "HTTP 503", transient=True, status=503),
                    CHECK: load_fixture(SOURCE, "2024-01-11_article_cpd8pm4djd2o.html")})
    result = crawl(web, memory_store)
    assert [p.url for p in result.publications] == [
        "https://bbc.com/news/articles/cpd8pm4djd2o", "https://bbc.com/news/videos/c86lqldp26xo"]
    (error,) = result.errors
    assert error.startswith(LDRS) and "503" in error


def test_crawl_feed_redesign_raises(fake_web, load_fixture, memory_store) -> None:
    web = fake_web({FEED: load_fixture(SOURCE, "variant_redesigned_feed.xml")})
    with pytest.raises(ParseError, match="selectors"):
        crawl(web, memory_store)


def test_crawl_empty_feed_is_no_error(fake_web, load_fixture, memory_store) -> None:
    web = fake_web({FEED: load_fixture(SOURCE, "2019-02-24_feed_empty.xml")})
    result = crawl(web, memory_store)
    assert result.publications == () and result.found == 0 and result.errors == ()


def test_crawl_unknown_council_fails_before_fetching(web, memory_store) -> None:
    with pytest.raises(ValueError, match="unknown council"):
        crawl(web, memory_store, authorities=("Wrexam",))
    assert web.requests == []
