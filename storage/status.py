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

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

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

# Dimensions of a service's status.
CONCERN_LEVEL = "concern_level"
JUDGEMENT = "judgement"
DIMENSIONS = (CONCERN_LEVEL, JUDGEMENT)

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
        raise ValueError(f"unknown concern level {level!r}; expected one of {CONCERN_LEVELS}") from None


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
