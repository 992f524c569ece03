"""The daily source-health flow (issue 6): a source that stops being polled raises one
operations alert, a re-check raises nothing more, and the next poll's recovery one more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.health import source_health
from flows.poll import poll
from scrapers.registry import get_source
from storage.health import HEALTHY, NOT_POLLED

SOURCE = "ciw_la_reports"


def _ops_mail(pipeline):
    return [str(m["Subject"]).strip() for m in pipeline.smtp.messages
            if "carewatch: source" in str(m["Subject"])]


def test_a_source_no_longer_polled_alerts_once_then_recovers(pipeline):
    poll(sources=[SOURCE])
    now = datetime.now(UTC)
    report = source_health(now=now)
    assert report.states[SOURCE].state == HEALTHY and report.alerts == []

    late = now + get_source(SOURCE).every * 3 + timedelta(hours=3)
    report = source_health(now=late)
    assert report.states[SOURCE].state == NOT_POLLED and not report.ok
    [alert] = [a for a in report.alerts if a.source == SOURCE]
    assert alert.problem == NOT_POLLED and not alert.recovered
    [subject] = [s for s in _ops_mail(pipeline) if SOURCE in s]
    assert subject.startswith(f"carewatch: source {SOURCE} not polled since ")
    hooks = [h for h in pipeline.hook.received if h.payload.get("type") == "source.health"
             and h.payload["data"]["source"] == SOURCE]
    assert len(hooks) == 1 and hooks[0].verified

    again = source_health(now=late + timedelta(days=1))
    assert again.states[SOURCE].state == NOT_POLLED
    assert [a for a in again.alerts if a.source == SOURCE] == []

    poll(sources=[SOURCE])  # polling resumes: the poll's own check sees it recovered
    subjects = [s for s in _ops_mail(pipeline) if SOURCE in s]
    assert len(subjects) == 2 and "recovered (not polled since" in subjects[1]


def test_sources_never_polled_are_not_overdue(pipeline):
    report = source_health(now=datetime.now(UTC) + timedelta(days=30))
    assert report.ok and report.alerts == []
