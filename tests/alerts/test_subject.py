"""alerts.subject: every subject is shorter than 90 characters and still says authority,
service, old → new and source, for every kind of alert and the longest inputs there are
(all 22 councils by full name, every service, CIW's longest judgement phrases)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from alerts.message import render_subject
from alerts.subject import SUBJECT_LIMIT
from alerts.words import (
    DANGLING,
    cut_words,
    short_authority,
    short_service_label,
    short_source_label,
)
from scrapers.councils import PLACES
from storage.health import HealthAlert
from storage.notices import PRIORITY_UNCONFIRMED
from storage.status import (
    INTERVENTION,
    JUDGEMENT,
    SERVICES,
    WARNING_NOTICE,
    Transition,
)
from tests.alerts.examples import (
    ALL_ALERTS,
    ESCALATION_2020,
    INADEQUATE,
    LONG_PHRASE,
    MONITORING_APR_2021,
    MONITORING_NOV_2021,
    PRESS_CLAIM,
    REQUIRED,
    STATUS_ALERTS,
    UNCONFIRMED_REPORTS,
    WARNING,
)

# Full council names, as a feed or a letter may give them (Rhondda Cynon Taf's is longest).
COUNCILS = [f"{place} County Borough Council" for place in PLACES]
PHRASES = [
    ("inadequate", "requires improvement"),
    (INADEQUATE, REQUIRED),
    (REQUIRED, "continuing to make improvements"),
    ("continuing to make improvements", LONG_PHRASE),
    (LONG_PHRASE, INADEQUATE),
    (None, LONG_PHRASE),
]


def _says_the_change(subject: str, t: Transition) -> None:
    """Authority and service named, the source (or claimant) named, and old → new shown."""
    assert len(subject) < SUBJECT_LIMIT, subject
    assert f"{short_authority(t.authority)} {short_service_label(t)}" in subject, subject
    claimed = getattr(t, "priority", None) == PRIORITY_UNCONFIRMED
    if claimed:
        claimant = short_source_label(t)
        assert subject.startswith("Unconfirmed: ") and (
            subject.endswith((f", says {claimant}", f" ({claimant})"))), subject
    else:
        assert re.search(rf" \({re.escape(short_source_label(t))}[ ,)]", subject), subject
    service = rf"{re.escape(short_service_label(t))}(?: services)?: "
    change = re.split(service, subject, maxsplit=1)[1]
    quoted = re.findall(r"'([^']+)'", change)
    if t.dimension == JUDGEMENT:
        # each phrase whole, or its own words cut inside the quotes with an ellipsis
        phrases = f"{t.old or ''} {t.new}"
        assert quoted and all(part in phrases for q in quoted for part in q.split("…")), subject
        if len(quoted) == 1:  # a claim too long to set against the record: the claim
            assert t.new.startswith(quoted[0].rstrip("…")), subject
    elif t.old is not None and t.dimension != INTERVENTION:  # "Part 8 intervention ended"
        # At a pinch (Isle of Anglesey social services, claimed by wrexham.com) a claim
        # is shown alone; a change never is.
        assert " → " in change or claimed and change.startswith(f"{t.new} concern"), subject


@pytest.mark.parametrize("name", ALL_ALERTS)
def test_every_kind_of_subject_is_shorter_than_the_limit(name):
    subject = render_subject(ALL_ALERTS[name])
    assert len(subject) < SUBJECT_LIMIT, subject
    assert "\n" not in subject


@pytest.mark.parametrize("name", [*STATUS_ALERTS, *UNCONFIRMED_REPORTS])
def test_every_status_subject_says_who_what_and_source(name):
    t = ALL_ALERTS[name]
    assert isinstance(t, Transition)
    _says_the_change(render_subject(t), t)


def test_long_councils_services_and_phrases_all_fit():
    checked = 0
    for council in COUNCILS:
        for service in SERVICES:
            for old, new in PHRASES:
                for base in (MONITORING_APR_2021, PRESS_CLAIM):
                    t = dataclasses.replace(base, authority=council, service=service,
                                            dimension=JUDGEMENT, old=old, new=new)
                    _says_the_change(render_subject(t), t)
                    checked += 1
            for base in (ESCALATION_2020, WARNING, PRESS_CLAIM):
                t = dataclasses.replace(base, authority=council, service=service)
                _says_the_change(render_subject(t), t)
                checked += 1
    assert checked == 22 * 3 * (len(PHRASES) * 2 + 3)


def test_the_longest_real_subject_is_rhondda_cynon_taf():
    t = dataclasses.replace(MONITORING_NOV_2021, authority="Rhondda Cynon Taf")
    assert render_subject(t) == (
        "Rhondda Cynon Taf children's: '…required' → 'continuing to make improvements' (CIW)")
    claim = dataclasses.replace(WARNING, authority="Rhondda Cynon Taf", service="whole")
    assert render_subject(claim) == (
        "URGENT — Rhondda Cynon Taf social services: Part 8 warning notice (Welsh Government)")


def test_a_cut_phrase_never_hides_what_changed():
    # Shown old → new, the two must differ: a cut that leaves them equal would say nothing.
    for old, new in PHRASES:
        if old is None:
            continue
        t = dataclasses.replace(MONITORING_APR_2021, authority="Rhondda Cynon Taf",
                                old=old, new=new)
        subject = render_subject(t)
        shown_old, shown_new = re.findall(r"'([^']+)'", subject.split(": ", 1)[1])
        assert shown_old != shown_new, subject


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("inadequate with early indicators of improvement", 30, "inadequate with early…"),
        ("inadequate with early indicators of improvement", 46, "inadequate with early "
         "indicators…"),
        ("inadequate with early indicators of improvement", 47, "inadequate with early "
         "indicators of improvement"),
        ("inadequate", 5, None),
    ],
)
def test_cut_words(text, limit, cut):
    # "…indicators of…" would read as if the phrase went on to say more; it stops before "of".
    assert cut_words(text, limit) == cut
    assert cut is None or cut.removesuffix("…").split()[-1] not in DANGLING


def test_absurd_authority_name_still_fits():
    t = dataclasses.replace(ESCALATION_2020, authority="Council of " + "Very " * 40 + "Long")
    assert len(render_subject(t)) < SUBJECT_LIMIT
    claim = dataclasses.replace(PRESS_CLAIM, dimension=INTERVENTION, new=WARNING_NOTICE,
                                old=None, authority="X" * 200)
    assert len(render_subject(claim)) < SUBJECT_LIMIT


def test_health_subject_with_a_long_source_and_error_fits():
    alert = ALL_ALERTS["source failing"]
    assert isinstance(alert, HealthAlert)
    long = dataclasses.replace(alert, source="a_very_long_source_name_for_a_council_papers_feed",
                               detail="x" * 300)
    subject = render_subject(long)
    assert len(subject) < SUBJECT_LIMIT and subject.startswith(
        "carewatch: source a_very_long_source_name_for_a_council_papers_feed failing")


def test_concern_subjects_say_which_way():
    # CIW's "significant" is above "serious": the subject never leaves that to the reader.
    up = render_subject(ESCALATION_2020)
    down = render_subject(dataclasses.replace(ESCALATION_2020, old="significant", new="serious"))
    assert "serious → significant concern, escalated" in up
    assert "significant → serious concern, de-escalated" in down
    claim = dataclasses.replace(PRESS_CLAIM, old="serious", new="significant")
    assert render_subject(claim) == (  # a claim is not a change: no direction
        "Unconfirmed: Wrexham children's services: serious → significant concern, says "
        "wrexham.com")
