"""alerts.message: subjects, bodies and payloads for the Wrexham transitions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from alerts.message import (
    DE_ESCALATION,
    ESCALATION,
    SUBJECT_LIMIT,
    direction,
    render_html,
    render_payload,
    render_subject,
    render_text,
    short_authority,
)
from storage.notices import (
    ALERT_UNCONFIRMED,
    PRIORITY_CHANGE,
    PRIORITY_INTERVENTION,
    PRIORITY_UNCONFIRMED,
    Notice,
    from_payload,
)
from storage.status import (
    ADULTS,
    CONCERN_LEVEL,
    INTERVENTION,
    INTERVENTION_REMOVED,
    JUDGEMENT,
    SCHEME_COP_2019,
    SCHEME_PART_8,
    SERIOUS_CONCERN,
    SIGNIFICANT_CONCERN,
    WARNING_NOTICE,
    Transition,
)

HOSTILE = '<script>alert("owned")</script> & <b>bold</b>'


def test_render_subject_escalation(escalation):
    assert render_subject(escalation) == (
        "Wrexham children's services: serious → significant concern (CIW letter, 3 Aug 2020)"
    )


def test_render_subject_first_reading(make_transition):
    t = make_transition(old=None, old_stated=None, old_url=None)
    assert render_subject(t) == (
        "Wrexham children's services: significant concern (CIW letter, 3 Aug 2020)"
    )


def test_render_subject_judgement(make_transition):
    t = make_transition(
        dimension=JUDGEMENT,
        old="inadequate with early indicators of improvement",
        new="continuing to make improvements",
        kind="monitoring_letter",
        letter_date=date(2021, 12, 16),
    )
    assert render_subject(t) == (
        "Wrexham children's services: judgement now 'continuing to make improvements' "
        "(CIW monitoring letter, 16 Dec 2021)"
    )


def test_render_subject_long_judgement_is_shortened_not_dropped(make_transition):
    phrase = (
        "some progress has been made resulting in developments to practice and better "
        "outcomes for children"
    )
    t = make_transition(dimension=JUDGEMENT, old=None, new=phrase, kind="inspection_report")
    subject = render_subject(t)
    assert subject.startswith("Wrexham children's services: judgement now 'some progress has")
    assert subject.endswith("…' (CIW inspection report, 3 Aug 2020)")
    assert len(subject) < len(phrase) + 60
    assert len(subject) <= SUBJECT_LIMIT + 40


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("annual_letter", "CIW letter"),
        ("monitoring_letter", "CIW monitoring letter"),
        ("inspection_report", "CIW inspection report"),
        ("improvement_check", "CIW improvement check"),
        ("news", "CIW news"),
    ],
)
def test_render_subject_source_label(make_transition, kind, label):
    assert render_subject(make_transition(kind=kind)).endswith(f"({label}, 3 Aug 2020)")


def test_render_subject_uses_published_date_without_letter_date(make_transition):
    t = make_transition(letter_date=None, published=date(2021, 12, 16))
    assert render_subject(t).endswith("(CIW letter, 16 Dec 2021)")


def test_render_subject_adults(make_transition):
    assert render_subject(make_transition(service=ADULTS)).startswith(
        "Wrexham adults' services: serious → significant concern"
    )


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Wrexham County Borough Council", "Wrexham"),
        ("City and County of Swansea Council", "Swansea"),
        ("Isle of Anglesey County Council", "Isle of Anglesey"),
        ("Newport City Council", "Newport"),
        ("Vale of Glamorgan Council", "Vale of Glamorgan"),
        ("Wrexham", "Wrexham"),
    ],
)
def test_short_authority(name, short):
    assert short_authority(name) == short


def test_render_text_keeps_full_authority_name(escalation):
    assert "Authority: Wrexham County Borough Council" in render_text(escalation)


def test_direction_significant_is_above_serious(make_transition):
    up = make_transition(old=SERIOUS_CONCERN, new=SIGNIFICANT_CONCERN)
    down = make_transition(old=SIGNIFICANT_CONCERN, new=SERIOUS_CONCERN)
    assert direction(up) == ESCALATION
    assert direction(down) == DE_ESCALATION
    assert direction(make_transition(old=None)) is None
    assert direction(make_transition(dimension=JUDGEMENT, old="a", new="b")) is None


def test_render_text_escalation(escalation):
    text = render_text(escalation)
    assert text.startswith(
        "Escalation: CIW's concern level for Wrexham children's services rose from "
        "'serious concern' to 'significant concern'."
    )
    assert "Concern level: 'serious concern' → 'significant concern'" in text
    assert (
        "previously stated 26 July 2019 in "
        "https://careinspectorate.wales/sites/default/files/2019-07/wrexham-letter-en.pdf"
    ) in text
    assert f'"{escalation.evidence}"' in text
    assert f"Title: {escalation.title}" in text
    assert f"Link: {escalation.url}" in text
    assert "Letter date: 3 August 2020" in text
    assert "Published by CIW: 4 August 2020" in text
    assert "Fieldwork" not in text
    assert (
        "'Significant concern' is CIW's higher level of concern, above 'serious concern'."
    ) in text
    assert "automated carewatch alert" in text
    assert text.rstrip().endswith(escalation.key)


def test_render_text_de_escalation(make_transition):
    t = make_transition(old=SIGNIFICANT_CONCERN, new=SERIOUS_CONCERN)
    text = render_text(t)
    assert text.startswith("De-escalation: CIW's concern level for Wrexham children's services")
    assert "fell from 'significant concern' to 'serious concern'" in text
    assert "'Serious concern' is CIW's lower formal level of concern" in text


def test_render_text_first_reading(make_transition):
    text = render_text(make_transition(old=None, old_stated=None, old_url=None))
    assert text.startswith(
        "First recorded concern level for Wrexham children's services: 'significant concern'."
    )
    assert "previously" not in text
    assert "(first recorded)" in text


def test_render_text_fieldwork_and_only_present_dates(make_transition):
    t = make_transition(
        kind="inspection_report",
        letter_date=None,
        published=date(2021, 1, 26),
        fieldwork_start=date(2020, 10, 12),
        fieldwork_end=date(2020, 10, 23),
    )
    text = render_text(t)
    assert "Fieldwork: 12 October 2020 to 23 October 2020" in text
    assert "Published by CIW: 26 January 2021" in text
    assert "Letter date" not in text


def test_render_text_judgement_has_no_direction(make_transition):
    t = make_transition(
        dimension=JUDGEMENT,
        old="continuing to make improvements required",
        new="continuing to make improvements",
    )
    text = render_text(t)
    assert "Escalation" not in text
    assert "Judgement: 'continuing to make improvements required' → " in text
    assert "not a grade" in text


def test_render_html_escapes_hostile_values(make_transition):
    t = make_transition(evidence=HOSTILE, title=HOSTILE, url="javascript:alert(1)")
    page = render_html(t)
    assert "<script>" not in page
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp;" in page
    assert 'href="javascript:' not in page


def test_render_html_carries_the_text_content(escalation):
    page = render_html(escalation)
    assert page.startswith("<!DOCTYPE html>")
    assert f'<a href="{escalation.url}"' in page
    assert "Letter date:</strong> 3 August 2020" in page
    assert "above &#x27;serious concern&#x27;" in page
    assert escalation.key in page
    assert "src=" not in page and "<link" not in page  # no external resources


def test_render_payload_is_json_and_round_trips(escalation, now):
    payload = render_payload(escalation, now=now)
    decoded = json.loads(json.dumps(payload))
    assert decoded["type"] == "status.changed"
    assert decoded["timestamp"] == "2020-08-05T09:30:00Z"
    assert decoded["data"]["subject"] == render_subject(escalation)
    assert decoded["data"]["new"] == SIGNIFICANT_CONCERN
    assert Transition.from_dict(decoded["data"]) == escalation


def test_render_payload_timestamp_is_utc(escalation):
    bst = timezone(timedelta(hours=1))
    payload = render_payload(escalation, now=datetime(2020, 8, 5, 10, 30, tzinfo=bst))
    assert payload["timestamp"] == "2020-08-05T09:30:00Z"


def test_render_payload_rejects_naive_now(escalation):
    with pytest.raises(ValueError, match="timezone-aware"):
        render_payload(escalation, now=datetime(2020, 8, 5, 9, 30))


def test_render_payload_does_not_mutate_to_dict(escalation, now):
    render_payload(escalation, now=now)
    assert "subject" not in escalation.to_dict()
    assert escalation.to_dict()["detected_at"] == datetime(2020, 8, 5, 9, tzinfo=UTC).isoformat()


# --- alert kinds (issue 4): de-escalation, intervention, unconfirmed report ----------------

PRESS_URL = "https://www.wrexham.com/news/inspectors-raise-significant-concerns-190667.html"


def unconfirmed(**changes: object) -> Notice:
    """wrexham.com claims significant concern while CIW's recorded level is serious."""
    fields = {
        "service": "children", "dimension": CONCERN_LEVEL, "scheme": SCHEME_COP_2019,
        "key": "cwu_0123", "authority": "Wrexham", "old": SERIOUS_CONCERN,
        "new": SIGNIFICANT_CONCERN,
        "evidence": "The watchdog has now escalated that status to significant concerns.",
        "source": "press", "kind": "news", "title": "Inspectors raise significant concerns",
        "url": PRESS_URL, "published": date(2020, 8, 4), "old_stated": date(2019, 7, 8),
        "old_url": "https://careinspectorate.wales/wrexham-annual-letter-2018-19",
        "alert_kind": ALERT_UNCONFIRMED, "priority": PRIORITY_UNCONFIRMED,
        "old_source": "ciw_la_reports",
    }
    fields.update(changes)
    return Notice(**fields)  # type: ignore[arg-type]


def warning_notice(**changes: object) -> Notice:
    fields = {
        "key": "cw_powys", "authority": "Powys", "service": "children",
        "dimension": INTERVENTION, "old": None, "new": WARNING_NOTICE,
        "scheme": SCHEME_PART_8,
        "evidence": "The Welsh Ministers have today issued a warning notice under Part 8.",
        "source": "gov_wales", "kind": "warning_notice",
        "title": "Written Statement: Powys County Council children's social services",
        "url": "https://gov.wales/written-statement-powys-warning-notice",
        "published": date(2017, 10, 17), "priority": PRIORITY_INTERVENTION,
    }
    fields.update(changes)
    return Notice(**fields)  # type: ignore[arg-type]


def test_render_subject_de_escalation(make_transition):
    t = make_transition(old=SIGNIFICANT_CONCERN, new=SERIOUS_CONCERN)
    assert render_subject(t) == (
        "Wrexham children's services: significant → serious concern (de-escalation) "
        "(CIW letter, 3 Aug 2020)"
    )


def test_render_text_de_escalation_says_it_was_stated_not_inferred(make_transition):
    text = render_text(make_transition(old=SIGNIFICANT_CONCERN, new=SERIOUS_CONCERN))
    assert "never infers one from a positive tone" in text


def test_render_subject_warning_notice_is_urgent():
    assert render_subject(warning_notice()) == (
        "URGENT — Welsh Ministers issued a Part 8 warning notice: Powys children's services "
        "(Welsh Government statement, 17 Oct 2017)"
    )


def test_render_text_warning_notice():
    text = render_text(warning_notice())
    assert text.startswith(
        "URGENT: Welsh Ministers have issued a Part 8 warning notice on Powys children's services."
    )
    assert "Intervention: 'Part 8 warning notice' (first recorded)" in text
    assert "above any CIW level of concern" in text
    assert "Published by the Welsh Government: 17 October 2017" in text


def test_render_subject_intervention_removed():
    t = warning_notice(old=WARNING_NOTICE, new=INTERVENTION_REMOVED, published=date(2020, 11, 2),
                       priority=PRIORITY_CHANGE)
    assert render_subject(t) == (
        "Powys children's services: Welsh Ministers' intervention removed "
        "(Welsh Government statement, 2 Nov 2020)"
    )
    assert "has ended" in render_text(t)


def test_render_subject_unconfirmed_report():
    assert render_subject(unconfirmed()) == (
        "Unconfirmed: wrexham.com says Wrexham children's services are at significant concern; "
        "recorded status is serious (CIW, 8 Jul 2019)"
    )


def test_render_subject_unconfirmed_names_council_news_and_judgements():
    t = unconfirmed(source="wrexham_news_rss", url="https://news.wrexham.gov.uk/x/",
                    dimension=JUDGEMENT, old="continuing to make improvements",
                    new="inadequate", old_stated=date(2021, 12, 14))
    assert render_subject(t) == (
        "Unconfirmed: Wrexham Council news says Wrexham children's services are 'inadequate'; "
        "recorded status is 'continuing to make improvements' (CIW, 14 Dec 2021)"
    )


def test_render_text_unconfirmed_report_explains_itself():
    text = render_text(unconfirmed())
    assert text.startswith(
        "Unconfirmed report: wrexham.com says Wrexham children's services are at significant "
        "concern. The regulator's recorded status is 'serious concern', stated by CIW on "
        "8 July 2019."
    )
    assert "Concern level claimed: 'significant concern', says wrexham.com" in text
    assert "Concern level recorded: 'serious concern', stated by CIW on 8 July 2019" in text
    assert "Recorded from: https://careinspectorate.wales/wrexham-annual-letter-2018-19" in text
    assert "Published by wrexham.com: 4 August 2020" in text
    assert "This is not a change of status." in text
    assert "one notice per claim" in text
    assert "Escalation" not in text and "What changed" not in text


def test_render_text_unconfirmed_with_nothing_recorded():
    t = unconfirmed(old=None, old_stated=None, old_url=None, old_source=None)
    assert render_subject(t).endswith("; no recorded status")
    assert "recorded status: none stated yet." in render_text(t)
    assert "none: the regulator has stated none" in render_text(t)


def test_render_html_unconfirmed_escapes_the_secondary_source():
    page = render_html(unconfirmed(title=HOSTILE, evidence=HOSTILE))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Unconfirmed report" in page


def test_render_payload_types_and_priorities(escalation, now):
    assert render_payload(escalation, now=now)["data"]["alert_kind"] == "status_change"
    assert render_payload(escalation, now=now)["data"]["priority"] == PRIORITY_CHANGE
    report = render_payload(unconfirmed(), now=now)
    assert report["type"] == "status.unconfirmed_report"
    assert (report["data"]["alert_kind"], report["data"]["priority"]) == (
        ALERT_UNCONFIRMED, PRIORITY_UNCONFIRMED)
    urgent = render_payload(warning_notice(), now=now)
    assert (urgent["type"], urgent["data"]["priority"]) == ("status.changed", PRIORITY_INTERVENTION)
    assert from_payload(json.loads(json.dumps(report["data"]))) == unconfirmed()
