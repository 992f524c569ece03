"""storage.classify.classify_document on whole documents: the five seeds, the replay site's
letters, a mirror without the council's name, the JSON shape and readings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from storage.classify import Classification, classify_document
from storage.classify.authority import ADDRESS_CONFIDENCE
from storage.status import (
    CHILDREN,
    CONCERN_LEVEL,
    JUDGEMENT,
    KIND_ANNUAL_LETTER,
    KIND_IMPROVEMENT_CHECK,
    KIND_INSPECTION_REPORT,
    KIND_MONITORING_LETTER,
    KIND_NEWS,
    PEOPLE_SERVED,
    PROSPECTS,
    SCHEME_COP_2019,
    SCHEME_JOINT_REVIEW,
    SIGNIFICANT_CONCERN,
    WHOLE,
    WREXHAM,
    Reading,
)

ROOT = Path(__file__).resolve().parents[2]
LETTERS = ROOT / "replay" / "content" / "letters"
SEED_001 = next((ROOT / "tests" / "fixtures" / "seeds").glob("001_*.txt"))
ESCALATION = ("During the last year, CIW's concerns have escalated from serious to significant in "
              "relation to children's services.")
IWEI = "inadequate with early indicators of improvement"


def facts(result: Classification) -> tuple:
    return (result.relevant, result.authority, result.authoritative, result.kind)


def stated(result: Classification) -> list[tuple[str, str, str]]:
    return [(s, d, str(status_.value(d))) for s, status_ in result.statuses.items()
            for d in status_.stated]


# --- the five seeds -----------------------------------------------------------------------


def test_seed_000_council_news_is_relevant_secondary_and_states_nothing(fixture_text) -> None:
    """Council paraphrase ("significant progress ... good prospects") is not a status."""
    result = classify_document(fixture_text("000"))
    assert facts(result) == (True, WREXHAM, False, KIND_NEWS)
    assert result.statuses == {}
    assert result.confidence == 1.0


def test_seed_001_blog_is_secondary_and_states_nothing() -> None:
    result = classify_document(SEED_001.read_text(encoding="utf-8"))
    assert facts(result) == (True, WREXHAM, False, KIND_NEWS)
    assert result.statuses == {}
    assert (result.dates.fieldwork_start, result.dates.fieldwork_end) == (
        date(2023, 10, 24), date(2023, 11, 2))


def test_seed_002_report_page_is_authoritative_with_no_formula(fixture_text) -> None:
    """The Oct 2020 report page summarises findings ("significant failings") but states no
    level and has no "it is our judgement that" sentence."""
    result = classify_document(fixture_text("002"))
    assert facts(result) == (True, WREXHAM, True, KIND_INSPECTION_REPORT)
    assert result.statuses == {}
    assert (result.dates.fieldwork_start, result.dates.fieldwork_end) == (
        date(2020, 10, 12), date(2020, 10, 23))


def test_seed_003_lgc_joint_review_is_secondary_but_states_the_two_axes(fixture_text) -> None:
    result = classify_document(fixture_text("003"))
    assert facts(result) == (True, WREXHAM, False, KIND_NEWS)
    assert stated(result) == [(WHOLE, PEOPLE_SERVED, "some"), (WHOLE, PROSPECTS, "uncertain")]
    whole = result.statuses[WHOLE]
    assert whole.scheme == SCHEME_JOINT_REVIEW
    assert whole.evidence.startswith("Wrexham social services are serving some people well")
    assert whole.evidence.endswith("Social Services Inspectorate for Wales.")  # not the teaser
    assert result.confidence == 1.0


def test_seed_004_annual_letter_escalation(fixture_text) -> None:
    result = classify_document(fixture_text("004"))
    assert facts(result) == (True, WREXHAM, True, KIND_ANNUAL_LETTER)
    assert stated(result) == [(CHILDREN, CONCERN_LEVEL, SIGNIFICANT_CONCERN)]
    children = result.statuses[CHILDREN]
    assert children.evidence == ESCALATION
    assert (children.scheme, children.confidence, children.restated) == (SCHEME_COP_2019, 1.0, ())
    assert result.dates.letter == date(2020, 8, 3)
    assert result.dates.fieldwork_start is None


# --- the replay site's letters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "authority", "kind", "expected", "restated"),
    [
        ("wrexham-annual-letter-2018-19.txt", WREXHAM, KIND_ANNUAL_LETTER,
         [(CHILDREN, CONCERN_LEVEL, "serious")], ()),
        ("wrexham-annual-letter-2019-20.txt", WREXHAM, KIND_ANNUAL_LETTER,
         [(CHILDREN, CONCERN_LEVEL, "significant")], ()),
        ("wrexham-inspection-report-2020.txt", WREXHAM, KIND_INSPECTION_REPORT,
         [(CHILDREN, JUDGEMENT, IWEI)], ()),
        ("wrexham-monitoring-letter-april-2021.txt", WREXHAM, KIND_MONITORING_LETTER,
         [(CHILDREN, JUDGEMENT, "continuing to make improvements required")],
         ((JUDGEMENT, IWEI),)),
        ("wrexham-monitoring-letter-november-2021.txt", WREXHAM, KIND_MONITORING_LETTER,
         [(CHILDREN, JUDGEMENT, "continuing to make improvements")],
         ((JUDGEMENT, IWEI), (JUDGEMENT, "continuing to make improvements required"))),
        # "remains a significant risk" is descriptive: no status (domain.md §1.3).
        ("wrexham-improvement-check-letter-2023.txt", WREXHAM, KIND_IMPROVEMENT_CHECK, [], ()),
        # Other councils' letters: "significant progress" is not a level.
        ("bridgend-annual-letter-2019-20.txt", "Bridgend", KIND_ANNUAL_LETTER, [], ()),
        ("flintshire-annual-letter-2019-20.txt", "Flintshire", KIND_ANNUAL_LETTER, [], ()),
    ],
)
def test_replay_letters(name, authority, kind, expected, restated) -> None:
    result = classify_document((LETTERS / name).read_text(encoding="utf-8"))
    assert facts(result) == (True, authority, True, kind)
    assert stated(result) == expected
    assert all(s.restated == restated for s in result.statuses.values())
    assert result.confidence == 1.0


# --- mirrors, Welsh names -----------------------------------------------------------------

MIRROR = (
    "Alwyn Jones\nDirector of Social Services\nCounty Borough Council\nThe Guildhall\nWrexham\n"
    "LL11 1AY\n\nDate: 03 August 2020\n\nDear Alwyn Jones,\n\nCare Inspectorate Wales (CIW) "
    "Local Authority Performance Review April 2019 - March 2020\n\nThis letter summarises our "
    "review of County Borough Council's performance in carrying out its statutory social "
    "services functions from April 2019 - March 2020.\n\nWell-being\n\n" + ESCALATION + "\n\n"
    "Yours sincerely,\n\nHead of Local Authority Inspection Team"
)


def test_mirror_without_the_council_name_falls_back_to_the_address() -> None:
    result = classify_document(MIRROR, url="https://docslib.org/doc/10009391/alwyn-jones")
    assert facts(result) == (True, WREXHAM, True, KIND_ANNUAL_LETTER)
    assert stated(result) == [(CHILDREN, CONCERN_LEVEL, SIGNIFICANT_CONCERN)]
    assert result.confidence == ADDRESS_CONFIDENCE
    assert any("postal address" in reason for reason in result.reasons)


def test_mirror_with_neither_name_nor_address_states_nothing() -> None:
    """Relevance is about one identifiable council: with no council there is nothing to say."""
    bare = MIRROR.replace("The Guildhall\nWrexham\nLL11 1AY\n", "")
    result = classify_document(bare)
    assert (result.relevant, result.authority, result.statuses) == (False, None, {})
    assert any("no single council" in reason for reason in result.reasons)


def test_welsh_council_name_and_masthead() -> None:
    text = ("Arolygiaeth Gofal Cymru (AGC)\n\nCyngor Sir Powys\n\nDate: 10 January 2019\n\n"
            "Dear Director,\n\nThis letter summarises the findings of our monitoring activity. "
            "CIW has serious concerns in relation to children's services.")
    result = classify_document(text)
    assert facts(result) == (True, "Powys", True, KIND_MONITORING_LETTER)
    assert stated(result) == [(CHILDREN, CONCERN_LEVEL, "serious")]
    assert result.statuses[CHILDREN].scheme == "cssiw_evaluation"


# --- traps as whole documents -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Our latest inspection of a care home for older people in Wrexham found that people "
         "receive excellent care. The care home's registered manager was praised.",
         "Inspection finds people living at a Wrexham care home receive excellent care"),
        ("Wrexham AFC came from behind to win; the manager said the significant result was a "
         "serious statement of intent.", "Match report"),
        ("Audit Wales says Wrexham County Borough Council faces an urgent call to address "
         "governance failures. The Auditor General found serious weaknesses in values and "
         "behaviours.", "Wrexham County Borough Council faces urgent call"),
    ],
)
def test_traps_are_not_relevant_and_state_nothing(text: str, title: str) -> None:
    result = classify_document(text, title=title)
    assert (result.relevant, result.statuses, result.readings(effective_date=None)) == (
        False, {}, [])


def test_national_review_is_about_no_single_council_so_not_relevant() -> None:
    text = ("We have today published our national review of care planning for children and "
            "young people subject to the Public Law Outline pre-proceedings across Wales. We "
            "looked at children's services in Conwy County Borough Council, Wrexham County "
            "Borough Council and Pembrokeshire County Council. CIW has serious concerns in "
            "relation to children's services in some areas.")
    result = classify_document(text, source_authoritative=True)
    assert (result.relevant, result.authority, result.statuses) == (False, None, {})
    assert (result.authoritative, result.kind) == (True, KIND_NEWS)


# --- JSON shape and readings --------------------------------------------------------------


def test_to_json_is_the_issue_shape(fixture_text) -> None:
    result = classify_document(fixture_text("004"),
                               published=date(2020, 8, 4))
    data = json.loads(json.dumps(result.to_json()))
    assert {k: data[k] for k in ("relevant", "authority", "authoritative", "kind")} == {
        "relevant": True, "authority": "Wrexham", "authoritative": True, "kind": "annual_letter"}
    assert data["dates"] == {"letter": "2020-08-03", "fieldwork_start": None,
                             "fieldwork_end": None, "published": "2020-08-04"}
    assert data["statuses"] == {
        "children": {
            "concern_level": "significant", "judgement": None, "intervention": None,
            "people_served": None, "prospects": None, "evidence": ESCALATION,
            "evidence_by_field": {"concern_level": ESCALATION}, "scheme": "cop_2019",
            "confidence": 1.0, "restated": [],
        }
    }
    assert data["confidence"] == 1.0 and data["reasons"]


def test_readings_one_per_stated_field_with_confidence() -> None:
    text = ("CIW letter to Wrexham County Borough Council.\n\nCIW has serious concerns in "
            "relation to children's services. It is our judgement that children's services are "
            "improving.\n\nAdult services\n\nIt is our judgement that the local authority is "
            "effective.")
    result = classify_document(text, published=date(2019, 7, 10))
    assert result.readings(effective_date=date(2019, 7, 8)) == [
        Reading(WREXHAM, CHILDREN, CONCERN_LEVEL, "serious", SCHEME_COP_2019,
                "CIW has serious concerns in relation to children's services.", date(2019, 7, 8)),
        Reading(WREXHAM, CHILDREN, JUDGEMENT, "improving", SCHEME_COP_2019,
                "It is our judgement that children's services are improving.", date(2019, 7, 8)),
        Reading(WREXHAM, "adults", JUDGEMENT, "effective", SCHEME_COP_2019,
                "It is our judgement that the local authority is effective.", date(2019, 7, 8),
                confidence=0.75),
    ]
    # Without an effective date, the document's own date speaks.
    assert {r.effective_date for r in result.readings()} == {date(2019, 7, 10)}


def test_readings_are_empty_without_an_authority(fixture_text) -> None:
    text = fixture_text("004").replace(
        "Wrexham County Borough Council", "the Council").replace("Wrexham", "the area")
    result = classify_document(text)
    assert result.authority is None and result.readings(effective_date=None) == []
