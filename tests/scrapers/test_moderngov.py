"""moderngov: the what's-new feed and meeting-page parsers field by field, the relevance rule,
keys and dates, and crawl() over a fake web."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers import moderngov as mg
from scrapers.base import Fetched, FetchError, ParseError

SOURCE = "wrexham_moderngov"
BASE = "https://moderngov.wrexham.gov.uk"
FEED = f"{BASE}/mgRss.aspx?XXR=0"
SCRUTINY = f"{BASE}/ieListDocuments.aspx?CId=174&MId=4272&Ver=4"
PLANNING = f"{BASE}/ieListDocuments.aspx?CId=142&MId=4268&Ver=4"
LETTER_PDF = f"{BASE}/documents/s54117/CIW%20Performance%20Review%20Letter%202019-20.pdf"
APPENDIX_PDF = (f"{BASE}/documents/s54118/Appendix%201%20-%20Council%20response%20to%20the%20"
                "CIW%20letter.pdf")
CONVERTED_PDF = f"{BASE}/mgConvert2PDF.aspx?ID=54120&ISATT=1"
PERFORMANCE_PDF = (f"{BASE}/documents/s54121/Childrens%20Social%20Care%20Performance%20Q1%20"
                   "2020-21.pdf")
LETTER_PAGE = ("https://careinspectorate.wales/local-authority-performance-review-april-2019-"
               "march-2020-wrexham-county-borough-council")
COMMITTEE = "Children's and Young People's Scrutiny Committee"


# --- the feed ---------------------------------------------------------------------------------


@pytest.fixture
def feed(load_fixture) -> mg.FeedPage:
    return mg.parse_feed(load_fixture(SOURCE, "2020-09-04_whats_new.xml"), FEED)


def test_parse_feed_count_and_no_paging(feed: mg.FeedPage) -> None:
    assert len(feed.entries) == 5
    assert feed.next_url is None


def test_parse_feed_first_entry_fields(feed: mg.FeedPage) -> None:
    first = feed.entries[0]
    assert first.url == "http://moderngov.wrexham.gov.uk/ieListDocuments.aspx?CId=174&MeetingId=4272"
    assert first.title == f"{COMMITTEE} - Monday, 14th September, 2020 10.00 am"
    assert first.published == date(2020, 9, 4)


def test_parse_feed_decodes_double_encoded_entities_and_markup(feed: mg.FeedPage) -> None:
    # &amp;#39; -> ', &amp;amp; -> &, and the escaped <b> is markup, not text
    assert "&#39;" not in feed.entries[0].title
    assert feed.entries[0].description == (
        f"Agenda published: {COMMITTEE} & guests, Monday, 14th September, 2020")


def test_parse_feed_meeting_links_are_normalised(feed: mg.FeedPage) -> None:
    # http + MeetingId= and https + MId=&Ver=4 are one meeting, one fetchable https URL
    assert [e.meeting_url for e in feed.entries] == [SCRUTINY, None, PLANNING, None, SCRUTINY]


def test_parse_feed_relative_link_is_absolute(feed: mg.FeedPage) -> None:
    assert feed.entries[3].url == f"{BASE}/mgConsultationDisplay.aspx?ID=311"


def test_parse_feed_empty_channel_is_empty(load_fixture) -> None:
    assert mg.parse_feed(load_fixture(SOURCE, "variant_empty_feed.xml"), FEED).entries == []


def test_parse_feed_bcr_html_page_is_a_parse_error_naming_the_url(load_fixture) -> None:
    url = f"{BASE}/mgRss.aspx?bcr=1"
    with pytest.raises(ParseError) as caught:
        mg.parse_feed(load_fixture(SOURCE, "2020-09-04_rss_bcr1.html"), url)
    assert str(caught.value).startswith(url) and "not a feed" in str(caught.value)


@pytest.mark.parametrize(("link", "expected"), [
    (f"{BASE}/ieListDocuments.aspx?CId=174&MId=4272&Ver=4", SCRUTINY),
    ("http://moderngov.wrexham.gov.uk/ieListDocuments.aspx?CId=174&MeetingId=4272", SCRUTINY),
    (f"{BASE}/ieListDocuments.aspx?CId=174&MID=4272&LLL=0", SCRUTINY),
    (f"{BASE}/ieListDocuments.aspx?MId=4272", f"{BASE}/ieListDocuments.aspx?MId=4272&Ver=4"),
    (f"{BASE}/ieListDocuments.aspx?CId=174", None),
    (f"{BASE}/ieDecisionDetails.aspx?ID=5123", None),
    (f"{BASE}/mgAi.aspx?ID=21404", None),
])
def test_meeting_url(link: str, expected: str | None) -> None:
    assert mg.meeting_url(link) == expected


def test_item_url_is_the_canonical_agenda_item_page() -> None:
    assert mg.item_url("http://moderngov.wrexham.gov.uk/ieListDocuments.aspx?CId=1&MId=2",
                       21404) == f"{BASE}/mgAi.aspx?ID=21404"


# --- the meeting page -------------------------------------------------------------------------


@pytest.fixture
def scrutiny(load_fixture) -> mg.Meeting:
    return mg.parse_meeting(load_fixture(SOURCE, "2020-09-14_meeting_scrutiny.html"), SCRUTINY)


def test_parse_meeting_heading_fields(scrutiny: mg.Meeting) -> None:
    assert scrutiny.heading == f"{COMMITTEE} - Monday, 14th September, 2020 10.00 am"
    assert scrutiny.committee == COMMITTEE
    assert scrutiny.meeting_date == date(2020, 9, 14)  # Wrexham's "Monday, 14th September, 2020"
    assert scrutiny.cancelled is False


def test_parse_meeting_items_in_agenda_order(scrutiny: mg.Meeting) -> None:
    assert [(i.ai_id, i.number) for i in scrutiny.items] == [
        (21401, "1."), (21402, "2."), (21404, "4."), (21405, "5."), (21406, "6."), (21407, "7.")]
    assert scrutiny.items[2].url == f"{BASE}/mgAi.aspx?ID=21404"


def test_parse_meeting_item_title_without_file_size(scrutiny: mg.Meeting) -> None:
    assert scrutiny.items[2].title == ("Care Inspectorate Wales – Annual Performance Review "
                                       "Letter 2019-20")
    assert scrutiny.items[0].title == "Apologies for Absence"
    assert scrutiny.items[0].text == "" and scrutiny.items[0].documents == ()


def test_parse_meeting_item_text_is_the_agenda_text_only(scrutiny: mg.Meeting) -> None:
    text = scrutiny.items[2].text
    assert text.startswith("To consider the annual performance review letter")
    assert text.endswith("The Committee is asked to note the letter. Questions to Democratic "
                         "Services.")
    assert "RESOLVED" not in text and "minutes text" not in text  # decision and minutes


def test_parse_meeting_documents_encoded_and_titled(scrutiny: mg.Meeting) -> None:
    documents = scrutiny.items[2].documents
    # the title link, then "Additional documents:" (raw spaces encoded; the .docx skipped;
    # the mgConvert2PDF form kept; file sizes and ", item 4." dropped from titles)
    assert [d.url for d in documents] == [LETTER_PDF, APPENDIX_PDF, CONVERTED_PDF]
    assert [d.title for d in documents] == [
        "Care Inspectorate Wales – Annual Performance Review Letter 2019-20",
        "Appendix 1 - Council response to the CIW letter",
        "Appendix 3 - Timeline",
    ]
    assert " " not in "".join(d.url for d in documents)


def test_parse_meeting_related_are_regulator_links_in_the_agenda_text(
        scrutiny: mg.Meeting) -> None:
    # http://www. and the trailing slash canonicalised; the mailto and the decision's link not
    assert scrutiny.items[2].related == (LETTER_PAGE,)
    assert scrutiny.items[3].related == ()


def test_parse_meeting_relevance(scrutiny: mg.Meeting) -> None:
    # CIW letter: kept; adult services + inspection: kept; performance without inspection,
    # declarations and planning site inspections: not
    assert [mg.is_relevant(i) for i in scrutiny.items] == [False, False, True, False, True, False]
    assert [e.item.ai_id for e in scrutiny.entries] == [21404, 21406]
    assert scrutiny.next_url is None


def test_parse_meeting_other_councils_date_format_and_id_fallbacks(load_fixture) -> None:
    url = "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=711&MId=10221&Ver=4"
    meeting = mg.parse_meeting(load_fixture(SOURCE, "2026-01-15_meeting_other_council.html"), url)
    assert meeting.committee == "Social Services Scrutiny Committee"
    assert meeting.meeting_date == date(2026, 1, 15)  # "Thursday 15 January 2026 7:30 pm"
    first, second = meeting.items
    assert first.documents[0].url == ("https://democracy.example.gov.uk/documents/s111920/"
                                      "CSSIW%20Annual%20Review%20and%20Evaluation%20of%20"
                                      "Performance.pdf?T=0")
    # no AI anchor: the id comes from the "view the full minutes text" link
    assert second.ai_id == 51902 and second.url == "https://democracy.example.gov.uk/mgAi.aspx?ID=51902"
    assert second.documents[0].url == "https://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=112217"
    assert [mg.is_relevant(i) for i in meeting.items] == [True, True]


def test_parse_meeting_cancelled(load_fixture) -> None:
    url = f"{BASE}/ieListDocuments.aspx?CId=174&MId=4235&Ver=4"
    meeting = mg.parse_meeting(load_fixture(SOURCE, "2020-03-23_meeting_cancelled.html"), url)
    assert meeting.cancelled is True
    assert meeting.committee == COMMITTEE
    assert meeting.meeting_date == date(2020, 3, 23)
    assert meeting.items == () and meeting.entries == []


def test_parse_meeting_no_documents_uses_dc_date(load_fixture) -> None:
    meeting = mg.parse_meeting(load_fixture(SOURCE, "2020-10-01_meeting_no_documents.html"),
                               PLANNING)
    assert meeting.items == ()
    assert meeting.committee == "Planning Committee"  # no date in the heading
    assert meeting.meeting_date == date(2020, 10, 5)  # meta DC.date
    assert meeting.cancelled is False


def test_parse_meeting_redesign_is_a_parse_error_naming_selectors(load_fixture) -> None:
    with pytest.raises(ParseError) as caught:
        mg.parse_meeting(load_fixture(SOURCE, "variant_redesign.html"), SCRUTINY)
    message = str(caught.value)
    assert message.startswith(SCRUTINY)
    assert "no agenda items" in message and "(selectors: 'table.mgItemTable'" in message


def test_parse_meeting_row_without_id_is_a_parse_error() -> None:
    body = (b'<table class="mgItemTable"><tr><td class="mgItemNumberCell"><p>1.</p></td>'
            b'<td><p class="mgAiTitleTxt">Apologies</p></td></tr></table>')
    with pytest.raises(ParseError, match="without an AI id"):
        mg.parse_meeting(body, SCRUTINY)


# --- relevance, text, dates -------------------------------------------------------------------


def item(title: str, text: str = "", documents: tuple[str, ...] = ()) -> mg.AgendaItem:
    return mg.AgendaItem(url=f"{BASE}/mgAi.aspx?ID=1", ai_id=1, number="1.", title=title,
                         text=text, documents=tuple(mg.Document(f"{BASE}/d{i}.pdf", t)
                                                    for i, t in enumerate(documents)),
                         related=())


@pytest.mark.parametrize(("agenda_item", "relevant"), [
    (item("Care Inspectorate Wales – Annual Performance Review Letter 2019-20"), True),
    (item("Annual Review", "CSSIW's evaluation of performance"), True),
    (item("Performance update", "", ("CIW letter to the Director",)), True),
    (item("Adroddiad Arolygiaeth Gofal Cymru"), True),
    (item("Children's services", "Progress since the inspection in October 2020"), True),
    (item("Adult Social Care Performance Review"), True),
    (item("Children’s Social Care Performance Report", "contacts and caseloads"), False),
    (item("Site Inspections", "Planning Committee site visits"), False),
    (item("Declarations of Interest"), False),
    (item("Director of Social Services Annual Report 2022-23"), False),
])
def test_is_relevant(agenda_item: mg.AgendaItem, relevant: bool) -> None:
    assert mg.is_relevant(agenda_item) is relevant


def test_item_text(scrutiny: mg.Meeting) -> None:
    text = mg.item_text(scrutiny, scrutiny.items[2])
    heading, numbered, first, second, documents = text.split("\n\n")
    assert heading == scrutiny.heading
    assert numbered == "4. Care Inspectorate Wales – Annual Performance Review Letter 2019-20"
    assert first.startswith("To consider") and second.startswith("The Committee is asked")
    assert documents == ("Additional documents:\nAppendix 1 - Council response to the CIW letter\n"
                         "Appendix 3 - Timeline")


@pytest.mark.parametrize(("meeting_date", "feed_date", "expected"), [
    (date(2020, 9, 14), date(2020, 9, 4), date(2020, 9, 4)),  # agenda published first
    (date(2020, 9, 14), date(2020, 9, 21), date(2020, 9, 14)),  # a later update (minutes)
    (None, date(2020, 9, 4), date(2020, 9, 4)),
    (date(2020, 9, 14), None, date(2020, 9, 14)),
    (None, None, None),
])
def test_published_date(meeting_date, feed_date, expected) -> None:
    assert mg.published_date(meeting_date, feed_date) == expected


# --- crawl over a fake web --------------------------------------------------------------------


LETTER = "During the last year, CIW's concerns have escalated from serious to significant."


@pytest.fixture
def pages(load_fixture, make_pdf) -> dict:
    return {
        FEED: load_fixture(SOURCE, "2020-09-04_whats_new.xml"),
        SCRUTINY: load_fixture(SOURCE, "2020-09-14_meeting_scrutiny.html"),
        PLANNING: load_fixture(SOURCE, "2020-10-01_meeting_no_documents.html"),
        LETTER_PDF: make_pdf("Care Inspectorate Wales", LETTER),
        APPENDIX_PDF: make_pdf("Council response to the letter."),
        CONVERTED_PDF: make_pdf("Timeline of the improvement programme."),
    }


def test_crawl_first_poll(fake_web, pages) -> None:
    web = fake_web(pages)
    result = mg.crawl(web, lambda url: False, base_url=BASE)
    assert result.found == 5 and result.errors == () and result.unchanged is False
    assert [p.url for p in result.publications] == [f"{BASE}/mgAi.aspx?ID=21404",
                                                    f"{BASE}/mgAi.aspx?ID=21406"]
    letter, plan = result.publications
    assert letter.source == SOURCE and letter.kind == "agenda_item"
    assert letter.title == "Care Inspectorate Wales – Annual Performance Review Letter 2019-20"
    assert letter.published == date(2020, 9, 4)  # the feed's pubDate, before the meeting
    assert letter.text.startswith(f"{COMMITTEE} - Monday, 14th September, 2020 10.00 am\n\n4. ")
    assert [a.url for a in letter.attachments] == [LETTER_PDF, APPENDIX_PDF, CONVERTED_PDF]
    assert LETTER in letter.attachments[0].text and LETTER in letter.full_text
    assert letter.related == (LETTER_PAGE,) and letter.aliases == () and letter.errors == ()
    assert plan.attachments == () and plan.title == "Adult Social Services – Inspection Action Plan"


def test_crawl_fetches_meetings_once_and_never_decisions_or_irrelevant_papers(
        fake_web, pages) -> None:
    web = fake_web(pages)
    mg.crawl(web, lambda url: False, base_url=BASE)
    assert web.requests == [FEED, SCRUTINY, LETTER_PDF, APPENDIX_PDF, CONVERTED_PDF, PLANNING]
    assert PERFORMANCE_PDF not in web.requests


def test_crawl_known_items_fetch_no_documents(fake_web, pages) -> None:
    known = {f"{BASE}/mgAi.aspx?ID=21404", f"{BASE}/mgAi.aspx?ID=21406"}
    web = fake_web(pages)
    result = mg.crawl(web, known.__contains__, base_url=BASE)
    assert result.publications == () and result.errors == () and result.found == 5
    assert web.requests == [FEED, SCRUTINY, PLANNING]  # meeting pages only: no PDF


def test_crawl_unchanged_feed_reads_nothing_else() -> None:
    requests = []

    def fetch(url: str) -> Fetched:
        requests.append(url)
        return Fetched(url=url, status=304, content=b"", content_type="", not_modified=True)

    result = mg.crawl(fetch, lambda url: False, base_url=BASE)
    assert result.unchanged is True and result.publications == ()
    assert requests == [FEED]


def test_crawl_failing_meeting_is_one_error_and_the_others_carry_on(fake_web, pages) -> None:
    del pages[PLANNING]
    result = mg.crawl(fake_web(pages), lambda url: False, base_url=BASE)
    assert [p.url for p in result.publications] == [f"{BASE}/mgAi.aspx?ID=21404",
                                                    f"{BASE}/mgAi.aspx?ID=21406"]
    assert len(result.errors) == 1 and result.errors[0].startswith(PLANNING)
    assert "HTTP 404" in result.errors[0]


def test_crawl_redesigned_meeting_is_an_error_naming_selectors(fake_web, pages,
                                                               load_fixture) -> None:
    pages[PLANNING] = load_fixture(SOURCE, "variant_redesign.html")
    result = mg.crawl(fake_web(pages), lambda url: False, base_url=BASE)
    assert len(result.errors) == 1 and "selectors" in result.errors[0]


def test_crawl_missing_pdf_is_recorded_on_the_item(fake_web, pages) -> None:
    del pages[APPENDIX_PDF]  # a 404: permanent, so the item is stored with the problem noted
    result = mg.crawl(fake_web(pages), lambda url: False, base_url=BASE)
    letter = result.publications[0]
    assert [a.url for a in letter.attachments] == [LETTER_PDF, CONVERTED_PDF]
    assert len(letter.errors) == 1 and APPENDIX_PDF in letter.errors[0]


def test_crawl_transient_pdf_failure_fails_only_that_item(fake_web, pages) -> None:
    pages[LETTER_PDF] = FetchError(LETTER_PDF, "HTTP 503", transient=True, status=503)
    result = mg.crawl(fake_web(pages), lambda url: False, base_url=BASE)
    assert [p.url for p in result.publications] == [f"{BASE}/mgAi.aspx?ID=21406"]
    assert len(result.errors) == 1 and result.errors[0].startswith(f"{BASE}/mgAi.aspx?ID=21404")


def test_crawl_feed_that_is_html_raises(fake_web, pages, load_fixture) -> None:
    pages[FEED] = load_fixture(SOURCE, "2020-09-04_rss_bcr1.html")
    with pytest.raises(ParseError, match="not a feed"):
        mg.crawl(fake_web(pages), lambda url: False, base_url=BASE)


def test_crawl_ignores_authorities(fake_web, pages) -> None:
    everyone = mg.crawl(fake_web(pages), lambda url: False, base_url=BASE)
    flintshire = mg.crawl(fake_web(pages), lambda url: False, base_url=BASE,
                          authorities=("Flintshire",))
    assert flintshire == everyone
