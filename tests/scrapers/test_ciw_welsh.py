"""ciw_welsh: parsers field by field on saved Welsh pages, language detection, and crawl() over
a fake web (one Publication per news+report pair, paired with its English twin)."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers import ciw_welsh as cy
from scrapers.base import ParseError
from scrapers.text import canonical_url

SOURCE = "ciw_welsh"
BASE = "https://arolygiaethgofal.cymru"
EN = "https://careinspectorate.wales"
LISTING0 = f"{BASE}/newyddion"
LISTING1 = f"{BASE}/newyddion?page=1"
NEWS_2020 = (f"{BASE}/200806-llythyr-adolygiad-perfformiad-blynyddol-cyngor-bwrdeistref-sirol-"
             "wrecsam-2019-20")
LETTER_2020 = (f"{BASE}/adolygiad-perfformiad-awdurdod-lleol-ebrill-2019-mawrth-2020-cyngor-"
               "bwrdeistref-sirol-wrecsam")
PDF_2020 = f"{BASE}/sites/default/files/2020-08/200804-wrexham-annual-letter-2019-20-en.pdf"
EN_NEWS_2020 = (f"{EN}/200804-annual-performance-review-letter-wrexham-county-borough-council-"
                "2019-20")
EN_LETTER_2020 = (f"{EN}/local-authority-performance-review-april-2019-march-2020-wrexham-county-"
                  "borough-council")
NEWS_2021_WWW = ("https://www.arolygiaethgofal.cymru/rydym-wedi-cyhoeddi-llythyr-yn-crynhoi-"
                 "canfyddiadau-ein-gweithgarwch-monitro-mis-tachwedd")
REPORT_2021 = (f"{BASE}/adroddiad-arolygiad-seiliedig-ar-risg-gwasanaethau-plant-gwerthusiad-"
               "perfformiad-gwasanaethau")
NEWS_2023 = (f"{BASE}/230619-arolygiad-yn-canfod-bod-pobl-syn-byw-mewn-cartref-gofal-yn-wrecsam-"
             "yn-cael")
NEWS_2024 = (f"{BASE}/240115-gwelliannau-wedi-eu-canfod-ond-angen-gweithredu-pellach-i-wella-"
             "gwasanaethau-oedolion-phlant")
EN_NEWS_2024 = (f"{EN}/240110-improvements-found-further-action-needed-improve-wrexham-county-"
                "borough-council-adult-and-childrens")


@pytest.fixture
def page(load_fixture):
    return lambda name: load_fixture(SOURCE, name)


# --- parse_listing ----------------------------------------------------------------------------


@pytest.fixture
def listing0(page) -> cy.ciw.ListingPage:
    return cy.parse_listing(page("2024-12-31_newyddion_page0.html"), LISTING0)


def test_parse_listing_count(listing0) -> None:
    assert len(listing0.entries) == 5


def test_parse_listing_first_entry(listing0) -> None:
    first = listing0.entries[0]
    assert first.url == NEWS_2024
    assert first.title == ("Gwelliannau wedi’u canfod ond mae angen gweithredu pellach i wella "
                           "gwasanaethau oedolion a phlant Cyngor Bwrdeistref Sirol Wrecsam")
    assert first.published == date(2024, 1, 15)


def test_parse_listing_www_link_canonicalises_to_the_bare_host(listing0) -> None:
    third = listing0.entries[2]
    assert third.url == NEWS_2021_WWW
    assert canonical_url(third.url) == NEWS_2021_WWW.replace("://www.", "://")


def test_parse_listing_next_url_pages_from_zero(listing0) -> None:
    assert listing0.next_url == LISTING1


def test_parse_listing_last_page_has_no_next(page) -> None:
    last = cy.parse_listing(page("2024-12-31_newyddion_page1.html"), LISTING1)
    assert [e.published for e in last.entries] == [date(2020, 8, 6), date(2019, 7, 12)]
    assert last.next_url is None


def test_parse_listing_empty_view(page) -> None:
    empty = cy.parse_listing(page("2019-01-01_newyddion_empty.html"), LISTING0)
    assert empty.entries == [] and empty.next_url is None


def test_parse_listing_redesign_raises_naming_the_selectors(page) -> None:
    with pytest.raises(ParseError, match=r"no listing rows .*\(selectors: .*views-row"):
        cy.parse_listing(page("redesigned_listing.html"), LISTING0)


# --- Welsh dates ------------------------------------------------------------------------------

WELSH_MONTHS = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst",
                "Medi", "Hydref", "Tachwedd", "Rhagfyr")


@pytest.mark.parametrize("month", range(1, 13), ids=WELSH_MONTHS)
def test_parse_listing_reads_a_welsh_date_without_datetime(month: int) -> None:
    row = (f'<div class="views-row"><time>6 {WELSH_MONTHS[month - 1]} 2020</time>'
           '<h3><a href="/x">X</a></h3></div>')
    (entry,) = cy.parse_listing(row.encode(), LISTING0).entries
    assert entry.published == date(2020, month, 6)


def test_parse_news_item_reads_the_visible_welsh_date(page) -> None:
    # <time>24 Ionawr 2024</time>, no datetime attribute
    item = cy.parse_news_item(page("variant_news_item_date_text_only.html"), NEWS_2024)
    assert item.published == date(2024, 1, 24)


# --- parse_news_item --------------------------------------------------------------------------


@pytest.fixture
def news2020(page) -> cy.ciw.NewsItem:
    return cy.parse_news_item(page("2020-08-06_news_item.html"), NEWS_2020)


def test_parse_news_item_title(news2020) -> None:
    assert news2020.title == ("Llythyr adolygiad perfformiad blynyddol 2019-20: Cyngor Bwrdeistref "
                              "Sirol Wrecsam")


def test_parse_news_item_date(news2020) -> None:
    assert news2020.published == date(2020, 8, 6)


def test_parse_news_item_text_is_the_body_without_welsh_chrome(news2020) -> None:
    assert news2020.text.startswith("Rydym wedi cyhoeddi ein llythyr")
    assert "o bryderon difrifol i bryderon sylweddol" in news2020.text
    assert "Chwiliad allweddeiriau cyflawn" not in news2020.text
    assert "Newyddion" not in news2020.text


def test_parse_news_item_joins_the_welsh_letter_page(news2020) -> None:
    assert news2020.report_url == LETTER_2020


def test_parse_news_item_without_a_report_page(page) -> None:
    item = cy.parse_news_item(page("2023-06-19_news_item_no_report.html"), NEWS_2023)
    assert item.report_url is None  # its only link goes to the providers' directory


# --- the English twin -------------------------------------------------------------------------


def test_parse_twin_url_from_the_language_switcher(page) -> None:
    assert cy.parse_twin_url(page("2020-08-06_news_item.html"), NEWS_2020) == EN_NEWS_2020


def test_parse_twin_url_of_a_report_page(page) -> None:
    assert cy.parse_twin_url(page("2020-08-06_letter_page.html"), LETTER_2020) == EN_LETTER_2020


def test_parse_twin_url_falls_back_to_the_head_alternate_link(page) -> None:
    body = page("variant_head_alternate_only.html")
    assert b"language-switcher" not in body
    assert cy.parse_twin_url(body, NEWS_2024) == EN_NEWS_2024


def test_parse_twin_url_ignores_a_switcher_to_the_english_home_page(page) -> None:
    assert cy.parse_twin_url(page("variant_untranslated_page.html"), NEWS_2024) is None


def test_parse_twin_url_ignores_links_off_the_english_site() -> None:
    body = (b'<html><head><link rel="alternate" hreflang="en" href="https://example.org/x">'
            b"</head><body></body></html>")
    assert cy.parse_twin_url(body, NEWS_2024) is None


def test_parse_twin_url_canonicalises_the_www_host() -> None:
    body = (b'<ul class="language-switcher-language-url"><li><a hreflang="en" '
            b'href="http://www.careinspectorate.wales/some-page/">English</a></li></ul>')
    assert cy.parse_twin_url(body, NEWS_2024) == f"{EN}/some-page"


# --- detect_language --------------------------------------------------------------------------


def test_detect_language_welsh_body(news2020) -> None:
    assert cy.detect_language(news2020.text) == "cy"


def test_detect_language_english_body_under_welsh_chrome(page) -> None:
    report = cy.parse_report_page(page("2021-01-26_report_page_english_body.html"), REPORT_2021)
    assert report.title.startswith("Adroddiad Arolygiad")  # Welsh title and chrome ...
    assert cy.detect_language(report.text) == "en"  # ... English body


def test_detect_language_ignores_names_and_quoted_english() -> None:
    text = ("Mae’r adroddiad yn nodi ein canfyddiadau o dan Social Services and Well-being "
            "(Wales) Act 2014, ac mae gan Wrexham County Borough Council gynllun gwella sydd "
            "yn gweithio’n dda.")
    assert cy.detect_language(text) == "cy"


def test_detect_language_too_short_to_tell_is_english() -> None:
    assert cy.detect_language("Cyngor Bwrdeistref Sirol Wrecsam: y llythyr") == "en"
    assert cy.detect_language("") == "en"


@pytest.mark.parametrize(("welsh", "english", "expected"),
                         [(6, 4, "cy"), (5, 5, "en"), (4, 6, "en")])
def test_detect_language_threshold(welsh: int, english: int, expected: str) -> None:
    assert cy.WELSH_SHARE == 0.6  # the threshold these cases sit either side of
    assert cy.detect_language(" ".join(["mae"] * welsh + ["the"] * english)) == expected


# --- kind_for_title ---------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "kind"), [
    ("Adolygiad Perfformiad Awdurdod Lleol Ebrill 2019 - Mawrth 2020: Cyngor Bwrdeistref Sirol "
     "Wrecsam", "annual_letter"),
    ("Llythyr gweithgarwch monitro awdurdod lleol: Cyngor Bwrdeistref Sirol Wrecsam",
     "monitoring_letter"),
    ("Llythyr gwiriad gwella awdurdod lleol: gwasanaethau oedolion a phlant Cyngor Bwrdeistref "
     "Sirol Wrecsam", "improvement_check"),
    ("Adroddiad Arolygiad Seiliedig ar Risg o Wasanaethau Plant a Gwerthusiad o Berfformiad "
     "Gwasanaethau Oedolion: Cyngor Bwrdeistref Sirol Wrecsam", "inspection_report"),
    ("Local authority monitoring activity letter: Wrexham County Borough Council",
     "monitoring_letter"),
    ("Cyhoeddi adroddiad blynyddol y Prif Arolygydd", "inspection_report"),
    ("Newyddion y gaeaf", "news"),
])
def test_kind_for_title_welsh_and_english(title: str, kind: str) -> None:
    assert cy.kind_for_title(title) == kind


# --- crawl over a fake web --------------------------------------------------------------------


@pytest.fixture
def web(page, make_pdf, fake_web):
    return fake_web({
        LISTING0: page("2024-12-31_newyddion_page0.html"),
        LISTING1: page("2024-12-31_newyddion_page1.html"),
        NEWS_2020: page("2020-08-06_news_item.html"),
        LETTER_2020: page("2020-08-06_letter_page.html"),
        PDF_2020: make_pdf("Dyddiad: 03 Awst 2020", "CIW's concerns have escalated."),
    })


def test_crawl_pairs_each_welsh_event_with_its_english_twin(web) -> None:
    # Known: everything but the Dec 2021 item (its page 404s: an item error, the crawl goes
    # on to page 1) and the 2020 item and its letter page.
    unknown = {canonical_url(NEWS_2021_WWW), NEWS_2020, LETTER_2020}
    result = cy.crawl(web, lambda url: url not in unknown, base_url=BASE)
    (letter,) = result.publications
    assert letter.source == SOURCE
    assert letter.url == LETTER_2020
    assert letter.aliases == (NEWS_2020,)
    assert letter.related == (EN_LETTER_2020, EN_NEWS_2020)
    assert letter.language == "cy"
    assert letter.kind == "annual_letter"
    assert letter.published == date(2020, 8, 6)
    assert letter.letter_date == date(2020, 8, 3)  # "Dyddiad:" is the Welsh "Date:"
    (attachment,) = letter.attachments
    assert attachment.url == PDF_2020 and "escalated" in attachment.text
    (error,) = result.errors
    assert error.startswith(NEWS_2021_WWW) and "HTTP 404" in error
    assert web.requests[:2] == [LISTING0, NEWS_2021_WWW]


def test_crawl_news_without_report_is_its_own_publication(page, fake_web) -> None:
    row = page("2024-12-31_newyddion_page1.html")  # reused for its shape: two rows, no pager
    web = fake_web({LISTING0: row.replace(NEWS_2020.removeprefix(BASE).encode(),
                                          NEWS_2023.removeprefix(BASE).encode()),
                    NEWS_2023: page("2023-06-19_news_item_no_report.html")})
    result = cy.crawl(web, lambda url: "190712" in url, base_url=BASE)
    (news,) = result.publications
    assert (news.url, news.kind, news.language) == (NEWS_2023, "news", "cy")
    assert news.related == (f"{EN}/230615-inspection-finds-people-living-wrexham-care-home-"
                            "receive-excellent-care",)
    assert news.attachments == () and news.aliases == ()


def test_crawl_reads_the_welsh_listing_path(fake_web, page) -> None:
    web = fake_web({LISTING0: page("2019-01-01_newyddion_empty.html")})
    assert cy.crawl(web, lambda url: False, base_url=BASE + "/").publications == ()
    assert web.requests == [LISTING0]
