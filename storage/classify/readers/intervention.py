"""Intervention: Welsh Ministers' Part 8 warning notices and the end of intervention (domain.md
§1.2, §6.14).  The top of the ladder, so the document must also cite Ministers or Part 8.
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
from storage.classify.text import Sentence
from storage.status import (
    INTERVENTION,
    INTERVENTION_REMOVED,
    WARNING_NOTICE,
    WHOLE,
)

WARNING = re.compile(r"\b(?:follow[- ]up\s+)?warning\s+notices?\b", re.IGNORECASE)
ISSUE_VERB = re.compile(
    r"\b(?:issued?|issuing|served|serve|given|gave|sent|publish(?:ed|ing)?|publication)\b",
    re.IGNORECASE,
)
_VERB_REACH = 60
# Talk of a notice that has not been issued: considered, threatened, possible, proposed.
HYPOTHETICAL = re.compile(
    r"\b(?:consider(?:s|ed|ing)?|threat(?:en(?:s|ed|ing)?)?|possib(?:le|ility)|potential(?:ly)?"
    r"|propos(?:e|es|ed|al)|risk\s+of|power\s+to|powers\s+to|able\s+to|can)\b",
    re.IGNORECASE,
)
REMOVAL_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\benhanced\s+monitoring(?:\s+arrangements?)?\b[^.;]{0,120}?\b(?:have|has|had|were|was"
        r"|are|is)\s+(?:now\s+)?(?:been\s+)?(?:removed|lifted|ended|withdrawn|stepped\s+down"
        r"|revoked)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:remove[ds]?|removal\s+of|lift(?:ed|ing)?|end(?:ed|ing)?|withdraw(?:n|al\s+of)?"
        r"|revok(?:ed|e))\s+(?:the\s+)?(?:enhanced\s+monitoring|warning\s+notice|intervention)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bwarning\s+notices?\b[^.;]{0,80}?\b(?:have|has)\s+(?:now\s+)?been\s+(?:withdrawn"
        r"|revoked|lifted|removed)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bno\s+longer\s+(?:subject\s+to|in|under)\s+(?:the\s+)?(?:enhanced\s+monitoring"
        r"|(?:ministerial\s+)?intervention|the\s+warning\s+notice)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:intervention|enhanced\s+monitoring)\b[^.;]{0,60}?\b(?:has|have)\s+(?:now\s+)?"
        r"(?:ended|come\s+to\s+an\s+end|been\s+lifted|been\s+removed)\b",
        re.IGNORECASE,
    ),
)


def _intervention_services(
    sentence: Sentence, start: int, end: int, ctx: Context
) -> tuple[list[str], str, float]:
    services, how = services_near(sentence, start, end, ctx)
    if how == "explicit":
        return services, how, CONFIDENCE["explicit"]
    if how in ("context (heading)", "context (title)"):
        return services, how, CONFIDENCE["heading"]
    if services:
        return services, how, CONFIDENCE["context"]
    if ctx.specific_service is not None:
        return [ctx.specific_service], "context (document)", CONFIDENCE["context"]
    return [WHOLE], "ambiguous", CONFIDENCE["no_part_8"]


def _intervention_finding(
    sentence: Sentence, ctx: Context, value: str, start: int, end: int, matched: str
) -> list[Finding]:
    form = sentence.form
    services, how, confidence = _intervention_services(sentence, start, end, ctx)
    if not ctx.part_8:
        confidence = min(confidence, CONFIDENCE["no_part_8"])
    restated = historical(form, matched, ctx.year)
    return [Finding(service, INTERVENTION, value, sentence.text, hedge(form, confidence),
                    restated, how) for service in services]


def read_intervention(sentence: Sentence, ctx: Context) -> list[Finding]:
    form = sentence.form
    for pattern in REMOVAL_PATTERNS:
        for match in pattern.finditer(form):
            # "no longer subject to ..." is itself the removal: look only before it.
            upto = match.start() if pattern is REMOVAL_PATTERNS[3] else match.end()
            if not negated(form, match.start(), upto):
                return _intervention_finding(sentence, ctx, INTERVENTION_REMOVED, match.start(),
                                             match.end(), match.group(0))
    for warning in WARNING.finditer(form):
        for verb in ISSUE_VERB.finditer(form):
            if abs(verb.start() - warning.start()) > _VERB_REACH:
                continue
            start, end = min(warning.start(), verb.start()), max(warning.end(), verb.end())
            window = form[max(0, start - 40) : end]
            if not negated(form, start, end) and not HYPOTHETICAL.search(window):
                return _intervention_finding(sentence, ctx, WARNING_NOTICE, start, end,
                                             form[max(0, start - 40) : end])
    return []
