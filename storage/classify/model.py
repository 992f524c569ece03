"""What a classified document yields: frozen records that cross packages (ledger, CLI, eval).

Kept apart from the readers so that consumers import the shapes without the pattern tables,
and so that ``Classification.readings`` is the one place where a document's statements
become ledger ``Reading``s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from storage.status import (
    CONCERN_LEVEL,
    DIMENSIONS,
    INTERVENTION,
    JUDGEMENT,
    PEOPLE_SERVED,
    PROSPECTS,
    SCHEME_COP_2019,
    Reading,
)

# The field quoted as a status's ``evidence`` when it states several: the one that matters
# most to a reader (an intervention outranks any CIW level, a level outranks a judgement).
EVIDENCE_PRIORITY = (INTERVENTION, CONCERN_LEVEL, JUDGEMENT, PEOPLE_SERVED, PROSPECTS)

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class DocumentDates:
    """The four dates a document can carry, kept apart (domain.md §6.7)."""

    letter: date | None = None
    fieldwork_start: date | None = None
    fieldwork_end: date | None = None
    published: date | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "letter": _iso(self.letter),
            "fieldwork_start": _iso(self.fieldwork_start),
            "fieldwork_end": _iso(self.fieldwork_end),
            "published": _iso(self.published),
        }


@dataclass(frozen=True)
class ServiceStatus:
    """What one document states about one service.  Only fields the text states are set.

    ``restated`` holds (dimension, value) pairs the document repeats from an earlier
    inspection ("following our inspection in October 2020 ... were judged to be ..."): they
    belong to that inspection, are not this document's status, and must never alert again.
    ``confidence`` is the lowest of ``confidence_by_field``.
    """

    service: str
    concern_level: str | None = None
    judgement: str | None = None
    intervention: str | None = None
    people_served: str | None = None
    prospects: str | None = None
    scheme: str = SCHEME_COP_2019
    evidence: str = ""
    evidence_by_field: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    confidence: float = 1.0
    restated: tuple[tuple[str, str], ...] = ()
    confidence_by_field: Mapping[str, float] = field(default_factory=lambda: _EMPTY)
    scheme_by_field: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def value(self, dimension: str) -> str | None:
        """The stated value of ``dimension`` (one of ``status.DIMENSIONS``), or None."""
        return getattr(self, dimension)

    @property
    def stated(self) -> tuple[str, ...]:
        """The dimensions this document states for the service, in ``DIMENSIONS`` order."""
        return tuple(d for d in DIMENSIONS if self.value(d) is not None)

    def to_json(self) -> dict[str, Any]:
        return {
            "concern_level": self.concern_level,
            "judgement": self.judgement,
            "intervention": self.intervention,
            "people_served": self.people_served,
            "prospects": self.prospects,
            "evidence": self.evidence,
            "evidence_by_field": dict(self.evidence_by_field),
            "scheme": self.scheme,
            "confidence": round(self.confidence, 3),
            "restated": [{"dimension": d, "value": v} for d, v in self.restated],
        }


@dataclass(frozen=True)
class Classification:
    """Everything carewatch reads from one document (see ``classify_document``)."""

    relevant: bool
    authority: str | None
    authoritative: bool
    kind: str
    statuses: Mapping[str, ServiceStatus]
    dates: DocumentDates
    confidence: float
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The issue's JSON shape (without "path"): dates ISO, statuses keyed by service."""
        return {
            "relevant": self.relevant,
            "authority": self.authority,
            "authoritative": self.authoritative,
            "kind": self.kind,
            "statuses": {service: s.to_json() for service, s in self.statuses.items()},
            "dates": self.dates.to_json(),
            "confidence": round(self.confidence, 3),
            "reasons": list(self.reasons),
        }

    def readings(self, *, effective_date: date | None = None) -> list[Reading]:
        """One ``Reading`` per stated (service, dimension), with its own confidence.

        ``effective_date`` is the date the statements speak for; when None, the document's
        own letter date, else its publication date.  Empty when the document is not relevant
        or names no single council.  Restated values are not readings (they are history).
        """
        if not self.relevant or self.authority is None:
            return []
        when = effective_date or self.dates.letter or self.dates.published
        out: list[Reading] = []
        for service, status in self.statuses.items():
            for dimension in status.stated:
                out.append(
                    Reading(
                        authority=self.authority,
                        service=service,
                        dimension=dimension,
                        value=str(status.value(dimension)),
                        scheme=status.scheme_by_field.get(dimension, status.scheme),
                        evidence=status.evidence_by_field.get(dimension, status.evidence),
                        effective_date=when,
                        confidence=status.confidence_by_field.get(dimension, status.confidence),
                    )
                )
        return out


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
