"""The four dates a document can carry, read from its text (domain.md §6.7).

Letter date ("Date: 03 August 2020", or a date on its own line just above "Dear ..."),
fieldwork ("between the 12 and 23 of October 2020", "Inspection dates: 12 – 23 October 2020",
"24 October – 2 November 2023") and publication ("First published: 17 October 2017", "Posted:
Tue 4th Aug 2020", "Publication date: 26 January 2021").  The date parsers are scrapers.text's,
shared with the source modules; only *where* to look is decided here.
"""

from __future__ import annotations

import re
from datetime import date

from scrapers.text import parse_fieldwork, parse_uk_date
from storage.classify.model import DocumentDates
from storage.classify.text import split_sentences

_M = re.IGNORECASE | re.MULTILINE

PATTERNS: dict[str, re.Pattern[str]] = {
    # "Date: 03 August 2020" (Welsh "Dyddiad:"), at the start of a line.
    "letter_label": re.compile(r"^\s*(?:Date|Dyddiad)\s*:\s*(?P<date>.+)$", _M),
    # A date alone on a line ("3 August 2020", "Monday, 3 August 2020").
    "date_line": re.compile(
        r"^\s*(?:[A-Za-z]+,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4}\s*$"),
    "salutation": re.compile(r"^\s*(?:Dear|Annwyl)\b", re.IGNORECASE),
    "published_label": re.compile(
        r"^\s*(?:First\s+published|Publication\s+date|Date\s+(?:of\s+)?publication"
        r"|Date\s+published|Published|Posted|Cyhoeddwyd(?:\s+gyntaf)?)\s*:\s*(?P<date>.+)$", _M),
    # "Press release – 16 June 2005"
    "press_release": re.compile(r"^\s*Press\s+release\s*[-\u2013\u2014:]\s*(?P<date>.+)$", _M),
    # A news dateline: a date alone on a line, or followed by the "News" label ("9 September
    # 2025 News"), above the body.
    "dateline": re.compile(
        r"^\s*(?P<date>(?:[A-Za-z]+,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4})"
        r"(?:\s+(?:News|Newyddion))?\s*$", _M),
    "published_inline": re.compile(r"\bThis\s+article\s+is\s+old\s*[-\u2013]\s*Published\s*:"
                                   r"\s*(?P<date>.+)$", _M),
    "fieldwork_label": re.compile(
        r"^\s*(?:Inspection|Monitoring\s+activity|Improvement\s+check|Fieldwork|Visit|Review)"
        r"\s+dates?\s*:\s*(?P<dates>.+)$", _M),
    # Sentences that may carry fieldwork dates: about inspecting, not about meetings.
    "fieldwork_sentence": re.compile(
        r"\b(?:inspect\w*|monitoring\s+activity|improvement\s+check|fieldwork|carried\s+out"
        r"|undertook|undertaken)\b", re.IGNORECASE),
}
SALUTATION_REACH = 12  # lines above "Dear ..." in which a bare date line is the letter date
BODY_LINE = 200  # a line this long is body text: a dateline sits above the first one


def letter_date(text: str) -> date | None:
    """The date printed on a letter, or None (reports and news have none)."""
    for match in PATTERNS["letter_label"].finditer(text):
        found = parse_uk_date(match.group("date"))
        if found:
            return found
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if PATTERNS["salutation"].match(line):
            for above in reversed(lines[max(0, index - SALUTATION_REACH) : index]):
                if PATTERNS["date_line"].match(above):
                    return parse_uk_date(above)
            break
    return None


def fieldwork(text: str) -> tuple[date, date] | None:
    """Inspection dates: a labelled line first, else the first inspection sentence with a range."""
    for match in PATTERNS["fieldwork_label"].finditer(text):
        found = parse_fieldwork(match.group("dates"))
        if found:
            return found
    for paragraph in text.split("\n\n"):
        for sentence in split_sentences(" ".join(paragraph.split())):
            if PATTERNS["fieldwork_sentence"].search(sentence):
                found = parse_fieldwork(sentence)
                if found:
                    return found
    return None


def published_date(text: str) -> date | None:
    """The publisher's own date when the text prints one: a labelled date, else a dateline
    above the body (not a letter's date line, which sits above "Dear ...")."""
    for key in ("published_label", "published_inline", "press_release"):
        for match in PATTERNS[key].finditer(text):
            found = parse_uk_date(match.group("date"))
            if found:
                return found
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if len(line) >= BODY_LINE:
            break
        dateline = PATTERNS["dateline"].match(line)
        if dateline and not any(PATTERNS["salutation"].match(after)
                                for after in lines[index + 1 : index + 1 + SALUTATION_REACH]):
            return parse_uk_date(dateline.group("date"))
    return None


def document_dates(text: str, published: date | None = None) -> DocumentDates:
    """All four dates.  ``published`` (the source's own date: a feed's pubDate, CIW's news
    date) wins over a date printed in the text, which is the fallback for pasted copies."""
    work = fieldwork(text)
    return DocumentDates(
        letter=letter_date(text),
        fieldwork_start=work[0] if work else None,
        fieldwork_end=work[1] if work else None,
        published=published or published_date(text),
    )
