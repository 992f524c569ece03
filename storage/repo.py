"""Every query carewatch makes.  Each function takes the ``Session`` first.

The caller owns the transaction: nothing here commits.  Functions ``flush`` when they need
database-assigned ids, so everything one poll writes (publication, observations, alerts)
commits or rolls back together; in particular an alert is enqueued in the same
transaction as the observation that caused it, which is what makes the outbox reliable.

URLs are compared exactly: callers pass canonical URLs (``scrapers.text.canonical_url``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, selectinload

from scrapers import base
from storage import health, models, status
from storage.notices import ALERT_UNCONFIRMED, Notice
from storage.status import Reading, StatusRow

__all__ = [
    "HistoryEntry",
    "ObservationRow",
    "StatusRow",
    "add_observation",
    "alert_exists",
    "close_alert",
    "current_for",
    "current_status",
    "enqueue",
    "enqueue_health",
    "finish_baseline",
    "finish_run",
    "get_health",
    "get_observation",
    "history",
    "in_baseline",
    "is_empty",
    "is_known",
    "known_urls",
    "last_runs",
    "last_started",
    "last_new_item",
    "last_success",
    "list_alerts",
    "lock_status",
    "needs_review",
    "observation_exists",
    "open_unconfirmed",
    "pending_deliveries",
    "publication_by_url",
    "recent_runs",
    "record_delivery",
    "save_health",
    "source_health",
    "set_classification",
    "set_review",
    "start_baseline",
    "start_run",
    "upsert_publication",
]

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"

# Bound parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# --- Publications -------------------------------------------------------------------------


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` belong to a stored publication (as its URL or an alias)."""
    wanted = sorted(set(urls))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        rows = session.scalars(
            select(models.PublicationUrl.url).where(models.PublicationUrl.url.in_(chunk))
        )
        found.update(rows)
    return found


def is_known(session: Session, url: str) -> bool:
    """Whether ``url`` is already stored: the ``IsKnown`` a crawl uses to stop early.

    A publication stored with a problem that may clear (``base.worth_reading_again``: a file
    missing, broken or refused) is not known: each poll reads it again until it reads
    cleanly, and ``upsert_publication`` stores the completed copy as a change (issue 6).
    """
    errors = session.execute(
        select(models.Publication.errors)
        .join(models.PublicationUrl, models.PublicationUrl.publication_id == models.Publication.id)
        .where(models.PublicationUrl.url == url)
    ).first()
    return errors is not None and not base.worth_reading_again(errors[0])


def publication_by_url(session: Session, url: str) -> models.Publication | None:
    """The stored publication whose own URL (not an alias) is ``url``."""
    return session.scalars(
        select(models.Publication).where(models.Publication.url == url)).one_or_none()


def is_empty(session: Session) -> bool:
    """True before the first publication is stored: the first poll is a quiet baseline."""
    return session.scalar(select(models.Publication.id).limit(1)) is None


BASELINE_ID = 1  # the one ``models.Baseline`` row


def start_baseline(session: Session, now: datetime) -> bool:
    """At the start of a poll that writes: whether it is part of the quiet baseline.

    The first poll of an empty database opens the baseline; it lasts until a poll
    completes with something stored (``finish_baseline``).  A poll that starts while it
    lasts is quiet too, whatever it finds stored: the first poll may be storing right now,
    or may have been killed half way, and its sources not yet read hold history, not news.
    Two first polls at once open it once (the second waits for, or finds, the first's row).
    """
    if is_empty(session):
        insert_if_absent(session, models.Baseline, id=BASELINE_ID, started_at=now)
    return in_baseline(session)


def in_baseline(session: Session) -> bool:
    """Whether the quiet baseline is going on (read only: a dry run's answer).  A database
    with no publications is always in it."""
    row = session.get(models.Baseline, BASELINE_ID, populate_existing=True)
    if row is None:
        return is_empty(session)
    return row.finished_at is None


def finish_baseline(session: Session, now: datetime) -> None:
    """End the baseline, if one is going on and something has been stored: a poll that
    read nothing (every source failed) leaves the next poll quiet still."""
    if is_empty(session):
        return
    b = models.Baseline
    session.execute(update(b).where(b.id == BASELINE_ID, b.finished_at.is_(None))
                    .values(finished_at=now).execution_options(synchronize_session=False))


def _match_publication(session: Session, pub: base.Publication) -> models.Publication | None:
    """The stored event ``pub`` is, found by its URL or any alias.

    If its URLs point at several stored publications (two pages of one event were first
    stored separately), the one owning ``pub.url`` wins, else the oldest; they are not
    merged.
    """
    rows = session.execute(
        select(models.PublicationUrl.url, models.PublicationUrl.publication_id).where(
            models.PublicationUrl.url.in_([pub.url, *pub.aliases])
        )
    ).all()
    if not rows:
        return None
    owners = {url: publication_id for url, publication_id in rows}
    publication_id = owners.get(pub.url, min(owners.values()))
    return session.get(models.Publication, publication_id)


def _apply_content(row: models.Publication, pub: base.Publication, authoritative: bool) -> None:
    row.source = pub.source
    row.kind = pub.kind
    row.title = pub.title
    row.text = pub.text
    row.content_hash = pub.content_hash
    row.published = pub.published
    row.letter_date = pub.letter_date
    row.fieldwork_start = pub.fieldwork_start
    row.fieldwork_end = pub.fieldwork_end
    row.authoritative = authoritative
    row.language = pub.language
    row.errors = "\n".join(pub.errors) or None


def _sync_attachments(row: models.Publication, attachments: Sequence[base.Attachment]) -> None:
    """Make ``row.attachments`` match ``attachments`` (by URL; the first of duplicates wins)."""
    wanted: dict[str, base.Attachment] = {}
    for attachment in attachments:
        wanted.setdefault(attachment.url, attachment)
    existing = {a.url: a for a in row.attachments}
    for url, stored in existing.items():
        if url not in wanted:
            row.attachments.remove(stored)
    for url, attachment in wanted.items():
        stored = existing.get(url) or models.Attachment(url=url)
        stored.content_type = attachment.content_type
        stored.sha256 = attachment.sha256
        stored.size = attachment.size
        stored.text = attachment.text
        stored.error = attachment.error
        if url not in existing:
            row.attachments.append(stored)


def _add_urls(session: Session, row: models.Publication, urls: Iterable[str]) -> None:
    """Record URLs of this event not yet known; a URL owned by another event stays there."""
    candidates = list(dict.fromkeys(urls))
    taken = known_urls(session, candidates)
    for url in candidates:
        if url not in taken:
            row.urls.append(models.PublicationUrl(url=url))


def upsert_publication(
    session: Session, pub: base.Publication, *, authoritative: bool, now: datetime
) -> tuple[models.Publication, str]:
    """Store ``pub``; say whether it was ``"new"``, ``"changed"`` or ``"unchanged"``.

    Matched by URL or any alias.  A re-seen event updates ``last_seen`` and gains any new
    aliases; its content (fields and attachments) is replaced only when ``content_hash``
    differs, i.e. when what a reader sees changed.
    """
    row = _match_publication(session, pub)
    if row is None:
        row = models.Publication(url=pub.url, first_seen=now, last_seen=now)
        _apply_content(row, pub, authoritative)
        _sync_attachments(row, pub.attachments)
        session.add(row)
        _add_urls(session, row, [pub.url, *pub.aliases])
        session.flush()
        return row, NEW
    row.last_seen = now
    _add_urls(session, row, [pub.url, *pub.aliases])
    outcome = UNCHANGED
    if row.content_hash != pub.content_hash:
        _apply_content(row, pub, authoritative)
        _sync_attachments(row, pub.attachments)
        outcome = CHANGED
    session.flush()
    return row, outcome


# --- Status -------------------------------------------------------------------------------

# Review states whose observations count: read automatically with confidence, or confirmed
# by a person.  ``needs_review`` and ``rejected`` ones are kept for the record only.
ACCEPTED = (status.REVIEW_AUTO, status.REVIEW_CONFIRMED)


@dataclass(frozen=True)
class ObservationRow:
    """A stored observation with its review state and the document it came from: what
    ``carewatch review`` lists and ``carewatch status --history`` shows."""

    id: int
    authority: str
    service: str
    dimension: str
    value: str
    scheme: str
    evidence: str
    effective_date: date | None
    confidence: float
    review: str
    authoritative: bool
    reviewed_at: datetime | None
    review_note: str | None
    observed_at: datetime
    publication_id: int
    url: str
    title: str
    kind: str
    source: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an authority's timeline: an observation, or a publication about the
    authority's social services that states no status (an event: a news item, a
    conference, a council report), in which case ``observation`` is None."""

    date: date | None
    authority: str
    title: str
    url: str
    source: str
    kind: str
    authoritative: bool
    observation: ObservationRow | None = None
    #: The same publication event seen elsewhere (``storage.events``): "source url" lines.
    also: tuple[str, ...] = ()


def _statement_order() -> tuple[Any, ...]:
    """Oldest statement first: by effective date (undated ones count as oldest), then id.

    Written with CASE rather than NULLS FIRST/LAST so it means the same on every backend
    (SQLite and PostgreSQL sort NULLs at opposite ends by default).  ``status.is_older``
    applies the same rule to a single pair of dates.
    """
    o = models.Observation
    return (case((o.effective_date.is_(None), 0), else_=1), o.effective_date, o.id)


def _status_select(*where: ColumnElement[bool]) -> Select:  # type: ignore[type-arg]
    return (
        select(models.Observation, models.Publication)
        .join(models.Publication, models.Observation.publication)
        .where(*where)
    )


def _row(observation: models.Observation, publication: models.Publication) -> StatusRow:
    return StatusRow(
        authority=observation.authority,
        service=observation.service,
        dimension=observation.dimension,
        value=observation.value,
        scheme=observation.scheme,
        evidence=observation.evidence,
        effective_date=observation.effective_date,
        url=publication.url,
        title=publication.title,
        kind=publication.kind,
        source=publication.source,
        observed_at=observation.observed_at,
        authoritative=observation.authoritative,
    )


def _observation_row(
    observation: models.Observation, publication: models.Publication
) -> ObservationRow:
    reasons = (publication.classification or {}).get("reasons") or ()
    return ObservationRow(
        id=observation.id,
        authority=observation.authority,
        service=observation.service,
        dimension=observation.dimension,
        value=observation.value,
        scheme=observation.scheme,
        evidence=observation.evidence,
        effective_date=observation.effective_date,
        confidence=observation.confidence,
        review=observation.review,
        authoritative=observation.authoritative,
        reviewed_at=observation.reviewed_at,
        review_note=observation.review_note,
        observed_at=observation.observed_at,
        publication_id=publication.id,
        url=publication.url,
        title=publication.title,
        kind=publication.kind,
        source=publication.source,
        reasons=tuple(str(reason) for reason in reasons),
    )


def _latest(session: Session, *where: ColumnElement[bool]) -> list[StatusRow]:
    """Latest accepted authoritative observation per (authority, service, dimension).

    Only the regulator's (or Welsh Government's) own words set the status (domain.md
    §6.9): council news and press are stored as observations for the record, and so are
    readings awaiting review or rejected by a reviewer, but none of them is ever current.
    """
    o = models.Observation
    newest_first = [column.desc() for column in _statement_order()]
    ranked = (
        select(
            o.id,
            func.row_number()
            .over(partition_by=(o.authority, o.service, o.dimension), order_by=newest_first)
            .label("rank"),
        )
        .where(o.authoritative.is_(True), o.review.in_(ACCEPTED), *where)
        .subquery()
    )
    query = (
        _status_select(ranked.c.rank == 1)
        .join(ranked, ranked.c.id == o.id)
        .order_by(o.authority, o.service, o.dimension)
    )
    return [_row(obs, pub) for obs, pub in session.execute(query)]


def current_status(session: Session, authority: str | None = None) -> list[StatusRow]:
    """The recorded status: the latest statement per (authority, service, dimension).

    Derived from observations each time, so it always agrees with its evidence.  A level
    stated years ago stays current until a later document states another (CIW has not
    restated Wrexham's since 2020: show the date, never assume de-escalation).
    """
    where = [] if authority is None else [models.Observation.authority == authority]
    return _latest(session, *where)


def current_for(session: Session, authority: str, service: str, dimension: str) -> StatusRow | None:
    """The recorded status of one (authority, service, dimension), or None."""
    o = models.Observation
    rows = _latest(
        session, o.authority == authority, o.service == service, o.dimension == dimension
    )
    return rows[0] if rows else None


def lock_status(session: Session, aspects: Iterable[tuple[str, str, str]]) -> None:
    """Hold the ``StatusLock`` of each (authority, service, dimension) until the caller's
    transaction ends; a concurrent transaction holding one waits for it to end first.

    Call it before reading the recorded status you are about to change: the status read
    afterwards is then the one the other transaction committed.  Taken in sorted order, so
    two transactions locking several never wait for each other in a cycle.
    """
    lock = models.StatusLock
    for authority, service, dimension in sorted(set(aspects)):
        insert_if_absent(session, lock, authority=authority, service=service,
                         dimension=dimension)
        session.execute(
            update(lock)
            .where(lock.authority == authority, lock.service == service,
                   lock.dimension == dimension)
            .values(version=lock.version + 1)
            .execution_options(synchronize_session=False)
        )


def insert_if_absent(session: Session, model: type[models.Base], **values: Any) -> bool:
    """INSERT a row unless one with the same key exists (or is being inserted by a
    concurrent transaction, which PostgreSQL waits for); True if this call inserted it.

    ``ON CONFLICT DO NOTHING`` rather than catching the unique violation: under pysqlite a
    savepoint opened before the transaction's first write commits on release, so the usual
    ``begin_nested`` recipe would commit half a transaction.
    """
    name = session.get_bind().dialect.name
    if name not in ("postgresql", "sqlite"):  # a lost race is a unique violation, retried
        session.execute(insert(model).values(**values))
        return True
    dialect_insert: Any = postgresql.insert if name == "postgresql" else sqlite.insert
    statement = dialect_insert(model).values(**values).on_conflict_do_nothing()
    # RETURNING says whether a row went in: psycopg reports no rowcount for this statement.
    return session.execute(statement.returning(literal_column("1"))).first() is not None


def observation_exists(session: Session, publication_id: int, reading: Reading) -> bool:
    """Whether this publication already has an observation for the reading's
    (authority, service, dimension): re-reading a document adds nothing."""
    o = models.Observation
    return (
        session.scalar(
            select(o.id).where(
                o.publication_id == publication_id,
                o.authority == reading.authority,
                o.service == reading.service,
                o.dimension == reading.dimension,
            )
        )
        is not None
    )


def add_observation(
    session: Session,
    publication_row: models.Publication,
    reading: Reading,
    *,
    authoritative: bool,
    review: str,
    now: datetime,
) -> models.Observation:
    """Store one reading of one publication (flushed, so it has its id)."""
    observation = models.Observation(
        publication_id=publication_row.id,
        authority=reading.authority,
        service=reading.service,
        dimension=reading.dimension,
        value=reading.value,
        scheme=reading.scheme,
        evidence=reading.evidence,
        effective_date=reading.effective_date,
        observed_at=now,
        confidence=reading.confidence,
        review=review,
        authoritative=authoritative,
    )
    session.add(observation)
    session.flush()
    return observation


def get_observation(session: Session, observation_id: int) -> models.Observation:
    """The observation with this id; LookupError if there is none."""
    observation = session.get(models.Observation, observation_id)
    if observation is None:
        raise LookupError(f"no observation with id {observation_id}")
    return observation


def as_reading(observation: models.Observation) -> Reading:
    """The reading an observation stored (inverse of ``add_observation``)."""
    return Reading(
        authority=observation.authority,
        service=observation.service,
        dimension=observation.dimension,
        value=observation.value,
        scheme=observation.scheme,
        evidence=observation.evidence,
        effective_date=observation.effective_date,
        confidence=observation.confidence,
    )


def set_review(
    observation: models.Observation, review: str, *, note: str | None, now: datetime
) -> None:
    """Record a person's decision on an observation."""
    observation.review = review
    observation.reviewed_at = now
    observation.review_note = note


def set_classification(row: models.Publication, classification: dict[str, Any]) -> None:
    """Keep what the classifier made of a publication (its ``to_json()``)."""
    row.classification = classification


def needs_review(session: Session) -> list[ObservationRow]:
    """Observations read with too little confidence to act on, awaiting a person, oldest
    statement first."""
    query = _status_select(models.Observation.review == status.REVIEW_NEEDED).order_by(
        *_statement_order()
    )
    return [_observation_row(obs, pub) for obs, pub in session.execute(query)]


def history(
    session: Session, authority: str, *, include_secondary: bool = True
) -> list[HistoryEntry]:
    """Everything recorded about ``authority``, oldest first: every observation (secondary
    ones unless ``include_secondary`` is false; needs-review and rejected ones too, flagged),
    and every publication classified as about its social services that states no status.

    Observations are ordered as ``current_status`` orders them; a statement-less
    publication is placed by its letter, publication or first-seen date.
    """
    o = models.Observation
    where = [o.authority == authority]
    if not include_secondary:
        where.append(o.authoritative.is_(True))
    found = list(session.execute(_status_select(*where).order_by(*_statement_order())))
    members = _event_members(session, {pub.event_id for _, pub in found})
    entries = [
        HistoryEntry(
            date=obs.effective_date, authority=authority, title=pub.title, url=pub.url,
            source=pub.source, kind=pub.kind, authoritative=obs.authoritative,
            observation=_observation_row(obs, pub),
            also=_also(members, pub.event_id, pub.id),
        )
        for obs, pub in found
    ]
    entries += _events(session, authority, include_secondary=include_secondary)
    # Stable sort: observations keep their database order within a date.
    entries.sort(key=lambda e: (e.date is not None, e.date or date.min))
    return entries


def _events(
    session: Session, authority: str, *, include_secondary: bool
) -> list[HistoryEntry]:
    """Publications classified as relevant to ``authority`` with no observation about it,
    one per publication event (a page whose event states something is shown with that
    statement, not again as an event)."""
    p, o = models.Publication, models.Observation
    member = aliased(models.Publication)
    stated = exists().where(o.publication_id == member.id, o.authority == authority,
                            or_(member.id == p.id, member.event_id == p.event_id))
    rows = list(session.execute(
        select(p.id, p.title, p.url, p.source, p.kind, p.published, p.letter_date,
               p.first_seen, p.authoritative, p.classification, p.event_id)
        .where(p.classification.is_not(None), ~stated)
        .order_by(p.id)
    ))
    members = _event_members(session, {row.event_id for row in rows})
    shown: set[int] = set()
    out: list[HistoryEntry] = []
    for row in rows:
        if row.event_id is not None and row.event_id in shown:
            continue
        found = row.classification or {}
        if found.get("authority") != authority or not found.get("relevant"):
            continue
        authoritative = bool(found.get("authoritative", row.authoritative))
        if not (authoritative or include_secondary):
            continue
        dates = found.get("dates") or {}
        stated_on = row.letter_date or _iso(dates.get("letter")) or row.published or _iso(
            dates.get("published")) or row.first_seen.date()
        out.append(HistoryEntry(
            date=stated_on, authority=authority, title=row.title, url=row.url,
            source=row.source, kind=found.get("kind") or row.kind, authoritative=authoritative,
            also=_also(members, row.event_id, row.id),
        ))
        if row.event_id is not None:
            shown.add(row.event_id)
    return out


def _event_members(session: Session, event_ids: Iterable[int | None]
                   ) -> dict[int, list[tuple[int, str, str]]]:
    """(id, source, url) of every publication of each event, oldest first."""
    wanted = sorted(e for e in set(event_ids) if e is not None)
    out: dict[int, list[tuple[int, str, str]]] = {}
    p = models.Publication
    for start in range(0, len(wanted), _CHUNK):
        rows = session.execute(select(p.event_id, p.id, p.source, p.url)
                               .where(p.event_id.in_(wanted[start:start + _CHUNK]))
                               .order_by(p.id))
        for event_id, pid, source, url in rows:
            if event_id is not None:
                out.setdefault(event_id, []).append((pid, source, url))
    return out


def _also(members: Mapping[int, list[tuple[int, str, str]]], event_id: int | None,
          publication_id: int) -> tuple[str, ...]:
    return tuple(f"{source} {url}" for pid, source, url in members.get(event_id or -1, [])
                 if pid != publication_id)


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- Alerts -------------------------------------------------------------------------------


def alert_exists(session: Session, key: str) -> bool:
    return session.scalar(select(models.Alert.id).where(models.Alert.key == key)) is not None


def enqueue(
    session: Session, notice: Notice, *, observation_id: int | None, now: datetime
) -> models.Alert:
    """Write ``notice`` to the outbox, in the caller's transaction.  The unique ``key``
    refuses a second row for the same notice."""
    alert = models.Alert(
        key=notice.key,
        kind=notice.alert_kind,
        authority=notice.authority,
        service=notice.service,
        payload=notice.to_dict(),
        created_at=now,
        observation_id=observation_id,
        priority=notice.priority,
    )
    session.add(alert)
    session.flush()
    return alert


def open_unconfirmed(
    session: Session,
    authority: str | None = None,
    service: str | None = None,
    dimension: str | None = None,
) -> list[models.Alert]:
    """Unconfirmed reports no authoritative document has settled yet, oldest first,
    optionally only those about one authority / service / dimension."""
    a = models.Alert
    where = [a.kind == ALERT_UNCONFIRMED, a.closed_at.is_(None)]
    if authority is not None:
        where.append(a.authority == authority)
    if service is not None:
        where.append(a.service == service)
    found = session.scalars(select(a).where(*where).order_by(a.created_at, a.id))
    # The dimension lives in the payload; filtering JSON in Python keeps the SQL portable.
    return [a for a in found if dimension is None or a.payload.get("dimension") == dimension]


def close_alert(
    alert: models.Alert, *, observation_id: int, resolution: str, now: datetime
) -> None:
    """Settle an unconfirmed report: by which observation, and whether it confirmed it."""
    alert.closed_at = now
    alert.closed_by_observation_id = observation_id
    alert.resolution = resolution


# --- Outbox -------------------------------------------------------------------------------


def pending_deliveries(
    session: Session,
    targets: Sequence[tuple[str, str]],
    limit: int = 100,
    *,
    kinds: Mapping[tuple[str, str], Collection[str] | None] | None = None,
) -> list[tuple[models.Alert, str, str]]:
    """(alert, channel, target) for every alert not yet delivered successfully to that
    target, most urgent first (``Alert.priority``: a Part 8 warning notice goes before
    anything else), then oldest first, then in ``targets`` order; at most ``limit``.

    ``kinds`` maps a target to the alert kinds it takes (absent or None: every kind), so
    operations alerts never reach status readers and status alerts never reach operations
    targets when both are configured.

    Failed attempts do not count as delivered, so a failed send is retried by the next
    drain; how often to retry is the delivery flow's decision.
    """
    a, d = models.Alert, models.Delivery
    pending: list[tuple[models.Alert, str, str]] = []
    for channel, target in dict.fromkeys(targets):
        delivered = exists().where(
            d.alert_id == a.id, d.channel == channel, d.target == target, d.ok.is_(True)
        )
        taken = (kinds or {}).get((channel, target))
        only = [] if taken is None else [a.kind.in_(sorted(taken))]
        alerts = session.scalars(
            select(a).where(~delivered, *only)
            .order_by(a.priority.desc(), a.created_at, a.id)
            .limit(limit)
        )
        pending.extend((alert, channel, target) for alert in alerts)
    order = {t: i for i, t in enumerate(dict.fromkeys(targets))}
    pending.sort(key=lambda p: (-p[0].priority, p[0].created_at, p[0].id, order[(p[1], p[2])]))
    return pending[:limit]


def record_delivery(
    session: Session,
    alert_id: int,
    channel: str,
    target: str,
    *,
    ok: bool,
    response_code: int | None,
    error: str | None,
    now: datetime,
) -> models.Delivery:
    """Log one send attempt; only an ``ok`` one takes the alert off that target's queue."""
    delivery = models.Delivery(
        alert_id=alert_id,
        channel=channel,
        target=target,
        ok=ok,
        response_code=response_code,
        error=error,
        attempted_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def list_alerts(session: Session, limit: int = 50) -> list[models.Alert]:
    """The newest alerts, each with its delivery attempts loaded (``alert.deliveries``)."""
    query = (
        select(models.Alert)
        .options(selectinload(models.Alert.deliveries))
        .order_by(models.Alert.created_at.desc(), models.Alert.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


# --- Source runs --------------------------------------------------------------------------


def start_run(session: Session, source: str, now: datetime) -> int:
    """Open a run record before polling ``source``; returns its id for ``finish_run``."""
    run = models.SourceRun(source=source, started_at=now)
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    *,
    ok: bool,
    found: int | None,
    new: int,
    errors: Sequence[str] | str | None,
    now: datetime,
) -> models.SourceRun:
    """Close a run with its outcome; ``errors`` (one per line) are kept for the health view."""
    run = session.get(models.SourceRun, run_id)
    if run is None:
        raise LookupError(f"no source run with id {run_id}")
    if errors is not None and not isinstance(errors, str):
        errors = "\n".join(errors)
    run.finished_at = now
    run.ok = ok
    run.found = found
    run.new = new
    run.errors = errors or None
    session.flush()
    return run


def last_runs(session: Session) -> list[models.SourceRun]:
    """The most recent run of each source, by source name."""
    r = models.SourceRun
    newest = select(func.max(r.id)).group_by(r.source)
    return list(session.scalars(select(r).where(r.id.in_(newest)).order_by(r.source)))


def recent_runs(session: Session, source: str, limit: int = 20) -> list[health.Run]:
    """The last ``limit`` finished runs of ``source``, oldest first, as the health rules
    take them (a run still in progress, or one that died, is left out)."""
    r = models.SourceRun
    rows = session.scalars(
        select(r).where(r.source == source, r.ok.is_not(None)).order_by(r.id.desc()).limit(limit)
    )
    return [
        health.Run(started_at=row.started_at, ok=bool(row.ok), found=row.found,
                   new=row.new or 0, errors=row.errors)
        for row in reversed(list(rows))
    ]


def last_started(session: Session, source: str) -> datetime | None:
    """When the latest run of ``source`` began (finished or not): the schedule's clock."""
    r = models.SourceRun
    return session.scalar(select(func.max(r.started_at)).where(r.source == source))


def last_success(session: Session, source: str) -> datetime | None:
    """When the last successful run of ``source`` finished."""
    r = models.SourceRun
    return session.scalar(select(func.max(r.finished_at)).where(r.source == source,
                                                                 r.ok.is_(True)))


def last_new_item(session: Session, source: str) -> datetime | None:
    """When ``source`` last yielded a new item: the end of its last run that stored one."""
    r = models.SourceRun
    return session.scalar(select(func.max(r.finished_at)).where(r.source == source,
                                                                 r.new > 0))


def get_health(session: Session, source: str) -> health.Health:
    """The health state last recorded for ``source`` (healthy if none was)."""
    row = session.get(models.SourceHealth, source)
    if row is None:
        return health.Health(health.HEALTHY)
    return health.Health(row.state, row.since, row.detail, row.runs)


def save_health(session: Session, source: str, state: health.Health, *, now: datetime) -> None:
    """Record ``source``'s current health state (one row per source, replaced)."""
    row = session.get(models.SourceHealth, source) or models.SourceHealth(source=source)
    row.state, row.since, row.detail, row.runs = state.state, state.since, state.detail, state.runs
    row.checked_at = now
    session.add(row)
    session.flush()


def enqueue_health(session: Session, alert: health.HealthAlert, *, now: datetime) -> bool:
    """Write an operations alert to the outbox unless its key is already there (the key is
    per source, problem, episode start and recovery, so each is sent once)."""
    if alert_exists(session, alert.key):
        return False
    session.add(models.Alert(
        key=alert.key, kind=alert.alert_kind, authority="", service=alert.source,
        payload=alert.to_dict(), created_at=now, observation_id=None, priority=alert.priority,
    ))
    session.flush()
    return True


@dataclass(frozen=True)
class SourceHealthRow:
    """One line of ``carewatch sources``."""

    source: str
    state: str
    since: datetime | None
    last_success: datetime | None
    consecutive_failures: int
    found_last_run: int | None
    last_new_item: datetime | None
    last_error: str | None


def source_health(session: Session, sources: Iterable[str]) -> list[SourceHealthRow]:
    """The health view of each of ``sources`` (plus any other source that has runs)."""
    names = list(dict.fromkeys([*sources, *(run.source for run in last_runs(session))]))
    rows: list[SourceHealthRow] = []
    for name in names:
        runs = recent_runs(session, name)
        state = get_health(session, name)
        last = runs[-1] if runs else None
        rows.append(SourceHealthRow(
            source=name, state=state.state, since=state.since,
            last_success=last_success(session, name),
            consecutive_failures=health.consecutive_failures(runs),
            found_last_run=last.found if last else None,
            last_new_item=last_new_item(session, name),
            last_error=health.first_line(last.errors) if last else None,
        ))
    return rows
