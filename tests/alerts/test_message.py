"""alerts.message: subjects, bodies and payloads for the Wrexham transitions."""

from __future__ import annotations

import dataclasses
import html
import json
import re
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
from tests.alerts.examples import (
    ALL_ALERTS,
    ESCALATION_2020,
    INSPECTION_2020,
    MONITORING_APR_2021,
    PRESS_CLAIM,
    STATUS_ALERTS,
    WARNING,
)

HOSTILE = '<script>alert("owned")</script> & <b>bold</b>'


def test_render_subject_escalation_says_which_way(escalation):
    # "significant" is the HIGHER level: the subject says "escalated" so nobody reads the
    # everyday meaning of the words (domain.md §6.1); the kind of letter gives way for it.
    assert render_subject(escalation) == (
        "Wrexham children's services: serious → significant concern, escalated (CIW, 3 Aug 2020)"
    )


def test_render_subject_first_reading(make_transition):
    t = make_transition(old=None, old_stated=None, old_url=None)
    assert render_subject(t) == (
        "Wrexham children's services: significant concern, first recorded "
        "(CIW letter, 3 Aug 2020)"
    )


def test_render_subject_judgement_old_to_new_when_it_fits(make_transition):
    t = make_transition(dimension=JUDGEMENT, old="inadequate", new="making progress",
                        letter_date=date(2021, 12, 16))
    assert render_subject(t) == (
        "Wrexham children's services: 'inadequate' → 'making progress' (CIW letter, 16 Dec 2021)"
    )


def test_render_subject_judgement_keeps_the_new_phrase_whole(make_transition):
    # The April 2021 monitoring letter: both phrases are long, the new one is the news.
    t = make_transition(dimension=JUDGEMENT,
                        old="inadequate with early indicators of improvement",
                        new="continuing to make improvements required",
                        kind="monitoring_letter", letter_date=date(2021, 6, 4))
    assert render_subject(t) == (
        "Wrexham children's: 'inadequate…' → 'continuing to make improvements required' (CIW)"
    )


def test_render_subject_judgement_old_phrase_keeps_the_words_that_differ(make_transition):
    # November 2021: "…required" dropped.  Cutting the old phrase at its start would show
    # 'continuing to make…' → 'continuing to make improvements', which hides the change.
    t = make_transition(dimension=JUDGEMENT, old="continuing to make improvements required",
                        new="continuing to make improvements", kind="monitoring_letter",
                        letter_date=date(2021, 12, 14))
    assert render_subject(t) == (
        "Wrexham children's: '…improvements required' → 'continuing to make improvements' (CIW)"
    )


def test_render_subject_first_judgement_whole(make_transition):
    t = make_transition(dimension=JUDGEMENT, old=None, old_stated=None, old_url=None,
                        new="inadequate with early indicators of improvement",
                        kind="inspection_report", letter_date=None, published=date(2021, 1, 26))
    assert render_subject(t) == (
        "Wrexham children's services: 'inadequate with early indicators of improvement' (CIW)"
    )


def test_render_subject_long_judgement_is_shortened_not_dropped(make_transition):
    phrase = (
        "some progress has been made resulting in developments to practice and better "
        "outcomes for children"
    )
    t = make_transition(dimension=JUDGEMENT, old=None, new=phrase, kind="inspection_report")
    subject = render_subject(t)
    assert subject == (
        "Wrexham children's services: 'some progress has been made resulting…' (CIW, 3 Aug 2020)"
    )
    assert len(subject) < SUBJECT_LIMIT


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
    t = make_transition(kind=kind, dimension=JUDGEMENT, old=None, new="inadequate")
    assert render_subject(t) == f"Wrexham children's services: 'inadequate' ({label}, 3 Aug 2020)"


def test_render_subject_uses_published_date_without_letter_date(make_transition):
    t = make_transition(letter_date=None, published=date(2021, 12, 16))
    assert render_subject(t).endswith("(CIW, 16 Dec 2021)")


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
    assert "Previously recorded: 'serious concern', stated by CIW on 26 July 2019" in text
    assert (
        "Previous document: "
        "https://careinspectorate.wales/sites/default/files/2019-07/wrexham-letter-en.pdf"
    ) in text
    assert f'  "{escalation.evidence}"\n  — CIW letter, 3 August 2020\n' in text
    assert f"Title: {escalation.title}" in text
    assert f"Link: {escalation.url}" in text
    assert "Letter date: 3 August 2020" in text
    assert "Published by CIW: 4 August 2020" in text
    assert "Fieldwork" not in text
    assert (
        "'Significant concern' is the higher of CIW's two formal levels of concern about a "
        "council's service, above 'serious concern' (the reverse of everyday English)."
    ) in text
    assert "automated carewatch alert" in text
    assert text.rstrip().endswith(escalation.key)


def test_render_text_de_escalation(make_transition):
    t = make_transition(old=SIGNIFICANT_CONCERN, new=SERIOUS_CONCERN)
    text = render_text(t)
    assert text.startswith("De-escalation: CIW's concern level for Wrexham children's services")
    assert "fell from 'significant concern' to 'serious concern'" in text
    assert "'Serious concern' is the lower of CIW's two formal levels of concern" in text


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
        "Wrexham children's services: significant → serious concern, de-escalated (CIW)"
    )


def test_render_text_de_escalation_says_it_was_stated_not_inferred(make_transition):
    text = render_text(make_transition(old=SIGNIFICANT_CONCERN, new=SERIOUS_CONCERN))
    assert "never infers one from a positive tone" in text


def test_render_subject_warning_notice_is_urgent():
    assert render_subject(warning_notice()) == (
        "URGENT — Powys children's services: Part 8 warning notice (Welsh Government, 17 Oct 2017)"
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
        "Powys children's services: Part 8 intervention ended (Welsh Government, 2 Nov 2020)"
    )
    assert "has ended" in render_text(t)


def test_render_subject_unconfirmed_report():
    # recorded → claimed, and who claims it; the body says who recorded it and when.
    assert render_subject(unconfirmed()) == (
        "Unconfirmed: Wrexham children's services: serious → significant concern, says "
        "wrexham.com"
    )


def test_render_subject_unconfirmed_names_council_news_and_judgements():
    t = unconfirmed(source="wrexham_news_rss", url="https://news.wrexham.gov.uk/x/",
                    dimension=JUDGEMENT, old="continuing to make improvements",
                    new="inadequate", old_stated=date(2021, 12, 14))
    assert render_subject(t) == (
        "Unconfirmed: Wrexham children's: 'continuing…' → 'inadequate', says Wrexham Council news"
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
    assert render_subject(t) == (
        "Unconfirmed: Wrexham children's services: significant concern, says wrexham.com")
    assert "recorded status: none stated yet." in render_text(t)
    assert "Concern level recorded: none stated by the regulator" in render_text(t)


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


# --- every kind, as a reader gets it (issue 7) ---------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def _hostile(t):
    """``t`` with every free-text field replaced by markup."""
    if isinstance(t, Transition):
        fields = ["evidence", "title", "authority", "url", "old_url"]
        if t.dimension == JUDGEMENT:
            fields += ["new"] + (["old"] if t.old else [])
        return dataclasses.replace(t, **{f: f"{SCRIPT} {f}" for f in fields})
    fields = [f for f in ("source", "title", "url", "detail", "target", "about", "channel")
              if hasattr(t, f)]
    return dataclasses.replace(t, **{f: f"{SCRIPT} {f}" for f in fields})


@pytest.mark.parametrize("name", ALL_ALERTS)
def test_render_html_escapes_every_value_of_every_kind(name):
    page = render_html(_hostile(ALL_ALERTS[name]))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="&lt;' not in page  # a hostile "URL" is never a link


@pytest.mark.parametrize("name", ALL_ALERTS)
def test_text_and_html_say_the_same(name):
    t = ALL_ALERTS[name]
    page = render_html(t)
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1])).split())
    for line in render_text(t).splitlines():
        line = line.strip().strip('"')
        if line and line != "--":
            assert " ".join(line.split()) in shown, line


def test_render_text_april_2021_monitoring_letter():
    text = render_text(MONITORING_APR_2021)
    assert text.startswith(
        "CIW's judgement of Wrexham children's services is now 'continuing to make improvements "
        "required' (previously 'inadequate with early indicators of improvement').")
    for line in (
        "Judgement: 'inadequate with early indicators of improvement' → 'continuing to make "
        "improvements required'",
        "Previously recorded: 'inadequate with early indicators of improvement', stated by CIW "
        "on 26 January 2021",
        f"Previous document: {INSPECTION_2020.url}",
        f'"{MONITORING_APR_2021.evidence}"\n  — CIW monitoring letter, 4 June 2021',
        f"Link: {MONITORING_APR_2021.url}",
        "Letter date: 4 June 2021",
        "Fieldwork: 26 April 2021 to 29 April 2021",
        "Published by CIW: 10 June 2021",
        "it is not a grade on a fixed scale, so carewatch does not say whether it is better or "
        "worse than before",
    ):
        assert line in text, line


def test_render_text_warning_notice_and_joint_review_name_their_publishers():
    assert "Published by the Welsh Government: 17 October 2017" in render_text(WARNING)
    joint = render_text(STATUS_ALERTS["joint review: prospects"])
    assert joint.startswith("Joint review of Wrexham social services: 'poor prospects for "
                            "improvement' → 'uncertain prospects for improvement'.")
    assert "Published: 1 March 2006" in joint and "Published by CIW" not in joint


def test_render_payload_direction(now):
    assert render_payload(ESCALATION_2020, now=now)["data"]["direction"] == "escalation"
    down = dataclasses.replace(ESCALATION_2020, old="significant", new="serious")
    assert render_payload(down, now=now)["data"]["direction"] == "de_escalation"
    assert render_payload(PRESS_CLAIM, now=now)["data"]["direction"] is None  # a claim
    assert render_payload(MONITORING_APR_2021, now=now)["data"]["direction"] is None
