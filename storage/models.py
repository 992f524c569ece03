"""SQLAlchemy 2 typed models: what carewatch stores.

The tables follow the pipeline: a ``Publication`` (with its ``PublicationUrl`` aliases and
``Attachment`` files) yields status ``Observation`` rows; an observation that changes the
recorded status enqueues an ``Alert`` (the outbox) in the same transaction; each send of an
alert to a channel is a ``Delivery``, and where it stands with each target (pending, with
its next attempt; delivered; dead-lettered) a ``DeliveryState``; a target that answered
410 Gone is a ``DisabledTarget``; each poll of a source is a ``SourceRun``.  A ``StatusLock``
row makes concurrent writers of one status take turns; ``Baseline`` says whether the quiet
first-run baseline is still going on.

There is deliberately no mutable "current status" table: the current status is the latest
observation per (authority, service, dimension), so it can never disagree with the
evidence it was derived from (see ``repo.current_status``).

The schema itself is created by the Alembic migration in ``storage/migrations``, which must
stay identical to these models (``tests/storage/test_db.py`` compares the two).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.status import REVIEW_AUTO

# Deterministic constraint names, so the migration, PostgreSQL and SQLite all agree and a
# later migration can drop a constraint by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

URL_LENGTH = 2048
SHORT = 64


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no timezone type and silently drops ``tzinfo``; PostgreSQL returns values in
    the session's time zone.  Values are therefore converted to UTC on the way in (a naive
    datetime is refused: its meaning is unknowable) and always come back aware, in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Publication(Base):
    """One publication event, keyed by its canonical URL.

    ``content_hash`` (``scrapers.base.Publication.content_hash``) tells an edited page from a
    re-seen one.  ``authoritative`` is the *source's* flag (CIW's site is authoritative, council
    news is not), the hint the classifier starts from; whether a document is a regulator's
    text is decided per document (``Observation.authoritative``: a CIW letter inside a council
    paper is).  ``classification`` is ``storage.classify.Classification.to_json()`` as last
    computed, kept for the history view and for review (what the classifier thought and why).
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("url"), Index(None, "source"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    kind: Mapped[str] = mapped_column(String(SHORT))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(SHORT))
    published: Mapped[date | None] = mapped_column(Date)
    letter_date: Mapped[date | None] = mapped_column(Date)
    fieldwork_start: Mapped[date | None] = mapped_column(Date)
    fieldwork_end: Mapped[date | None] = mapped_column(Date)
    authoritative: Mapped[bool] = mapped_column(Boolean)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    errors: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The event this publication belongs to, named by its first publication's id
    # (``storage.events``); null until the publication has been linked.
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)
    language: Mapped[str] = mapped_column(String(8), server_default="en")

    urls: Mapped[list[PublicationUrl]] = relationship(
        back_populates="publication", cascade="all, delete-orphan", passive_deletes=True
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="publication",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Attachment.id",
    )
    observations: Mapped[list[Observation]] = relationship(
        back_populates="publication", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def full_text(self) -> str:
        """Page text followed by every attachment's text, as ``scrapers.base`` defines it."""
        parts = [self.text, *(a.text for a in self.attachments if a.text)]
        return "\n\n".join(p for p in parts if p)


class PublicationUrl(Base):
    """Every canonical URL of a publication event (its own URL and its aliases).

    One indexed lookup answers "have we seen this URL?" whichever page of the event a
    crawl meets first (a CIW news item, or the report page it announces).
    """

    __tablename__ = "publication_urls"
    __table_args__ = (UniqueConstraint("url"), Index(None, "publication_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE")
    )

    publication: Mapped[Publication] = relationship(back_populates="urls")


class Attachment(Base):
    """A file a publication links to, with its extracted text (or why extraction failed)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("publication_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    content_type: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(SHORT))
    size: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    publication: Mapped[Publication] = relationship(back_populates="attachments")


class Observation(Base):
    """One status reading taken from one publication (``status.Reading`` plus provenance).

    Unique per (publication, authority, service, dimension): re-running a document adds
    nothing, which is what makes polling idempotent.

    Only an ``authoritative`` observation (the document is the regulator's or Welsh
    Government's own text) whose ``review`` is ``auto`` or ``confirmed`` sets the status.
    One read with ``confidence`` below ``status.REVIEW_THRESHOLD`` is stored as
    ``needs_review`` until a person confirms or rejects it (``reviewed_at``, ``review_note``).
    """

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("publication_id", "authority", "service", "dimension"),
        Index(None, "authority", "service", "dimension"),
        Index(None, "review"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE")
    )
    authority: Mapped[str] = mapped_column(String(255))
    service: Mapped[str] = mapped_column(String(SHORT))
    dimension: Mapped[str] = mapped_column(String(SHORT))
    value: Mapped[str] = mapped_column(Text)
    scheme: Mapped[str] = mapped_column(String(SHORT))
    evidence: Mapped[str] = mapped_column(Text)
    effective_date: Mapped[date | None] = mapped_column(Date)
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Server defaults give rows written before migration 0002 their meaning then: every
    # reading was taken as read, and authority came from the source.
    confidence: Mapped[float] = mapped_column(Float, server_default=text("1.0"))
    review: Mapped[str] = mapped_column(String(SHORT), server_default=REVIEW_AUTO)
    authoritative: Mapped[bool] = mapped_column(Boolean, server_default=true())
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)

    publication: Mapped[Publication] = relationship(back_populates="observations")


class Alert(Base):
    """The outbox: one row per notice, written in the transaction of the observation behind it.

    ``kind`` is ``"status_change"`` (the regulator's recorded status moved) or
    ``"unconfirmed_report"`` (a secondary source claims a status the regulator has not
    stated).  ``key`` is unique, so detecting the same change twice can never enqueue it
    twice; ``payload`` is ``Transition.to_dict()`` plus ``alert_kind`` and ``priority``
    (``ledger.Notice``), so delivery needs no joins.  ``priority`` is higher for what
    matters more (a Part 8 warning notice is highest).

    An unconfirmed report stays open until an authoritative observation of the same
    (authority, service, dimension) is recorded: then ``closed_at``,
    ``closed_by_observation_id`` and ``resolution`` (``confirmed`` | ``contradicted``) say
    what settled it.  ``closed_by_observation_id`` has no foreign key on purpose: SQLite can
    only add one by rebuilding ``alerts``, and rebuilding a table that ``deliveries``
    references cascades its rows away (migration 0002).
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(SHORT))
    kind: Mapped[str] = mapped_column(String(SHORT))
    authority: Mapped[str] = mapped_column(String(255))
    service: Mapped[str] = mapped_column(String(SHORT))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observations.id", ondelete="SET NULL")
    )
    priority: Mapped[int] = mapped_column(Integer, server_default=text("2"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by_observation_id: Mapped[int | None] = mapped_column(Integer)
    resolution: Mapped[str | None] = mapped_column(String(SHORT))

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="alert",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Delivery.attempted_at, Delivery.id)",
    )
    states: Mapped[list[DeliveryState]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="DeliveryState.id"
    )


class Delivery(Base):
    """One attempt to send one alert to one channel target.

    ``target`` names the recipient list or webhook URL, never a secret.  Once a row with
    ``ok`` true exists for a target the alert is delivered there and is never sent there
    again by the scheduled delivery (only a person's ``carewatch alerts replay`` re-sends).
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index(None, "alert_id", "channel", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(SHORT))
    target: Mapped[str] = mapped_column(String(URL_LENGTH))
    ok: Mapped[bool] = mapped_column(Boolean)
    response_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime)

    alert: Mapped[Alert] = relationship(back_populates="deliveries")


class StatusLock(Base):
    """One row per (authority, service, dimension) whose recorded status a transaction is
    about to read and then change: updating it is the lock.

    The ledger reads the recorded status, then writes an observation and perhaps an alert
    (``storage.ledger``).  Two transactions doing that at once for two pages of one letter
    (the CIW page and its Welsh twin, in two concurrent polls) would both read the old
    status and both alert, under different keys (each cites its own page), which no unique
    constraint can catch.  Each therefore updates this row first: the second waits until
    the first commits and then reads the status the first recorded.  (SQLite lets one
    writer in at a time anyway; PostgreSQL's row lock does the same there.)  The row
    holds nothing else worth reading.
    """

    __tablename__ = "status_locks"

    authority: Mapped[str] = mapped_column(String(255), primary_key=True)
    service: Mapped[str] = mapped_column(String(SHORT), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(SHORT), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class Baseline(Base):
    """The quiet first-run baseline while it lasts: one row (``id`` 1), written by the first
    poll of an empty database and marked ``finished_at`` when a poll completes with
    something stored.

    "Is the database empty?" alone cannot say whether a run is part of the baseline: a second
    poll started while the first is storing, or the next poll after the first was killed
    half way, finds publications and would alert on every historical status of the sources
    not yet read (``storage.repo.start_baseline``).
    """

    __tablename__ = "baseline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DeliveryState(Base):
    """Where one alert stands with one channel target (``storage.outbox``).

    ``state`` is ``pending`` (``next_attempt_at`` says when it is due), ``delivered`` or
    ``dead`` (every scheduled attempt failed: dead-lettered).  ``attempts`` counts the
    scheduled attempts made; every attempt, a replay's too, is also a ``Delivery`` row.
    A row is written on the first attempt: an alert with no row for a target has never been
    tried there and is due at once.  A sender claims a due row by moving ``next_attempt_at``
    past its send timeout in a committed conditional UPDATE, so two delivery runs never send
    the same alert to the same target at the same time, and a run killed mid-send leaves a
    row that falls due again when the claim lapses.
    """

    __tablename__ = "delivery_states"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", "target"),
        Index(None, "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(SHORT))
    target: Mapped[str] = mapped_column(String(URL_LENGTH))
    state: Mapped[str] = mapped_column(String(SHORT))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DisabledTarget(Base):
    """A channel target that answered 410 Gone: nothing is sent to it until a person
    re-enables it (``carewatch alerts enable``), and then what it missed is sent."""

    __tablename__ = "disabled_targets"

    channel: Mapped[str] = mapped_column(String(SHORT), primary_key=True)
    target: Mapped[str] = mapped_column(String(URL_LENGTH), primary_key=True)
    disabled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)
    # The alert whose delivery was answered 410 (no foreign key: the record outlives it).
    alert_id: Mapped[int | None] = mapped_column(Integer)


class SourceRun(Base):
    """One poll of one source: a health signal (``found`` dropping to zero is a redesign).

    ``finished_at``/``ok`` are null while the run is in progress or if it died.
    """

    __tablename__ = "source_runs"
    __table_args__ = (Index(None, "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(SHORT))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ok: Mapped[bool | None] = mapped_column(Boolean)
    found: Mapped[int | None] = mapped_column(Integer)
    new: Mapped[int | None] = mapped_column(Integer)
    errors: Mapped[str | None] = mapped_column(Text)


class SourceHealth(Base):
    """The health state last recorded for a source (``storage.health``): one row per source.

    Only what the runs cannot tell by themselves is kept: the problem an operations alert was
    sent about and since when, so the next run knows whether it is news (a new problem, or
    a recovery) or a repeat.  ``state`` is ``healthy`` or a problem kind.
    """

    __tablename__ = "source_health"

    source: Mapped[str] = mapped_column(String(SHORT), primary_key=True)
    state: Mapped[str] = mapped_column(String(SHORT))
    since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    detail: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EventKey(Base):
    """A key under which a publication joins a *publication event* (``storage.events``).

    One event is often seen in several places: the CIW news item and its report page, the
    Welsh twin, a council committee paper with the letter attached, a press story.  Each
    publication records the keys it can be matched on (its own URLs, the URLs it links as the
    same event, its attachments' hashes, the letter it is); publications sharing a key share
    ``Publication.event_id``.  Not unique: many publications carry the same key.
    """

    __tablename__ = "event_keys"
    __table_args__ = (UniqueConstraint("publication_id", "key"), Index(None, "key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(URL_LENGTH))


class HttpCache(Base):
    """What was last *successfully processed* at a URL: its validators and body hash.

    Written only after a crawl's results were stored without error (issue 5): a validator
    saved for a response whose parse failed would make the next poll's 304 hide the change
    for ever.  ``sha256`` lets a server without validators be skipped too (same body, same
    result).
    """

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(String(URL_LENGTH), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(255))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(SHORT))
    # A robots.txt's own text ("" when the host has none), reused for a day without a
    # request (``scrapers.http.ROBOTS_MAX_AGE``); null for every other URL.
    body: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
