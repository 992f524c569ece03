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

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol

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

# Dimensions of a service's status.  Each is tracked on its own: a document may state a
# concern level and a judgement about the same service, or only one of them.
CONCERN_LEVEL = "concern_level"
JUDGEMENT = "judgement"
INTERVENTION = "intervention"  # Welsh Ministers, Part 8 SSWBA 2014: above any CIW level
PEOPLE_SERVED = "people_served"  # joint reviews (1998-2008), first axis
PROSPECTS = "prospects"  # joint reviews, second axis
DIMENSIONS = (INTERVENTION, CONCERN_LEVEL, JUDGEMENT, PEOPLE_SERVED, PROSPECTS)

# Intervention values.
WARNING_NOTICE = "warning_notice"
INTERVENTION_REMOVED = "removed"
INTERVENTION_VALUES = (WARNING_NOTICE, INTERVENTION_REMOVED)

# Joint-review axes, worst first (domain.md §1.4; "all" and "excellent" inferred).
PEOPLE_SERVED_LEVELS = ("not", "some", "most", "all")
PROSPECTS_LEVELS = ("poor", "uncertain", "promising", "excellent")

# Kinds of document.
KIND_ANNUAL_LETTER = "annual_letter"
KIND_INSPECTION_REPORT = "inspection_report"
KIND_MONITORING_LETTER = "monitoring_letter"
KIND_IMPROVEMENT_CHECK = "improvement_check"
KIND_JOINT_REVIEW = "joint_review"
KIND_WARNING_NOTICE = "warning_notice"  # a warning notice or other intervention statement
KIND_NEWS = "news"
KIND_OTHER = "other"
KINDS = (KIND_ANNUAL_LETTER, KIND_INSPECTION_REPORT, KIND_MONITORING_LETTER,
         KIND_IMPROVEMENT_CHECK, KIND_JOINT_REVIEW, KIND_WARNING_NOTICE, KIND_NEWS, KIND_OTHER)

# Review states of an observation.  Below REVIEW_THRESHOLD confidence an observation is
# stored as needing review: it neither moves the status nor alerts until a person confirms.
REVIEW_AUTO = "auto"
REVIEW_NEEDED = "needs_review"
REVIEW_CONFIRMED = "confirmed"
REVIEW_REJECTED = "rejected"
REVIEW_THRESHOLD = 0.7

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
        raise ValueError(
            f"unknown concern level {level!r}; expected one of {CONCERN_LEVELS}"
        ) from None


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
    confidence: float = 1.0


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


@dataclass(frozen=True)
class StatusRow:
    """A stored observation joined to the publication it came from (built by ``repo``).

    Defined here rather than in ``repo`` so that ``detect_transition`` stays pure: it needs
    the current status, not the database.  ``authoritative`` tells regulator documents from
    secondary ones (council news, press).
    """

    authority: str
    service: str
    dimension: str
    value: str
    scheme: str
    evidence: str
    effective_date: date | None
    url: str
    title: str
    kind: str
    source: str
    observed_at: datetime
    authoritative: bool = True


class PublicationLike(Protocol):
    """What ``detect_transition`` reads from a publication: a ``models.Publication`` row or a
    ``scrapers.base.Publication`` record both fit."""

    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def published(self) -> date | None: ...
    @property
    def letter_date(self) -> date | None: ...
    @property
    def fieldwork_start(self) -> date | None: ...
    @property
    def fieldwork_end(self) -> date | None: ...


# ---------------------------------------------------------------------------------------
# Classification (v1).  Everything below is pure and table-driven: the tables say *what*
# counts as evidence, the functions only apply them.  Deliberately conservative: a missed
# reading can be found by a human; a wrong alert cannot be unsent.
# ---------------------------------------------------------------------------------------

# --- Authorities --------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """A Welsh principal council.

    ``name`` is the stored value and what users type (``CAREWATCH_AUTHORITIES=Wrexham``);
    ``title`` is the council's official English name.  A *mention* is the title or one of
    the ``aliases`` (English short forms, Welsh names).  Bare place names ("Wrexham") are
    not mentions: they name towns, hospitals and football clubs as often as councils.
    """

    name: str
    title: str
    aliases: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.title, *self.aliases)


AUTHORITIES: tuple[Authority, ...] = (
    Authority("Blaenau Gwent", "Blaenau Gwent County Borough Council", (
        "Blaenau Gwent Council", "Blaenau Gwent CBC", "Cyngor Bwrdeistref Sirol Blaenau Gwent")),
    Authority("Bridgend", "Bridgend County Borough Council", (
        "Bridgend Council", "Bridgend CBC", "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr",
        "Cyngor Pen-y-bont ar Ogwr")),
    Authority("Caerphilly", "Caerphilly County Borough Council", (
        "Caerphilly Council", "Caerphilly CBC", "Cyngor Bwrdeistref Sirol Caerffili",
        "Cyngor Caerffili")),
    Authority("Cardiff", "Cardiff Council", (
        "City and County of Cardiff Council", "City and County of Cardiff",
        "Cardiff County Council", "Cyngor Caerdydd", "Cyngor Dinas a Sir Caerdydd")),
    Authority("Carmarthenshire", "Carmarthenshire County Council", (
        "Carmarthenshire Council", "Cyngor Sir Gâr", "Cyngor Sir Gar", "Cyngor Sir Caerfyrddin")),
    Authority("Ceredigion", "Ceredigion County Council", (
        "Ceredigion Council", "Cyngor Sir Ceredigion")),
    Authority("Conwy", "Conwy County Borough Council", (
        "Conwy Council", "Conwy CBC", "Cyngor Bwrdeistref Sirol Conwy")),
    Authority("Denbighshire", "Denbighshire County Council", (
        "Denbighshire Council", "Cyngor Sir Ddinbych")),
    Authority("Flintshire", "Flintshire County Council", (
        "Flintshire Council", "Cyngor Sir y Fflint")),
    Authority("Gwynedd", "Gwynedd Council", ("Gwynedd County Council", "Cyngor Gwynedd")),
    Authority("Isle of Anglesey", "Isle of Anglesey County Council", (
        "Anglesey County Council", "Anglesey Council", "Cyngor Sir Ynys Môn",
        "Cyngor Sir Ynys Mon", "Cyngor Ynys Môn")),
    Authority("Merthyr Tydfil", "Merthyr Tydfil County Borough Council", (
        "Merthyr Tydfil Council", "Merthyr Tydfil CBC", "Cyngor Bwrdeistref Sirol Merthyr Tudful")),
    Authority("Monmouthshire", "Monmouthshire County Council", (
        "Monmouthshire Council", "Cyngor Sir Fynwy")),
    Authority("Neath Port Talbot", "Neath Port Talbot County Borough Council", (
        "Neath Port Talbot Council", "Neath Port Talbot CBC",
        "Cyngor Bwrdeistref Sirol Castell-nedd Port Talbot")),
    Authority("Newport", "Newport City Council", ("Newport Council", "Cyngor Dinas Casnewydd")),
    Authority("Pembrokeshire", "Pembrokeshire County Council", (
        "Pembrokeshire Council", "Cyngor Sir Penfro")),
    Authority("Powys", "Powys County Council", ("Powys Council", "Cyngor Sir Powys")),
    Authority("Rhondda Cynon Taf", "Rhondda Cynon Taf County Borough Council", (
        "Rhondda Cynon Taff County Borough Council", "Rhondda Cynon Taf Council",
        "Rhondda Cynon Taff Council", "RCT Council", "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf")),
    Authority("Swansea", "City and County of Swansea Council", (
        "City and County of Swansea", "Swansea Council", "Cyngor Dinas a Sir Abertawe",
        "Cyngor Abertawe")),
    Authority("Torfaen", "Torfaen County Borough Council", (
        "Torfaen Council", "Torfaen CBC", "Cyngor Bwrdeistref Sirol Torfaen")),
    Authority("Vale of Glamorgan", "Vale of Glamorgan Council", ("Cyngor Bro Morgannwg",)),
    Authority("Wrexham", "Wrexham County Borough Council", (
        "Wrexham Council", "Wrexham CBC", "Cyngor Bwrdeistref Sirol Wrecsam", "Cyngor Wrecsam")),
)
WREXHAM = "Wrexham"

# A document is "about" a council when that council has at least this many mentions and
# more than half of all council mentions (so a national report naming many councils,
# or a letter cc'ing a neighbour, is not attributed to whichever is named most).
MIN_AUTHORITY_MENTIONS = 1


def _name_pattern(name: str) -> str:
    return r"\s+".join(re.escape(word) for word in name.split())


_AUTHORITY_BY_NAME = {
    " ".join(form.casefold().split()): authority.name
    for authority in AUTHORITIES
    for form in authority.forms
}
# Longest forms first, so "Wrexham County Borough Council" is one mention, not a prefix match.
_AUTHORITY_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(_name_pattern(n) for n in sorted(_AUTHORITY_BY_NAME, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def authority_mentions(text: str) -> Counter[str]:
    """How many times each council is named in ``text`` (any of its English or Welsh forms)."""
    return Counter(
        _AUTHORITY_BY_NAME[" ".join(m.group(0).casefold().split())]
        for m in _AUTHORITY_RE.finditer(text)
    )


def detect_authority(text: str, *, min_mentions: int = MIN_AUTHORITY_MENTIONS) -> str | None:
    """The council ``text`` is about (its ``Authority.name``, e.g. "Wrexham"), or None when
    no council clearly dominates."""
    counts = authority_mentions(text)
    if not counts:
        return None
    (leader, top), *_ = counts.most_common(1)
    if top < min_mentions or top * 2 <= sum(counts.values()):
        return None
    return leader


# --- Services -----------------------------------------------------------------------------

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
    ((WHOLE,), re.compile(r"\bsocial\s+services\b", re.IGNORECASE)),
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


# What may stand before the service in a judgement's subject: "the", "the local
# authority's", "Wrexham's", "Wrexham County Borough Council('s)".
_SUBJECT_PREFIX = re.compile(
    r"(?:the\s+)?(?:(?:local\s+authority|council)'s?\s+|[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,4}"
    r"(?:'s?)?\s+)?"
)


def services_heading(subject: str) -> list[str]:
    """Services that ``subject`` (match form) *is*: it must start with a service phrase, so
    "progress in children's services" is not a judgement on children's services."""
    prefix = _SUBJECT_PREFIX.match(subject)
    for head in (subject, subject[prefix.end() :] if prefix else subject):
        for services, pattern in SERVICE_PATTERNS:
            if pattern.match(head):
                return list(services)
    return []


# --- Relevance ----------------------------------------------------------------------------

# Cues are counted on apostrophe-normalised text (see _match_form).
RELEVANCE_CUES: dict[str, re.Pattern[str]] = {
    # The council's social services as a whole or by service.
    "social_services": re.compile(
        "|".join(pattern.pattern for _, pattern in SERVICE_PATTERNS)
        + r"|\bgwasanaethau\s+cymdeithasol\b",
        re.IGNORECASE,
    ),
    # The regulator (and its predecessors) acting on it.
    "inspectorate": re.compile(
        r"\bCare\s+Inspectorate\s+Wales\b|\bCIW\b|\bCSSIW\b|\bSSIW\b"
        r"|\bCare\s+and\s+Social\s+Services\s+Inspectorate\b"
        r"|\bSocial\s+Services\s+Inspectorate\b|\bArolygiaeth\s+Gofal\s+Cymru\b|\bjoint\s+reviews?\b"
        # CIW's local-authority review types name the regulator's work even when a report
        # page only says "our inspections" (the Oct 2020 report page, seed 002).
        r"|\b(?:risk[\s-]+based|performance\s+evaluation)\s+inspections?\b"
        r"|\bmonitoring\s+activity\b|\bimprovement\s+check\b",
        re.IGNORECASE,
    ),
    # Regulated providers (care homes, domiciliary services) and their ratings: the same
    # regulator, a different regime (domain.md §6.11).
    "provider": re.compile(
        r"\bcare\s+homes?\b|\bnursing\s+homes?\b|\bregistered\s+(?:provider|manager)s?\b"
        r"|\bresponsible\s+individuals?\b|\bdomiciliary\s+(?:support|care)\b"
        r"|\bservice\s+ratings?\b|\b(?:rated|rating\s+of)\s+(?:excellent|good|adequate|poor)\b",
        re.IGNORECASE,
    ),
}


def is_relevant(text: str) -> bool:
    """True when ``text`` is about the regulation of a council's social services.

    Needs both a social-services cue and an inspectorate cue (football, hospitals and
    council governance reviews have at most one), and must not be mostly about a
    regulated provider: a care-home report names social services in passing, a council
    letter names care homes in passing, so the more frequent kind wins.
    """
    form = _match_form(text)
    counts = {name: len(pattern.findall(form)) for name, pattern in RELEVANCE_CUES.items()}
    return (
        counts["social_services"] > 0
        and counts["inspectorate"] > 0
        and counts["social_services"] > counts["provider"]
    )


# --- Schemes ------------------------------------------------------------------------------

# (first day, scheme), in date order; a date takes the last scheme that started on or
# before it (domain.md §1.1, §1.4, §6.10).
SCHEME_STARTS: tuple[tuple[date, str], ...] = (
    (date.min, SCHEME_JOINT_REVIEW),
    (date(2009, 4, 1), SCHEME_CSSIW_EVALUATION),
    (date(2019, 4, 1), SCHEME_COP_2019),
    (date(2023, 5, 4), SCHEME_COP_2023),
)
DEFAULT_SCHEME = SCHEME_COP_2019


def scheme_for(effective_date: date | None) -> str:
    """The regime in force on ``effective_date`` (CoP 2019 when the date is unknown)."""
    if effective_date is None:
        return DEFAULT_SCHEME
    scheme = DEFAULT_SCHEME
    for start, name in SCHEME_STARTS:
        if effective_date >= start:
            scheme = name
    return scheme


# --- Sentences ----------------------------------------------------------------------------

# Curly and modifier apostrophes map one-to-one onto "'", so offsets found in the match
# form are offsets in the verbatim text too.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})
_BULLET = r"(?:[\u2022\u25aa\u25e6\u2023*\-\u2013]|\d+[.)])\s+"
_BLOCK_BREAK = re.compile(r"\n\s*\n(?:[ \t]*" + _BULLET + r")?|\n[ \t]*" + _BULLET)
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset({"e.g", "i.e", "dr", "mr", "mrs", "ms", "cllr", "st", "no", "etc", "vs"})


def _match_form(text: str) -> str:
    return text.translate(_APOSTROPHES)


def _join_lines(block: str) -> str:
    """Join a block's wrapped lines, keeping headings apart from the sentence after them.

    PDF text has no blank line between a heading and its paragraph ("2014 Act\nWell-being\n
    During the last year, CIW's concerns ..."), so a line that is short for its block, ends
    without punctuation and is followed by a capitalised line is a heading: it ends the
    sentence there, so evidence quotes the sentence alone.
    """
    lines = [" ".join(line.split()) for line in block.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    width = max(len(line) for line in lines)
    out = lines[0]
    for previous, line in zip(lines, lines[1:], strict=False):
        heading = (
            len(previous) < 0.6 * width
            and not previous.endswith((".", ",", ";", ":", "-", "–", "and", "or", "of", "the"))
            and line[:1].isupper()
        )
        out += (". " if heading else " ") + line
    return out


def sentences(text: str) -> list[str]:
    """Split into whitespace-normalised sentences, verbatim otherwise.

    Blank lines and bullets end a block (headings and list items are not glued onto the
    next sentence); single newlines inside a block are line wraps (PDF text).
    """
    out: list[str] = []
    for raw_block in _BLOCK_BREAK.split("\n" + text):
        block = _join_lines(raw_block)
        start = 0
        for match in _SENTENCE_END.finditer(block):
            words = block[start : match.start()].split()
            if words and words[-1].casefold() in _ABBREVIATIONS:
                continue
            out.append(block[start : match.end()])
            start = match.end() + 1
        if block[start:].strip():
            out.append(block[start:].strip())
    return out


# --- Concern level ------------------------------------------------------------------------

_LEVEL = r"(?:serious|significant)"
_CHANGE_VERB = r"(?:escalated|de-?escalated|increased|raised|reduced|lowered|decreased|moved)"
_FROM_TO = (
    rf"\s+from\s+(?:a\s+)?{_LEVEL}\s+(?:level\s+(?:of\s+concerns?\s+)?|concerns?\s+)?"
    rf"to\s+(?:a\s+)?(?P<level>{_LEVEL})\b"
)

# Only CIW's escalation wording states a level; descriptive "serious"/"significant"
# ("significant progress", "a significant number of serious concerns", "significant risk")
# never matches because every pattern ties the level word to "concern(s)" grammatically.
CONCERN_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "concerns have escalated from serious to significant", "concerns were reduced from
    # significant to serious": the level after "to" is the one now stated.
    re.compile(rf"\bconcerns?\b[^.;]{{0,80}}?\b{_CHANGE_VERB}{_FROM_TO}", re.IGNORECASE),
    # "CIW has de-escalated its concerns from significant to serious".
    re.compile(
        rf"\b{_CHANGE_VERB}\s+(?:its\s+|our\s+|the\s+)?(?:level\s+of\s+)?concerns?{_FROM_TO}",
        re.IGNORECASE,
    ),
    # "CIW has serious concerns in relation to children's services": the regulator as the
    # subject, verb and level adjacent, so "does not have" or "has no" never match.
    re.compile(
        r"\b(?:CIW|CSSIW|Care\s+Inspectorate\s+Wales|the\s+inspectorate|we)\s+"
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
)
# Words that make a matched statement not a current statement of level: negated,
# historical or conditional ("concerns have not escalated", "CIW previously ...",
# "if CIW has serious concerns ...").  Looked for in the match and just before it.
NOT_A_STATEMENT = re.compile(
    r"\b(?:not|never|no\s+longer|previously|formerly|if|whether|unless|would|could|might)\b",
    re.IGNORECASE,
)
_NEGATION_REACH = 40
_CLAUSE_END = re.compile(r"[,;:]|\s[\u2013\u2014-]\s")


def _concern_services(form: str, end: int) -> list[str]:
    """The services a level statement ending at ``form[end]`` is about: those named in the
    rest of its clause ("... to significant in relation to children's services"), else the
    only one the sentence names; none when not attributable."""
    rest = form[end:]
    clause_end = _CLAUSE_END.search(rest)
    after = services_in(rest[: clause_end.start()] if clause_end else rest)
    if after:
        return after
    named = services_in(form)
    return named if len(named) == 1 else []


def _concern_readings(sentence: str, form: str) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for pattern in CONCERN_PATTERNS:
        for match in pattern.finditer(form):
            if NOT_A_STATEMENT.search(form, max(0, match.start() - _NEGATION_REACH), match.end()):
                continue
            level = match.group("level").lower()
            for service in _concern_services(form, match.end()):
                out.append((service, CONCERN_LEVEL, level))
    return out


# --- Judgement ----------------------------------------------------------------------------

# "it is our judgement that <service> is|are|remain|remains <phrase>": the phrase runs to
# the end of the sentence or a clause break, and is kept verbatim.  Restatements without
# the formula ("were judged to be ...") are not judgements (domain.md §6.5, §6.6).
JUDGEMENT_PATTERN = re.compile(
    r"\bit\s+is\s+our\s+judge?ment\s+that\s+(?P<subject>[^,;.]{1,160}?)\s+"
    r"(?:is|are|remains?)\s+(?P<phrase>[^;]+?)"
    r"(?=\s*(?:;|:|\s[\u2013\u2014-]\s|\(|,\s*(?:and|but|while|whilst|although|however|which"
    r"|meaning|where|as|because|though)\b|[.!?][\"'\u201d\u2019)]*$|$))",
    re.IGNORECASE,
)
_QUOTES = "\"'\u201c\u201d\u2018\u2019 "


def _judgement_readings(sentence: str, form: str) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for match in JUDGEMENT_PATTERN.finditer(form):
        phrase = sentence[match.start("phrase") : match.end("phrase")].strip(_QUOTES)
        if phrase:
            for service in services_heading(match.group("subject")):
                out.append((service, JUDGEMENT, phrase))
    return out


# --- classify -----------------------------------------------------------------------------

READERS = (_concern_readings, _judgement_readings)


def classify(text: str, *, effective_date: date | None) -> list[Reading]:
    """The status readings ``text`` states, one per (service, dimension) at most.

    Source-agnostic: whether a reading may move the recorded status is decided by the
    caller (only regulator documents do).  Returns [] when no single council is the
    subject or the text is not about the regulation of its social services.  When a
    document states two different values for one service and dimension (a history recap,
    say), that pair is dropped as ambiguous rather than guessed.
    """
    authority = detect_authority(text)
    if authority is None or not is_relevant(text):
        return []
    scheme = scheme_for(effective_date)
    found: dict[tuple[str, str], Reading] = {}
    conflicting: set[tuple[str, str]] = set()
    for sentence in sentences(text):
        form = _match_form(sentence)
        for reader in READERS:
            for service, dimension, value in reader(sentence, form):
                key = (service, dimension)
                earlier = found.get(key)
                if earlier is None:
                    found[key] = Reading(
                        authority, service, dimension, value, scheme, sentence, effective_date
                    )
                elif not same_value(earlier.value, value):
                    conflicting.add(key)
    return [reading for key, reading in found.items() if key not in conflicting]


# --- Transitions --------------------------------------------------------------------------


def same_value(a: str, b: str) -> bool:
    """Values compared as a reader would: case, whitespace and apostrophe style ignored."""
    return " ".join(_match_form(a).casefold().split()) == " ".join(
        _match_form(b).casefold().split()
    )


def is_older(candidate: date | None, current: date | None) -> bool:
    """Whether a statement dated ``candidate`` predates one dated ``current``.

    Undated statements sort before dated ones (``repo`` orders observations the same way),
    so an undated document never overrides a dated status.
    """
    if current is None:
        return False
    return candidate is None or candidate < current


def transition_key(
    authority: str, service: str, dimension: str, old: str | None, new: str, url: str
) -> str:
    """Idempotency key: only what changed and the document that changed it."""
    digest = hashlib.sha256(
        "\x1f".join((authority, service, dimension, old or "", new, url)).encode()
    )
    return "cw_" + digest.hexdigest()[:32]


def detect_transition(
    current: StatusRow | None,
    reading: Reading,
    *,
    publication: PublicationLike,
    now: datetime,
) -> Transition | None:
    """The change ``reading`` makes to the recorded status, or None.

    None for a restatement (later letters repeat earlier judgements: alert once) and for a
    document older than the current status (a backfilled old letter is history, not news).
    """
    if current is not None and (
        same_value(current.value, reading.value)
        or is_older(reading.effective_date, current.effective_date)
    ):
        return None
    old = current.value if current is not None else None
    return Transition(
        key=transition_key(
            reading.authority, reading.service, reading.dimension, old, reading.value,
            publication.url,
        ),
        authority=reading.authority,
        service=reading.service,
        dimension=reading.dimension,
        old=old,
        new=reading.value,
        scheme=reading.scheme,
        evidence=reading.evidence,
        source=publication.source,
        kind=publication.kind,
        title=publication.title,
        url=publication.url,
        published=publication.published,
        letter_date=publication.letter_date,
        fieldwork_start=publication.fieldwork_start,
        fieldwork_end=publication.fieldwork_end,
        old_stated=current.effective_date if current is not None else None,
        old_url=current.url if current is not None else None,
        detected_at=now,
    )
