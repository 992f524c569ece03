"""What the status page and feeds are made of: frozen records, and the pure rules that
derive what a reader sees from them.  No I/O, no clock.

``report.data`` builds these from the database (the only module that queries it); the page,
the timeline chart and the Atom feeds only read them.  The rules here are the ledger's own,
applied to the stored history rather than at recording time:

- only an *accepted authoritative* observation (the regulator's or Welsh Government's own
  text, read with confidence or confirmed by a person) is a ``Statement``; everything else
  a document said is a ``Noted`` reading, shown for the record but never as status;
- statements are ordered as ``repo.current_status`` orders them (undated first, then by the
  date they speak for, then by id), so the last statement of an aspect is its current value
  and the page can never disagree with ``carewatch status``;
- a statement *changed* the status when its value differs (``status.same_value``) from the
  statement before it on the same aspect; otherwise it restated it.  A stated level stays
  current, "last stated on <date>", until a document says otherwise: nothing here infers a
  de-escalation from silence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from storage.notices import Notice
from storage.status import (
    ADULTS,
    CHILDREN,
    CONCERN_LEVEL,
    INTERVENTION,
    JUDGEMENT,
    PEOPLE_SERVED,
    PROSPECTS,
    REVIEW_NEEDED,
    REVIEW_REJECTED,
    WHOLE,
    Transition,
    same_value,
    transition_key,
)

#: The chart's x-axis starts here (the joint reviews of the early 2000s), or earlier if a
#: stored statement does.
START = date(2002, 1, 1)

#: Services every authority is shown with, whether or not anything was stated about them:
#: "nothing stated" is itself worth seeing.  ``whole`` (the joint reviews' whole department)
#: is shown only when something was stated about it.
MAIN_SERVICES = (CHILDREN, ADULTS)
#: Aspects every service card shows, highest first: a Part 8 warning notice sits above any
#: CIW level (domain.md §1.2).  The joint reviews' two axes are shown when stated.
MAIN_DIMENSIONS = (INTERVENTION, CONCERN_LEVEL, JUDGEMENT)
JOINT_REVIEW_DIMENSIONS = (PEOPLE_SERVED, PROSPECTS)

# What a publication did to the recorded status (``PublicationRow.effect``).
CHANGED = "changed"
RESTATED = "restated"
UNCONFIRMED = "unconfirmed"
NEEDS_REVIEW = "needs_review"
REJECTED = "rejected"
SAME_EVENT = "same_event"
SECONDARY = "secondary"
NOTHING = "nothing"


@dataclass(frozen=True)
class Link:
    """Another place a publication event was seen (``storage.events``)."""

    publication_id: int
    source: str
    url: str
    title: str


@dataclass(frozen=True)
class Document:
    """A stored publication as the report cites it.

    ``kind`` is what the classifier read it as (``annual_letter``, ``news``...) when it was
    classified, else the source's own kind; ``authoritative`` likewise the text's voice,
    because a CIW letter carried by a council paper is the regulator's.  ``text`` is the
    stored text (page and attachments), written to the document's stored-copy page.
    """

    id: int
    url: str
    title: str
    source: str
    kind: str
    published: date | None
    letter_date: date | None
    fieldwork_start: date | None
    fieldwork_end: date | None
    first_seen: datetime
    authoritative: bool
    language: str = "en"
    event_id: int | None = None
    text: str = ""
    also: tuple[Link, ...] = ()

    @property
    def dated(self) -> date:
        """The date a reader would file it under: its letter date, else its publication
        date, else the day carewatch first saw it (CIW report pages carry no date)."""
        return self.letter_date or self.published or self.first_seen.date()

    @property
    def stored_path(self) -> str:
        """Where the report writes this document's stored copy, relative to its root."""
        return stored_path(self.id)


def stored_path(publication_id: int) -> str:
    return f"docs/{publication_id}.html"


@dataclass(frozen=True)
class Statement:
    """One thing the regulator stated about one aspect of one service, in one document.

    ``old``/``old_stated``/``old_url``/``old_source`` describe the statement before it on
    the same aspect (None for the first); ``changed`` says whether this one moved the
    status.  Both are filled in by ``with_changes``, never by the caller.
    """

    observation_id: int
    authority: str
    service: str
    dimension: str
    value: str
    scheme: str
    evidence: str
    effective_date: date | None
    document: Document
    old: str | None = None
    old_stated: date | None = None
    old_url: str | None = None
    old_source: str | None = None
    changed: bool = True

    @property
    def aspect(self) -> tuple[str, str, str]:
        return (self.authority, self.service, self.dimension)

    @property
    def dated(self) -> date:
        """Where the statement sits in time: the date it speaks for, else its document's."""
        return self.effective_date or self.document.dated


@dataclass(frozen=True)
class Noted:
    """Any observation, as the publications table needs it: secondary readings, readings
    awaiting review and rejected ones included (none of those is ever status)."""

    publication_id: int
    authority: str
    service: str
    dimension: str
    value: str
    review: str
    authoritative: bool
    confidence: float


@dataclass(frozen=True)
class Unconfirmed:
    """An unconfirmed report (an outbox row of that kind): a council, press or blog claim
    the regulator has not made.  ``notice`` is its payload; ``document_id`` the stored
    secondary publication it came from, when that is still stored."""

    key: str
    notice: Notice
    created_at: datetime
    document_id: int | None = None
    closed_at: datetime | None = None
    resolution: str | None = None

    @property
    def authority(self) -> str:
        return self.notice.authority

    @property
    def dated(self) -> date:
        return self.notice.published or self.notice.letter_date or self.created_at.date()


@dataclass(frozen=True)
class Aspect:
    """One aspect of one service as it stands: the statement in force (``current``), the
    one that set its value (``set_by``: the change, possibly ``current`` itself) and how
    many later documents restated it."""

    dimension: str
    current: Statement | None = None
    set_by: Statement | None = None
    restated: int = 0

    @property
    def restated_since(self) -> bool:
        """Whether a later document repeated the value after the one that set it."""
        return self.restated > 0


@dataclass(frozen=True)
class ServiceStatus:
    authority: str
    service: str
    aspects: tuple[Aspect, ...]
    statements: tuple[Statement, ...]  # this service's history, oldest first

    @property
    def stated(self) -> bool:
        return bool(self.statements)


@dataclass(frozen=True)
class PublicationRow:
    """One line of the recent-publications table: a document and what it did.

    ``effect`` is one of CHANGED, RESTATED, UNCONFIRMED, NEEDS_REVIEW, REJECTED, SAME_EVENT
    (another page of its event already said it: counted once), SECONDARY (a council or
    press reading that agrees with the recorded status) or NOTHING (states no status).
    """

    document: Document
    effect: str
    statements: tuple[Statement, ...] = ()
    unconfirmed: tuple[Unconfirmed, ...] = ()
    noted: tuple[Noted, ...] = ()
    event_statement: Statement | None = None

    @property
    def changed(self) -> bool:
        return self.effect == CHANGED


@dataclass(frozen=True)
class SourceState:
    """A watched source's health, as ``carewatch sources`` shows it."""

    name: str
    title: str
    publisher: str
    enabled: bool
    state: str
    since: datetime | None
    last_success: datetime | None
    last_new_item: datetime | None
    consecutive_failures: int
    found_last_run: int | None
    last_error: str | None


@dataclass(frozen=True)
class Report:
    """Everything the site is rendered from, for the ``authorities`` it covers."""

    authorities: tuple[str, ...]
    statements: tuple[Statement, ...]
    unconfirmed: tuple[Unconfirmed, ...] = ()
    publications: tuple[PublicationRow, ...] = ()
    sources: tuple[SourceState, ...] = ()
    documents: tuple[Document, ...] = ()
    noted: tuple[Noted, ...] = ()
    stored: int = 0
    relevant: int = 0

    def for_authority(self, authority: str) -> Report:
        """The same report narrowed to one council (its own feed)."""
        return replace(
            self,
            authorities=(authority,),
            statements=tuple(s for s in self.statements if s.authority == authority),
            unconfirmed=tuple(u for u in self.unconfirmed if u.authority == authority),
        )


# --- rules -----------------------------------------------------------------------------


def statement_order(s: Statement) -> tuple[bool, date, int]:
    """``repo.current_status``'s order: undated statements count as oldest, then by the
    date they speak for, then by observation id."""
    return (s.effective_date is not None, s.effective_date or date.min, s.observation_id)


def with_changes(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    """``statements`` in statement order, each marked as a change or a restatement of the
    statement before it on the same aspect (and carrying that statement's value, date and
    document, as an alert would)."""
    ordered = sorted(statements, key=statement_order)
    before: dict[tuple[str, str, str], Statement] = {}
    out: list[Statement] = []
    for s in ordered:
        prev = before.get(s.aspect)
        marked = replace(
            s,
            old=prev.value if prev else None,
            old_stated=prev.effective_date if prev else None,
            old_url=prev.document.url if prev else None,
            old_source=prev.document.source if prev else None,
            changed=prev is None or not same_value(prev.value, s.value),
        )
        before[s.aspect] = marked
        out.append(marked)
    return tuple(out)


def changes(statements: Iterable[Statement]) -> list[Statement]:
    """The statements that moved the status (what the feeds carry)."""
    return [s for s in statements if s.changed]


def current(statements: Iterable[Statement]) -> dict[tuple[str, str, str], Statement]:
    """The statement in force per (authority, service, dimension): the last in order."""
    out: dict[tuple[str, str, str], Statement] = {}
    for s in sorted(statements, key=statement_order):
        out[s.aspect] = s
    return out


def aspect(statements: Sequence[Statement], dimension: str) -> Aspect:
    """``dimension`` of one service from that service's ``with_changes`` statements."""
    mine = [s for s in statements if s.dimension == dimension]
    if not mine:
        return Aspect(dimension)
    now = mine[-1]
    set_by = next(s for s in reversed(mine) if s.changed)
    return Aspect(dimension, current=now, set_by=set_by,
                  restated=len(mine) - 1 - mine.index(set_by))


def service_statuses(report: Report, authority: str) -> list[ServiceStatus]:
    """Children's and adults' services (and the whole department, when it was judged),
    each with its aspects as they stand and its history."""
    mine = [s for s in report.statements if s.authority == authority]
    services = list(MAIN_SERVICES)
    if any(s.service == WHOLE for s in mine):
        services.append(WHOLE)
    services += sorted({s.service for s in mine} - set(services))
    out = []
    for service in services:
        history = tuple(s for s in mine if s.service == service)
        dimensions = list(MAIN_DIMENSIONS)
        dimensions += [d for d in JOINT_REVIEW_DIMENSIONS if any(s.dimension == d
                                                                   for s in history)]
        out.append(ServiceStatus(authority, service,
                                 tuple(aspect(history, d) for d in dimensions), history))
    return out


def as_transition(s: Statement) -> Transition:
    """A change as the alert for it would carry it, so the feeds word it exactly as the
    emails do (``alerts.message``).  The key is the alert's idempotency key when the
    change was detected in this order."""
    d = s.document
    return Transition(
        key=transition_key(s.authority, s.service, s.dimension, s.old, s.value, d.url),
        authority=s.authority, service=s.service, dimension=s.dimension, old=s.old,
        new=s.value, scheme=s.scheme, evidence=s.evidence, source=d.source, kind=d.kind,
        title=d.title, url=d.url, published=d.published, letter_date=d.letter_date,
        fieldwork_start=d.fieldwork_start, fieldwork_end=d.fieldwork_end,
        old_stated=s.old_stated, old_url=s.old_url,
    )


def publication_rows(
    documents: Iterable[Document],
    statements: Sequence[Statement],
    unconfirmed: Sequence[Unconfirmed],
    noted: Sequence[Noted],
) -> list[PublicationRow]:
    """What each document did to the recorded status, in the order given.

    A document's own statements decide first (changed, else restated); then an unconfirmed
    report raised by it; then readings awaiting review or rejected; then a statement by
    another page of its event (a Welsh twin, the committee paper carrying the letter, a
    story reporting it: counted once); then a secondary reading that agrees with the
    record; else it stated nothing.
    """
    by_doc: dict[int, list[Statement]] = {}
    by_event: dict[int, Statement] = {}
    for s in statements:
        by_doc.setdefault(s.document.id, []).append(s)
        if s.document.event_id is not None:
            by_event.setdefault(s.document.event_id, s)
    reports: dict[int, list[Unconfirmed]] = {}
    for u in unconfirmed:
        if u.document_id is not None:
            reports.setdefault(u.document_id, []).append(u)
    readings: dict[int, list[Noted]] = {}
    for n in noted:
        readings.setdefault(n.publication_id, []).append(n)
    rows = []
    for d in documents:
        own = tuple(by_doc.get(d.id, ()))
        raised = tuple(reports.get(d.id, ()))
        read = tuple(readings.get(d.id, ()))
        event = by_event.get(d.event_id) if d.event_id is not None else None
        if event is not None and event.document.id == d.id:
            event = None
        rows.append(PublicationRow(d, _effect(own, raised, read, event), own, raised, read,
                                   event))
    return rows


def _effect(own: Sequence[Statement], raised: Sequence[Unconfirmed], read: Sequence[Noted],
            event: Statement | None) -> str:
    if any(s.changed for s in own):
        return CHANGED
    if own:
        return RESTATED
    if raised:
        return UNCONFIRMED
    if any(n.review == REVIEW_NEEDED for n in read):
        return NEEDS_REVIEW
    if any(n.review == REVIEW_REJECTED for n in read):
        return REJECTED
    if event is not None:
        return SAME_EVENT
    if any(not n.authoritative for n in read):
        return SECONDARY
    return NOTHING
