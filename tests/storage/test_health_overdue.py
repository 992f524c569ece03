"""storage.health's not-polled rule (issue 6: the daily source-health deployment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.health import (
    FAILING,
    HEALTHY,
    MIN_OVERDUE,
    NOT_POLLED,
    Health,
    Run,
    Thresholds,
    assess,
    decide,
    duration_text,
)

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CADENCE = timedelta(days=14)
EVERY = timedelta(hours=6)


DEFAULTS = Thresholds()


def _assess(runs, now, *, every=EVERY, thresholds=DEFAULTS):
    return assess(runs, cadence=CADENCE, last_new=None, now=now, every=every,
                  thresholds=thresholds)


def test_a_source_polled_on_time_is_healthy():
    runs = [Run(T0, ok=True, found=3)]
    assert _assess(runs, T0 + EVERY * 3).state == HEALTHY  # exactly at the limit: not yet


def test_a_source_not_polled_for_three_intervals_is_not_polled_since_the_limit():
    runs = [Run(T0 - EVERY, ok=True, found=3), Run(T0, ok=True, found=3)]
    state = _assess(runs, T0 + EVERY * 3 + timedelta(minutes=1))
    assert state.state == NOT_POLLED
    assert state.since == T0 + EVERY * 3  # stable: a daily re-check does not re-alert
    assert "last polled 25 Nov 2026 09:00 UTC" in state.detail
    assert "expected every 6h" in state.detail and "worker" in state.detail


def test_not_polled_wins_over_failing():
    runs = [Run(T0 + timedelta(minutes=i), ok=False, errors="HTTP 500") for i in range(3)]
    assert _assess(runs, T0).state == FAILING
    assert _assess(runs, T0 + timedelta(days=2)).state == NOT_POLLED


def test_a_frequent_source_gets_at_least_two_hours():
    every = timedelta(minutes=30)
    runs = [Run(T0, ok=True, found=1)]
    assert _assess(runs, T0 + timedelta(minutes=91), every=every).state == HEALTHY
    assert _assess(runs, T0 + MIN_OVERDUE + timedelta(seconds=1), every=every).state == NOT_POLLED


def test_without_every_or_runs_nothing_is_overdue():
    runs = [Run(T0, ok=True, found=1)]
    assert _assess(runs, T0 + timedelta(days=300), every=None).state == HEALTHY
    assert _assess([], T0 + timedelta(days=300)).state == HEALTHY


def test_the_factor_comes_from_the_environment():
    thresholds = Thresholds.from_env({"CAREWATCH_HEALTH_OVERDUE_FACTOR": "10"})
    runs = [Run(T0, ok=True, found=1)]
    assert _assess(runs, T0 + EVERY * 5, thresholds=thresholds).state == HEALTHY
    assert _assess(runs, T0 + EVERY * 11, thresholds=thresholds).state == NOT_POLLED
    with pytest.raises(ValueError, match="CAREWATCH_HEALTH_OVERDUE_FACTOR"):
        Thresholds.from_env({"CAREWATCH_HEALTH_OVERDUE_FACTOR": "often"})
    with pytest.raises(ValueError, match="> 0"):
        Thresholds.from_env({"CAREWATCH_HEALTH_OVERDUE_FACTOR": "0"})


def test_not_polled_alerts_once_and_recovers_once():
    runs = [Run(T0, ok=True, found=1)]
    down = _assess(runs, T0 + timedelta(days=2))
    [entered] = decide("ciw", Health(HEALTHY), down, title="CIW", url="https://x")
    assert (entered.problem, entered.recovered) == (NOT_POLLED, False)
    assert decide("ciw", down, _assess(runs, T0 + timedelta(days=3)), title="CIW",
                  url="https://x") == []
    polled = [*runs, Run(T0 + timedelta(days=3), ok=True, found=1)]
    [back] = decide("ciw", down, _assess(polled, T0 + timedelta(days=3)), title="CIW",
                    url="https://x")
    assert (back.problem, back.recovered) == (NOT_POLLED, True)


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(minutes=30), "30m"), (timedelta(hours=6), "6h"), (timedelta(days=2), "2d"),
    (timedelta(minutes=90), "90m"),
])
def test_duration_text_uses_the_sources_file_notation(delta, text):
    assert duration_text(delta) == text


# --- documents failing: the listing works, a document in it does not ---------------------

BROKEN = "https://careinspectorate.wales/sites/default/files/letter.pdf: not a PDF"


def test_a_document_failing_in_three_runs_in_a_row_is_named():
    from storage.health import DOCUMENTS_FAILING

    runs = [Run(T0 + timedelta(minutes=30 * i), ok=True, found=5, errors=BROKEN)
            for i in range(3)]
    assert _assess(runs[:2], T0 + timedelta(hours=1), every=None).state == HEALTHY
    state = _assess(runs, T0 + timedelta(hours=1), every=None)
    assert (state.state, state.since, state.runs) == (DOCUMENTS_FAILING, T0, 3)
    assert state.detail == BROKEN


def test_a_clean_run_ends_the_document_streak():
    runs = [Run(T0 + timedelta(minutes=30 * i), ok=True, found=5, errors=BROKEN)
            for i in range(3)]
    runs.append(Run(T0 + timedelta(hours=2), ok=True, found=5))
    assert _assess(runs, T0 + timedelta(hours=2), every=None).state == HEALTHY


def test_failed_runs_are_failing_not_documents_failing():
    runs = [Run(T0 + timedelta(minutes=30 * i), ok=False, errors="HTTP 500") for i in range(3)]
    assert _assess(runs, T0 + timedelta(hours=1), every=None).state == FAILING
