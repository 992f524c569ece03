"""Table-driven tests for scrapers.text: every documented format is a row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrapers.base import ParseError
from scrapers.text import (
    absolute_url,
    canonical_url,
    clean_text,
    html_text,
    parse_fieldwork,
    parse_html,
    parse_uk_date,
    pdf_text,
    require_first,
    select_first,
)

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"

CANONICAL = [
    ("https://careinspectorate.wales/news", "https://careinspectorate.wales/news"),
    ("http://www.careinspectorate.wales/news", "https://careinspectorate.wales/news"),
    ("https://WWW.CareInspectorate.Wales/Slug", "https://careinspectorate.wales/Slug"),
    ("https://careinspectorate.wales/news?page=1#top", "https://careinspectorate.wales/news?page=1"),
    ("https://news.wrexham.gov.uk/slug/", "https://news.wrexham.gov.uk/slug"),
    ("https://news.wrexham.gov.uk/?p=24101", "https://news.wrexham.gov.uk/?p=24101"),
    ("https://careinspectorate.wales", "https://careinspectorate.wales/"),
    ("https://careinspectorate.wales/", "https://careinspectorate.wales/"),
    (
        "https://www.bbc.co.uk/news/uk-wales-59884153?at_medium=RSS&at_campaign=KARANGA",
        "https://bbc.co.uk/news/uk-wales-59884153",
    ),
    ("https://x.example/a?utm_source=rss&page=2&utm_medium=feed", "https://x.example/a?page=2"),
    ("https://careinspectorate.wales:443/a/", "https://careinspectorate.wales/a"),
    ("https://x.example/a b", "https://x.example/a%20b"),
    ("https://x.example/a%20b", "https://x.example/a%20b"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", ["mailto:ciw@gov.wales", "/relative/path", "ftp://x.example/a"])
def test_canonical_url_rejects_non_http(url: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        canonical_url(url)


ABSOLUTE = [
    ("https://careinspectorate.wales/news?page=1", "?page=2", "https://careinspectorate.wales/news?page=2"),
    ("https://careinspectorate.wales/news", "/slug", "https://careinspectorate.wales/slug"),
    ("https://careinspectorate.wales/news", "  /slug \n", "https://careinspectorate.wales/slug"),
    (
        "https://www.careinspectorate.wales/a",
        "/sites/default/files/2020-08/x.pdf",
        "https://www.careinspectorate.wales/sites/default/files/2020-08/x.pdf",
    ),
    ("https://careinspectorate.wales/a", "https://news.wrexham.gov.uk/b/", "https://news.wrexham.gov.uk/b/"),
    (
        "http://moderngov.wrexham.gov.uk/ieListDocuments.aspx?CId=174&MeetingId=4272",
        "documents/s1/Care Inspectorate Wales letter.pdf",
        "http://moderngov.wrexham.gov.uk/documents/s1/Care%20Inspectorate%20Wales%20letter.pdf",
    ),
]


@pytest.mark.parametrize(("base", "href", "expected"), ABSOLUTE)
def test_absolute_url(base: str, href: str, expected: str) -> None:
    assert absolute_url(base, href) == expected


CLEAN = [
    ("  a   b\t c  ", "a b c"),
    ("a\u00a0b", "a b"),
    ("para one\n\n\n\npara two", "para one\n\npara two"),
    ("line one\nline two", "line one\nline two"),
    ("  x  \n   \n  y ", "x\n\ny"),
    ("Cafe\u0301", "Caf\u00e9"),  # NFC
    ("soft\u00adhyphen\u200b", "softhyphen"),
    ("a\r\nb", "a\nb"),
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


DATES = [
    ("3 August 2020", date(2020, 8, 3)),
    ("03 August 2020", date(2020, 8, 3)),
    ("Tue 4th Aug 2020", date(2020, 8, 4)),
    ("Posted: Tue 4th Aug 2020", date(2020, 8, 4)),
    ("Tuesday, Aug 4th, 2020", date(2020, 8, 4)),
    ("This article is old - Published: Tuesday, Aug 4th, 2020", date(2020, 8, 4)),
    ("16 December 2021", date(2021, 12, 16)),
    ("9 June 2023", date(2023, 6, 9)),
    ("4th of August 2020", date(2020, 8, 4)),
    ("Tue, 04 Aug 2020 10:00:00 +0000", date(2020, 8, 4)),
    ("Thu, 06 Jan 2022 12:00:00 GMT", date(2022, 1, 6)),
    # 23:30 UTC on 4 Aug is 00:30 on 5 Aug in Wrexham (BST)
    ("Tue, 04 Aug 2020 23:30:00 +0000", date(2020, 8, 5)),
    ("2020-08-04", date(2020, 8, 4)),
    ("2020-08-04T09:00:00Z", date(2020, 8, 4)),
    ("2020-08-03T23:00:00Z", date(2020, 8, 4)),  # Drupal: midnight BST stored as 23:00Z
    ("2020-12-03T23:00:00Z", date(2020, 12, 3)),  # GMT in winter: same day
    ("Date: 03 August 2020", date(2020, 8, 3)),
    ("24 Ionawr 2024", date(2024, 1, 24)),
    ("04/08/2020", date(2020, 8, 4)),
    ("28 Jun 2013 - 12:00am", date(2013, 6, 28)),
    ("Sept 9 2025", date(2025, 9, 9)),
    ("", None),
    (None, None),
    ("no date here", None),
    ("31 February 2020", None),
    ("April 2019 - March 2020", None),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_uk_date(text: str | None, expected: date | None) -> None:
    assert parse_uk_date(text) == expected


FIELDWORK = [
    ("between the 12 and 23 of October 2020", (date(2020, 10, 12), date(2020, 10, 23))),
    ("12–23 October 2020", (date(2020, 10, 12), date(2020, 10, 23))),
    ("26-29 April 2021", (date(2021, 4, 26), date(2021, 4, 29))),
    ("15 to 19 November 2021", (date(2021, 11, 15), date(2021, 11, 19))),
    ("24 October – 2 November 2023", (date(2023, 10, 24), date(2023, 11, 2))),
    (
        "Between the 24th of October and the 2nd of November of 2023",
        (date(2023, 10, 24), date(2023, 11, 2)),
    ),
    ("between 12 October and 23 October 2020", (date(2020, 10, 12), date(2020, 10, 23))),
    ("28 December – 8 January 2021", (date(2020, 12, 28), date(2021, 1, 8))),
    ("21 - 24 November 2022", (date(2022, 11, 21), date(2022, 11, 24))),
    # not ranges
    ("focused activity, 24 and 25 September 2019", None),
    ("from April 2019 - March 2020", None),
    ("improvement conference, 3 May 2019 to discuss progress", None),
    ("23 - 12 October 2020", None),  # end before start
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), FIELDWORK)
def test_parse_fieldwork(text: str, expected: tuple[date, date] | None) -> None:
    assert parse_fieldwork(text) == expected


def test_parse_fieldwork_seed_inspection_report() -> None:
    text = next(SEEDS.glob("002_*.txt")).read_text()
    assert parse_fieldwork(text) == (date(2020, 10, 12), date(2020, 10, 23))


def test_parse_fieldwork_seed_2020_letter_has_none() -> None:
    # the annual letter lists meetings ("24 and 25 September 2019"), not fieldwork
    text = next(SEEDS.glob("004_*.txt")).read_text()
    assert parse_fieldwork(text) is None


def test_pdf_text_extracts_lines(make_pdf) -> None:
    data = make_pdf("Date: 03 August 2020", "Dear Alwyn Jones,")
    assert pdf_text(data) == "Date: 03 August 2020\nDear Alwyn Jones,"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<!DOCTYPE html><html>Not found</html>", "not a PDF (starts with b'<!DOCTYPE html><')"),
        (b"", "not a PDF (starts with b'')"),
        (b"%PDF-1.4\n garbage garbage", "corrupt PDF"),
    ],
)
def test_pdf_text_raises_on_broken_files(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        pdf_text(data)
    assert str(caught.value).startswith(message)


def test_pdf_text_raises_on_truncated_pdf(make_pdf) -> None:
    data = make_pdf("Date: 03 August 2020")
    with pytest.raises(ParseError, match="corrupt PDF"):
        pdf_text(data[: len(data) // 3])


def test_pdf_text_raises_when_no_text_layer(make_pdf) -> None:
    data = make_pdf()  # a blank page: a PDF, but nothing to read (like a scan)
    with pytest.raises(ParseError, match="no extractable text"):
        pdf_text(data)


HTML = """
<div class="field field--name-body">
  <p>First   paragraph
     continues here.</p>
  <h2>Heading</h2>
  <ul>
    <li>item one</li>
    <li>item <strong>two</strong></li>
  </ul>
  <p>Line<br>break</p>
  <script>var x = 1;</script>
  <!-- a comment -->
  <table><tr><td>a</td><td>b</td></tr></table>
</div>
"""


def test_html_text_is_block_aware() -> None:
    tag = parse_html(HTML).select_one("div")
    assert html_text(tag) == (
        "First paragraph continues here.\n\nHeading\n\nitem one\nitem two\n\nLine\nbreak\n\na b"
    )


def test_select_first_tries_selectors_in_order() -> None:
    soup = parse_html("<main><h1>Fallback</h1><h1 class='page-title'>Primary</h1></main>")
    assert select_first(soup, ("h1.page-title", "h1")).get_text() == "Primary"
    assert select_first(soup, ("h1.missing", "h1")).get_text() == "Fallback"
    assert select_first(soup, ("h2",)) is None


def test_require_first_names_field_selectors_and_url() -> None:
    soup = parse_html("<main><p>nothing</p></main>")
    with pytest.raises(ParseError) as caught:
        require_first(soup, ("h1.page-title", "h1"), field="title", url="https://x.example/a")
    message = str(caught.value)
    assert message.startswith("https://x.example/a: no element for title")
    assert "'h1.page-title'" in message and "'h1'" in message


def test_document_text_reads_pdf_html_and_text(tmp_path):
    from pathlib import Path

    from scrapers.text import document_text

    root = Path(__file__).resolve().parents[2]
    pdf = next((root / "replay/content/pdf").glob("200804-*.pdf")).read_bytes()
    assert "escalated from serious to significant" in document_text(pdf, name="letter.pdf")
    html = (b"<!DOCTYPE html><html><head><style>p{}</style></head><body><header>Wrexham "
            b"Council</header><main><h1>Title</h1><p>First paragraph.</p><ul><li>one</li></ul>"
            b"</main><script>var tracking = 1;</script></body></html>")
    text = document_text(html, name="page.html")
    assert text.startswith("Wrexham Council") and "Title\n\nFirst paragraph." in text
    assert "one" in text and "tracking" not in text and "p{}" not in text
    assert document_text("Plain ’text’\r\n".encode()) == "Plain ’text’"


def test_document_text_broken_pdf_raises_parse_error():
    import pytest

    from scrapers.base import ParseError
    from scrapers.text import document_text

    with pytest.raises(ParseError):
        document_text(b"%PDF-1.7 this is not really a pdf")
