"""The ``deliver`` flow: send what the outbox says is due, one send per (alert, target).

Runs at the end of every poll (a new alert's first attempt is immediate) and every five
minutes on its own schedule.  Delivery neither loses nor repeats (issue 6):

- **retries** follow the Standard Webhooks schedule (``alerts.retry``: at once, 5 s, 5 min,
  30 min, 2 h, 5 h, 10 h, 10 h, each ±20%), per (alert, target), honouring a receiver's
  ``Retry-After``; a run sends only what is due, so a receiver that is down is not hammered;
- **410 Gone** disables that endpoint (``storage.outbox``): one operations alert, and nothing
  is sent to it until ``carewatch alerts enable``, when what it missed goes out;
- after the **last attempt** the (alert, target) is dead-lettered: one operations alert,
  and ``carewatch alerts replay`` can send it again;
- **never twice**: a delivered (alert, target) is never sent again, a row is claimed in a
  committed transaction before its send so overlapping runs cannot both send it, and the
  ``webhook-id`` is always the alert's key.  The one exception is a run killed after a
  receiver took a send and before the attempt was committed: once its claim lapses
  (``outbox.CLAIM``) the send is repeated, with the same webhook-id (a receiver drops it)
  or as a second email with the same Message-ID (email has no idempotency key).  That is
  at-least-once, never lost (``tests/flows/test_kill.py``).

Every attempt, good or bad, is recorded.  Each channel takes only the alert kinds it is for
(``alerts.channels``): operations alerts go to the operations targets when they are
configured, status alerts never do.  Operations alerts raised during a run are delivered by
the same run.

The clock is injectable (``deliver(now=...)``, ``deliver_due(clock=...)``): tests step
through the schedule without sleeping.  Webhooks are always signed with the real time.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import Channel, DeliveryResult
from alerts.message import Alertable, from_outbox, render_subject
from alerts.retry import RetryPolicy, Uniform
from flows.config import Settings
from flows.database import open_database
from storage import outbox
from storage.db import run_transaction

LOG = logging.getLogger(__name__)
# Passes over the outbox per run: the first sends what is due, later ones the operations
# alerts the first raised.  A bound, not a target: a run normally needs two at most.
MAX_PASSES = 5

Clock = Callable[[], datetime]
Sender = Callable[[Channel, Alertable], DeliveryResult]


@dataclass
class DeliveryReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (alert key, channel)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (+ error)
    channels: list[str] = field(default_factory=list)
    dead: list[tuple[str, str]] = field(default_factory=list)  # (alert key, channel)
    disabled: list[tuple[str, str]] = field(default_factory=list)  # (channel, target)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # disabled (channel, target)

    def absorb(self, other: DeliveryReport) -> None:
        """Add what ``other`` (one committed attempt's outcome) says happened."""
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        self.disabled += other.disabled


@dataclass(frozen=True)
class _Item:
    """One (alert, target) to send, detached from its session."""

    alert_id: int
    key: str
    kind: str
    message: Alertable
    channel: str
    target: str
    attempts: int  # made before this one


def _now() -> datetime:
    return datetime.now(UTC)


def send_now(channel: Channel, message: Alertable) -> DeliveryResult:
    """One attempt on one channel, signed and dated with the real time.  Channels report
    failure as a result, never by raising."""
    return channel.send(message, now=_now())


@task(name="send", cache_policy=NO_CACHE)
def send(channel: Channel, message: Alertable) -> DeliveryResult:
    return send_now(channel, message)


@flow(name="deliver")
def deliver(now: datetime | None = None) -> DeliveryReport:
    """Send every alert that is due to every configured channel and record each attempt.

    ``now`` pretends it is that time (for tests, and to bring the next retries forward);
    by default the real time.
    """
    logger = get_run_logger()
    settings = Settings.from_env()
    channels = settings.channels()
    if not channels:
        logger.info("no alert channel configured "
                    "(set CAREWATCH_SMTP_HOST or CAREWATCH_WEBHOOK_URL)")
        return DeliveryReport()
    return deliver_due(
        open_database(settings.database_url), channels,
        policy=RetryPolicy.from_env(settings.environ),
        clock=(lambda: now) if now is not None else _now,
        rng=random.Random(), send=send, logger=logger,
    )


def deliver_due(
    sessions: sessionmaker[Session],
    channels: Iterable[Channel],
    *,
    policy: RetryPolicy,
    clock: Clock = _now,
    rng: Uniform | None = None,
    send: Sender = send_now,
    logger: Any = LOG,
    limit: int = 100,
) -> DeliveryReport:
    """The flow's work as a plain function (``deliver`` wires in the settings)."""
    rng = rng if rng is not None else random.Random()
    channels = list(channels)
    report = DeliveryReport(channels=[c.name for c in channels])
    by_target = {(c.name, c.target): c for c in channels}
    kinds = {t: c.kinds for t, c in by_target.items()}
    started = clock()
    for _ in range(MAX_PASSES):
        with sessions() as session:
            off = outbox.disabled_targets(session)
            targets = [t for t in by_target if t not in off]
            items = [_item(u) for u in outbox.due(session, targets, now=clock(), kinds=kinds,
                                                  started=started, limit=limit)]
        for target in by_target:
            if target in off and target not in report.skipped:
                report.skipped.append(target)
        if not items:
            break
        for item in items:
            if (item.channel, item.target) in report.disabled:
                continue  # answered 410 earlier in this run
            if not run_transaction(sessions, _claimer(item, clock())):
                continue  # another run has it, or it was just delivered
            result = send(by_target[(item.channel, item.target)], item.message)
            report.absorb(_settle_committed(sessions, item, result, now=clock(), policy=policy,
                                            rng=rng, logger=logger))
    return report


def _claimer(item: _Item, now: datetime) -> Callable[[Session], bool]:
    """The claim of ``item`` as a transaction's work (committed before the send)."""
    def claim(session: Session) -> bool:
        return outbox.claim(session, item.alert_id, item.channel, item.target, now=now,
                            until=now + outbox.CLAIM)

    return claim


def _settle_committed(sessions: sessionmaker[Session], item: _Item, result: DeliveryResult,
                      **options: Any) -> DeliveryReport:
    """``settle`` in a transaction of its own, run again if it loses a race with another
    run (the same operations alert queued by both); returns what it did.  A fresh report
    per try, so a retried transaction is not reported twice."""
    def work(session: Session) -> DeliveryReport:
        outcome = DeliveryReport()
        settle(session, item, result, report=outcome, **options)
        return outcome

    return run_transaction(sessions, work)


def _item(due: outbox.Due) -> _Item:
    a = due.alert
    return _Item(a.id, a.key, a.kind, from_outbox(a.kind, a.payload), due.channel, due.target,
                 due.attempts)


def settle(
    session: Session,
    item: _Item,
    result: DeliveryResult,
    *,
    now: datetime,
    report: DeliveryReport,
    policy: RetryPolicy | None = None,
    rng: Uniform | None = None,
    logger: Any = LOG,
    scheduled: bool = True,
) -> None:
    """Record one attempt and act on its outcome, in the caller's transaction: schedule
    the next attempt or dead-letter; on 410, disable the endpoint; queue the operations
    alert either calls for.  A replay (``scheduled=False``) counts towards no schedule."""
    attempt = item.attempts + 1
    retry_at = None
    if not result.ok and scheduled:
        policy = policy if policy is not None else RetryPolicy()
        delay = policy.delay_after(attempt, rng if rng is not None else random.Random(),
                                   retry_after=result.retry_after)
        retry_at = None if delay is None else now + delay
    state = outbox.record_attempt(
        session, item.alert_id, item.channel, item.target, ok=result.ok,
        response_code=result.response_code, error=result.error, now=now, retry_at=retry_at,
        scheduled=scheduled)
    if result.ok:
        report.sent.append((item.key, item.channel))
        return
    error = result.error or "failed"
    report.failed.append((item.key, item.channel, error))
    logger.warning("delivery of %s by %s failed: %s", item.key, item.channel, error)

    def problem(kind: str, attempts: int) -> outbox.DeliveryProblem:
        return outbox.DeliveryProblem(
            kind, item.channel, item.target, now, item.alert_id, item.key,
            about=render_subject(item.message), attempts=attempts, detail=result.error)

    if result.gone and outbox.disable_target(session, item.channel, item.target, now=now,
                                             reason=error, alert_id=item.alert_id):
        report.disabled.append((item.channel, item.target))
        logger.error("%s endpoint %s answered 410 Gone: disabled until `carewatch alerts "
                     "enable %s`", item.channel, item.target, item.target)
        outbox.enqueue_problem(
            session, problem(outbox.ENDPOINT_DISABLED, attempt if scheduled else item.attempts),
            now=now)
    if scheduled and state == outbox.DEAD:
        report.dead.append((item.key, item.channel))
        logger.error("gave up delivering %s by %s to %s after %d attempt(s): dead-lettered "
                     "(`carewatch alerts replay %d` sends it again)", item.key, item.channel,
                     item.target, attempt, item.alert_id)
        if item.kind != outbox.ALERT_DELIVERY:  # never an alert about an alert about delivery
            outbox.enqueue_problem(session, problem(outbox.DEAD_LETTER, attempt), now=now)


class UnknownAlert(LookupError):
    """``replay`` was given an alert id the outbox does not hold."""


def replay(
    sessions: sessionmaker[Session],
    channels: Iterable[Channel],
    alert_id: int,
    *,
    only: str | None = None,
    clock: Clock = _now,
    send: Sender = send_now,
    logger: Any = LOG,
) -> DeliveryReport:
    """Send alert ``alert_id`` again, now, to every configured channel that takes its kind
    (or only the channel named ``only``), with the same key (webhook-id), delivered or not;
    each attempt is recorded.  A disabled endpoint is skipped (``report.skipped``).
    ``UnknownAlert`` if there is no such alert."""
    channels = [c for c in channels if only is None or c.name == only]
    report = DeliveryReport(channels=[c.name for c in channels])
    with sessions() as session:
        alert = outbox.get_alert(session, alert_id)
        if alert is None:
            raise UnknownAlert(f"no alert with id {alert_id}")
        off = outbox.disabled_targets(session)
        states = {(s.channel, s.target): s.attempts for s in alert.states}
        message = from_outbox(alert.kind, alert.payload)
        key, kind = alert.key, alert.kind
    for channel in channels:
        target = (channel.name, channel.target)
        if channel.kinds is not None and kind not in channel.kinds:
            continue
        if target in off:
            report.skipped.append(target)
            continue
        item = _Item(alert_id, key, kind, message, *target, states.get(target, 0))
        result = send(channel, message)
        report.absorb(_settle_committed(sessions, item, result, now=clock(), logger=logger,
                                        scheduled=False))
    return report

