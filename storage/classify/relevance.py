"""Is a document about the quality or regulation of a Welsh council's social services?

Relevant means: it names the council's social services (or a service) *and* the regulator or
Ministers acting on them (an inspection, a concern level, a judgement, an intervention, or
commentary on those).  The traps (domain.md §6.11, §6.12) each lack one half or are dominated
by another regime: CIW ratings of care homes and other providers, Audit Wales governance
reviews, HIW hospital inspections, prisons, football, bins, and news that merely says
"Wrexham", "serious" or "significant".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.classify.services import SERVICE_PATTERNS
from storage.classify.text import match_form

# Cues are counted on match form (straight apostrophes).
CUES: dict[str, re.Pattern[str]] = {
    # The council's social services as a whole or by service.
    "social_services": re.compile(
        "|".join(pattern.pattern for _, pattern in SERVICE_PATTERNS)
        + r"|\bgwasanaethau\s+cymdeithasol\b|\bsocial\s+services?\s+authorit(?:y|ies)\b"
        # CIW's local-authority review documents are about social services by definition.
        + r"|\blocal\s+authority\s+(?:performance\s+review|monitoring\s+activity"
        r"|improvement\s+check)|\bannual\s+performance\s+(?:review\s+)?letter\b",
        re.IGNORECASE,
    ),
    # The regulator (and its predecessors) and its local-authority review work.
    "regulator": re.compile(
        r"\bCare\s+Inspectorate\s+Wales\b|\bCIW\b|\bCSSIW\b|\bSSIW\b|\bAGC\b"
        r"|\bCare\s+and\s+Social\s+Services\s+Inspectorate\b"
        r"|\bSocial\s+Services\s+Inspectorate\b|\bArolygiaeth\s+Gofal\s+Cymru\b|\bjoint\s+reviews?\b"
        # CIW's local-authority review types name the regulator's work even when a report
        # page only says "our inspections" (the Oct 2020 report page, seed 002).
        r"|\b(?:risk[\s-]+based|performance\s+evaluation)\s+inspections?\b"
        r"|\bmonitoring\s+activity\b|\bimprovement\s+checks?\b|\bimprovement\s+conferences?\b"
        r"|\bperformance\s+evaluation\s+activity\b|\bit\s+is\s+our\s+judge?ment\b"
        r"|\bannual\s+performance\s+(?:review\s+)?letter\b"
        # The regulator's own voice: "our inspections", "our review of X Council's performance".
        r"|\bour\s+(?:\w+\s+)?(?:inspections?|monitoring\s+activity|improvement\s+check)"
        r"|\bour\s+review\s+of\s+[A-Z][\w\s]{0,60}?(?:Council|Authority)'s\s+performance",
        re.IGNORECASE,
    ),
    # Welsh Ministers' intervention under Part 8 (domain.md §1.2, §6.14): the top of the ladder.
    "intervention": re.compile(
        r"\bwarning\s+notices?\b|\bPart\s+8\b|\benhanced\s+monitoring\b"
        r"|\bSocial\s+Services\s+and\s+Well-?being\s+\(Wales\)\s+Act\s+2014\b[^.]{0,80}\bsections?\s+1[56]\d",
        re.IGNORECASE,
    ),
    # Regulated providers (care homes, domiciliary services) and their ratings: the same
    # regulator, a different regime (domain.md §6.11).
    "provider": re.compile(
        r"\bcare\s+homes?\b|\bnursing\s+homes?\b|\bregistered\s+(?:provider|manager|care\s+service)s?\b"
        r"|\bresponsible\s+individuals?\b|\bdomiciliary\s+(?:support|care)\b|\bchildminders?\b"
        r"|\bservice\s+ratings?\b|\b(?:rated|rating\s+of)\s+(?:excellent|good|adequate|poor)\b"
        r"|\bthe\s+home\b",
        re.IGNORECASE,
    ),
    # Other regimes and subjects that share the place names and the words.
    "other": re.compile(
        r"\bAudit\s+Wales\b|\bWales\s+Audit\s+Office\b|\bAuditor\s+General\b"
        r"|\bHealthcare\s+Inspectorate\s+Wales\b|\bHIW\b|\bhealth\s+boards?\b|\bhospitals?\b"
        r"|\bHMP\b|\bprisons?\b|\bBerwyn\b|\bAFC\b|\bfootball\b|\bRacecourse\b|\bEstyn\b|\bOfsted\b"
        r"|\bgovernance\b|\bvalues\s+and\s+behaviours\b|\bbins?\b|\brecycling\b|\bcouncil\s+tax\b",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    reason: str
    counts: dict[str, int]


def cue_counts(text: str) -> dict[str, int]:
    form = match_form(text)
    return {name: len(pattern.findall(form)) for name, pattern in CUES.items()}


def assess_relevance(
    text: str, title: str | None = None, *, regulator_voice: bool = False
) -> Relevance:
    """Relevance with its reason.

    Needs a social-services cue and a regulator or intervention cue (football, hospitals and
    governance reviews have at most one).  Then the more frequent regime wins: a care-home
    report names social services in passing and a council letter names care homes in passing;
    an HIW or Audit Wales report names CIW in passing and a CIW letter names HIW in passing.
    ``regulator_voice`` (the text is the regulator's or Ministers' own) is itself a regulator
    cue: CIW's news says "we have today published our letter", not "CIW has published".
    """
    counts = cue_counts(f"{title or ''}\n{text}")
    services, provider, other = counts["social_services"], counts["provider"], counts["other"]
    regulator = counts["regulator"] + counts["intervention"] + int(regulator_voice)
    if services == 0:
        return Relevance(False, "not relevant: no council social-services cue", counts)
    if regulator == 0:
        return Relevance(False, "not relevant: no regulator or intervention cue", counts)
    if provider >= services:
        return Relevance(
            False, f"not relevant: about a regulated provider ({provider} provider cues)", counts
        )
    if other > regulator + services:
        return Relevance(
            False, f"not relevant: another regime or subject dominates ({other} cues)", counts
        )
    return Relevance(
        True,
        f"relevant: {services} social-services and {regulator} regulator/intervention cues",
        counts,
    )


def is_relevant(text: str, title: str | None = None, *, regulator_voice: bool = False) -> bool:
    """True when ``text`` is about the regulation of a council's social services."""
    return assess_relevance(text, title, regulator_voice=regulator_voice).relevant
