"""Concern level: CIW's escalation and level wording, never descriptive "serious"/"significant"
(domain.md §1.2, §6.1, §6.3).
"""

from __future__ import annotations

import re

from storage.classify.readers.common import (
    CONFIDENCE,
    Context,
    Finding,
    hedge,
    historical,
    negated,
    services_near,
)
from storage.classify.services import service_spans, services_in
from storage.classify.text import Sentence
from storage.status import (
    CONCERN_LEVEL,
)

_LEVEL = r"(?:serious|significant)"
_CHANGE_VERB = (
    r"(?:escalated|de-?escalated|increased|raised|reduced|lowered|decreased|moved|changed)"
)
_FROM_TO = (
    rf"\s+from\s+(?:a\s+|the\s+)?(?:level\s+of\s+)?[\"']?{_LEVEL}[\"']?\s+(?:level\s+"
    rf"(?:of\s+concerns?\s+)?|concerns?\s+)?to\s+(?:a\s+|the\s+)?(?:level\s+of\s+)?[\"']?"
    rf"(?P<level>{_LEVEL})\b"
)

# Only CIW's escalation and level wording states a level (domain.md §6.3).
CONCERN_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "concerns have escalated from serious to significant", "concerns were reduced from
    # significant to serious": the level after "to" is the one now stated.
    re.compile(rf"\bconcerns?\b[^.;]{{0,80}}?\b{_CHANGE_VERB}{_FROM_TO}", re.IGNORECASE),
    # "CIW has de-escalated its concerns from significant to serious".
    re.compile(
        rf"\b{_CHANGE_VERB}\s+(?:its\s+|our\s+|the\s+)?(?:level\s+of\s+)?concerns?{_FROM_TO}",
        re.IGNORECASE,
    ),
    # "concerns have been escalated to significant", "has escalated its concerns to significant".
    re.compile(
        rf"\bconcerns?\s+(?:ha(?:s|ve)\s+(?:now\s+)?(?:been\s+)?)?{_CHANGE_VERB}\s+to\s+"
        rf"(?:a\s+|the\s+)?(?:level\s+of\s+)?(?P<level>{_LEVEL})\b"
        rf"|\b{_CHANGE_VERB}\s+(?:its\s+|our\s+|the\s+)?concerns?\s+to\s+(?:a\s+|the\s+)?"
        rf"(?:level\s+of\s+)?(?P<level2>{_LEVEL})\b",
        re.IGNORECASE,
    ),
    # "CIW has serious concerns in relation to children's services": the regulator as the
    # subject, verb and level adjacent, so "does not have" or "has no" never match.
    re.compile(
        r"\b(?P<who>CIW|CSSIW|Care\s+Inspectorate\s+Wales|the\s+inspectorate|we)\s+"
        r"(?:(?:appears?|seems?|is\s+understood|is\s+said|is\s+believed)\s+to\s+)?"
        rf"(?:has|have|still\s+ha(?:s|ve)|continues?\s+to\s+have)\s+(?P<level>{_LEVEL})"
        r"\s+concerns?\b",
        re.IGNORECASE,
    ),
    # "the level of concern in relation to children's services is significant".
    re.compile(
        r"\blevel\s+of\s+concerns?\b[^.;]{0,80}?\b(?:is|remains?|has\s+been|have\s+been)"
        rf"\s+(?:now\s+|still\s+)?(?:(?:raised|increased|reduced|lowered)\s+to\s+)?"
        rf"(?P<level>{_LEVEL})\b",
        re.IGNORECASE,
    ),
    # "concerns remain at the level of significant concern", "is now at serious concern",
    # "were placed at the level of "significant concern"".
    re.compile(
        r"\b(?:remains?|remained|is|are|was|were|been|placed|put)\s+(?:now\s+|still\s+)?"
        r"(?:placed\s+)?(?:at|in|on|into)\s+(?:the\s+|a\s+)?(?:level\s+of\s+|category\s+of\s+)?"
        rf"[\"']?(?P<level>{_LEVEL})\s+concerns?\b",
        re.IGNORECASE,
    ),
)
# "CIW no longer has serious concerns": a de-escalation with no level to record (below
# "serious" there is no level in the vocabulary).  Not a level statement; noted for review.
NO_LONGER = re.compile(
    r"\bno\s+longer\s+(?:has|have|holds?|(?:at|in)\s+(?:the\s+)?(?:level\s+of\s+)?)\s*"
    rf"(?P<level>{_LEVEL})\s+concerns?\b",
    re.IGNORECASE,
)


def _level(match: re.Match[str]) -> str:
    groups = match.groupdict()
    return (groups.get("level") or groups.get("level2") or "").lower()


# "CIW has serious concerns <about> <service>": the service must be the object of the concerns,
# not a word further on ("... about the safety of one child known to children's services").
_CONCERN_OBJECT = re.compile(
    r"^\s*(?:in\s+relation\s+to|in\s+respect\s+of|with\s+regard\s+to|regarding|about|over|for"
    r"|in|with)\s+(?:the\s+)?(?:(?:local\s+authority|council)'s\s+|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*"
    r"(?:'s)?\s+)?$"
)


def _concern_object_ok(form: str, match: re.Match[str]) -> bool:
    """For "CIW has ... concerns": a service right after it, else none in the sentence (the
    context may then supply one)."""
    spans = [span for span in service_spans(form) if span[0] >= match.end()]
    if not spans:
        return not services_in(form)
    return bool(_CONCERN_OBJECT.match(form[match.end() : spans[0][0]]))


def read_concern(sentence: Sentence, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    form = sentence.form
    for pattern in CONCERN_PATTERNS:
        for match in pattern.finditer(form):
            if negated(form, match.start(), match.end()):
                continue
            who = match.groupdict().get("who")
            if who is not None and (
                (who.casefold() == "we" and not ctx.ciw_voice)
                or not _concern_object_ok(form, match)
            ):
                continue  # "we" is CIW only in CIW's own text; the service must be the object
            services, how = services_near(sentence, match.start(), match.end(), ctx)
            confidence = CONFIDENCE["explicit"] if how == "explicit" else CONFIDENCE["context"]
            restated = historical(form, match.group(0), ctx.year)
            for service in services:
                out.append(Finding(service, CONCERN_LEVEL, _level(match), sentence.text,
                                   hedge(form, confidence), restated, how))
    return out


def no_longer_notes(sentence: Sentence) -> list[str]:
    """Reasons for de-escalation wording that states no new level."""
    return [
        f"'{m.group(0)}' states no new level "
        f"(not recorded; review by hand): {sentence.text}"
        for m in NO_LONGER.finditer(sentence.form)
    ]
