"""The regime under which a status was stated (domain.md §1.1, §1.4, §6.10).

Joint reviews (1998-2008), CSSIW's narrative evaluations (from April 2009), the Code of
Practice of April 2019 and its May 2023 revision; Welsh Ministers' Part 8 interventions sit
beside all of them.  A date decides; without one, the document's wording does.
"""

from __future__ import annotations

import re
from datetime import date

from storage.status import (
    INTERVENTION,
    PEOPLE_SERVED,
    PROSPECTS,
    SCHEME_COP_2019,
    SCHEME_COP_2023,
    SCHEME_CSSIW_EVALUATION,
    SCHEME_JOINT_REVIEW,
    SCHEME_PART_8,
)

# (first day, scheme), in date order; a date takes the last scheme that started on or
# before it.
SCHEME_STARTS: tuple[tuple[date, str], ...] = (
    (date.min, SCHEME_JOINT_REVIEW),
    (date(2009, 4, 1), SCHEME_CSSIW_EVALUATION),
    (date(2019, 4, 1), SCHEME_COP_2019),
    (date(2023, 5, 4), SCHEME_COP_2023),
)
DEFAULT_SCHEME = SCHEME_COP_2019

# Wording that names a regime, for undated documents; most specific first.
SCHEME_WORDING: tuple[tuple[str, re.Pattern[str]], ...] = (
    (SCHEME_JOINT_REVIEW, re.compile(
        r"\bjoint\s+reviews?\b|\bAudit\s+Commission\b|\bSocial\s+Services\s+Inspectorate\s+for"
        r"\s+Wales\b|\bSSIW\b", re.IGNORECASE)),
    (SCHEME_COP_2023, re.compile(
        r"\bcode\s+of\s+practice\b[^.]{0,80}\b2023\b|\bCafcass\s+Cymru\b", re.IGNORECASE)),
    (SCHEME_CSSIW_EVALUATION, re.compile(
        r"\bannual\s+review\s+and\s+evaluation\s+of\s+performance\b|\bCSSIW\b", re.IGNORECASE)),
)

# Dimensions that belong to one regime whatever the date.
DIMENSION_SCHEMES = {
    INTERVENTION: SCHEME_PART_8,
    PEOPLE_SERVED: SCHEME_JOINT_REVIEW,
    PROSPECTS: SCHEME_JOINT_REVIEW,
}


def scheme_for(effective_date: date | None) -> str:
    """The regime in force on ``effective_date`` (CoP 2019 when the date is unknown)."""
    if effective_date is None:
        return DEFAULT_SCHEME
    scheme = DEFAULT_SCHEME
    for start, name in SCHEME_STARTS:
        if effective_date >= start:
            scheme = name
    return scheme


def document_scheme(when: date | None, form: str) -> str:
    """The regime of a document's concern levels and judgements: by date, else by wording."""
    if when is not None:
        return scheme_for(when)
    for scheme, pattern in SCHEME_WORDING:
        if pattern.search(form):
            return scheme
    return DEFAULT_SCHEME


def scheme_of(dimension: str, document: str) -> str:
    """The regime of one stated dimension: its own for interventions and joint-review axes."""
    return DIMENSION_SCHEMES.get(dimension, document)
