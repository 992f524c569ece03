"""The delivery side of the outbox: what is due where, who sends it, and what became of it.

An alert (``models.Alert``, written with the observation behind it) is delivered to every
configured channel *target* (a recipient list, a webhook URL) that takes its kind.  Where it
stands with each target is a ``models.DeliveryState`` row, written on the first attempt:

- ``pending`` — not delivered yet; due when ``next_attempt_at`` has passed (no row at all:
  never tried, due at once);
- ``delivered`` — a send succeeded; it is never sent there again by the scheduled delivery;
- ``dead`` — every attempt of the retry schedule failed (dead-lettered); only a person's
  ``carewatch alerts replay`` sends it again.

A target that answers 410 Gone is a ``models.DisabledTarget``: nothing is sent to it until
``enable_target``, and then everything it missed is due at once.

Exactly-once towards each target rests on three things, none of them timing: ``due`` never
returns an (alert, target) with a successful ``Delivery``; ``claim`` is a committed
conditional UPDATE (or an INSERT under the unique (alert, channel, target)), so of two
delivery runs only one can take a due row; and the outcome (``record_attempt``) is written
in one transaction with any operations alert it raises.  A run killed between claim and
outcome leaves the row claimed until ``CLAIM`` has passed; it is then due again, and the
receiver gets a retry with the same ``webhook-id`` (Standard Webhooks receivers drop those).

Operations alerts about delivery (``DeliveryProblem``: an endpoint disabled by 410, an alert
dead-lettered) are queued here like ``storage.health``'s, once each (unique key).

Like ``storage.repo``, every function takes the ``Session`` first and the caller owns the
transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session, selectinload

from storage import models, repo
from storage.health import OpsPayload

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
DISABLED = "disabled"  # shown for an undelivered alert whose target is disabled

# How long a claimed (alert, target) is left to its sender before another run may take it:
# well above any send timeout (webhook 10 s, SMTP 30 s by default).
CLAIM = timedelta(minutes=10)

ALERT_DELIVERY = "delivery_problem"
PRIORITY_DELIVERY = 0  # an operations alert, below every status alert
ENDPOINT_DISABLED = "endpoint_disabled"
DEAD_LETTER = "dead_letter"

Target = tuple[str, str]  # (channel name, target)


@dataclass(frozen=True)
class DeliveryProblem(OpsPayload):
    """An operations alert about delivery itself.

    ``endpoint_disabled``: ``target`` answered 410 Gone while ``alert_key`` was being sent,
    and is disabled from ``since``; one alert per disabling.  ``dead_letter``: every one of
    ``attempts`` attempts to send ``alert_key`` to ``target`` failed; one alert per
    (alert, target), ever.  ``about`` is the undelivered alert's subject, ``detail`` the last
    error.
    """

    problem: str
    channel: str
    target: str
    since: datetime
    alert_id: int
    alert_key: str
    about: str
    attempts: int
    detail: str | None
    alert_kind: str = ALERT_DELIVERY
    priority: int = PRIORITY_DELIVERY

    @property
    def key(self) -> str:
        episode = self.since.isoformat() if self.problem == ENDPOINT_DISABLED else self.alert_key
        parts = (self.problem, self.channel, self.target, episode)
        return "cwd_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]



@dataclass(frozen=True)
class Due:
    """An (alert, target) the schedule says to send now; ``attempts`` made so far."""

    alert: models.Alert
    channel: str
    target: str
    attempts: int


def due(
    session: Session,
    targets: Sequence[Target],
    *,
    now: datetime,
    kinds: Mapping[Target, Collection[str] | None] | None = None,
    started: datetime | None = None,
    limit: int = 100,
) -> list[Due]:
    """What to send now: for each target, the alerts it takes (``kinds``: absent or None,
    every kind) that are not delivered there and are either untried or pending with
    ``next_attempt_at`` passed; most urgent first, then oldest, then in ``targets`` order.

    ``started`` leaves out rows updated since then (a run's own attempts, so one run never
    tries an alert twice however long it takes).  Disabled targets are the caller's to
    leave out of ``targets``.
    """
    a, s, d = models.Alert, models.DeliveryState, models.Delivery
    found: list[Due] = []
    order = {t: i for i, t in enumerate(dict.fromkeys(targets))}
    for channel, target in order:
        delivered = exists().where(
            d.alert_id == a.id, d.channel == channel, d.target == target, d.ok.is_(True))
        ready = and_(s.state == PENDING, s.next_attempt_at <= now)
        if started is not None:
            ready = and_(ready, s.updated_at < started)
        taken = (kinds or {}).get((channel, target))
        only = [] if taken is None else [a.kind.in_(sorted(taken))]
        rows = session.execute(
            select(a, s.attempts)
            .outerjoin(s, and_(s.alert_id == a.id, s.channel == channel, s.target == target))
            .where(~delivered, or_(s.id.is_(None), ready), *only)
            .order_by(a.priority.desc(), a.created_at, a.id)
            .limit(limit)
        )
        found.extend(Due(alert, channel, target, attempts or 0) for alert, attempts in rows)
    found.sort(key=lambda u: (-u.alert.priority, u.alert.created_at, u.alert.id,
                              order[(u.channel, u.target)]))
    return found[:limit]


def claim(
    session: Session, alert_id: int, channel: str, target: str, *, now: datetime,
    until: datetime,
) -> bool:
    """Take a due (alert, target) for sending: True if this caller now owns it until
    ``until``, False if it is not due (delivered, dead, claimed by another run, or not yet
    time).  Commit straight after, before sending: the commit is what other runs see."""
    s = models.DeliveryState
    taken = session.execute(
        update(s)
        .where(s.alert_id == alert_id, s.channel == channel, s.target == target,
               s.state == PENDING, s.next_attempt_at <= now)
        .values(next_attempt_at=until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) == 1:
        return True
    # Never tried here: the first attempt's row is the claim.  If another run inserts it
    # first (or is inserting it: PostgreSQL waits for that run to commit), it is theirs.
    return repo.insert_if_absent(
        session, models.DeliveryState, alert_id=alert_id, channel=channel, target=target,
        state=PENDING, attempts=0, next_attempt_at=until, updated_at=now)


def record_attempt(
    session: Session,
    alert_id: int,
    channel: str,
    target: str,
    *,
    ok: bool,
    response_code: int | None,
    error: str | None,
    now: datetime,
    retry_at: datetime | None = None,
    scheduled: bool = True,
) -> str:
    """Log one attempt (a ``Delivery`` row) and move the (alert, target) on; returns its
    state.

    A scheduled attempt counts towards the schedule: success makes it ``delivered``; a
    failure leaves it ``pending`` until ``retry_at``, or makes it ``dead`` when there is no
    ``retry_at`` (that was the last attempt).  A replay (``scheduled=False``) is logged;
    its success makes the alert ``delivered`` there (a dead letter included), its failure
    changes nothing.
    """
    repo.record_delivery(session, alert_id, channel, target, ok=ok,
                         response_code=response_code, error=error, now=now)
    row = _state(session, alert_id, channel, target)
    if row is None:  # a replay of an alert never tried here, perhaps as a run claims it
        repo.insert_if_absent(
            session, models.DeliveryState, alert_id=alert_id, channel=channel, target=target,
            state=PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        row = _state(session, alert_id, channel, target)
        assert row is not None
    if scheduled:
        row.attempts = (row.attempts or 0) + 1
    if ok:
        row.state, row.next_attempt_at = DELIVERED, None
    elif scheduled:
        row.state = PENDING if retry_at is not None else DEAD
        row.next_attempt_at = retry_at
    row.updated_at = now
    session.flush()
    return row.state


def _state(session: Session, alert_id: int, channel: str, target: str
           ) -> models.DeliveryState | None:
    s = models.DeliveryState
    return session.scalar(
        select(s).where(s.alert_id == alert_id, s.channel == channel, s.target == target))


# --- disabled targets ---------------------------------------------------------------------


def disabled_targets(session: Session) -> dict[Target, models.DisabledTarget]:
    rows = session.scalars(select(models.DisabledTarget).order_by(
        models.DisabledTarget.disabled_at))
    return {(row.channel, row.target): row for row in rows}


def disable_target(
    session: Session, channel: str, target: str, *, now: datetime, reason: str,
    alert_id: int | None,
) -> bool:
    """Stop sending to ``target``; True if it was enabled until now (so the caller raises
    one operations alert), False if it was already disabled."""
    # Disabled by a concurrent run a moment ago: theirs, and their operations alert.
    return repo.insert_if_absent(session, models.DisabledTarget, channel=channel,
                                 target=target, disabled_at=now, reason=reason,
                                 alert_id=alert_id)


def enable_target(session: Session, target: str, *, now: datetime) -> list[Target]:
    """Send to ``target`` again (every channel it is disabled on): what it missed while
    disabled is due at once.  Returns the (channel, target) pairs re-enabled."""
    t, s = models.DisabledTarget, models.DeliveryState
    enabled = [(row.channel, row.target)
               for row in session.scalars(select(t).where(t.target == target))]
    for channel, _ in enabled:
        session.execute(delete(t).where(t.channel == channel, t.target == target))
        session.execute(
            update(s)
            .where(s.channel == channel, s.target == target, s.state == PENDING)
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return enabled


# --- operations alerts --------------------------------------------------------------------


def enqueue_problem(session: Session, problem: DeliveryProblem, *, now: datetime) -> bool:
    """Queue an operations alert about delivery unless its key is already queued."""
    if repo.alert_exists(session, problem.key):
        return False
    session.add(models.Alert(
        key=problem.key, kind=problem.alert_kind, authority="", service=problem.channel,
        payload=problem.to_dict(), created_at=now, observation_id=None,
        priority=problem.priority,
    ))
    session.flush()
    return True


# --- the `carewatch alerts` view ----------------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    """Where one alert stands with one target: ``state`` is delivered, pending, dead or
    disabled; ``at`` is when it was delivered, dead-lettered or disabled; ``next_attempt_at``
    is None for a pending alert never tried; ``configured`` is False for a target no longer
    in the configuration."""

    channel: str
    target: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    at: datetime | None
    configured: bool
    reason: str | None = None


@dataclass(frozen=True)
class AlertView:
    alert: models.Alert
    targets: list[TargetView]
    attempts: list[models.Delivery]


def get_alert(session: Session, alert_id: int) -> models.Alert | None:
    return session.get(models.Alert, alert_id)


def alert_views(
    session: Session,
    *,
    configured: Mapping[Target, Collection[str] | None],
    limit: int = 20,
) -> list[AlertView]:
    """The newest ``limit`` alerts, each with its state per target and every attempt.

    ``configured`` maps each configured target to the kinds it takes (None: every kind);
    an alert is shown against those that take it and against any other target it was
    ever tried on.
    """
    query = (
        select(models.Alert)
        .options(selectinload(models.Alert.deliveries), selectinload(models.Alert.states))
        .order_by(models.Alert.created_at.desc(), models.Alert.id.desc())
        .limit(limit)
    )
    disabled = disabled_targets(session)
    return [AlertView(alert, target_views(alert, configured, disabled), list(alert.deliveries))
            for alert in session.scalars(query)]


def target_views(
    alert: models.Alert,
    configured: Mapping[Target, Collection[str] | None],
    disabled: Mapping[Target, models.DisabledTarget],
) -> list[TargetView]:
    states = {(s.channel, s.target): s for s in alert.states}
    delivered_at: dict[Target, datetime] = {}
    for d in alert.deliveries:
        if d.ok:
            delivered_at.setdefault((d.channel, d.target), d.attempted_at)
    takes = [t for t, kinds in configured.items() if kinds is None or alert.kind in kinds]
    tried = [(d.channel, d.target) for d in alert.deliveries]
    views: list[TargetView] = []
    for key in dict.fromkeys([*takes, *states, *tried]):
        row = states.get(key)
        at: datetime | None = None
        upcoming: datetime | None = None
        reason: str | None = None
        if key in delivered_at or (row is not None and row.state == DELIVERED):
            state = DELIVERED
            at = delivered_at.get(key) or (row.updated_at if row is not None else None)
        elif row is not None and row.state == DEAD:
            state, at = DEAD, row.updated_at
        elif key in disabled:
            state, at, reason = DISABLED, disabled[key].disabled_at, disabled[key].reason
        else:
            state, upcoming = PENDING, row.next_attempt_at if row is not None else None
        views.append(TargetView(key[0], key[1], state, row.attempts if row is not None else 0,
                                upcoming, at, key in configured, reason))
    return views
