"""The status ledger's write path: a stored publication is classified, what it states is
recorded, and the alerts that follow are enqueued, all in the caller's transaction.

Kept apart from ``repo`` (queries) and ``status``/``classify`` (pure rules) because this is
where they meet, and where the rules that matter most to a reader live (issue 4):

- Only the regulator's or Welsh Government's own words move the recorded status: an
  *authoritative* observation read with confidence (``review`` auto, or confirmed by a
  person).  Against the status then recorded it is a change (alert; a Part 8 warning notice
  with the highest priority), a restatement (nothing) or an older document (nothing).
- A reading below ``REVIEW_THRESHOLD`` confidence is stored as ``needs_review``: no alert,
  no effect, until ``review_observation`` confirms it (then it takes effect exactly as if
  it had been read with confidence) or rejects it (never any effect).
- A *secondary* document (council, press, blog) that claims a value other than the
  recorded one raises one ``unconfirmed_report`` notice per claim; many stories repeating
  it raise no more.  The next authoritative word on that (authority, service, dimension)
  closes every open report on it, saying whether it confirmed or contradicted the claim.
- Restated values (a later letter repeating an earlier inspection's judgement) are the
  earlier inspection's, not this document's readings: they are not recorded again here.
- ``quiet`` (the first run's baseline) records everything and enqueues nothing.

The observation and the alert it causes are written in the *same* transaction, so a crash
can never leave a recorded change without its alert, or an alert for a change that was
rolled back.  Each transaction locks the (authority, service, dimension) it is about to
read and change (``repo.lock_status``) before reading it, so two concurrent polls reading
two pages of one letter record one change, not two (issue 6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from scrapers.base import Publication
from storage import events, models, notices, repo, status
from storage.classify import classify_document
from storage.notices import Notice
from storage.status import Reading, StatusRow

CONFIRM = "confirm"
REJECT = "reject"
DECISIONS = (CONFIRM, REJECT)


class ClassificationLike(Protocol):
    """What the ledger reads from ``storage.classify.Classification``."""

    @property
    def authoritative(self) -> bool: ...

    def to_json(self) -> dict[str, Any]: ...

    def readings(self, *, effective_date: date | None) -> list[Reading]: ...


# --- Recording --------------------------------------------------------------------------


def record_status(
    session: Session,
    row: models.Publication,
    pub: Publication,
    *,
    watches: Callable[[str], bool],
    quiet: bool,
    now: datetime,
    rank: events.Rank | None = None,
) -> list[Notice]:
    """Classify ``pub``, join it to its publication event, and record what it states;
    return the notices enqueued.

    Every publication is classified, whatever its source: the source's flag
    (``row.authoritative``) is only the classifier's hint, because the text decides (a CIW
    letter attached to a council paper is the regulator's).  Readings about authorities
    nobody watches are still recorded (the ledger is the history of every council a
    source mentions) but never alert.  ``rank`` (source name -> citation rank) decides
    which member of an event an alert cites.
    """
    classification = classify_document(
        pub.full_text,
        title=pub.title,
        url=pub.url,
        source_authoritative=row.authoritative,
        published=pub.published,
    )
    found = classification.to_json()
    repo.set_classification(row, found)
    # Before linking: a concurrent transaction storing another page of the same letter then
    # either committed first (this page joins its event, and its status counts once) or
    # waits for this one.
    readings = classification.readings(effective_date=effective_date(row))
    repo.lock_status(session, _aspects(readings))
    events.link(session, row, events.event_keys(pub, found))
    if not classification.authoritative:
        events.join_report(session, row, readings,
                           row.published or classification.dates.published)
    return record_classification(
        session, row, classification, watches=watches, quiet=quiet, now=now, rank=rank
    )


def record_classification(
    session: Session,
    row: models.Publication,
    classification: ClassificationLike,
    *,
    watches: Callable[[str], bool],
    quiet: bool,
    now: datetime,
    rank: events.Rank | None = None,
) -> list[Notice]:
    """Record a classified publication: keep the classification, store its readings (for
    the document's own statements only) and enqueue what they cause."""
    repo.set_classification(row, classification.to_json())
    readings = classification.readings(effective_date=effective_date(row))
    watched = [r for r in readings if watches(r.authority)]
    others = [r for r in readings if not watches(r.authority)]
    authoritative = classification.authoritative
    return [
        *record_readings(session, row, watched, authoritative=authoritative,
                         alert=not quiet, now=now, rank=rank),
        *record_readings(session, row, others, authoritative=authoritative,
                         alert=False, now=now, rank=rank),
    ]


def record_readings(
    session: Session,
    row: models.Publication,
    readings: Sequence[Reading],
    *,
    authoritative: bool | None = None,
    alert: bool,
    now: datetime,
    rank: events.Rank | None = None,
) -> list[Notice]:
    """Store what a publication states and enqueue the notices it causes.

    ``authoritative`` is the document's (default: its source's flag).  Idempotent: a
    reading already stored for this publication is skipped, so re-reading a document adds
    nothing; the unique alert key makes a notice detected twice one row.  The recorded
    status is read *before* each observation is stored.  With ``alert`` false (quiet
    baseline, unwatched authority) observations are stored, reports still closed, and
    nothing is enqueued.  A reading another page of the same event already states is not
    recorded again (``events.stated_elsewhere``): the event counts once.
    """
    authoritative = row.authoritative if authoritative is None else authoritative
    enqueued: list[Notice] = []
    repo.lock_status(session, _aspects(readings))
    for reading in readings:
        if repo.observation_exists(session, row.id, reading):
            continue
        if events.stated_elsewhere(session, row, reading):
            continue
        current = repo.current_for(session, reading.authority, reading.service, reading.dimension)
        confident = reading.confidence >= status.REVIEW_THRESHOLD
        observation = repo.add_observation(
            session, row, reading, authoritative=authoritative,
            review=status.REVIEW_AUTO if confident else status.REVIEW_NEEDED, now=now,
        )
        if confident:
            enqueued += _take_effect(session, observation, row, reading, current,
                                     alert=alert, now=now, rank=rank)
    return enqueued


def _aspects(readings: Sequence[Reading]) -> list[tuple[str, str, str]]:
    """The (authority, service, dimension) of each reading: what ``repo.lock_status`` locks."""
    return [(r.authority, r.service, r.dimension) for r in readings]


def effective_date(row: models.Publication) -> date:
    """The date a document's statements speak for: its letter date (the scraper's, else
    the one the classifier read), else its publication date, else the day we first saw it
    (CIW report pages carry no date of their own)."""
    dates = _classified_dates(row)
    return (row.letter_date or dates.get("letter") or row.published or dates.get("published")
            or row.first_seen.date())


# --- Review -----------------------------------------------------------------------------


def review_observation(
    session: Session,
    observation_id: int,
    *,
    decision: str,
    note: str | None = None,
    now: datetime,
    watches: Callable[[str], bool] | None = None,
) -> list[Notice]:
    """A person's decision on an observation that was stored as needing review.

    ``confirm`` makes it count from now: it is compared with the status recorded *now* and
    its notice (if any) is enqueued exactly once.  ``reject`` means the classifier misread
    the document: it never has any effect.  Repeating a decision changes nothing; a
    rejected observation may still be confirmed, but a confirmed one (its alert may have
    gone out) or one read automatically cannot be rejected.  ``watches`` limits alerts to
    watched authorities (default: all).  LookupError for an unknown id, ValueError for an
    unknown or impossible decision.
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    observation = repo.get_observation(session, observation_id)
    wanted = status.REVIEW_CONFIRMED if decision == CONFIRM else status.REVIEW_REJECTED
    if observation.review == wanted or (
        decision == CONFIRM and observation.review == status.REVIEW_AUTO
    ):
        return []
    if decision == REJECT:
        if observation.review != status.REVIEW_NEEDED:
            raise ValueError(
                f"observation {observation_id} was {_review_word(observation.review)} and has "
                "already taken effect; it cannot be rejected now"
            )
        repo.set_review(observation, wanted, note=note, now=now)
        session.flush()
        return []
    reading = repo.as_reading(observation)
    repo.lock_status(session, _aspects([reading]))
    current = repo.current_for(session, reading.authority, reading.service, reading.dimension)
    repo.set_review(observation, wanted, note=note, now=now)
    session.flush()
    alert = watches is None or watches(observation.authority)
    return _take_effect(session, observation, observation.publication, reading, current,
                        alert=alert, now=now)


def _review_word(review: str) -> str:
    return "recorded automatically" if review == status.REVIEW_AUTO else review


# --- Effects ----------------------------------------------------------------------------


def _take_effect(
    session: Session,
    observation: models.Observation,
    row: models.Publication,
    reading: Reading,
    current: StatusRow | None,
    *,
    alert: bool,
    now: datetime,
    rank: events.Rank | None = None,
) -> list[Notice]:
    """What an accepted observation causes, given the status recorded before it.  The
    notice cites the most authoritative page of the observation's event (the regulator's
    own page rather than the council paper that carried its letter)."""
    document = describe_document(events.best(session, row, rank))
    notice: Notice | None
    if observation.authoritative:
        _settle_reports(session, observation, reading, current, now=now)
        transition = status.detect_transition(current, reading, publication=document, now=now)
        notice = None if transition is None else notices.status_change(
            transition, old_source=current.source if current else None
        )
    else:
        notice = _unconfirmed_report(reading, document, current, now=now)
    if not alert or notice is None or repo.alert_exists(session, notice.key):
        return []
    repo.enqueue(session, notice, observation_id=observation.id, now=now)
    return [notice]


def _unconfirmed_report(
    reading: Reading, document: DescribedDocument, current: StatusRow | None, *, now: datetime
) -> Notice | None:
    """The notice a secondary reading raises: None when it agrees with the recorded status
    or speaks for a date before it (a recap of history is not a claim of change)."""
    if current is not None and (
        status.same_value(current.value, reading.value)
        or status.is_older(reading.effective_date, current.effective_date)
    ):
        return None
    return Notice(
        key=notices.unconfirmed_key(
            reading.authority, reading.service, reading.dimension, reading.value,
            current.url if current else None,
        ),
        authority=reading.authority,
        service=reading.service,
        dimension=reading.dimension,
        old=current.value if current else None,
        new=reading.value,
        scheme=reading.scheme,
        evidence=reading.evidence,
        source=document.source,
        kind=document.kind,
        title=document.title,
        url=document.url,
        published=document.published,
        letter_date=document.letter_date,
        fieldwork_start=document.fieldwork_start,
        fieldwork_end=document.fieldwork_end,
        old_stated=current.effective_date if current else None,
        old_url=current.url if current else None,
        detected_at=now,
        alert_kind=notices.ALERT_UNCONFIRMED,
        priority=notices.PRIORITY_UNCONFIRMED,
        old_source=current.source if current else None,
    )


def _settle_reports(
    session: Session,
    observation: models.Observation,
    reading: Reading,
    current: StatusRow | None,
    *,
    now: datetime,
) -> None:
    """Close every open unconfirmed report on this (authority, service, dimension): the
    regulator has spoken, confirming the claim or contradicting it.  A backfilled document
    older than the recorded status says nothing about today's claims and closes nothing."""
    if current is not None and status.is_older(reading.effective_date, current.effective_date):
        return
    for report in repo.open_unconfirmed(
        session, reading.authority, reading.service, reading.dimension
    ):
        confirmed = status.same_value(str(report.payload.get("new", "")), reading.value)
        repo.close_alert(
            report, observation_id=observation.id, now=now,
            resolution=notices.RESOLUTION_CONFIRMED if confirmed
            else notices.RESOLUTION_CONTRADICTED,
        )
    session.flush()


@dataclass(frozen=True)
class DescribedDocument:
    """The publication as an alert describes it (``status.PublicationLike``): its stored
    fields, completed from what the classifier read where the scraper had nothing, and the
    classifier's document kind (a CIW letter inside a council paper is a CIW letter)."""

    url: str
    title: str
    kind: str
    source: str
    published: date | None
    letter_date: date | None
    fieldwork_start: date | None
    fieldwork_end: date | None


def describe_document(row: models.Publication) -> DescribedDocument:
    dates = _classified_dates(row)
    kind = (row.classification or {}).get("kind")
    return DescribedDocument(
        url=row.url,
        title=row.title,
        kind=kind if kind and kind != status.KIND_OTHER else row.kind,
        source=row.source,
        published=row.published or dates.get("published"),
        letter_date=row.letter_date or dates.get("letter"),
        fieldwork_start=row.fieldwork_start or dates.get("fieldwork_start"),
        fieldwork_end=row.fieldwork_end or dates.get("fieldwork_end"),
    )


def _classified_dates(row: models.Publication) -> dict[str, date]:
    """The dates the classifier read from the document (``to_json()["dates"]``)."""
    out: dict[str, date] = {}
    for name, value in ((row.classification or {}).get("dates") or {}).items():
        try:
            out[name] = date.fromisoformat(value)
        except (TypeError, ValueError):
            continue
    return out
