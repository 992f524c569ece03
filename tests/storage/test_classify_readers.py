"""storage.classify readers, through classify_document: what a sentence states, per service.

``CONTEXT`` makes a sentence a document that names one council and the regulator, so each row
tests the sentence itself.  Rows give (service, dimension, value) for the document's statuses;
restatements and confidence have their own tables.
"""

from __future__ import annotations

from datetime import date

import pytest

from storage.classify import CONFIDENCE, Classification, classify_document
from storage.status import (
    ADULTS,
    CHILDREN,
    CONCERN_LEVEL,
    INTERVENTION,
    INTERVENTION_REMOVED,
    JUDGEMENT,
    PEOPLE_SERVED,
    PROSPECTS,
    REVIEW_THRESHOLD,
    SCHEME_COP_2019,
    SCHEME_CSSIW_EVALUATION,
    SCHEME_JOINT_REVIEW,
    SCHEME_PART_8,
    SERIOUS_CONCERN,
    SIGNIFICANT_CONCERN,
    WARNING_NOTICE,
    WHOLE,
)

CONTEXT = (
    "Care Inspectorate Wales letter to Wrexham County Borough Council on its social services.\n\n"
)
WHEN = date(2021, 1, 4)
C, A, W = CHILDREN, ADULTS, WHOLE
SIG, SER = SIGNIFICANT_CONCERN, SERIOUS_CONCERN
IWEI = "inadequate with early indicators of improvement"


def classify(sentence: str, *, context: str = CONTEXT, when: date | None = WHEN,
             title: str | None = None) -> Classification:
    return classify_document(context + sentence, published=when, title=title)


def stated(result: Classification) -> list[tuple[str, str, str]]:
    return [(s, d, str(status.value(d))) for s, status in result.statuses.items()
            for d in status.stated]


def stated_of(sentence: str, **kwargs) -> list[tuple[str, str, str]]:
    return stated(classify(sentence, **kwargs))


def confidence_of(sentence: str, **kwargs) -> float:
    return classify(sentence, **kwargs).confidence


# --- concern level ------------------------------------------------------------------------

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
    ("CIW's concerns about children's services have escalated from serious to significant.",
     [(C, CONCERN_LEVEL, SIG)]),
    ("Although performance has not improved, CIW's concerns have escalated from serious to "
     "significant in relation to children's services.", [(C, CONCERN_LEVEL, SIG)]),
    # De-escalation.
    ("CIW's concerns have been reduced from significant to serious in relation to children's "
     "services.", [(C, CONCERN_LEVEL, SER)]),
    ("CIW has de-escalated its concerns from significant to serious in relation to "
     "children\u2019s services.", [(C, CONCERN_LEVEL, SER)]),
    ("CIW has escalated its concerns to significant in relation to adult services.",
     [(A, CONCERN_LEVEL, SIG)]),
    # Stated levels.
    ("CIW has serious concerns in relation to children's services.", [(C, CONCERN_LEVEL, SER)]),
    ("Care Inspectorate Wales has significant concerns about adult services in Wrexham.",
     [(A, CONCERN_LEVEL, SIG)]),
    ("The level of concern in relation to children's services is significant.",
     [(C, CONCERN_LEVEL, SIG)]),
    ("Our concerns about children's services remain at the level of significant concern.",
     [(C, CONCERN_LEVEL, SIG)]),
    ("CIW still has significant concerns in relation to children\u2019s services and "
     "adults\u2019 services.", [(C, CONCERN_LEVEL, SIG), (A, CONCERN_LEVEL, SIG)]),
    # Two clauses, two services: each level goes with its own clause's service.
    ("Our concerns about children's services have been escalated from serious to significant, "
     "and adult services remain at serious concern.",
     [(C, CONCERN_LEVEL, SIG), (A, CONCERN_LEVEL, SER)]),
    # Not attributable to a service: nothing stated.
    ("CIW's concerns have escalated from serious to significant.", []),
    ("CIW has serious concerns about the local authority.", []),
]

DESCRIPTIVE_TRAPS = [
    "The inspection noted that significant progress had been made in children's services.",
    "However, we believe that there remains significant benefits in identifying the areas of "
    "strength in children's services.",
    "A meeting was held to discuss significant failings in Wrexham children's services.",
    "The report found a significant number of serious concerns in children's services.",
    "The Minister said the report found a significant number of serious concerns about "
    "children's services.",
    "Workforce fragility in children's services remains a significant risk.",
    "A serious case review was commissioned by children's services.",
    "Children's services made significant improvements after serious incidents.",
    "CIW does not have serious concerns about adult services.",
    "CIW has no significant concerns about children's services.",
    "CIW's concerns have not escalated from serious to significant in relation to children's "
    "services.",
    "If CIW has serious concerns about children's services, it will say so.",
    "If concerns were to escalate from serious to significant in children's services, CIW "
    "would write to the council.",
    "CIW's concerns could be escalated from serious to significant in relation to children's "
    "services.",
    "CIW may escalate its concerns to significant in relation to children's services.",
    "Concerns about children's services were raised with CIW in February.",
    "The number of referrals to children's services increased from 400 to 650, a significant rise.",
    "There are serious concerns about the pace of change in children's services.",
]


@pytest.mark.parametrize(("sentence", "expected"), CONCERN_CASES)
def test_concern_level(sentence: str, expected: list[tuple]) -> None:
    assert stated_of(sentence) == expected


@pytest.mark.parametrize("sentence", DESCRIPTIVE_TRAPS)
def test_descriptive_wording_states_nothing(sentence: str) -> None:
    assert stated_of(sentence) == []


def test_we_is_the_regulator_only_in_the_regulators_own_text() -> None:
    sentence = "We have serious concerns in relation to children's services."
    ciw = ("Arolygiaeth Gofal Cymru (AGC)\nCare Inspectorate Wales (CIW)\n\nDear Director,\n\n"
           "This letter summarises the findings of our monitoring activity in Wrexham County "
           "Borough Council.\n\n")
    council = ("Councillor A Jones, Lead Member for Children's Services, says: \"Wrexham "
               "County Borough Council is listening to CIW.\"\n\n")
    assert stated_of(sentence, context=ciw) == [(C, CONCERN_LEVEL, SER)]
    assert stated_of(sentence, context=council) == []


def test_concern_level_needs_the_service_as_its_object() -> None:
    assert stated_of("CIW has significant concerns about the safety of one child known to "
                     "children's services.") == []
    assert stated_of("CIW has significant concerns about Wrexham's children's services.") == [
        (C, CONCERN_LEVEL, SIG)]


@pytest.mark.parametrize(
    "sentence",
    [
        "CIW previously had serious concerns about children's services.",
        # Simple past about a year before the document's own (a recap).
        "In May 2019 CIW's concerns escalated from serious to significant in relation to "
        "children's services.",
        "CIW's concerns had been escalated from serious to significant in relation to "
        "children's services.",
    ],
)
def test_concern_level_history_is_not_a_status(sentence: str) -> None:
    assert stated_of(sentence) == []


def test_concern_level_history_is_restated_when_a_new_level_is_given() -> None:
    text = ("In May 2019 CIW's concerns escalated from serious to significant in relation to "
            "children's services. CIW's concerns have now been reduced from significant to "
            "serious in relation to children's services.")
    status = classify(text).statuses[C]
    assert (status.concern_level, status.restated) == (SER, ((CONCERN_LEVEL, SIG),))


def test_concern_level_present_perfect_with_a_date_is_current() -> None:
    text = ("Since our improvement conference in May 2019, CIW's concerns have escalated from "
            "serious to significant in relation to children's services.")
    assert stated_of(text) == [(C, CONCERN_LEVEL, SIG)]


@pytest.mark.parametrize(
    ("sentence", "noted"),
    [
        ("CIW no longer has serious concerns in relation to children's services.",
         "no longer has serious concerns"),
        ("Children's services are no longer at the level of significant concern.",
         "no longer at the level of significant concern"),
    ],
)
def test_no_longer_states_no_level_but_is_noted(sentence: str, noted: str) -> None:
    """Below "serious" the vocabulary has no level, and "no longer significant" does not say
    which level follows: not recorded as a status, but named in the reasons for a person."""
    result = classify(sentence)
    assert result.statuses == {}
    assert any(noted in reason for reason in result.reasons)


# --- judgement ----------------------------------------------------------------------------

JUDGEMENT_CASES = [
    (f"Following the inspection, it is our judgement that children's services are {IWEI}.",
     [(C, JUDGEMENT, IWEI)]),
    (f"Taking into account all the evidence, it is our judgement that children's services in "
     f"Wrexham are {IWEI}.", [(C, JUDGEMENT, IWEI)]),
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
     "progress.", [(W, JUDGEMENT, "making progress")]),
    ("It is our judgement that services for children are improving.",
     [(C, JUDGEMENT, "improving")]),
    ("It is our judgment that children's services remains continuing to make improvements.",
     [(C, JUDGEMENT, "continuing to make improvements")]),
    ("Our judgement is that children's services are now continuing to make improvements.",
     [(C, JUDGEMENT, "continuing to make improvements")]),
    ("It is our judgement that, while there is more to do, children's services are improving.",
     [(C, JUDGEMENT, "improving")]),
    # The subject must be a service (or the council), not something about one.
    ("It is our judgement that progress in children's services is slow.", []),
    # Restatements without the formula are not this document's judgement.
    (f"Children's services were judged to be {IWEI}.", []),
    (f"In October 2020 we judged children's services to be {IWEI}.", []),
    (f"CIW's judgement was that children's services were {IWEI}.", []),
    # CIW's news reporting its own letter's conclusion (present tense) states it.
    ("The letter concludes that children's services are continuing to make improvements.",
     [(C, JUDGEMENT, "continuing to make improvements")]),
    (f"The report concluded that children's services were {IWEI}.", []),
]


@pytest.mark.parametrize(("sentence", "expected"), JUDGEMENT_CASES)
def test_judgement(sentence: str, expected: list[tuple]) -> None:
    assert stated_of(sentence) == expected


def test_judgement_on_the_local_authority_takes_the_service_from_the_heading() -> None:
    text = ("Children's services\n\nStatutory visits are late.\n\nOur judgement\n\nIt is our "
            "judgement that the local authority is continuing to make improvements.")
    result = classify(text)
    assert stated(result) == [(C, JUDGEMENT, "continuing to make improvements")]
    # "Our judgement" names no service: the nearest heading above that does decides.
    assert result.confidence == CONFIDENCE["context"]


def test_judgement_on_the_local_authority_takes_the_service_from_the_paragraph() -> None:
    text = ("In children's services, statutory visits are late, and it is our judgement that "
            "the local authority is continuing to make improvements.")
    assert stated_of(text) == [(C, JUDGEMENT, "continuing to make improvements")]
    assert confidence_of(text) == CONFIDENCE["context"]


def test_judgement_on_the_council_without_any_service_is_whole_and_needs_review() -> None:
    result = classify("It is our judgement that the council is making progress.",
                      context="CIW letter to Wrexham County Borough Council on its statutory "
                              "social services functions.\n\n")
    assert stated(result) == [(W, JUDGEMENT, "making progress")]
    assert result.confidence == CONFIDENCE["ambiguous"] < REVIEW_THRESHOLD


def test_judgement_new_one_is_the_status_and_the_restated_ones_are_kept_apart() -> None:
    """The Nov 2021 monitoring letter restates Oct 2020 and Apr 2021, then judges anew."""
    text = (f"In October 2020 we judged children's services to be {IWEI}. Our monitoring "
            "activity in April 2021 found that children's services were continuing to make "
            "improvements required.\n\nOur judgement\n\nTaking into account the evidence from "
            "this monitoring activity, it is our judgement that children's services are "
            "continuing to make improvements.")
    status = classify(text, when=date(2021, 12, 14)).statuses[C]
    assert status.judgement == "continuing to make improvements"
    assert status.restated == (
        (JUDGEMENT, IWEI), (JUDGEMENT, "continuing to make improvements required"))
    assert status.evidence.startswith("Taking into account the evidence")


def test_judgement_restated_only_gives_no_status_but_a_reason() -> None:
    result = classify(f"Following our inspection in October 2020, children's services were "
                      f"judged to be {IWEI}.")
    assert result.statuses == {}
    assert any("restates an earlier inspection only" in reason for reason in result.reasons)


def test_judgement_that_remains_the_same_is_not_listed_as_restated() -> None:
    text = (f"Children's services were judged to be {IWEI}. It is our judgement that "
            f"children's services remain {IWEI}.")
    status = classify(text).statuses[C]
    assert (status.judgement, status.restated) == (IWEI, ())


def test_judgement_phrase_longer_than_a_label_needs_review() -> None:
    text = ("It is our judgement that children's services are making progress in some areas of "
            "practice but not yet in others that matter a great deal to families here.")
    assert confidence_of(text) == CONFIDENCE["long_phrase"]


# --- intervention (Part 8) ----------------------------------------------------------------

POWYS = ("Written Statement: Powys County Council Children's Social Services\n\n"
         "Minister for Health and Social Services\n\n")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Today I have issued a Warning Notice to Powys County Council under Part 8 of the "
         "Social Services and Well-being (Wales) Act 2014 in relation to its children's social "
         "services.", [(C, INTERVENTION, WARNING_NOTICE)]),
        ("A Follow-Up Warning Notice was issued to the council today in respect of children's "
         "services.", [(C, INTERVENTION, WARNING_NOTICE)]),
        # The service comes from the title.
        ("I have today issued a Warning Notice to the council.", [(C, INTERVENTION,
                                                                   WARNING_NOTICE)]),
        ("I am pleased to confirm that the enhanced monitoring arrangements for children's "
         "services have been removed.", [(C, INTERVENTION, INTERVENTION_REMOVED)]),
        ("The council is no longer subject to enhanced monitoring in respect of children's "
         "services.", [(C, INTERVENTION, INTERVENTION_REMOVED)]),
        # Conditionals and negations are not interventions.
        ("If progress is not made, Welsh Ministers may issue a warning notice.", []),
        ("Welsh Ministers could issue a warning notice under Part 8.", []),
        ("The enhanced monitoring arrangements will not be removed until progress is shown.", []),
        ("There is no need to issue a warning notice at this time.", []),
        ("Ministers considered issuing a warning notice to the council.", []),
        ("The Welsh Government has the power to issue a warning notice under Part 8.", []),
        # A Minister's portfolio ("Health and Social Services") is not a service: the title's
        # children's social services are.
        ("The warning notice issued in 2017 has now been withdrawn.",
         [(C, INTERVENTION, INTERVENTION_REMOVED)]),
    ],
)
def test_intervention(sentence: str, expected: list[tuple]) -> None:
    assert stated_of(sentence, context=POWYS, when=date(2017, 10, 17)) == expected


def test_intervention_scheme_is_part_8_and_service_from_title_is_accepted() -> None:
    result = classify("I have today issued a Warning Notice to the council.", context=POWYS,
                      when=date(2017, 10, 17))
    status = result.statuses[C]
    assert (status.scheme, status.confidence) == (SCHEME_PART_8, CONFIDENCE["heading"])
    assert status.confidence >= REVIEW_THRESHOLD


def test_intervention_without_ministers_or_part_8_needs_review() -> None:
    result = classify("A warning notice was issued to Wrexham County Borough Council about "
                      "children's services.", context="CIW news.\n\n")
    assert stated(result) == [(C, INTERVENTION, WARNING_NOTICE)]
    assert result.confidence == CONFIDENCE["no_part_8"] < REVIEW_THRESHOLD


def test_intervention_removal_restates_the_earlier_warning_notice() -> None:
    text = ("A Warning Notice was issued to the council in October 2017 in respect of "
            "children's services. The enhanced monitoring arrangements for children's services "
            "have now been removed.")
    status = classify(text, context=POWYS, when=date(2020, 11, 2)).statuses[C]
    assert (status.intervention, status.restated) == (
        INTERVENTION_REMOVED, ((INTERVENTION, WARNING_NOTICE),))


def test_intervention_outranks_concern_as_evidence() -> None:
    text = ("CIW has serious concerns in relation to children's services. Today I have issued a "
            "Warning Notice in relation to children's services.")
    status = classify(text, context=POWYS, when=date(2017, 10, 17)).statuses[C]
    assert (status.intervention, status.concern_level) == (WARNING_NOTICE, SER)
    assert status.evidence.startswith("Today I have issued")
    assert status.scheme_by_field == {
        INTERVENTION: SCHEME_PART_8, CONCERN_LEVEL: SCHEME_CSSIW_EVALUATION}


# --- joint review -------------------------------------------------------------------------

JR = ("Joint review of Pembrokeshire County Council social services by SSIW and the Audit "
      "Commission.\n\n")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Social services are serving some people well, but have uncertain prospects for "
         "improvement.", [(W, PEOPLE_SERVED, "some"), (W, PROSPECTS, "uncertain")]),
        ("The council is serving most people well and has promising prospects for improvement.",
         [(W, PEOPLE_SERVED, "most"), (W, PROSPECTS, "promising")]),
        ("The review found the council is not serving people well, with poor prospects for "
         "improvement.", [(W, PEOPLE_SERVED, "not"), (W, PROSPECTS, "poor")]),
        ("The joint review concluded that prospects for improvement are currently 'uncertain'.",
         [(W, PROSPECTS, "uncertain")]),
        ("The council serves all people well; its prospects for improvement are excellent.",
         [(W, PEOPLE_SERVED, "all"), (W, PROSPECTS, "excellent")]),
        # Council paraphrase with a word off the scale: nothing.
        ("It noted that significant progress had been made with good prospects for continuing "
         "improvement.", []),
        ("The council is not serving all people well.", []),
    ],
)
def test_joint_review(sentence: str, expected: list[tuple]) -> None:
    assert stated_of(sentence, context=JR, when=None) == expected


def test_joint_review_scheme_and_confidence() -> None:
    result = classify("Social services are serving some people well.", context=JR, when=None)
    assert (result.statuses[W].scheme, result.confidence) == (SCHEME_JOINT_REVIEW, 1.0)


def test_joint_review_axes_outside_a_joint_review_need_review() -> None:
    result = classify("Wrexham Council's social services are serving some people well, CIW said.",
                      context="")
    assert stated(result) == [(W, PEOPLE_SERVED, "some")]
    assert result.confidence == CONFIDENCE["no_joint_review"] < REVIEW_THRESHOLD


# --- confidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "CIW's concerns have reportedly escalated from serious to significant in relation to "
        "children's services.",
        "It is understood that CIW has significant concerns in relation to children's services.",
        "CIW appears to have serious concerns in relation to children's services.",
        "CIW has significant concerns in relation to children's services, the BBC understands.",
    ],
)
def test_hedged_level_statement_needs_review(sentence: str) -> None:
    result = classify(sentence)
    assert [(s, d) for s, d, _ in stated(result)] == [(C, CONCERN_LEVEL)]
    assert result.confidence == CONFIDENCE["hedged"] < REVIEW_THRESHOLD


def test_service_from_the_heading_lowers_confidence_but_is_accepted() -> None:
    text = "Children's services\n\nCIW has serious concerns. Caseloads are high."
    result = classify(text)
    assert stated(result) == [(C, CONCERN_LEVEL, SER)]
    assert result.confidence == CONFIDENCE["context"] >= REVIEW_THRESHOLD


def test_conflicting_values_in_one_document_keep_the_last_for_review() -> None:
    recap = (
        "In 2020 CIW's concerns escalated from serious to significant in relation to children's "
        "services. In 2022 CIW's concerns were reduced from significant to serious in relation "
        "to children's services. It is our judgement that adult services are effective."
    )
    result = classify(recap, when=None)
    assert stated(result) == [(C, CONCERN_LEVEL, SER), (A, JUDGEMENT, "effective")]
    assert result.statuses[C].confidence == 0.5 < REVIEW_THRESHOLD
    assert result.statuses[A].confidence == 1.0
    assert result.confidence == 0.5
    assert any("conflicting values" in reason for reason in result.reasons)


def test_one_status_per_service_and_dimension_with_the_first_evidence() -> None:
    repeated = (
        "CIW's concerns have escalated from serious to significant in relation to children's "
        "services. CIW has significant concerns in relation to children's services."
    )
    status = classify(repeated).statuses[C]
    assert status.evidence.startswith("CIW's concerns have escalated")
    assert status.scheme == SCHEME_COP_2019
