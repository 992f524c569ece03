"""Status vocabulary, readings and transitions: pure, no I/O.

CIW's escalation ladder for a council's social services runs, lowest to highest,
routine review -> "serious concern" -> "significant concern" (domain.md §1.2).  In CIW
usage **significant ranks above serious**, the reverse of everyday English, so levels are
compared only through ``CONCERN_LEVELS`` order, never as strings.

Status is per (authority, service): children's and adults' services move separately.
A document can state two independent things about a service: a *concern level* and a
verbatim *judgement* phrase ("it is our judgement that ... is <phrase>").  Each is a
``dimension`` of the status and is tracked on its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol

# Services, as stored.  "whole" is for documents judging the whole social-services
# department (the old joint reviews).
CHILDREN = "children"
ADULTS = "adults"
WHOLE = "whole"
SERVICES = (CHILDREN, ADULTS, WHOLE)
SERVICE_LABELS = {
    CHILDREN: "children's services",
    ADULTS: "adults' services",
    WHOLE: "social services",
}

# Concern levels in ladder order, lowest first.
SERIOUS_CONCERN = "serious"
SIGNIFICANT_CONCERN = "significant"
CONCERN_LEVELS = (SERIOUS_CONCERN, SIGNIFICANT_CONCERN)

# Dimensions of a service's status.  Each is tracked on its own: a document may state a
# concern level and a judgement about the same service, or only one of them.
CONCERN_LEVEL = "concern_level"
JUDGEMENT = "judgement"
INTERVENTION = "intervention"  # Welsh Ministers, Part 8 SSWBA 2014: above any CIW level
PEOPLE_SERVED = "people_served"  # joint reviews (1998-2008), first axis
PROSPECTS = "prospects"  # joint reviews, second axis
DIMENSIONS = (INTERVENTION, CONCERN_LEVEL, JUDGEMENT, PEOPLE_SERVED, PROSPECTS)

# Intervention values.
WARNING_NOTICE = "warning_notice"
INTERVENTION_REMOVED = "removed"
INTERVENTION_VALUES = (WARNING_NOTICE, INTERVENTION_REMOVED)

# Joint-review axes, worst first (domain.md §1.4; "all" and "excellent" inferred).
PEOPLE_SERVED_LEVELS = ("not", "some", "most", "all")
PROSPECTS_LEVELS = ("poor", "uncertain", "promising", "excellent")

# Kinds of document.
KIND_ANNUAL_LETTER = "annual_letter"
KIND_INSPECTION_REPORT = "inspection_report"
KIND_MONITORING_LETTER = "monitoring_letter"
KIND_IMPROVEMENT_CHECK = "improvement_check"
KIND_JOINT_REVIEW = "joint_review"
KIND_WARNING_NOTICE = "warning_notice"  # a warning notice or other intervention statement
KIND_NEWS = "news"
KIND_OTHER = "other"
KINDS = (KIND_ANNUAL_LETTER, KIND_INSPECTION_REPORT, KIND_MONITORING_LETTER,
         KIND_IMPROVEMENT_CHECK, KIND_JOINT_REVIEW, KIND_WARNING_NOTICE, KIND_NEWS, KIND_OTHER)

# Review states of an observation.  Below REVIEW_THRESHOLD confidence an observation is
# stored as needing review: it neither moves the status nor alerts until a person confirms.
REVIEW_AUTO = "auto"
REVIEW_NEEDED = "needs_review"
REVIEW_CONFIRMED = "confirmed"
REVIEW_REJECTED = "rejected"
REVIEW_THRESHOLD = 0.7

# Schemes: the regime under which a status was stated (domain.md §6.10).
SCHEME_JOINT_REVIEW = "joint_review"
SCHEME_CSSIW_EVALUATION = "cssiw_evaluation"
SCHEME_COP_2019 = "cop_2019"
SCHEME_COP_2023 = "cop_2023"
SCHEME_PART_8 = "part_8"


def concern_rank(level: str) -> int:
    """Position of a concern level on the ladder (higher is worse); ValueError if unknown."""
    try:
        return CONCERN_LEVELS.index(level)
    except ValueError:
        raise ValueError(
            f"unknown concern level {level!r}; expected one of {CONCERN_LEVELS}"
        ) from None


@dataclass(frozen=True)
class Reading:
    """One thing a document states about one service's status.

    ``evidence`` is the sentence it was read from, verbatim (whitespace normalised).
    ``effective_date`` is the date the statement speaks for: the letter date when the
    document has one, else its publication date.
    """

    authority: str
    service: str
    dimension: str
    value: str
    scheme: str
    evidence: str
    effective_date: date | None = None
    confidence: float = 1.0


@dataclass(frozen=True)
class Transition:
    """A change of a recorded status, self-contained so it can be rendered and re-sent
    from the outbox without joining back to the tables that produced it.

    ``key`` is the idempotency key: derived only from what changed and the document that
    changed it, so two runs that detect the same change compute the same key.
    """

    key: str
    authority: str
    service: str
    dimension: str
    old: str | None
    new: str
    scheme: str
    evidence: str
    source: str
    kind: str
    title: str
    url: str
    published: date | None = None
    letter_date: date | None = None
    fieldwork_start: date | None = None
    fieldwork_end: date | None = None
    old_stated: date | None = None
    old_url: str | None = None
    detected_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings)."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            out[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transition:
        """Inverse of ``to_dict``; ignores unknown keys so old outbox rows stay readable."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if value is not None and f.name == "detected_at":
                value = datetime.fromisoformat(value)
            elif value is not None and f.name in _DATE_FIELDS:
                value = date.fromisoformat(value)
            kwargs[f.name] = value
        return cls(**kwargs)


_DATE_FIELDS = {"published", "letter_date", "fieldwork_start", "fieldwork_end", "old_stated"}


@dataclass(frozen=True)
class StatusRow:
    """A stored observation joined to the publication it came from (built by ``repo``).

    Defined here rather than in ``repo`` so that ``detect_transition`` stays pure: it needs
    the current status, not the database.  ``authoritative`` tells regulator documents from
    secondary ones (council news, press).
    """

    authority: str
    service: str
    dimension: str
    value: str
    scheme: str
    evidence: str
    effective_date: date | None
    url: str
    title: str
    kind: str
    source: str
    observed_at: datetime
    authoritative: bool = True


class PublicationLike(Protocol):
    """What ``detect_transition`` reads from a publication: a ``models.Publication`` row or a
    ``scrapers.base.Publication`` record both fit."""

    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def published(self) -> date | None: ...
    @property
    def letter_date(self) -> date | None: ...
    @property
    def fieldwork_start(self) -> date | None: ...
    @property
    def fieldwork_end(self) -> date | None: ...


# The council the product watches by default (flows.config).  The 22 councils, their names and
# the status classifier live in storage.classify (issue 4).
WREXHAM = "Wrexham"

# Curly and modifier apostrophes compare equal to "'" (same_value).
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})


def _match_form(text: str) -> str:
    return text.translate(_APOSTROPHES)


# --- Transitions --------------------------------------------------------------------------


def same_value(a: str, b: str) -> bool:
    """Values compared as a reader would: case, whitespace and apostrophe style ignored."""
    return " ".join(_match_form(a).casefold().split()) == " ".join(
        _match_form(b).casefold().split()
    )


def is_older(candidate: date | None, current: date | None) -> bool:
    """Whether a statement dated ``candidate`` predates one dated ``current``.

    Undated statements sort before dated ones (``repo`` orders observations the same way),
    so an undated document never overrides a dated status.
    """
    if current is None:
        return False
    return candidate is None or candidate < current


def transition_key(
    authority: str, service: str, dimension: str, old: str | None, new: str, url: str
) -> str:
    """Idempotency key: only what changed and the document that changed it."""
    digest = hashlib.sha256(
        "\x1f".join((authority, service, dimension, old or "", new, url)).encode()
    )
    return "cw_" + digest.hexdigest()[:32]


def detect_transition(
    current: StatusRow | None,
    reading: Reading,
    *,
    publication: PublicationLike,
    now: datetime,
) -> Transition | None:
    """The change ``reading`` makes to the recorded status, or None.

    None for a restatement (later letters repeat earlier judgements: alert once) and for a
    document older than the current status (a backfilled old letter is history, not news).
    """
    if current is not None and (
        same_value(current.value, reading.value)
        or is_older(reading.effective_date, current.effective_date)
    ):
        return None
    old = current.value if current is not None else None
    return Transition(
        key=transition_key(
            reading.authority, reading.service, reading.dimension, old, reading.value,
            publication.url,
        ),
        authority=reading.authority,
        service=reading.service,
        dimension=reading.dimension,
        old=old,
        new=reading.value,
        scheme=reading.scheme,
        evidence=reading.evidence,
        source=publication.source,
        kind=publication.kind,
        title=publication.title,
        url=publication.url,
        published=publication.published,
        letter_date=publication.letter_date,
        fieldwork_start=publication.fieldwork_start,
        fieldwork_end=publication.fieldwork_end,
        old_stated=current.effective_date if current is not None else None,
        old_url=current.url if current is not None else None,
        detected_at=now,
    )
