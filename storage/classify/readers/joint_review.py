"""Joint reviews (1998-2008): the two axes, people served and prospects for improvement, read
only from the verdict about one council (domain.md §1.4).
"""

from __future__ import annotations

import re

from storage.classify.readers.common import (
    CONFIDENCE,
    PAST_MARKER,
    Context,
    Finding,
    hedge,
    negated,
)
from storage.classify.text import Sentence
from storage.status import (
    PEOPLE_SERVED,
    PROSPECTS,
    WHOLE,
)

PEOPLE_SERVED_PATTERN = re.compile(
    r"\b(?P<neg>not\s+)?serv(?:ing|es|e)\s+(?:(?P<share>all|most|some)\s+(?:of\s+the\s+)?)?"
    r"people\s+well\b",
    re.IGNORECASE,
)
PROSPECTS_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(?P<level>excellent|promising|uncertain|poor)\s+prospects(?P<for>\s+for\s+(?:further"
        r"\s+)?improvement)?",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bprospects\s+(?P<for>for\s+(?:further\s+)?improvement)\s+(?:are|were|is|was|remain"
        r"|remains)\s+(?:currently\s+|now\s+|still\s+)?['\"]?(?P<level>excellent|promising"
        r"|uncertain|poor)\b",
        re.IGNORECASE,
    ),
)


# Sentences that describe the scheme or many councils, not this council's verdict: the grid of
# grades, notes to editors, a national overview ("no Welsh council was yet serving most people
# well", "fewer than half had promising prospects").
NOT_A_VERDICT = re.compile(
    r"\b(?:councils|authorities|none\s+of|fewer\s+than|overview)\b"
    r"|\bno\s+(?:\w+\s+)?(?:council|authority)\b",
    re.IGNORECASE,
)
_GRADES = {
    PEOPLE_SERVED: re.compile(
        r"\b(?:(not)\s+serving\s+people\s+well|serving\s+(all|most|some)\b)", re.IGNORECASE),
    PROSPECTS: re.compile(r"\b(excellent|promising|uncertain|poor)\b", re.IGNORECASE),
}


def _is_grid(form: str, dimension: str) -> bool:
    """The sentence lists two or more grades of one axis: a grid or a scale, not a verdict."""
    grades = {next(g for g in m.groups() if g).casefold()
              for m in _GRADES[dimension].finditer(form)}
    return len(grades) >= 2


def _joint_confidence(form: str, ctx: Context) -> float:
    confidence = CONFIDENCE["explicit"] if ctx.joint_review else CONFIDENCE["no_joint_review"]
    return hedge(form, confidence)


def read_joint_review(sentence: Sentence, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    form = sentence.form
    if NOT_A_VERDICT.search(form):
        return out
    for match in PEOPLE_SERVED_PATTERN.finditer(form):
        if _is_grid(form, PEOPLE_SERVED):
            break
        share = (match.group("share") or "").lower()
        # "not serving people well" is the bottom of the scale; "not serving all ..." is no value.
        value = ("" if share else "not") if match.group("neg") else share
        if value and not negated(form, match.start(), match.start()):
            out.append(Finding(WHOLE, PEOPLE_SERVED, value, sentence.text,
                               _joint_confidence(form, ctx), bool(PAST_MARKER.search(form))))
    for pattern in PROSPECTS_PATTERNS if not _is_grid(form, PROSPECTS) else ():
        for match in pattern.finditer(form):
            if not (match.group("for") or ctx.joint_review):
                continue
            if negated(form, match.start(), match.end()):
                continue
            out.append(Finding(WHOLE, PROSPECTS, match.group("level").lower(), sentence.text,
                               _joint_confidence(form, ctx), bool(PAST_MARKER.search(form))))
    return out
