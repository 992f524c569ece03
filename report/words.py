"""Plain words for the page, the chart and the feeds.  Pure.

Values, changes, publishers and dates are worded by ``alerts.words``, the one module every
reader-facing text goes through, so an email, a feed entry and the status page always say a
thing the same way ("significant concern", "Part 8 warning notice", "3 Aug 2020").  Only what
alerts never need (how long ago, a file-name slug, a chart point's one-line summary) is
defined here.
"""

from __future__ import annotations

import re
from datetime import date

from alerts.words import (
    DIMENSION_WORDS,
    SOURCE_LABELS,
    plain_value,
    publisher,
    short_authority,
)
from alerts.words import long_date as long_day
from alerts.words import meaning as _meaning
from alerts.words import moment_words as moment
from alerts.words import short_date as day
from report.records import Document, Statement, as_transition
from storage.status import JUDGEMENT, SERVICE_LABELS

# ``day``, ``long_day``, ``moment``, ``publisher`` and ``short_authority`` are
# ``alerts.words``' own, used through this module so the report formats them one way.
__all__ = [
    "ago", "aspect_words", "day", "document_label", "fieldwork", "kind_words", "long_day",
    "meaning", "moment", "publisher", "safe_href", "service_words", "short_authority", "slug",
    "statement_line", "value_words", "who",
]


def value_words(dimension: str, value: str) -> str:
    """A stored value as a reader says it; a judgement is CIW's phrase, quoted verbatim."""
    if dimension == JUDGEMENT:
        return f"“{value}”"
    return plain_value(dimension, value)


def meaning(s: Statement) -> str | None:
    """What a stated value means, in the alerts' words: where a concern level sits on CIW's
    ladder, that a judgement is a verbatim phrase, what a Part 8 warning notice is."""
    return _meaning(as_transition(s))


def aspect_words(dimension: str) -> str:
    return DIMENSION_WORDS.get(dimension, dimension.replace("_", " "))


def service_words(service: str) -> str:
    return SERVICE_LABELS.get(service, service)


def who(authority: str, service: str) -> str:
    """"Wrexham children's services"."""
    return f"{short_authority(authority)} {service_words(service)}"


def kind_words(kind: str) -> str:
    """"annual letter", "agenda item"."""
    return kind.replace("_", " ")


def document_label(d: Document) -> str:
    """Who published what, in a few words: "CIW letter" for a regulator's document, else
    its publisher ("wrexham.com", "Wrexham Council news")."""
    if d.authoritative and d.kind in SOURCE_LABELS:
        return SOURCE_LABELS[d.kind]
    return publisher(d.source, d.url)


def fieldwork(d: Document) -> str | None:
    start, end = d.fieldwork_start, d.fieldwork_end
    if start and end:
        return f"{day(start)} to {day(end)}"
    if start or end:
        return f"{'from' if start else 'until'} {day(start or end)}"  # type: ignore[arg-type]
    return None


def ago(then: date, today: date) -> str:
    """How long before ``today`` ``then`` was, in whole months and years ("6 years 3
    months ago"), or days under a month."""
    if then >= today:
        return "today" if then == today else "in the future"
    months = (today.year - then.year) * 12 + today.month - then.month - (today.day < then.day)
    if months < 1:
        days = (today - then).days
        return f"{days} day{'s' if days != 1 else ''} ago"
    years, months = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts) + " ago"


def statement_line(s: Statement) -> str:
    """One line for a chart point's tooltip and a table row: what, when, by what."""
    verb = "changed to" if s.changed else "restated"
    return (f"{aspect_words(s.dimension).capitalize()} {verb} {value_words(s.dimension, s.value)}"
            f" — {document_label(s.document)}, {day(s.dated)}: {s.document.title}")


def safe_href(url: str) -> str | None:
    """``url`` if it may be a link: only http(s), as ``alerts.message`` does, so a hostile
    ``javascript:`` URL scraped from the web is never made clickable."""
    return url if url.lower().startswith(("http://", "https://")) else None


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(authority: str) -> str:
    """A council's name in a file name: "Isle of Anglesey" -> "isle-of-anglesey"."""
    return _SLUG.sub("-", authority.casefold()).strip("-") or "unknown"
