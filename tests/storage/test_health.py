"""storage.health: the pure source-health rules (issue 5, "Source health")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.health import (
    EMPTY_LISTING,
    FAILING,
    HEALTHY,
    STALE,
    Health,
    HealthAlert,
    Run,
    Thresholds,
    assess,
    consecutive_failures,
    decide,
)

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CADENCE = timedelta(days=14)
OK = "ok"
SAME = "unchanged"  # the listing answered 304 / the same body: found is unknown (None)
ERR = "https://news.wrexham.gov.uk/feed: HTTP 500 after 3 attempts"
NO_ROWS = ("https://careinspectorate.wales/news: no listing rows and no empty-view marker "
           "(selectors: .views-row)")


def _runs(*spec: tuple[str, int]) -> list[Run]:
    """("ok", found) / ("unchanged", 0) / ("err", 0) / ("norows", 0) runs, 30 minutes apart
    from T0."""
    out = []
    for i, (kind, found) in enumerate(spec):
        at = T0 + timedelta(minutes=30 * i)
        if kind == OK:
            out.append(Run(at, ok=True, found=found, new=0))
        elif kind == SAME:
            out.append(Run(at, ok=True, found=None, new=0))
        else:
            out.append(Run(at, ok=False, errors=NO_ROWS if kind == "norows" else ERR))
    return out


def _assess(runs: list[Run], last_new: datetime | None = None, now: datetime = T0) -> Health:
    return assess(runs, cadence=CADENCE, last_new=last_new or T0, now=now,
                  thresholds=Thresholds(failures=3))


@pytest.mark.parametrize(
    ("spec", "state", "since_index"),
    [
        ([], HEALTHY, None),
        ([(OK, 5)], HEALTHY, None),
        ([(OK, 5), ("err", 0), ("err", 0)], HEALTHY, None),  # below the threshold
        ([(OK, 5), ("err", 0), ("err", 0), ("err", 0)], FAILING, 1),  # at N
        ([("err", 0), ("err", 0), ("err", 0), ("err", 0)], FAILING, 0),  # first runs too
        ([(OK, 5), ("err", 0), ("err", 0), ("err", 0), (OK, 5)], HEALTHY, None),
        ([(OK, 5), ("norows", 0)], EMPTY_LISTING, 1),  # threshold 1
        ([(OK, 5), ("err", 0), ("norows", 0), ("err", 0), ("err", 0)], EMPTY_LISTING, 2),
        ([(OK, 5), (OK, 0)], EMPTY_LISTING, 1),  # found some, then zero
        ([(OK, 5), (OK, 0), ("err", 0), (OK, 0)], EMPTY_LISTING, 1),
        ([(OK, 5), (OK, 0), ("err", 0)], EMPTY_LISTING, 1),  # one failure is no recovery
        ([(OK, 0), (OK, 0)], HEALTHY, None),  # never found any: not a redesign
        # an unchanged listing (304) is not "found 0": no false empty-listing alert
        ([(OK, 5), (SAME, 0), (SAME, 0)], HEALTHY, None),
        # ...and an unchanged empty listing stays empty: no false recovery either
        ([(OK, 5), (OK, 0), (SAME, 0)], EMPTY_LISTING, 1),
        ([(OK, 5), (SAME, 0), (OK, 0)], EMPTY_LISTING, 2),
    ],
)
def test_assess(spec, state, since_index):
    runs = _runs(*spec)
    result = _assess(runs)
    assert result.state == state
    assert result.since == (None if since_index is None else runs[since_index].started_at)


def test_assess_feed_may_be_empty_but_not_fail_to_parse():
    """A feed is a rolling window: 0 items after some is not a redesign; a ParseError is."""
    quiet = assess(_runs((OK, 5), (OK, 0)), cadence=CADENCE, last_new=T0, now=T0, feed=True)
    broken = assess(_runs((OK, 5), ("norows", 0)), cadence=CADENCE, last_new=T0, now=T0,
                    feed=True)
    assert (quiet.state, broken.state) == (HEALTHY, EMPTY_LISTING)


def test_assess_failing_counts_runs_and_keeps_last_error():
    result = _assess(_runs((OK, 5), ("err", 0), ("err", 0), ("err", 0), ("err", 0)))
    assert (result.state, result.runs, result.detail) == (FAILING, 4, ERR)
    assert consecutive_failures(_runs((OK, 5), ("err", 0))) == 1


def test_assess_stale_after_cadence_times_factor():
    runs = _runs((OK, 5))
    fresh = assess(runs, cadence=CADENCE, last_new=T0, now=T0 + timedelta(days=27),
                   thresholds=Thresholds(stale_factor=2))
    stale = assess(runs, cadence=CADENCE, last_new=T0, now=T0 + timedelta(days=29),
                   thresholds=Thresholds(stale_factor=2))
    assert fresh.state == HEALTHY
    assert (stale.state, stale.since) == (STALE, T0 + timedelta(days=28))
    assert "no new item for 29 days" in (stale.detail or "")
    never = assess(runs, cadence=CADENCE, last_new=None, now=T0 + timedelta(days=400))
    assert never.state == HEALTHY


def test_unchanged_runs_keep_found_unknown_in_the_run_record(session, now):
    """An unchanged run is recorded with found=None and read back as None, not 0."""
    from storage import repo

    for i, found in enumerate((5, None)):
        run_id = repo.start_run(session, "wrexham_com", now + timedelta(minutes=i))
        repo.finish_run(session, run_id, ok=True, found=found, new=0, errors=None,
                        now=now + timedelta(minutes=i, seconds=5))
    runs = repo.recent_runs(session, "wrexham_com")
    assert [r.found for r in runs] == [5, None]
    assert assess(runs, cadence=CADENCE, last_new=None, now=now).state == HEALTHY


def test_decide_alerts_once_on_entry_none_on_repeat_once_on_recovery():
    """Walk a failing episode run by run: one alert at N, none at N+1, one on recovery."""
    spec = [(OK, 5), ("err", 0), ("err", 0), ("err", 0), ("err", 0), (OK, 5), (OK, 5)]
    runs = _runs(*spec)
    previous = Health(HEALTHY)
    sent: list[list[HealthAlert]] = []
    for end in range(1, len(runs) + 1):
        current = _assess(runs[:end])
        sent.append(decide("wrexham_news_rss", previous, current, title="t", url="u"))
        previous = current
    assert [len(s) for s in sent] == [0, 0, 0, 1, 0, 1, 0]
    entered, recovered = sent[3][0], sent[5][0]
    assert (entered.problem, entered.recovered, entered.runs) == (FAILING, False, 3)
    assert (recovered.problem, recovered.recovered) == (FAILING, True)
    assert entered.since == recovered.since == runs[1].started_at
    assert entered.key != recovered.key


def test_decide_switching_problem_alerts_for_the_new_one():
    failing = Health(FAILING, T0, ERR, 3)
    empty = Health(EMPTY_LISTING, T0 + timedelta(hours=2), NO_ROWS, 4)
    (alert,) = decide("ciw_la_reports", failing, empty, title="t", url="u")
    assert (alert.problem, alert.recovered) == (EMPTY_LISTING, False)


def test_health_alert_key_is_per_episode_and_round_trips():
    a = HealthAlert("s", "t", "u", FAILING, T0, ERR, 3, recovered=False)
    same = HealthAlert("s", "t", "u", FAILING, T0, "another error", 5, recovered=False)
    later = HealthAlert("s", "t", "u", FAILING, T0 + timedelta(days=1), ERR, 3, recovered=False)
    assert a.key == same.key != later.key
    assert a.key.startswith("cwh_")
    assert HealthAlert.from_dict(a.to_dict()) == a


def test_thresholds_from_env():
    assert Thresholds.from_env({}) == Thresholds(3, 2.0)
    assert Thresholds.from_env({"CAREWATCH_HEALTH_FAILURES": "5",
                                "CAREWATCH_HEALTH_STALE_FACTOR": "1.5"}) == Thresholds(5, 1.5)
    with pytest.raises(ValueError, match="CAREWATCH_HEALTH_FAILURES"):
        Thresholds.from_env({"CAREWATCH_HEALTH_FAILURES": "three"})


# --- the repo side: runs, state and the outbox ------------------------------------------

def test_repo_health_state_runs_and_outbox(session, now):
    from storage import repo

    for i, ok in enumerate((True, False)):
        run_id = repo.start_run(session, "wrexham_news_rss", now + timedelta(minutes=i))
        repo.finish_run(session, run_id, ok=ok, found=4 if ok else 0, new=4 if ok else 0,
                        errors=None if ok else ERR, now=now + timedelta(minutes=i, seconds=5))
    runs = repo.recent_runs(session, "wrexham_news_rss")
    assert [(r.ok, r.found) for r in runs] == [(True, 4), (False, 0)]
    assert repo.last_success(session, "wrexham_news_rss") == now + timedelta(seconds=5)
    assert repo.last_new_item(session, "wrexham_news_rss") == now + timedelta(seconds=5)

    assert repo.get_health(session, "wrexham_news_rss").state == HEALTHY
    failing = Health(FAILING, now, ERR, 3)
    repo.save_health(session, "wrexham_news_rss", failing, now=now)
    assert repo.get_health(session, "wrexham_news_rss") == failing
    [row] = repo.source_health(session, ["wrexham_news_rss"])
    assert (row.state, row.consecutive_failures, row.found_last_run, row.last_error) == (
        FAILING, 1, 0, ERR)

    alert = HealthAlert("wrexham_news_rss", "t", "u", FAILING, now, ERR, 3, recovered=False)
    assert repo.enqueue_health(session, alert, now=now) is True
    assert repo.enqueue_health(session, alert, now=now) is False  # once per episode
    status_target, ops_target = ("email", "news@example.org"), ("ops_email", "ops@example.org")
    kinds = {status_target: frozenset({"status_change", "unconfirmed_report"}),
             ops_target: frozenset({"source_health"})}
    pending = repo.pending_deliveries(session, [status_target, ops_target], kinds=kinds)
    assert [(a.kind, c) for a, c, _ in pending] == [("source_health", "ops_email")]
    everything = repo.pending_deliveries(session, [status_target])
    assert [a.kind for a, _, _ in everything] == ["source_health"]
