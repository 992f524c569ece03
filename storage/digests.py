"""Digest records: what one daily or weekly digest says, collected from the database.

The records live here, beside the queries that fill them, as ``storage.health`` keeps its
``HealthAlert``; ``alerts.digest`` renders them.  A ``Digest`` travels through the outbox like
any alert (kind ``digest``; retries, dead letters and ``carewatch alerts replay`` apply) to the
digest recipients only (``CAREWATCH_DIGEST_TO``).  Its ``key`` is the period and the period's
label (a local date, or an ISO week), so a digest is enqueued once per day or week however
many runs try, and a run that was missed is caught up by the next: each digest starts where
the previous one ended.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Self
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import models
from storage.notices import ALERT_KINDS, ALERT_STATUS_CHANGE, ALERT_UNCONFIRMED

ALERT_DIGEST = "digest"
PRIORITY_DIGEST = 0
DAY, WEEK = "day", "week"
PERIODS = (DAY, WEEK)
# Past this many publications the digest lists the most recent and says how many more:
# a backfill must not produce a 2,000-line email.
MAX_LISTED = 40
@dataclass(frozen=True)
class DigestPublication:
    title: str
    url: str
    source: str
    kind: str
    published: date | None
    changed_status: bool
    unconfirmed: bool
    authoritative: bool


@dataclass(frozen=True)
class DigestChange:
    """A status notice raised in the period: its one-line subject says it all."""

    kind: str
    headline: str
    url: str
    raised: datetime


@dataclass(frozen=True)
class DigestStatus:
    authority: str
    service: str
    dimension: str
    value: str
    stated: date | None
    title: str
    url: str


@dataclass(frozen=True)
class DigestProblem:
    source: str
    state: str
    since: datetime | None
    detail: str | None


@dataclass(frozen=True)
class Digest:
    period: str
    label: str  # "25 Nov 2026" or "2026-W48": what the key is unique per
    start: datetime
    end: datetime
    publications: tuple[DigestPublication, ...] = ()
    changes: tuple[DigestChange, ...] = ()
    status: tuple[DigestStatus, ...] = ()
    problems: tuple[DigestProblem, ...] = ()
    total_publications: int = 0
    alert_kind: str = field(default=ALERT_DIGEST)
    priority: int = field(default=PRIORITY_DIGEST)

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.period}\x1f{self.label}".encode()).hexdigest()[:24]
        return f"cwdg_{self.period}_{digest}"

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            period=data["period"], label=data["label"],
            start=datetime.fromisoformat(data["start"]), end=datetime.fromisoformat(data["end"]),
            publications=tuple(DigestPublication(**{
                **p, "published": _date(p["published"])}) for p in data["publications"]),
            changes=tuple(DigestChange(**{**c, "raised": datetime.fromisoformat(c["raised"])})
                          for c in data["changes"]),
            status=tuple(DigestStatus(**{**s, "stated": _date(s["stated"])})
                         for s in data["status"]),
            problems=tuple(DigestProblem(**{
                **p, "since": datetime.fromisoformat(p["since"]) if p["since"] else None})
                for p in data["problems"]),
            total_publications=data["total_publications"],
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None




# --- periods ------------------------------------------------------------------------------

LOCAL = ZoneInfo("Europe/London")  # what "a day" and "a week" mean to the readers


def label_for(period: str, end: datetime) -> str:
    """The day ("25 Nov 2026") or ISO week ("2026-W48") ``end`` falls in, in UK time."""
    local = end.astimezone(LOCAL).date()
    if period == DAY:
        return f"{local.day} {local:%b %Y}"
    if period == WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"digest period must be one of {', '.join(PERIODS)}, not {period!r}")


# --- queries ------------------------------------------------------------------------------


def previous(session: Session, period: str) -> Digest | None:
    """The most recent digest of ``period`` in the outbox, or None."""
    rows = session.scalars(select(models.Alert).where(models.Alert.kind == ALERT_DIGEST)
                           .order_by(models.Alert.created_at.desc(), models.Alert.id.desc()))
    for row in rows:
        if row.payload.get("period") == period:
            return Digest.from_dict(row.payload)
    return None


def publications(session: Session, start: datetime, end: datetime, *, limit: int = MAX_LISTED
                 ) -> tuple[list[DigestPublication], int]:
    """Publications first seen in [start, end), newest first (at most ``limit``), and how
    many there were.  A publication "changed status" when a status-change alert came from an
    observation of it or of another publication of its event (the CIW page and the council
    paper carrying the same letter both did)."""
    p, o, a = models.Publication, models.Observation, models.Alert
    window = [p.first_seen >= start, p.first_seen < end]
    total = session.scalar(select(func.count()).select_from(p).where(*window)) or 0
    rows = list(session.scalars(select(p).where(*window)
                                .order_by(p.first_seen.desc(), p.id.desc()).limit(limit)))
    events = {row.event_id or row.id for row in rows}
    notices = session.execute(
        select(a.kind, p.id, p.event_id).join(o, a.observation_id == o.id)
        .join(p, o.publication_id == p.id).where(a.kind.in_(ALERT_KINDS))).all()
    changed = {event or pid for kind, pid, event in notices
               if kind == ALERT_STATUS_CHANGE and (event or pid) in events}
    claimed = {pid for kind, pid, _ in notices if kind == ALERT_UNCONFIRMED}
    return [DigestPublication(
        title=row.title, url=row.url, source=row.source, kind=row.kind,
        published=row.published, changed_status=(row.event_id or row.id) in changed,
        unconfirmed=row.id in claimed, authoritative=row.authoritative,
    ) for row in rows], total


def notices(session: Session, start: datetime, end: datetime) -> list[models.Alert]:
    """Status notices (changes and unconfirmed reports) raised in [start, end), oldest first."""
    a = models.Alert
    return list(session.scalars(select(a).where(
        a.kind.in_(ALERT_KINDS), a.created_at >= start, a.created_at < end,
    ).order_by(a.created_at, a.id)))
