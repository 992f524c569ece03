"""storage.classify: the document-level facts -- authority, relevance, voice, kind, dates and
scheme.  Pure; each table row is one case, including the traps of domain.md §6."""

from __future__ import annotations

from datetime import date

import pytest

from storage.classify import (
    AUTHORITIES,
    assess_voice,
    detect_authority,
    document_dates,
    document_kind,
    document_scheme,
    find_authority,
    is_national,
    is_relevant,
    scheme_for,
)
from storage.classify.authority import ADDRESS_CONFIDENCE, HOST_CONFIDENCE, PLACE_CONFIDENCE
from storage.status import (
    KIND_ANNUAL_LETTER,
    KIND_IMPROVEMENT_CHECK,
    KIND_INSPECTION_REPORT,
    KIND_JOINT_REVIEW,
    KIND_MONITORING_LETTER,
    KIND_NEWS,
    KIND_OTHER,
    KIND_WARNING_NOTICE,
    REVIEW_THRESHOLD,
    SCHEME_COP_2019,
    SCHEME_COP_2023,
    SCHEME_CSSIW_EVALUATION,
    SCHEME_JOINT_REVIEW,
    WREXHAM,
)

# --- authority ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "name"),
    [(form, authority.name) for authority in AUTHORITIES for form in authority.forms],
)
def test_detect_authority_every_name_form(form: str, name: str) -> None:
    assert detect_authority(f"A letter to {form} about its social services.") == name


def test_authorities_are_the_22_welsh_councils() -> None:
    assert len(AUTHORITIES) == 22
    assert len({a.name for a in AUTHORITIES}) == len({a.title for a in AUTHORITIES}) == 22
    assert all(a.domains and a.places for a in AUTHORITIES)
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
        ("Cyngor Sir Powys", "Powys"),
        ("Pembrokeshire County Council and Cyngor Sir Penfro", "Pembrokeshire"),
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


MIRROR_LETTER = (
    "Alwyn Jones\nDirector of Social Services\nCounty Borough Council\nThe Guildhall\nWrexham\n"
    "LL11 1AY\n\nDate: 03 August 2020\n\nDear Alwyn Jones,\n\nThis letter summarises our review "
    "of County Borough Council's performance in carrying out its statutory social services "
    "functions.\n\nArolygiaeth Gofal Cymru (AGC) Sarn Mynach Cyffordd Llandudno LL31 9RZ"
)


@pytest.mark.parametrize(
    ("text", "title", "url", "name", "confidence"),
    [
        ("Letter to Powys County Council.", None, None, "Powys", 1.0),
        # The title names the council even when the text does not.
        ("This letter summarises our review.", "Local authority monitoring activity letter: "
         "Pembrokeshire County Council", None, "Pembrokeshire", 1.0),
        # A mirror that stripped the council's name: the postal address says Wrexham (and
        # CIW's own Llandudno Junction address names no council).
        (MIRROR_LETTER, None, None, WREXHAM, ADDRESS_CONFIDENCE),
        # Only bare place names, beside a council cue: below the review threshold.
        ("The council's children's services in Wrexham were inspected. Wrexham's social workers "
         "were praised.", None, None, WREXHAM, PLACE_CONFIDENCE),
        # One bare mention is not enough, nor are place names without a council cue.
        ("The council's services in Wrexham were inspected.", None, None, None, 1.0),
        ("Wrexham's social workers and Wrexham's carers.", None, None, None, 1.0),
        # The council's own site: "our children's services" is that council's.
        ("CIW's concerns about our children's services have escalated.", None,
         "https://news.wrexham.gov.uk/how-were-addressing-concerns/", WREXHAM, HOST_CONFIDENCE),
        ("Our social services annual report.", None,
         "https://moderngov.powys.gov.uk/documents/s1.pdf", "Powys", HOST_CONFIDENCE),
        # A national review names councils but is about none of them.
        ("Our national review of pre-proceedings practice looked at Conwy County Borough "
         "Council and Wrexham County Borough Council.", None, None, None, 1.0),
        ("During the year we carried out improvement checks in several areas, including "
         "Bridgend, Wrexham, Conwy and Pembrokeshire.", None, None, None, 1.0),
    ],
)
def test_find_authority(text, title, url, name, confidence) -> None:
    found = find_authority(text, title, url)
    assert (found.name, found.confidence) == (name, confidence), found.reason


def test_place_name_fallback_needs_review_and_address_does_not() -> None:
    assert PLACE_CONFIDENCE < REVIEW_THRESHOLD <= ADDRESS_CONFIDENCE < HOST_CONFIDENCE < 1.0


def test_is_national() -> None:
    assert is_national("CIW and HIW today publish their joint thematic review of community "
                       "mental health teams across Wales.")
    assert is_national("Body text.", title="Chief Inspector's annual report 2023-24")
    assert not is_national(MIRROR_LETTER)


# --- relevance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CIW's concerns about Wrexham children's services have escalated.", True),
        ("Care Inspectorate Wales publishes its evaluation of adult social care.", True),
        ("Report of Children's Services Risk Based Inspection and Adults Services "
         "Performance Evaluation Inspection", True),
        ("The joint review found Wrexham social services serving some people well.", True),
        ("The Deputy Minister issued a Warning Notice to Powys County Council about its "
         "children's social services under Part 8.", True),
        ("We have today published our annual performance review letter for Bridgend County "
         "Borough Council.", True),
        # Traps.
        ("Wrexham AFC were promoted after a significant win.", False),
        ("A serious incident closed the road near the Racecourse; bins will be collected "
         "late.", False),
        ("Healthcare Inspectorate Wales found serious concerns at Wrexham Maelor Hospital.", False),
        ("Healthcare Inspectorate Wales found significant delays at Wrexham Maelor Hospital's "
         "emergency department. HIW said the health board must act; discharge to social "
         "services was slow. The hospital's wards were crowded, HIW found.", False),
        ("Audit Wales found serious governance failures at Wrexham County Borough Council.", False),
        ("Audit Wales's values and behaviours review of Wrexham County Borough Council found "
         "governance failures. The Auditor General said governance must improve, including in "
         "social services. Audit Wales will follow up.", False),
        ("Wrexham's social services department opened a new office.", False),
        ("Care Inspectorate Wales rated Plas Gwyn care home Good for well-being. The care home's "
         "registered provider and responsible individual were praised; the care home works "
         "with social services.", False),
        ("CIW inspected the council's domiciliary support service; the domiciliary support "
         "service's service ratings were Good. The registered manager thanked adult social "
         "care staff.", False),
        ("HMP Berwyn prison was inspected; prisoners' social care is provided by Wrexham "
         "social services, and the prison's healthcare by the health board. Prison "
         "inspectors and CIW reported.", False),
    ],
)
def test_is_relevant(text: str, expected: bool) -> None:
    assert is_relevant(text) is expected


def test_is_relevant_counts_the_regulators_own_voice() -> None:
    text = "We have published a letter on the local authority's social services."
    assert not is_relevant(text)
    assert is_relevant(text, regulator_voice=True)


# --- voice: authoritative or secondary ----------------------------------------------------

CIW_LETTER = (
    "Arolygiaeth Gofal Cymru (AGC)\nCare Inspectorate Wales (CIW)\n\nDirector of Social Services\n"
    "Powys County Council\n\nDear Director,\n\nThis letter summarises the findings of our "
    "monitoring activity.\n\nYours sincerely,\n\nHead of Local Authority Inspection Team\n"
    "Care Inspectorate Wales"
)
WG_STATEMENT = (
    "Written Statement: Powys County Council Children's Social Services\n\nFirst published: "
    "17 October 2017\n\nRebecca Evans, Minister for Social Services and Public Health\n\n"
    "I have today issued a Warning Notice to Powys County Council."
)
COMMITTEE_PAPER = (
    "Report to Scrutiny Committee\nLead Member for Children's Services: Councillor A Jones\n\n"
    "The CIW letter is attached.\n\n" + CIW_LETTER
)


@pytest.mark.parametrize(
    ("text", "hint", "url", "authoritative"),
    [
        (CIW_LETTER, None, None, True),
        (WG_STATEMENT, None, None, True),
        # A CIW letter attached to a council committee paper is still CIW's letter.
        (COMMITTEE_PAPER, False, None, True),
        # The text wins over the hint when it is clear.
        (CIW_LETTER, False, None, True),
        ("Posted: Tue 4th Aug 2020\n\nInspectors raise significant concerns. It is our "
         "judgement that, CIW said, things must change.", True, None, False),
        ("Councillor Andrew Atkinson, Lead Member for Children's Services, says: \"Good.\"",
         True, None, False),
        ("Wrexham social services are serving some people well, according to an independent "
         "report published today by the Audit Commission in Wales.", None, None, False),
        ("The following is an article that appeared on Wrexham.com.\n\nShare this:\nFacebook",
         None, None, False),
        ("The Director of Social Services' annual report is our own assessment of our "
         "performance.", None, None, False),
        ("This Local Democracy Reporting Service story recaps CIW's findings.", None, None, False),
        # Unclear text: the hint decides, then the host, then the weak cues.
        ("An inspection took place.", False, None, False),
        ("An inspection took place.", True, None, True),
        ("An inspection took place.", None, "https://www.careinspectorate.wales/x", True),
        ("An inspection took place.", None, "https://news.wrexham.gov.uk/x/", False),
        ("An inspection took place.", None, "https://docslib.org/doc/1", False),
    ],
)
def test_assess_voice(text, hint, url, authoritative) -> None:
    voice = assess_voice(text, url=url, hint=hint)
    assert voice.authoritative is authoritative, voice.reason


# --- kind ---------------------------------------------------------------------------------


def test_document_kind_of_a_report_not_about_a_council_is_other() -> None:
    """A care-home or hospital inspection report is none of the local-authority kinds."""
    text = "Inspection Report on Maes y Dderwen Care Home\n\nRatings\n\nWell-being: Good"
    assert document_kind(text, None, authoritative=True, relevant=False) == KIND_OTHER
    assert document_kind(text, None, authoritative=True) == KIND_INSPECTION_REPORT


@pytest.mark.parametrize(
    ("text", "title", "authoritative", "kind"),
    [
        ("body", "Local Authority Performance Review April 2019 - March 2020: Wrexham County "
         "Borough Council", True, KIND_ANNUAL_LETTER),
        ("body", "Local authority monitoring activity letter: Wrexham County Borough Council",
         True, KIND_MONITORING_LETTER),
        ("The improvement check followed up our full inspection.", "Local authority "
         "improvement check letter: Wrexham County Borough Council adult and children's "
         "services", True, KIND_IMPROVEMENT_CHECK),
        ("This report summarises the findings of our inspections.", "Report of Children's "
         "Services Risk Based Inspection: Wrexham County Borough Council", True,
         KIND_INSPECTION_REPORT),
        # Seen in a lead, not a title; "early intervention" is not Ministerial intervention.
        ("Report of Children's Services Risk Based Inspection\nWe found early intervention "
         "works.", None, True, KIND_INSPECTION_REPORT),
        ("This letter summarises our review of Bridgend County Borough Council's performance "
         "in carrying out its statutory social services functions.", None, True,
         KIND_ANNUAL_LETTER),
        ("I have today issued a Warning Notice.", "Written Statement: Powys County Council "
         "Children's Social Services - Publication of Warning Notice", True, KIND_WARNING_NOTICE),
        ("The enhanced monitoring arrangements have been removed.", "Written Statement: Powys",
         True, KIND_WARNING_NOTICE),
        ("Report of the joint review of social services in Ceredigion.", None, True,
         KIND_JOINT_REVIEW),
        ("We have today published a letter summarising our monitoring activity.", None, True,
         KIND_NEWS),
        ("15 June 2023\nNews\n\nOur latest inspection of a care home found excellent care.",
         None, True, KIND_NEWS),
        ("Press release \u2013 16 June 2005\n\nJoint review finds Blaenau Gwent social services "
         "not serving people well", None, True, KIND_NEWS),
        ("A statement about school funding.", "Written Statement: school funding", True,
         KIND_OTHER),
        # Secondary documents are news, or other for self-assessments.
        ("Inspectors found the monitoring activity positive.", None, False, KIND_NEWS),
        ("The Director of Social Services' annual report is published.", None, False, KIND_NEWS),
        ("Report to Scrutiny Committee\n\n1. Purpose of the report\n\nTo present the CIW "
         "letter.", None, False, KIND_OTHER),
    ],
)
def test_document_kind(text, title, authoritative, kind) -> None:
    assert document_kind(text, title, authoritative=authoritative) == kind


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("Director\nWrexham\nLL11 1AY\n\nDate: 03 August 2020\n\nDear Alwyn Jones,", None,
         (date(2020, 8, 3), None, None, None)),
        ("Head\n3 August 2020\n\nDear Director,\n\nText.", None,
         (date(2020, 8, 3), None, None, None)),
        ("This report summarises the findings of our inspections of children's social services "
         "between the 12 and 23 of October 2020.", None,
         (None, date(2020, 10, 12), date(2020, 10, 23), None)),
        ("Monitoring activity dates: 26 \u2013 29 April 2021\n\nPurpose", None,
         (None, date(2021, 4, 26), date(2021, 4, 29), None)),
        ("Improvement check dates: 24 October \u2013 2 November 2023", None,
         (None, date(2023, 10, 24), date(2023, 11, 2), None)),
        ("First published: 17 October 2017\nLast updated: 18 October 2017", None,
         (None, None, None, date(2017, 10, 17))),
        ("Posted: Tue 4th Aug 2020\n\nInspectors raise concerns.", None,
         (None, None, None, date(2020, 8, 4))),
        ("Inspection dates: 12 \u2013 23 October 2020\n\nPublication date: 26 January 2021",
         None, (None, date(2020, 10, 12), date(2020, 10, 23), date(2021, 1, 26))),
        # The source's own date wins over a printed one; meetings are not fieldwork.
        ("Posted: Tue 4th Aug 2020", date(2020, 8, 5), (None, None, None, date(2020, 8, 5))),
        ("- improvement conference, 3 May 2019 to discuss progress\n"
         "- focused activity, 24 and 25 September 2019", None, (None, None, None, None)),
    ],
)
def test_document_dates(text, published, expected) -> None:
    found = document_dates(text, published)
    assert (found.letter, found.fieldwork_start, found.fieldwork_end, found.published) == expected


# --- scheme -------------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("when", "text", "scheme"),
    [
        (date(2024, 1, 8), "joint review", SCHEME_COP_2023),  # a date decides
        (None, "a joint review by the Audit Commission in Wales", SCHEME_JOINT_REVIEW),
        (None, "CSSIW's Annual Review and Evaluation of Performance 2009/10",
         SCHEME_CSSIW_EVALUATION),
        (None, "the Code of Practice for Review of Local Authority Social Services (2023)",
         SCHEME_COP_2023),
        (None, "a letter", SCHEME_COP_2019),
    ],
)
def test_document_scheme(when, text, scheme) -> None:
    assert document_scheme(when, text) == scheme
