"""Delivery that neither loses nor repeats (issue 6), against real receivers: the Standard
Webhooks receiver (``replay.sinks.WebhookReceiver``, which verifies every signature and
answers from its ``responses`` queue) and an aiosmtpd server (``SmtpSink``), with a real
SQLite file.  The clock is a step function the tests move: nothing sleeps, nothing is timed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import channels_from_env
from alerts.retry import RetryPolicy
from flows.database import close_databases, open_database
from flows.deliver import deliver, deliver_due
from flows.demo import new_webhook_secret
from replay.sinks import SmtpSink, WebhookReceiver
from storage import models, outbox, repo
from storage.db import make_engine, make_session_factory, migrate
from storage.health import FAILING, HealthAlert
from storage.notices import status_change
from storage.status import CHILDREN, CONCERN_LEVEL, SCHEME_COP_2019, Transition

T0 = datetime(2020, 8, 5, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
SCHEDULE = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
            timedelta(hours=2), timedelta(hours=5), timedelta(hours=10), timedelta(hours=10)]


class Clock:
    """The injectable clock: ``clock()`` is now; tests move it."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Middle:
    """A random source at the middle of every range: jitter adds nothing, so the tests can
    state the schedule exactly (jitter has its own tests in tests/alerts/test_retry.py)."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


class RetryAfterReceiver(WebhookReceiver):
    """The real receiver, also sending ``Retry-After: <retry_after>`` with a 429 or 503."""

    def __init__(self, secret: str, *, retry_after: str, **kwargs) -> None:
        super().__init__(secret, **kwargs)
        base = self._server.RequestHandlerClass

        class Handler(base):  # type: ignore[valid-type,misc]
            def send_response(self, code, message=None):
                super().send_response(code, message)
                if code in (429, 503):
                    self.send_header("Retry-After", retry_after)

        self._server.RequestHandlerClass = Handler


def transition(n: int = 0) -> Transition:
    return Transition(
        key=f"cw_test_{n}", authority="Wrexham County Borough Council", service=CHILDREN,
        dimension=CONCERN_LEVEL, old="serious", new="significant", scheme=SCHEME_COP_2019,
        evidence="Our concerns have escalated from serious to significant.",
        source="ciw_la_reports", kind="annual_letter", title=f"Letter {n}",
        url=f"https://careinspectorate.wales/letter-{n}.pdf", letter_date=date(2020, 8, 3),
    )


@dataclass
class World:
    sessions: sessionmaker[Session]
    secret: str
    clock: Clock

    def enqueue(self, n: int = 0) -> models.Alert:
        with self.sessions.begin() as session:
            alert = repo.enqueue(session, status_change(transition(n)), observation_id=None,
                                 now=self.clock())
            session.expunge(alert)
            return alert

    def run(self, env: dict[str, str], policy: RetryPolicy | None = None):
        return deliver_due(self.sessions, channels_from_env(env),
                           policy=policy or RetryPolicy(), clock=self.clock, rng=Middle())

    def state(self, alert_id: int, channel: str = "webhook") -> models.DeliveryState:
        with self.sessions() as session:
            s = models.DeliveryState
            row = session.scalars(select(s).where(s.alert_id == alert_id,
                                                  s.channel == channel)).one()
            session.expunge(row)
            return row

    def alerts(self, kind: str | None = None) -> list[models.Alert]:
        with self.sessions() as session:
            a = models.Alert
            rows = list(session.scalars(select(a).where(*([a.kind == kind] if kind else []))
                                        .order_by(a.id)))
            session.expunge_all()
            return rows

    def attempts(self) -> list[tuple[int, str, bool, int | None]]:
        with self.sessions() as session:
            d = models.Delivery
            return [(r.alert_id, r.channel, r.ok, r.response_code)
                    for r in session.scalars(select(d).order_by(d.id))]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    engine = make_engine(f"sqlite:///{tmp_path / 'carewatch.db'}")
    migrate(engine)
    yield World(make_session_factory(engine), new_webhook_secret(), Clock())
    engine.dispose()


def hook_env(secret: str, hook: WebhookReceiver) -> dict[str, str]:
    return {"CAREWATCH_WEBHOOK_URL": hook.url, "CAREWATCH_WEBHOOK_SECRET": secret}


def smtp_env(smtp: SmtpSink, **extra: str) -> dict[str, str]:
    return {"CAREWATCH_SMTP_HOST": smtp.host, "CAREWATCH_SMTP_PORT": str(smtp.port),
            "CAREWATCH_SMTP_MODE": "plain", "CAREWATCH_SMTP_FROM": "carewatch@example.org",
            "CAREWATCH_SMTP_TO": "team@example.org", **extra}


# --- retries -------------------------------------------------------------------------------


def test_500_then_200_is_delivered_once_with_the_same_webhook_id(world):
    with WebhookReceiver(world.secret, responses=[500]) as hook:
        env = hook_env(world.secret, hook)
        alert = world.enqueue()
        first = world.run(env)
        assert first.sent == [] and [c for _, c, _ in first.failed] == ["webhook"]
        state = world.state(alert.id)
        assert (state.state, state.attempts, state.next_attempt_at) == (
            "pending", 1, T0 + 5 * SECOND)

        world.clock.now = T0 + 4 * SECOND  # not due yet: nothing is sent
        assert world.run(env).sent == [] and len(hook.received) == 1
        world.clock.now = T0 + 5 * SECOND
        assert world.run(env).sent == [(alert.key, "webhook")]
        world.clock.now = T0 + timedelta(days=30)
        assert world.run(env).sent == []

    assert [(h.id, h.verified, h.status_sent) for h in hook.received] == [
        (alert.key, True, 500), (alert.key, True, 204)]
    assert world.state(alert.id).state == "delivered"
    assert world.attempts() == [(alert.id, "webhook", False, 500),
                                (alert.id, "webhook", True, 204)]


def test_500_then_timeout_then_200_is_delivered_once_with_one_webhook_id(world):
    """The receiver errs, then hangs past our timeout (it may still have acted on it), then
    answers: every request carries the same webhook-id, and the alert is delivered once."""
    with WebhookReceiver(world.secret, responses=[500]) as hook:
        env = {**hook_env(world.secret, hook), "CAREWATCH_WEBHOOK_TIMEOUT": "0.5"}
        alert = world.enqueue()
        assert world.run(env).sent == []
        hook.delay = 2.0
        world.clock.now = T0 + 5 * SECOND
        second = world.run(env)
        assert second.sent == [] and "timed out" in second.failed[0][2].lower()
        hook.delay = 0.0
        world.clock.now = T0 + timedelta(minutes=6)
        assert world.run(env).sent == [(alert.key, "webhook")]
        world.clock.now = T0 + timedelta(days=30)
        assert world.run(env).sent == []
        deadline = time.monotonic() + 5  # the hung answer may still be on its way
        while len(hook.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert {h.id for h in hook.received} == {alert.key}
    assert len(hook.received) == 3
    assert [ok for _, _, ok, _ in world.attempts()] == [False, False, True]
    assert world.state(alert.id).state == "delivered"


def test_retry_after_is_honoured(world):
    with RetryAfterReceiver(world.secret, retry_after="120", responses=[503]) as hook:
        env = hook_env(world.secret, hook)
        alert = world.enqueue()
        world.run(env)
        assert world.state(alert.id).next_attempt_at == T0 + timedelta(seconds=120)
        world.clock.now = T0 + timedelta(seconds=119)  # past the schedule's 5 s
        assert world.run(env).sent == [] and len(hook.received) == 1
        world.clock.now = T0 + timedelta(seconds=120)
        assert world.run(env).sent == [(alert.key, "webhook")]
    assert [h.id for h in hook.received] == [alert.key, alert.key]


def test_retry_after_is_capped(world):
    with RetryAfterReceiver(world.secret, retry_after=str(30 * 86400), responses=[429]) as hook:
        alert = world.enqueue()
        world.run(hook_env(world.secret, hook))
    assert world.state(alert.id).next_attempt_at == T0 + timedelta(hours=10)


def test_smtp_down_then_up_is_delivered_exactly_once(world):
    with SmtpSink(refuse=True) as smtp:
        env = smtp_env(smtp)
        alert = world.enqueue()
        down = world.run(env)
        assert "421" in down.failed[0][2]
        world.clock.now = T0 + 5 * SECOND
        assert "421" in world.run(env).failed[0][2]  # still down at the second attempt
        smtp.refuse = False
        world.clock.now += timedelta(minutes=4)
        assert world.run(env).sent == []  # the third attempt is due 5 min after the second
        world.clock.now += timedelta(minutes=1)
        assert world.run(env).sent == [(alert.key, "email")]
        world.clock.now += timedelta(days=2)
        assert world.run(env).sent == []
        [mail] = smtp.messages
    assert mail["X-Carewatch-Key"] == alert.key
    assert [ok for _, _, ok, _ in world.attempts()] == [False, False, True]


# --- 410 Gone ------------------------------------------------------------------------------


def test_410_disables_the_endpoint_raises_one_ops_alert_and_later_alerts_skip_it(world):
    with WebhookReceiver(world.secret, responses=[410]) as hook, SmtpSink() as smtp:
        env = {**hook_env(world.secret, hook), "CAREWATCH_SMTP_HOST": smtp.host,
               "CAREWATCH_SMTP_PORT": str(smtp.port), "CAREWATCH_SMTP_MODE": "plain",
               "CAREWATCH_SMTP_FROM": "carewatch@example.org",
               "CAREWATCH_OPS_EMAIL_TO": "ops@example.org"}
        first = world.enqueue(1)
        report = world.run(env)
        assert report.disabled == [("webhook", hook.url)]
        [ops] = smtp.messages  # the operations alert went out in the same run
        assert ops["Subject"] == (
            f"carewatch: webhook endpoint {hook.url} disabled: it answered 410 Gone")
        assert f"carewatch alerts enable {hook.url}" in ops.get_body(("plain",)).get_content()

        world.clock.now = T0 + timedelta(hours=1)
        second = world.enqueue(2)
        for hours in (1, 5, 30):
            world.clock.now = T0 + timedelta(hours=hours)
            later = world.run(env)
            assert later.sent == [] and later.skipped == [("webhook", hook.url)]
        assert len(hook.received) == 1 and len(smtp.messages) == 1
        assert len(world.alerts(outbox.ALERT_DELIVERY)) == 1

        with world.sessions.begin() as session:
            assert outbox.enable_target(session, hook.url, now=world.clock()) == [
                ("webhook", hook.url)]
        back = world.run(env)
        assert sorted(back.sent) == sorted([(first.key, "webhook"), (second.key, "webhook")])
    assert [(h.id, h.status_sent) for h in hook.received] == [
        (first.key, 410), (first.key, 204), (second.key, 204)]


# --- dead letters --------------------------------------------------------------------------


def test_exhausting_the_schedule_dead_letters_and_fires_one_ops_alert(world):
    with WebhookReceiver(world.secret, responses=[500] * 20) as hook, SmtpSink() as smtp:
        env = {**hook_env(world.secret, hook), **smtp_env(smtp, CAREWATCH_SMTP_TO=""),
               "CAREWATCH_OPS_EMAIL_TO": "ops@example.org"}
        alert = world.enqueue()
        times = [world.clock()]
        world.run(env)
        for _ in range(7):
            state = world.state(alert.id)
            assert state.state == "pending"
            world.clock.now = state.next_attempt_at
            times.append(world.clock())
            world.run(env)
        dead = world.state(alert.id)
        assert (dead.state, dead.attempts, dead.next_attempt_at) == ("dead", 8, None)
        assert [b - a for a, b in zip(times, times[1:], strict=False)] == SCHEDULE
        assert [h.id for h in hook.received] == [alert.key] * 8

        [ops] = smtp.messages
        assert ops["Subject"].startswith(
            f"carewatch: alert #{alert.id} not delivered (webhook, 8 attempts): Wrexham children's")
        assert f"Target: {hook.url}" in ops.get_body(("plain",)).get_content()
        assert f"carewatch alerts replay {alert.id}" in ops.get_body(("plain",)).get_content()
        world.clock.now += timedelta(days=7)
        assert world.run(env).sent == []
        assert len(hook.received) == 8 and len(smtp.messages) == 1
    assert len(world.alerts(outbox.ALERT_DELIVERY)) == 1


def test_a_dead_ops_alert_raises_no_alert_about_itself(world):
    """Without operations targets every alert goes to the status webhook; when that is down
    for good, the dead-letter alert about a status alert is dead-lettered too, and that is
    where it stops (no alert about an alert about delivery)."""
    with WebhookReceiver(world.secret, responses=[500] * 5) as hook:
        env = hook_env(world.secret, hook)
        alert = world.enqueue()
        report = world.run(env, RetryPolicy(max_attempts=1))
        assert len(report.dead) == 2  # the alert, then the dead-letter alert about it
        world.clock.now += timedelta(days=1)
        assert world.run(env, RetryPolicy(max_attempts=1)).failed == []
    [problem] = world.alerts(outbox.ALERT_DELIVERY)
    assert problem.payload["alert_key"] == alert.key
    assert [h.id for h in hook.received] == [alert.key, problem.key]


def test_health_alert_goes_to_the_ops_webhook_only(world):
    with WebhookReceiver(world.secret) as hook, WebhookReceiver(world.secret) as ops_hook:
        env = {**hook_env(world.secret, hook), "CAREWATCH_OPS_WEBHOOK_URL": ops_hook.url}
        health = HealthAlert("ciw_la_reports", "CIW", "https://careinspectorate.wales",
                             FAILING, T0, "HTTP 500", 3, recovered=False)
        with world.sessions.begin() as session:
            repo.enqueue_health(session, health, now=T0)
        world.enqueue()
        report = world.run(env)
    assert sorted(c for _, c in report.sent) == ["ops_webhook", "webhook"]
    assert [h.payload["type"] for h in ops_hook.received] == ["source.health"]
    assert [h.payload["type"] for h in hook.received] == ["status.changed"]


# --- never twice ---------------------------------------------------------------------------


def test_two_runs_at_once_send_each_alert_once(world):
    with WebhookReceiver(world.secret, delay=0.3) as hook:
        env = hook_env(world.secret, hook)
        alerts = [world.enqueue(n) for n in range(3)]
        reports = []
        runs = [threading.Thread(target=lambda: reports.append(world.run(env)))
                for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
    assert sorted(h.id for h in hook.received) == sorted(a.key for a in alerts)
    assert sorted(key for r in reports for key, _ in r.sent) == sorted(a.key for a in alerts)


def test_a_run_killed_mid_send_is_resumed_with_the_same_webhook_id(world):
    """A run that claimed an alert and died before recording the outcome: nobody sends it
    while the claim holds; afterwards the next run does, as the same webhook-id."""
    with WebhookReceiver(world.secret) as hook:
        env = hook_env(world.secret, hook)
        alert = world.enqueue()
        with world.sessions.begin() as session:  # the dead run's claim
            assert outbox.claim(session, alert.id, "webhook", hook.url, now=T0,
                                until=T0 + outbox.CLAIM)
        world.clock.now = T0 + outbox.CLAIM - SECOND
        assert world.run(env).sent == []
        world.clock.now = T0 + outbox.CLAIM
        assert world.run(env).sent == [(alert.key, "webhook")]
        assert world.run(env).sent == []
    assert [h.id for h in hook.received] == [alert.key]
    assert world.state(alert.id).attempts == 1


# --- the flow --------------------------------------------------------------------------------


def test_deliver_flow_reads_max_attempts_and_takes_a_clock(world, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'flow.db'}"
    with WebhookReceiver(world.secret, responses=[500, 500]) as hook:
        for key, value in {**hook_env(world.secret, hook), "CAREWATCH_DATABASE_URL": url,
                           "CAREWATCH_DELIVERY_MAX_ATTEMPTS": "2"}.items():
            monkeypatch.setenv(key, value)
        world.sessions = open_database(url)
        alert = world.enqueue()
        try:
            assert [c for _, c, _ in deliver(now=T0).failed] == ["webhook"]
            assert deliver(now=T0 + 3 * SECOND).failed == []  # 5 s ±20%: not due yet
            last = deliver(now=T0 + 7 * SECOND)
            assert last.dead == [(alert.key, "webhook")]
            # The dead-letter alert went to the only channel, which now accepts it.
            [(problem_key, channel)] = last.sent
            assert channel == "webhook" and problem_key.startswith("cwd_")
        finally:
            close_databases()
    assert [h.id for h in hook.received] == [alert.key, alert.key, problem_key]
