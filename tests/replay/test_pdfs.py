"""The committed PDFs: real, small, deterministic, and pdfplumber gets their text back,
including the sentences the status classifier is meant to find (and not the ones it must not)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from functools import cache

import pdfplumber
import pytest

from replay.make_pdfs import FONT_DIR, MAX_BYTES, build_pdf, render_letter_pdf, to_latin1
from replay.timeline import Entry, default_catalogue
from tests.replay.helpers import norm

CATALOGUE = default_catalogue()
#: One entry per committed file: a Welsh CIW page (or a council paper) may link the very file
#: an English CIW page does, and the file's expectations are those of its first entry.
PDF_ENTRIES = list({e.pdf.file: e for e in reversed(CATALOGUE.entries) if e.pdf is not None}
                   .values())[::-1]
FORMULA = "it is our judgement that"

#: Per PDF: sentences that must be extracted, and phrases that must not appear anywhere.
EXPECT: dict[str, tuple[list[str], list[str]]] = {
    "aw-2025-wrexham-values-behaviours": (
        ["Values and Behaviours Follow-up Review – Wrexham County Borough Council",
         "Date issued: September 2025",
         "R4 The Council should report its progress against the action plan to its "
         "Governance and Audit Committee"],
        ["social services", "concern", FORMULA],
    ),
    "ciw-2019-wrexham-annual-letter": (
        ["CIW has serious concerns in relation to children's services.",
         "improvement conference held on 8 October 2018",
         "Date: 08 July 2019"],
        ["significant", "concerns in relation to adult", FORMULA],
    ),
    "ciw-2020-flintshire-annual-letter": (
        ["Local Authority Performance Review April 2019 - March 2020", "Flintshire County Council"],
        ["concern", FORMULA],
    ),
    "ciw-2020-bridgend-annual-letter": (
        ["The local authority has made significant progress", "Date: 03 August 2020"],
        ["concern", "escalated", FORMULA],
    ),
    "ciw-2020-wrexham-annual-letter": (
        ["CIW's concerns have escalated from serious to significant in relation to children's "
         "services.", "Date: 03 August 2020", "Dear Alwyn Jones,",
         "Lou Bushell-Bauers Head of Local Authority Inspection Team",
         "The report is published on our website."],
        ["<u>", FORMULA],
    ),
    "ciw-2021-wrexham-inspection-report": (
        ["it is our judgement that children's services in Wrexham are inadequate with early "
         "indicators of improvement.",
         "the local authority is consistently failing to meet its statutory duties, but we did "
         "not find children who were unsupported or at immediate risk of harm or abuse.",
         "Inspection dates: 12 – 23 October 2020",
         "Adult safeguarding arrangements are effective"],
        ["concerns have escalated"],
    ),
    "ciw-2021-wrexham-monitoring-april": (
        ["Following our inspection in October 2020, children's services were judged to be "
         "inadequate with early indicators of improvement.",
         "it is our judgement that children's services are continuing to make improvements "
         "required.",
         "Monitoring activity dates: 26 – 29 April 2021", "Date: 04 June 2021"],
        ["concerns have escalated"],
    ),
    "ciw-2021-wrexham-monitoring-november": (
        ["it is our judgement that children's services are continuing to make improvements.",
         "remains on a positive journey of improvement",
         "In October 2020 we judged children's services to be inadequate with early indicators "
         "of improvement.",
         "Monitoring activity dates: 15 – 19 November 2021", "Date: 14 December 2021"],
        ["concerns have escalated"],
    ),
    "ciw-2024-wrexham-improvement-check": (
        ["clear evidence of improvements and progress made in many areas",
         "key areas where action is needed to ensure the local authority is meeting its "
         "statutory responsibilities",
         "The fragility of the workforce, with a continued reliance on agency social workers, "
         "remains a significant risk.",
         "Improvement check dates: 24 October – 2 November 2023"],
        ["concern", FORMULA],
    ),
}


@cache
def extracted(key: str) -> str:
    data = CATALOGUE.read_pdf(CATALOGUE.get(key))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return norm("\n".join(page.extract_text() or "" for page in pdf.pages))


def test_every_pdf_entry_has_expectations() -> None:
    assert sorted(EXPECT) == sorted(e.key for e in PDF_ENTRIES)


@pytest.mark.parametrize("entry", PDF_ENTRIES, ids=lambda e: e.key)
def test_pdf_is_committed_small_and_a_real_pdf(entry: Entry) -> None:
    data = CATALOGUE.read_pdf(entry)
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert len(data) < MAX_BYTES


@pytest.mark.parametrize("entry", PDF_ENTRIES, ids=lambda e: e.key)
def test_pdf_text_extracts_to_the_letter_text(entry: Entry) -> None:
    letter = CATALOGUE.read_letter_text(entry).replace("<u>", "").replace("</u>", "")
    assert extracted(entry.key) == norm(letter)


@pytest.mark.parametrize("key", sorted(EXPECT))
def test_pdf_contains_its_key_sentences_and_not_the_traps(key: str) -> None:
    text = extracted(key)
    must, must_not = EXPECT[key]
    for sentence in must:
        assert sentence in text, sentence
    for phrase in must_not:
        assert phrase.lower() not in text.lower(), phrase


@pytest.mark.parametrize("key", ["ciw-2021-wrexham-inspection-report",
                                 "ciw-2021-wrexham-monitoring-april",
                                 "ciw-2021-wrexham-monitoring-november"])
def test_each_judgement_document_states_exactly_one_new_judgement(key: str) -> None:
    assert len(re.findall(FORMULA, extracted(key))) == 1


def test_adult_findings_carry_no_judgement_formula() -> None:
    text = extracted("ciw-2021-wrexham-inspection-report")
    adults = text[text.index("3. Adult services"):]
    assert FORMULA not in adults
    assert "judged" not in adults and "inadequate" not in adults


def test_seed_letter_keeps_the_masthead_block_in_its_reading_order() -> None:
    text = extracted("ciw-2020-wrexham-annual-letter")
    assert text.index("Arolygiaeth Gofal Cymru (AGC)") < text.index("Children's Services:")
    assert "0300 790 0126 В 0872 437 7303 ⊠CIW@gov.wales" in text


def test_rendering_is_deterministic() -> None:
    pytest.importorskip("fpdf")
    entry = CATALOGUE.get("ciw-2021-wrexham-monitoring-november")
    assert build_pdf(CATALOGUE, entry) == build_pdf(CATALOGUE, entry)


def test_font_fallback_still_renders_extractable_latin1() -> None:
    pytest.importorskip("fpdf")
    data = render_letter_pdf(
        "Care Inspectorate Wales\n\nDate: 03 August 2020\n\nCIW’s concerns – “quoted”.",
        title="t", created=datetime(2020, 8, 3, tzinfo=UTC), font_dir=FONT_DIR / "missing",
    )
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = norm(pdf.pages[0].extract_text())
    assert "CIW's concerns - \"quoted\"." in text
    assert to_latin1("0300 В ⊠CIW") == "0300 B [x]CIW"
