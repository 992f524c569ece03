"""Which service a phrase names: children's, adults', or the whole social-services department.

Status is per service (domain.md §6.2), so every reader has to say which service a statement
is about; these patterns are the one definition of a service phrase.  They run on match form
(straight apostrophes).
"""

from __future__ import annotations

import re

from storage.status import ADULTS, CHILDREN, WHOLE

_CHILDREN_WORD = r"children'?s'?"
_ADULTS_WORD = r"adults?'?s?'?"
_SERVICE_NOUN = r"\s+(?:social\s+services?|services?|social\s+care)\b"

# Checked in order; a span already claimed is not matched again, so "children's and adults'
# services" is both services, and "children's social services" is not also the whole
# department's "social services".
SERVICE_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    ((CHILDREN, ADULTS), re.compile(
        rf"\b(?:{_CHILDREN_WORD}\s+and\s+{_ADULTS_WORD}|{_ADULTS_WORD}\s+and\s+{_CHILDREN_WORD})"
        + _SERVICE_NOUN, re.IGNORECASE)),
    ((CHILDREN,), re.compile(
        rf"\b{_CHILDREN_WORD}{_SERVICE_NOUN}|\b(?:social\s+)?services\s+for\s+children\b",
        re.IGNORECASE)),
    ((ADULTS,), re.compile(
        rf"\b{_ADULTS_WORD}{_SERVICE_NOUN}|\b(?:social\s+)?services\s+for\s+adults\b",
        re.IGNORECASE)),
    ((WHOLE,), re.compile(
        # Not the name of an Act, a regulator, a post or a Minister's portfolio.
        r"(?<!director\sof\s)(?<!directors\sof\s)(?<!minister\sfor\s)(?<!care\sand\s)"
        r"(?<!health\sand\s)"
        r"\bsocial\s+services\b(?!\s+(?:and\s+well-?being|inspectorate|\(wales\)|act\b))",
        re.IGNORECASE)),
)

# What may stand before the service in a judgement's subject: "the", "the local
# authority's", "Wrexham's", "Wrexham County Borough Council('s)".
_SUBJECT_PREFIX = re.compile(
    r"(?:the\s+)?(?:(?:local\s+authority|council)'s?\s+|[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,4}"
    r"(?:'s?)?\s+)?"
)
# A subject that names the council rather than a service: the service must come from context.
COUNCIL_SUBJECT = re.compile(
    r"^(?:the\s+)?(?:local\s+authority|council|authority|[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,4}"
    r"\s+(?:county\s+borough\s+|county\s+|city\s+|city\s+and\s+county\s+)?council)"
    r"(?:'s\s+(?:performance|services))?$",
    re.IGNORECASE,
)


def services_in(text: str) -> list[str]:
    """Services named anywhere in ``text`` (match form), each once, in order of discovery."""
    found: list[str] = []
    claimed: list[tuple[int, int]] = []
    for services, pattern in SERVICE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in claimed):
                continue
            claimed.append(match.span())
            found.extend(service for service in services if service not in found)
    return found


def service_spans(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """Service phrases in ``text`` as (start, end, services), in text order."""
    found: list[tuple[int, int, tuple[str, ...]]] = []
    for services, pattern in SERVICE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e, _ in found):
                continue
            found.append((match.start(), match.end(), services))
    return sorted(found)


def services_heading(subject: str) -> list[str]:
    """Services that ``subject`` (match form) *is*: it must start with a service phrase, so
    "progress in children's services" is not a judgement on children's services."""
    prefix = _SUBJECT_PREFIX.match(subject)
    for head in (subject, subject[prefix.end() :] if prefix else subject):
        for services, pattern in SERVICE_PATTERNS:
            if pattern.match(head):
                return list(services)
    return []


def only_service(text: str) -> str | None:
    """The one service ``text`` names, or None when it names none or several."""
    named = services_in(text)
    return named[0] if len(named) == 1 else None
