"""What every sentence reader shares: findings, context, and the negation, hedge and history
tests.  The rules they all follow are in the package docstring (``readers/__init__.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storage.classify.services import only_service, services_in
from storage.classify.text import Sentence
from storage.status import ADULTS, CHILDREN

# How sure a finding is, by where its service came from and what the text says around it.
CONFIDENCE = {
    "explicit": 1.0,  # the sentence names the service
    "heading": 0.85,  # intervention: the heading or title names the one service
    "context": 0.75,  # the heading, paragraph or title names the one service
    "ambiguous": 0.5,  # no service anywhere: whole service assumed -- needs review
    "hedged": 0.5,  # "reportedly", "it is understood", "appears to"
    "no_part_8": 0.6,  # a warning notice without Welsh Ministers / Part 8 in the document
    "no_joint_review": 0.6,  # joint-review axes outside a joint-review document
    "long_phrase": 0.6,  # a judgement "phrase" longer than a label
}
MAX_JUDGEMENT_WORDS = 15


@dataclass(frozen=True)
class Finding:
    """One (service, dimension, value) a sentence states, with its evidence and confidence."""

    service: str
    dimension: str
    value: str
    evidence: str
    confidence: float = 1.0
    restated: bool = False
    how: str = "explicit"
    position: int = 0


@dataclass(frozen=True)
class Context:
    """What a reader may use from outside the sentence."""

    title_service: str | None = None  # the one service the title names
    specific_service: str | None = None  # the one of children/adults the document names
    paragraphs: dict[int, str] = field(default_factory=dict)  # match form, by number
    year: int | None = None  # the document's own year (letter, fieldwork or publication)
    part_8: bool = False  # the document cites Part 8 / Welsh Ministers
    joint_review: bool = False  # the document is, or reports, a joint review
    ciw_voice: bool = False  # the text is CIW's own ("we" is the regulator)


# --- Shared helpers -----------------------------------------------------------------------

# Words that make a matched statement not a current statement: negated or conditional.
# "may"/"might" only in lower case ("In May 2019" is a month).
NEGATION = re.compile(
    r"\b(?:not|never|no\s+longer|nor|neither|without|if|whether|unless|would|could|should"
    r"|cannot|can't|won't|once|until|before)\b|n't\b"
    r"|\bno\s+(?:need|plans?|intention|decision|reason|requirement)\b",
    re.IGNORECASE,
)
MODAL = re.compile(r"\b(?:may|might)\b")
_NEGATION_REACH = 40
CLAUSE_END = re.compile(r"[,;:]|\s[\u2013\u2014-]\s")
CLAUSE_START = re.compile(r"[,;:]|\s[\u2013\u2014-]\s|\bbut\b|\bwhile\b|\balthough\b", re.I)
HEDGE = re.compile(
    r"\b(?:reportedly|apparently|allegedly|it\s+is\s+(?:understood|thought|believed)"
    r"|(?:is|are)\s+(?:understood|thought|believed|said)\s+to|appears?\s+to|seems?\s+to"
    r"|likely\s+to|expected\s+to|rumou?red|(?:BBC|we|it)\s+understands|sources\s+say)\b",
    re.IGNORECASE,
)
PAST_MARKER = re.compile(
    r"\b(?:previously|formerly|at\s+that\s+time|at\s+the\s+time|historically|in\s+the\s+past"
    r"|had\s+(?:been\s+)?(?:escalated|raised|reduced|lowered|issued))\b",
    re.IGNORECASE,
)
PRESENT_PERFECT = re.compile(r"\b(?:has|have|is|are|remains?)\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
QUOTES = "\"' "
LEADING_ADVERB = re.compile(r"^(?:now|still|currently|judged\s+to\s+be|to\s+be)\s+", re.I)


def negated(form: str, start: int, end: int) -> bool:
    """Negation or condition within the statement's clause, up to ``end``."""
    window_start = max(0, start - _NEGATION_REACH)
    for boundary in CLAUSE_START.finditer(form, window_start, start):
        window_start = boundary.end()
    window = form[window_start:end]
    return bool(NEGATION.search(window) or MODAL.search(window))


def historical(form: str, matched: str, year: int | None) -> bool:
    """The sentence reports an earlier state: a past marker, or (in simple past, not "has/
    have ...") a latest year before the document's own."""
    if PAST_MARKER.search(form):
        return True
    years = [int(y) for y in YEAR.findall(form)]
    return bool(
        year is not None and years and max(years) < year and not PRESENT_PERFECT.search(matched)
    )


def hedge(form: str, confidence: float) -> float:
    return min(confidence, CONFIDENCE["hedged"]) if HEDGE.search(form) else confidence


def heading_service(sentence: Sentence) -> str | None:
    """The service of the nearest heading above that names any: "Children's services" ...
    "Our judgement" ... <sentence> is about children's services; a heading naming several
    services ends the search."""
    for heading in sentence.headings:
        named = services_in(heading.replace("\u2019", "'"))
        if named:
            return named[0] if len(named) == 1 else None
    return None


def context_service(sentence: Sentence, ctx: Context) -> tuple[str, str] | None:
    """(service, where) from the headings, the paragraph or the title, if one names one."""
    service = heading_service(sentence)
    if service is not None:
        return service, "heading"
    service = only_service(ctx.paragraphs.get(sentence.paragraph, ""))
    if service is not None:
        return service, "paragraph"
    if ctx.title_service is not None:
        return ctx.title_service, "title"
    return None


def services_near(
    sentence: Sentence, start: int, end: int, ctx: Context
) -> tuple[list[str], str]:
    """The services a statement spanning ``form[start:end]`` is about, and how we know: those
    named in the rest of its clause ("... to significant in relation to children's services"),
    else inside the statement, else the one its clause names before it ("and adult services
    remain at serious concern"), else the only one the sentence names, else the context."""
    form = sentence.form
    rest = form[end:]
    clause_end = CLAUSE_END.search(rest)
    after = services_in(rest[: clause_end.start()] if clause_end else rest)
    if after:
        return after, "explicit"
    inside = services_in(form[start:end])
    if inside:
        return inside, "explicit"
    clause_start = max((m.end() for m in CLAUSE_START.finditer(form, 0, start)), default=0)
    before = services_in(form[clause_start:start])
    if len(before) == 1:
        return before, "explicit"
    named = services_in(form)
    if len(named) == 1:
        return named, "explicit"
    if len(named) > 1:
        return [], "ambiguous"
    found = context_service(sentence, ctx)
    if found is not None:
        return [found[0]], f"context ({found[1]})"
    return [], "none"


SPECIFIC_SERVICES = (CHILDREN, ADULTS)
