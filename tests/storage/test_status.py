"""status.py: authority, relevance, scheme, classify and detect_transition.  Pure: no database.

Most cases are tables of sentences.  ``CONTEXT`` makes a sentence a document that names
one council and the regulator, so each row tests the sentence itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from scrapers.base import Publication
from storage import status
from storage.status import (
    ADULTS,
    AUTHORITIES,
    CHILDREN,
    CONCERN_LEVEL,
    JUDGEMENT,
    SCHEME_COP_2019,
    SCHEME_COP_2023,
    SCHEME_CSSIW_EVALUATION,
    SCHEME_JOINT_REVIEW,
    SERIOUS_CONCERN,
    SIGNIFICANT_CONCERN,
    WHOLE,
    WREXHAM,
    Reading,
    StatusRow,
    Transition,
    classify,
    detect_authority,
    detect_transition,
    is_relevant,
    scheme_for,
)

CONTEXT = (
    "Care Inspectorate Wales letter to Wrexham County Borough Council on its social services.\n\n"
)
NOW = datetime(2021, 1, 5, 12, 0, tzinfo=UTC)


def readings_of(sentence: str, effective_date: date | None = date(2021, 1, 4)) -> list[tuple]:
    return [
        (r.service, r.dimension, r.value)
        for r in classify(CONTEXT + sentence, effective_date=effective_date)
    ]


# --- detect_authority ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "name"),
    [(form, authority.name) for authority in AUTHORITIES for form in authority.forms],
)
def test_detect_authority_every_name_form(form: str, name: str) -> None:
    assert detect_authority(f"A letter to {form} about its social services.") == name


def test_authorities_are_the_22_welsh_councils() -> None:
    assert len(AUTHORITIES) == 22
    assert len({a.name for a in AUTHORITIES}) == len({a.title for a in AUTHORITIES}) == 22
    assert WREXHAM == "Wrexham"
    (wrexham,) = [a for a in AUTHORITIES if a.name == WREXHAM]
    assert wrexham.title == "Wrexham County Borough Council"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cyngor Bwrdeistref Sirol Wrecsam", WREXHAM),
        ("WREXHAM COUNTY BOROUGH COUNCIL", WREXHAM),
        ("social services in Wrexham\nCounty Borough Council within 12 months", WREXHAM),
        ("Wrexham County Borough Council, Wrexham Council and Flintshire County Council", WREXHAM),
        ("Isle of Anglesey County Council", "Isle of Anglesey"),
        # Two councils named equally often: no single subject.
        ("Wrexham Council and Flintshire County Council", None),
        # A national report naming many councils is about none of them.
        ("Powys County Council, Cardiff Council, Wrexham Council, Wrexham Council", None),
        # Place names alone name towns, clubs and hospitals, not councils.
        ("Wrexham AFC won at the Racecourse; Wrexham Maelor Hospital was busy.", None),
        ("", None),
    ],
)
def test_detect_authority(text: str, expected: str | None) -> None:
    assert detect_authority(text) == expected


def test_detect_authority_minimum_mentions() -> None:
    assert detect_authority("Wrexham Council", min_mentions=2) is None
    assert detect_authority("Wrexham Council and Wrexham CBC", min_mentions=2) == WREXHAM


# --- is_relevant --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CIW's concerns about Wrexham children's services have escalated.", True),
        ("Care Inspectorate Wales publishes its evaluation of adult social care.", True),
        ("Report of Children's Services Risk Based Inspection and Adults Services "
         "Performance Evaluation Inspection", True),
        ("The joint review found Wrexham social services serving some people well.", True),
        ("Wrexham AFC were promoted after a significant win.", False),
        ("Healthcare Inspectorate Wales found serious concerns at Wrexham Maelor Hospital.", False),
        ("Audit Wales found serious governance failures at Wrexham County Borough Council.", False),
        ("Wrexham's social services department opened a new office.", False),
        ("Care Inspectorate Wales rated Plas Gwyn care home Good for well-being. The care home's "
         "registered provider and responsible individual were praised; the care home works "
         "with social services.", False),
    ],
)
def test_is_relevant(text: str, expected: bool) -> None:
    assert is_relevant(text) is expected


# --- scheme_for ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "scheme"),
    [
        (None, SCHEME_COP_2019),
        (date(2003, 6, 1), SCHEME_JOINT_REVIEW),
        (date(2009, 3, 31), SCHEME_JOINT_REVIEW),
        (date(2009, 4, 1), SCHEME_CSSIW_EVALUATION),
        (date(2019, 3, 31), SCHEME_CSSIW_EVALUATION),
        (date(2019, 4, 1), SCHEME_COP_2019),
        (date(2020, 8, 3), SCHEME_COP_2019),
        (date(2023, 5, 3), SCHEME_COP_2019),
        (date(2023, 5, 4), SCHEME_COP_2023),
        (date(2024, 1, 10), SCHEME_COP_2023),
    ],
)
def test_scheme_for(when: date | None, scheme: str) -> None:
    assert scheme_for(when) == scheme


# --- classify: concern levels -------------------------------------------------------------

C, A = CHILDREN, ADULTS
SIG, SER = SIGNIFICANT_CONCERN, SERIOUS_CONCERN

CONCERN_CASES = [
    # Escalation wording (seed 004, 3 Aug 2020 letter).
    ("During the last year, CIW's concerns have escalated from serious to significant in "
     "relation to children's services.", [(C, CONCERN_LEVEL, SIG)]),
    ("CIW\u2019s concerns have escalated from serious to significant in relation to "
     "children\u2019s services.", [(C, CONCERN_LEVEL, SIG)]),
    ("In relation to children's services, CIW's concerns have escalated from serious to "
     "significant.", [(C, CONCERN_LEVEL, SIG)]),
    ("CIW's concerns have escalated from serious to significant in relation to children's "
     "services, while adult services remain stable.", [(C, CONCERN_LEVEL, SIG)]),
    ("In May 2019 CIW's concerns escalated from serious to significant in relation to "
     "children's services.", [(C, CONCERN_LEVEL, SIG)]),
    # De-escalation.
    ("CIW's concerns have been reduced from significant to serious in relation to children's "
     "services.", [(C, CONCERN_LEVEL, SER)]),
    ("CIW has de-escalated its concerns from significant to serious in relation to "
     "children\u2019s services.", [(C, CONCERN_LEVEL, SER)]),
    # Stated levels.
    ("CIW has serious concerns in relation to children's services.", [(C, CONCERN_LEVEL, SER)]),
    ("Care Inspectorate Wales has significant concerns about adult services in Wrexham.",
     [(A, CONCERN_LEVEL, SIG)]),
    ("The level of concern in relation to children's services is significant.",
     [(C, CONCERN_LEVEL, SIG)]),
    ("CIW still has significant concerns in relation to children\u2019s services and "
     "adults\u2019 services.", [(C, CONCERN_LEVEL, SIG), (A, CONCERN_LEVEL, SIG)]),
    # Not attributable to a service: skipped.
    ("CIW's concerns have escalated from serious to significant.", []),
    ("CIW has serious concerns about the local authority.", []),
]

DESCRIPTIVE_TRAPS = [
    "The inspection noted that significant progress had been made in children's services.",
    "However, we believe that there remains significant benefits in identifying the areas of "
    "strength in children's services.",
    "A meeting was held to discuss significant failings in Wrexham children's services.",
    "The report found a significant number of serious concerns in children's services.",
    "Workforce fragility in children's services remains a significant risk.",
    "A serious case review was commissioned by children's services.",
    "Children's services made significant improvements after serious incidents.",
    "CIW does not have serious concerns about adult services.",
    "CIW has no significant concerns about children's services.",
    "CIW previously had serious concerns about children's services.",
    "CIW's concerns have not escalated from serious to significant in relation to children's "
    "services.",
    "If CIW has serious concerns about children's services, it will say so.",
    "Concerns about children's services were raised with CIW in February.",
    "The number of referrals to children's services increased from 400 to 650, a significant rise.",
]


@pytest.mark.parametrize(("sentence", "expected"), CONCERN_CASES)
def test_classify_concern_level(sentence: str, expected: list[tuple]) -> None:
    assert readings_of(sentence) == expected


@pytest.mark.parametrize("sentence", DESCRIPTIVE_TRAPS)
def test_classify_descriptive_wording_is_not_a_level(sentence: str) -> None:
    assert readings_of(sentence) == []


# --- classify: judgements -----------------------------------------------------------------

IWEI = "inadequate with early indicators of improvement"

JUDGEMENT_CASES = [
    (f"Following the inspection, it is our judgement that children's services are {IWEI}.",
     [(C, JUDGEMENT, IWEI)]),
    ("It is our judgement that Wrexham's children's services are continuing to make "
     "improvements required; however, more is needed.",
     [(C, JUDGEMENT, "continuing to make improvements required")]),
    (f"It is our judgement that children\u2019s services remain \u2018{IWEI}\u2019, meaning that "
     "services are consistently failing to meet statutory duties.", [(C, JUDGEMENT, IWEI)]),
    ("It is our judgement that adult services are effective, and that safeguarding is good.",
     [(A, JUDGEMENT, "effective")]),
    ("It is our judgement that children's and adults' services are improving.",
     [(C, JUDGEMENT, "improving"), (A, JUDGEMENT, "improving")]),
    ("It is our judgement that Wrexham County Borough Council social services are making "
     "progress.", [(WHOLE, JUDGEMENT, "making progress")]),
    ("It is our judgement that services for children are improving.",
     [(C, JUDGEMENT, "improving")]),
    ("It is our judgment that children's services remains continuing to make improvements.",
     [(C, JUDGEMENT, "continuing to make improvements")]),
    # The subject must be a service, not something about one.
    ("It is our judgement that progress in children's services is slow.", []),
    # v1: a judgement on "the local authority" is not attributed to a service.
    ("It is our judgement that the local authority is continuing to make improvements.", []),
    # Restatements without the formula are not judgements.
    (f"Children's services were judged to be {IWEI}.", []),
    (f"In October 2020 we judged children's services to be {IWEI}.", []),
    (f"CIW's judgement was that children's services were {IWEI}.", []),
]


@pytest.mark.parametrize(("sentence", "expected"), JUDGEMENT_CASES)
def test_classify_judgement(sentence: str, expected: list[tuple]) -> None:
    assert readings_of(sentence) == expected


def test_classify_evidence_is_the_verbatim_sentence() -> None:
    text = (
        CONTEXT
        + "Well-being\n\nDuring the last year, CIW\u2019s concerns have escalated from serious to\n"
        "significant in relation to children\u2019s   services. Performance has declined."
    )
    (reading,) = classify(text, effective_date=date(2020, 8, 3))
    assert reading.evidence == (
        "During the last year, CIW\u2019s concerns have escalated from serious to significant in "
        "relation to children\u2019s services."
    )
    assert (reading.authority, reading.scheme, reading.effective_date) == (
        WREXHAM, SCHEME_COP_2019, date(2020, 8, 3)
    )


def test_classify_one_reading_per_service_and_dimension() -> None:
    repeated = (
        "CIW's concerns have escalated from serious to significant in relation to children's "
        "services. CIW has significant concerns in relation to children's services."
    )
    (reading,) = classify(CONTEXT + repeated, effective_date=None)
    assert reading.evidence.startswith("CIW's concerns have escalated")


def test_classify_conflicting_statements_in_one_document_are_dropped() -> None:
    recap = (
        "In 2020 CIW's concerns escalated from serious to significant in relation to children's "
        "services. In 2022 CIW's concerns were reduced from significant to serious in relation "
        "to children's services. It is our judgement that adult services are effective."
    )
    assert [(r.service, r.value) for r in classify(CONTEXT + recap, effective_date=None)] == [
        (ADULTS, "effective")
    ]


def test_classify_needs_an_authority_and_relevance() -> None:
    sentence = (
        "CIW's concerns have escalated from serious to significant in relation to children's "
        "services."
    )
    assert classify(sentence, effective_date=None) == []  # no council named
    football = "Wrexham County Borough Council said the club's concerns have escalated."
    assert classify(football, effective_date=None) == []


def test_classify_scheme_follows_the_effective_date() -> None:
    sentence = "It is our judgement that children's services are improving."
    (reading,) = classify(CONTEXT + sentence, effective_date=date(2024, 1, 10))
    assert reading.scheme == SCHEME_COP_2023


# --- classify: the real documents ---------------------------------------------------------


def test_classify_seed_004_annual_letter_escalation(fixture_text) -> None:
    """CIW's 3 Aug 2020 letter: children's services escalated to significant concern."""
    text = fixture_text("seed_004_ciw_annual_letter_2020.txt")
    assert detect_authority(text) == WREXHAM
    assert is_relevant(text)
    (reading,) = classify(text, effective_date=date(2020, 8, 3))
    assert (reading.service, reading.dimension, reading.value) == (
        CHILDREN, CONCERN_LEVEL, SIGNIFICANT_CONCERN
    )
    assert reading.evidence == (
        "During the last year, CIW's concerns have escalated from serious to significant in "
        "relation to children's services."
    )


def test_classify_seed_002_report_page_has_no_formula(fixture_text) -> None:
    """The Oct 2020 report page summarises findings ("significant failings") but states no
    level and has no "it is our judgement that" sentence."""
    text = fixture_text("seed_002_ciw_report_page_2020.txt")
    assert detect_authority(text) == WREXHAM
    assert is_relevant(text)
    assert classify(text, effective_date=None) == []


def test_classify_seed_000_council_news_has_no_escalation_wording(fixture_text) -> None:
    """Council paraphrase ("significant progress") is not a level; classify does not care
    that the source is council news (the pipeline decides what may move the status)."""
    text = fixture_text("seed_000_council_news_2021.txt")
    assert is_relevant(text)
    assert classify(text, effective_date=date(2021, 2, 1)) == []


def test_classify_seed_003_joint_review_not_read_in_v1(fixture_text) -> None:
    """Joint reviews grade on two axes ("serving some people well", "uncertain prospects");
    v1 has no reader for that scheme, so it returns nothing rather than a guess."""
    text = fixture_text("seed_003_lgc_joint_review.txt")
    assert detect_authority(text) == WREXHAM
    assert classify(text, effective_date=date(2003, 6, 1)) == []


# --- detect_transition --------------------------------------------------------------------

LETTER = Publication(
    source="ciw_la_reports",
    url="https://careinspectorate.wales/local-authority-monitoring-activity-letter-wrexham",
    kind="letter",
    title="Local authority monitoring activity letter: Wrexham County Borough Council",
    text="",
    published=date(2021, 6, 1),
    letter_date=date(2021, 5, 20),
    fieldwork_start=date(2021, 4, 26),
    fieldwork_end=date(2021, 4, 29),
)


def reading(value: str, when: date | None, dimension: str = CONCERN_LEVEL) -> Reading:
    return Reading(WREXHAM, CHILDREN, dimension, value, SCHEME_COP_2019, f"{value}.", when)


def current(value: str, when: date | None, dimension: str = CONCERN_LEVEL) -> StatusRow:
    return StatusRow(
        authority=WREXHAM, service=CHILDREN, dimension=dimension, value=value,
        scheme=SCHEME_COP_2019, evidence=f"{value}.", effective_date=when,
        url="https://careinspectorate.wales/earlier", title="Earlier letter", kind="letter",
        source="ciw_la_reports", observed_at=NOW,
    )


def detect(cur: StatusRow | None, new: Reading, publication: Publication = LETTER):
    return detect_transition(cur, new, publication=publication, now=NOW)


SER_2019 = current(SERIOUS_CONCERN, date(2019, 5, 3))
SIG_2020 = current(SIGNIFICANT_CONCERN, date(2020, 8, 3))


@pytest.mark.parametrize(
    ("cur", "new", "changes"),
    [
        # First reading ever: a change from nothing.
        (None, reading(SERIOUS_CONCERN, date(2019, 5, 3)), True),
        # Escalation and de-escalation.
        (SER_2019, reading(SIGNIFICANT_CONCERN, date(2020, 8, 3)), True),
        (SIG_2020, reading(SERIOUS_CONCERN, date(2022, 9, 1)), True),
        # Restatement (also when written differently): never alert twice.
        (SIG_2020, reading(SIGNIFICANT_CONCERN, date(2021, 5, 20)), False),
        (current(IWEI, date(2021, 1, 1), JUDGEMENT),
         reading(f"  Inadequate  {IWEI[11:]}", date(2021, 5, 20), JUDGEMENT), False),
        (current("children\u2019s services improving", date(2021, 1, 1), JUDGEMENT),
         reading("children's services improving", date(2021, 5, 20), JUDGEMENT), False),
        # An older document (backfill) never alerts as a change...
        (SIG_2020, reading(SERIOUS_CONCERN, date(2019, 5, 3)), False),
        # ...nor does an undated one against a dated status.
        (SIG_2020, reading(SERIOUS_CONCERN, None), False),
        # A same-day statement, or a dated one over an undated status, does.
        (SIG_2020, reading(SERIOUS_CONCERN, date(2020, 8, 3)), True),
        (current(SIGNIFICANT_CONCERN, None), reading(SERIOUS_CONCERN, date(2020, 8, 3)), True),
    ],
)
def test_detect_transition_cases(cur: StatusRow | None, new: Reading, changes: bool) -> None:
    assert (detect(cur, new) is not None) is changes


def test_detect_transition_fields() -> None:
    old = current(SERIOUS_CONCERN, date(2019, 5, 3))
    new = reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))
    transition = detect(old, new)
    assert transition == Transition(
        key=transition.key,
        authority=WREXHAM, service=CHILDREN, dimension=CONCERN_LEVEL,
        old=SERIOUS_CONCERN, new=SIGNIFICANT_CONCERN, scheme=SCHEME_COP_2019,
        evidence="significant.", source="ciw_la_reports", kind="letter", title=LETTER.title,
        url=LETTER.url, published=date(2021, 6, 1), letter_date=date(2021, 5, 20),
        fieldwork_start=date(2021, 4, 26), fieldwork_end=date(2021, 4, 29),
        old_stated=date(2019, 5, 3), old_url="https://careinspectorate.wales/earlier",
        detected_at=NOW,
    )
    assert Transition.from_dict(transition.to_dict()) == transition


def test_detect_transition_first_reading_has_no_old() -> None:
    transition = detect(None, reading(SERIOUS_CONCERN, date(2019, 5, 3)))
    assert (transition.old, transition.old_stated, transition.old_url) == (None, None, None)


def test_transition_key_is_deterministic_and_specific() -> None:
    old = current(SERIOUS_CONCERN, date(2019, 5, 3))
    new = reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))
    key = detect(old, new).key
    assert key.startswith("cw_") and len(key) == 35
    int(key[3:], 16)
    # Same change from the same document, detected again later: same key.
    assert detect_transition(old, new, publication=LETTER, now=datetime.now(UTC)).key == key
    # Any other document, old value or new value: another key.
    assert detect(old, new, replace(LETTER, url=LETTER.url + "-2021")).key != key
    assert detect(None, new).key != key
    assert detect(current("other", date(2019, 5, 3)), new).key != key
    assert key == status.transition_key(
        WREXHAM, CHILDREN, CONCERN_LEVEL, SERIOUS_CONCERN, SIGNIFICANT_CONCERN, LETTER.url
    )


def test_detect_transition_accepts_a_stored_row() -> None:
    """The flow passes a ``models.Publication`` row; anything with the fields will do."""
    from storage.models import Publication as Row

    row = Row(
        source=LETTER.source, url=LETTER.url, kind=LETTER.kind, title=LETTER.title,
        published=LETTER.published, letter_date=LETTER.letter_date,
        fieldwork_start=None, fieldwork_end=None,
    )
    transition = detect_transition(None, reading("serious", None), publication=row, now=NOW)
    assert (transition.url, transition.fieldwork_start) == (LETTER.url, None)


def test_sentences_keep_pdf_headings_out_of_evidence():
    """Regression (issue 3 demo): PDF text has no blank line between a heading and its
    paragraph, so the heading used to be quoted as part of the evidence sentence."""
    text = (
        "accurate reflection of our ongoing findings which we have consistently shared with the\n"
        "local authority.\n"
        "Summary of strengths and areas for improvement in line with principles of the\n"
        "2014 Act\n"
        "Well-being\n"
        "During the last year, CIW's concerns have escalated from serious to significant "
        "in relation\n"
        "to children's services. Wrexham County Borough Council's performance information over\n"
        "the last year has indicated that key areas of performance have declined.\n"
    )
    assert status.sentences(text)[3] == (
        "During the last year, CIW's concerns have escalated from serious to significant in "
        "relation to children's services."
    )
    [reading] = status.classify(text + "Wrexham County Borough Council social services. CIW",
                                effective_date=None)
    assert reading.evidence.startswith("During the last year, CIW's concerns")
