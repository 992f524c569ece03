"""storage.outbox: what is due where, claiming, outcomes, disabled targets, the alerts view,
and migration 0005 carrying earlier attempts over — on every backend (``engine``)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from storage import models, outbox, repo
from storage.db import alembic_config, make_session_factory
from storage.notices import PRIORITY_INTERVENTION, status_change
from storage.outbox import (
    DEAD,
    DEAD_LETTER,
    DELIVERED,
    DISABLED,
    ENDPOINT_DISABLED,
    PENDING,
    DeliveryProblem,
)
from storage.status import CHILDREN, CONCERN_LEVEL, SCHEME_COP_2019, Transition

EMAIL = ("email", "team@example.org")
HOOK = ("webhook", "https://hooks.example.org/carewatch")
OPS = ("ops_email", "ops@example.org")
MINUTE = timedelta(minutes=1)


def enqueue(session: Session, now: datetime, n: int = 0, *, priority: int | None = None
            ) -> models.Alert:
    t = Transition(
        key=f"cw_{n}", authority="Wrexham", service=CHILDREN, dimension=CONCERN_LEVEL,
        old="serious", new="significant", scheme=SCHEME_COP_2019, evidence="e",
        source="ciw_la_reports", kind="annual_letter", title="t", url=f"https://x/{n}",
        letter_date=date(2020, 8, 3))
    notice = status_change(t)
    alert = repo.enqueue(session, notice, observation_id=None, now=now + n * MINUTE)
    if priority is not None:
        alert.priority = priority
        session.flush()
    return alert


def due_ids(session: Session, now: datetime, targets=(EMAIL, HOOK), **kwargs
            ) -> list[tuple[int, str, int]]:
    return [(u.alert.id, u.channel, u.attempts)
            for u in outbox.due(session, list(targets), now=now, **kwargs)]


def fail(session, alert, target, now, retry_at):
    return outbox.record_attempt(session, alert.id, *target, ok=False, response_code=500,
                                 error="HTTP 500", now=now, retry_at=retry_at)


# --- due and claim -------------------------------------------------------------------------


def test_untried_alerts_are_due_at_once_most_urgent_then_oldest(session, now) -> None:
    first = enqueue(session, now, 0)
    urgent = enqueue(session, now, 1, priority=PRIORITY_INTERVENTION)
    assert due_ids(session, now) == [
        (urgent.id, "email", 0), (urgent.id, "webhook", 0),
        (first.id, "email", 0), (first.id, "webhook", 0)]
    assert due_ids(session, now, limit=1) == [(urgent.id, "email", 0)]
    assert due_ids(session, now, kinds={EMAIL: {"source_health"}, HOOK: None}) == [
        (urgent.id, "webhook", 0), (first.id, "webhook", 0)]


def test_a_failed_alert_is_due_again_only_at_its_next_attempt(session, now) -> None:
    alert = enqueue(session, now)
    assert fail(session, alert, HOOK, now, now + 5 * MINUTE) == PENDING
    assert due_ids(session, now + 4 * MINUTE, [HOOK]) == []
    assert due_ids(session, now + 5 * MINUTE, [HOOK]) == [(alert.id, "webhook", 1)]
    # A run leaves out what it tried itself, whatever the clock says.
    assert due_ids(session, now + 5 * MINUTE, [HOOK], started=now) == []


def test_a_delivered_alert_is_never_due_again(session, now) -> None:
    alert = enqueue(session, now)
    state = outbox.record_attempt(session, alert.id, *HOOK, ok=True, response_code=204,
                                  error=None, now=now)
    assert state == DELIVERED
    assert due_ids(session, now + timedelta(days=365), [HOOK]) == []
    # Even an attempt logged without its state row (repo.record_delivery) counts.
    repo.record_delivery(session, alert.id, *EMAIL, ok=True, response_code=250, error=None,
                         now=now)
    assert due_ids(session, now, [EMAIL]) == []


def test_a_claim_is_taken_once(engine: Engine, now) -> None:
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        alert_id = enqueue(session, now).id
    until = now + outbox.CLAIM
    with sessions.begin() as session:  # untried: the claim inserts the state row
        assert outbox.claim(session, alert_id, *HOOK, now=now, until=until)
    with sessions.begin() as session:
        assert not outbox.claim(session, alert_id, *HOOK, now=now, until=until)
        assert due_ids(session, now, [HOOK]) == []
    with sessions.begin() as session:  # the claim lapses (its run died)
        assert outbox.claim(session, alert_id, *HOOK, now=until, until=until + outbox.CLAIM)
        assert not outbox.claim(session, alert_id, *HOOK, now=until, until=until)
    with sessions.begin() as session:
        outbox.record_attempt(session, alert_id, *HOOK, ok=True, response_code=204,
                              error=None, now=until)
    with sessions.begin() as session:
        assert not outbox.claim(session, alert_id, *HOOK, now=until + timedelta(days=1),
                                until=until + timedelta(days=2))


@pytest.mark.parametrize("tried", [False, True], ids=["untried", "retry"])
def test_runs_claiming_at_the_same_moment_one_wins(engine: Engine, now, tried) -> None:
    """Real concurrency: threads with their own connections claim one (alert, target) at
    once, both when the claim inserts the state row and when it updates a due one."""
    if engine.url.database in (None, "", ":memory:"):
        pytest.skip("in-memory SQLite is one shared connection: nothing runs concurrently")
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        alert_id = enqueue(session, now).id
        if tried:
            fail(session, session.get_one(models.Alert, alert_id), HOOK, now, now)
    start = threading.Barrier(4)
    won: list[bool] = []

    def run() -> None:
        start.wait()
        with sessions.begin() as session:
            won.append(outbox.claim(session, alert_id, *HOOK, now=now, until=now + outbox.CLAIM))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, False, False, True]


# --- outcomes ------------------------------------------------------------------------------


def test_outcomes_pending_then_dead(session, now) -> None:
    alert = enqueue(session, now)
    fail(session, alert, HOOK, now, now + MINUTE)
    assert fail(session, alert, HOOK, now + MINUTE, None) == DEAD
    (state,) = alert.states
    assert (state.state, state.attempts, state.next_attempt_at) == (DEAD, 2, None)
    assert due_ids(session, now + timedelta(days=30), [HOOK]) == []
    assert [(d.ok, d.response_code) for d in alert.deliveries] == [(False, 500), (False, 500)]


def test_a_replay_counts_for_nothing_unless_it_delivers(session, now) -> None:
    alert = enqueue(session, now)
    fail(session, alert, HOOK, now, None)  # dead after one attempt
    replayed = outbox.record_attempt(session, alert.id, *HOOK, ok=False, response_code=500,
                                     error="HTTP 500", now=now + MINUTE, scheduled=False)
    assert replayed == DEAD and alert.states[0].attempts == 1
    delivered = outbox.record_attempt(session, alert.id, *HOOK, ok=True, response_code=204,
                                      error=None, now=now + 2 * MINUTE, scheduled=False)
    assert delivered == DELIVERED and alert.states[0].attempts == 1
    assert len(alert.deliveries) == 3


# --- disabled targets ----------------------------------------------------------------------


def test_disable_once_and_enable_makes_what_was_missed_due(session, now) -> None:
    alert = enqueue(session, now)
    fail(session, alert, HOOK, now, now + timedelta(hours=5))
    assert outbox.disable_target(session, *HOOK, now=now, reason="HTTP 410", alert_id=alert.id)
    assert not outbox.disable_target(session, *HOOK, now=now, reason="again", alert_id=None)
    assert list(outbox.disabled_targets(session)) == [HOOK]
    assert outbox.enable_target(session, "https://elsewhere.example.org", now=now) == []

    later = now + MINUTE
    assert outbox.enable_target(session, HOOK[1], now=later) == [HOOK]
    assert outbox.disabled_targets(session) == {}
    assert due_ids(session, later, [HOOK]) == [(alert.id, "webhook", 1)]


# --- operations alerts ---------------------------------------------------------------------


def problem(kind: str, since: datetime, **changes) -> DeliveryProblem:
    fields = {"problem": kind, "channel": "webhook", "target": HOOK[1], "since": since,
              "alert_id": 1, "alert_key": "cw_0", "about": "Wrexham children's services",
              "attempts": 8, "detail": "HTTP 500", **changes}
    return DeliveryProblem(**fields)


def test_delivery_problem_keys(now) -> None:
    dead = problem(DEAD_LETTER, now)
    assert dead.key == problem(DEAD_LETTER, now + MINUTE, attempts=9).key  # once per alert
    assert dead.key != problem(DEAD_LETTER, now, alert_key="cw_1").key
    off = problem(ENDPOINT_DISABLED, now)
    assert off.key != problem(ENDPOINT_DISABLED, now + MINUTE).key  # once per disabling
    assert DeliveryProblem.from_dict(off.to_dict()) == off


def test_enqueue_problem_once(session, now) -> None:
    assert outbox.enqueue_problem(session, problem(DEAD_LETTER, now), now=now)
    assert not outbox.enqueue_problem(session, problem(DEAD_LETTER, now + MINUTE), now=now)
    (alert,) = repo.list_alerts(session)
    assert (alert.kind, alert.priority, alert.service) == (outbox.ALERT_DELIVERY, 0, "webhook")


# --- the view ------------------------------------------------------------------------------


def test_alert_views_state_per_target(session, now) -> None:
    alert = enqueue(session, now)
    outbox.record_attempt(session, alert.id, *EMAIL, ok=True, response_code=250, error=None,
                          now=now)
    fail(session, alert, HOOK, now, now + MINUTE)
    old = ("webhook", "https://old.example.org/hook")
    fail(session, alert, old, now, None)
    configured = {EMAIL: None, HOOK: None, OPS: {"source_health"}}
    session.expire_all()
    (view,) = outbox.alert_views(session, configured=configured)
    states = {(t.channel, t.target): (t.state, t.attempts, t.next_attempt_at, t.configured)
              for t in view.targets}
    assert states == {EMAIL: (DELIVERED, 1, None, True),
                      HOOK: (PENDING, 1, now + MINUTE, True),
                      old: (DEAD, 1, None, False)}  # the ops target does not take it
    assert len(view.attempts) == 3

    outbox.disable_target(session, *HOOK, now=now, reason="HTTP 410", alert_id=alert.id)
    fresh = enqueue(session, now, 1)
    session.expire_all()
    newest, _ = outbox.alert_views(session, configured=configured)
    assert newest.alert.id == fresh.id
    assert [(t.channel, t.state, t.next_attempt_at) for t in newest.targets] == [
        ("email", PENDING, None), ("webhook", DISABLED, None)]
    assert outbox.alert_views(session, configured=configured, limit=1)[0].alert.id == fresh.id


# --- migration 0005 ------------------------------------------------------------------------


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_migration_0005_carries_earlier_attempts_over(engine: Engine) -> None:
    _alembic(engine, "downgrade", "0004")
    at = [datetime(2020, 8, 5, 9, m, tzinfo=UTC).replace(tzinfo=None) for m in range(4)]
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO alerts (id, key, kind, authority, service, payload, created_at) "
            "VALUES (1, 'cw_1', 'status_change', 'Wrexham', 'children', '{}', :at)"),
            {"at": at[0]})
        for channel, target, ok, when in [("email", "a@example.org", False, at[0]),
                                          ("email", "a@example.org", True, at[1]),
                                          ("webhook", "https://h/", False, at[0]),
                                          ("webhook", "https://h/", False, at[2])]:
            connection.execute(text(
                "INSERT INTO deliveries (alert_id, channel, target, ok, attempted_at) "
                "VALUES (1, :channel, :target, :ok, :at)"),
                {"channel": channel, "target": target, "ok": ok, "at": when})
    _alembic(engine, "upgrade", "head")
    with make_session_factory(engine)() as session:
        (alert,) = repo.list_alerts(session)
        states = {(s.channel, s.state, s.attempts, s.next_attempt_at, s.updated_at)
                  for s in alert.states}
    utc = [a.replace(tzinfo=UTC) for a in at]
    assert states == {("email", DELIVERED, 2, None, utc[1]),
                      ("webhook", PENDING, 2, utc[2], utc[2])}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, models.Base.metadata) == []

    _alembic(engine, "downgrade", "0004")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM deliveries")).scalar() == 4
    _alembic(engine, "upgrade", "head")
