"""Who is speaking, and what kind of document it is.

*Authoritative* means the regulator or Welsh Ministers speak in their own voice: a CIW/CSSIW/
SSIW letter, report or news item, a Welsh Government written statement, a joint-review report.
Everything else is secondary, however accurately it quotes them: council news, press (often
LDRS syndication), blogs, council self-assessments (domain.md §6.9).  A CIW letter attached to a
council committee paper is still CIW's letter, so letter structure (masthead, salutation,
signature) outweighs the council's own cues; a press story quoting CIW's words is not.

Each cue is counted once, with a weight; the text is *clear* when one side reaches
CLEAR_WEIGHT and outweighs the other.  Otherwise the caller's hint decides (CIW's site is
authoritative, council news is not), then the URL's host, then the balance of weights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from storage.classify.text import match_form
from storage.status import (
    KIND_ANNUAL_LETTER,
    KIND_IMPROVEMENT_CHECK,
    KIND_INSPECTION_REPORT,
    KIND_JOINT_REVIEW,
    KIND_MONITORING_LETTER,
    KIND_NEWS,
    KIND_OTHER,
    KIND_WARNING_NOTICE,
)

_M = re.IGNORECASE | re.MULTILINE

# (name, weight, pattern) -- the regulator's or Ministers' own voice.
_REGULATOR_BODY = (
    r"(?:Healthcare\s+Inspectorate\s+Wales|Arolygiaeth\s+Gofal\s+Iechyd\s+Cymru"
    r"|Audit\s+Wales|Archwilio\s+Cymru|Wales\s+Audit\s+Office|Swyddfa\s+Archwilio\s+Cymru"
    r"|Audit\s+Commission\s+in\s+Wales|Social\s+Services\s+Inspectorate\s+for\s+Wales"
    r"|Arolygiaeth\s+Gofal\s+Cymru|Welsh\s+Government|Llywodraeth\s+Cymru)"
)

PRIMARY_CUES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("regulator's masthead", 3, re.compile(
        rf"^\s*{_REGULATOR_BODY}(?:\s+(?:and|with|&)\s+(?:the\s+)?{_REGULATOR_BODY})?\s*$", _M)),
    # The joint reviews' own reports (1998-2008) open with their title (domain.md §1.4).
    ("joint-review report title", 2, re.compile(
        r"^\s*(?:Report\s+of\s+the\s+)?Joint\s+Review\s+of\s+Social\s+Services\s+in\b",
        _M | re.IGNORECASE)),
    ("reviewers' verdict voice", 2, re.compile(
        r"^\s*(?:\d\.\s*)?(?:Our|The\s+review\s+team's)\s+(?:overall\s+)?judge?ments?\s*$"
        r"|\bour\s+overall\s+judge?ment\s+is\b|\bwe\s+have\s+concluded\s+that\b"
        r"|^\s*our\s+conclusion\s+is\s+that\b"
        r"|^\s*What\s+we\s+(?:found|did)\s*$", _M | re.IGNORECASE)),
    ("own press release", 1, re.compile(
        r"\bEmbargoed\s+until\b|^\s*Notes?\s+to\s+editors?\b", _M | re.IGNORECASE)),
    ("CIW masthead", 3, re.compile(
        r"^\s*(?:Arolygiaeth\s+Gofal\s+Cymru\s*\(AGC\)|Care\s+Inspectorate\s+Wales(?:\s*\(CIW\))?\s*$"
        r"|www\.(?:careinspectorate\.wales|arolygiaethgofal\.cymru)\s*$)", _M)),
    ("inspector's signature", 3, re.compile(
        r"\bHead\s+of\s+Local\s+Authority\s+Inspections?(?:\s+Team)?\b|\bChief\s+Inspector,\s+Care"
        r"|\bYours\s+sincerely,?\s*\n(?:.*\n){0,4}.*\b(?:Care\s+Inspectorate\s+Wales|CIW|CSSIW)\b",
        re.IGNORECASE)),
    ("regulator's report voice", 3, re.compile(
        r"\bthis\s+(?:letter|report)\s+summarises\s+(?:our|the\s+findings\s+of\s+our)\b"
        r"|\bthis\s+report\s+(?:sets\s+out|presents)\s+(?:our|the)\s+findings\s+of\s+(?:our|the)\b",
        re.IGNORECASE)),
    ("regulator's news voice", 2, re.compile(
        r"^\s*we\s+have\s+(?:today\s+)?published\b|^\s*our\s+(?:latest|chief\s+inspector)\b"
        r"|^\s*(?:CIW|Care\s+Inspectorate\s+Wales\s+\(CIW\))\s+and\s+.{0,80}\btoday\s+publish",
        _M)),
    ("'our inspection'", 1, re.compile(
        r"\bour\s+(?:\w+\s+)?(?:inspections?|monitoring\s+activity|improvement\s+check"
        r"|performance\s+evaluation\s+activity|review\s+of\s+\w+)", re.IGNORECASE)),
    ("judgement formula", 1, re.compile(r"\bit\s+is\s+our\s+judge?ment\s+that\b", re.IGNORECASE)),
    ("written statement", 3, re.compile(r"\bwritten\s+statement\b|\bdatganiad\s+ysgrifenedig\b",
                                        re.IGNORECASE)),
    ("Minister", 1, re.compile(r"\b(?:Deputy\s+)?Minister\s+for\b|\bCabinet\s+Secretary\b")),
    ("'First published'", 1, re.compile(r"^\s*First\s+published\s*:", _M)),
    ("Ministers' voice", 2, re.compile(
        r"\bI\s+have\s+(?:today\s+)?(?:issued|decided|agreed|written)\b", re.IGNORECASE)),
)

# (name, weight, pattern) -- someone else reporting, commenting or assessing itself.
SECONDARY_CUES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("press dateline 'Posted:'", 3, re.compile(r"^\s*Posted\s*:", _M)),
    ("'This article is old'", 3, re.compile(r"\bThis\s+article\s+is\s+old\b", re.IGNORECASE)),
    ("LDRS", 3, re.compile(r"\bLocal\s+Democracy\s+Reporting\b|\bLDRS\b")),
    ("Lead Member", 3, re.compile(r"\bLead\s+Member\s+for\b", re.IGNORECASE)),
    ("councillor quoted", 2, re.compile(r"\b(?:Councillor|Cllr\.?)\s+[A-Z]")),
    ("press attribution", 2, re.compile(
        r"\baccording\s+to\s+(?:an?|the)\s+(?:\w+\s+){0,2}(?:report|review)\b"
        r"|\btold\s+the\s+(?:\w+\s+)?(?:meeting|committee|BBC|paper)\b",
        re.IGNORECASE)),
    ("reader comments", 2, re.compile(
        r"^\s*(?:[\u2022*]\s*)?Comment\s*$|\bHave\s+your\s+say\b|\bsign\s+in\s+to\s+make\s+a\s+comment",
        _M)),
    ("share block", 2, re.compile(r"^\s*Share\s+this\s*:", _M)),
    ("blog repost", 2, re.compile(r"\bthe\s+following\s+is\s+an\s+article\b", re.IGNORECASE)),
    ("council promo", 2, re.compile(
        r"\bsign[- ]?up\s+for\s+(?:our\s+)?e-?mail\s+bulletins\b|\bMyUpdates\b", re.IGNORECASE)),
    ("council self-assessment", 3, re.compile(
        r"\bDirector\s+of\s+Social\s+Services'?\s*(?:'s\s+)?annual\s+report\b"
        r"|\bannual\s+report\s+of\s+the\s+(?:statutory\s+)?director\b|\bour\s+own\s+assessment\b"
        r"|\bself[- ]assessment\b", re.IGNORECASE)),
    ("council committee paper", 2, re.compile(
        r"\bReport\s+to\s+(?:the\s+)?(?:\w+\s+)?Committee\b|\bPurpose\s+of\s+(?:the|this)\s+report\b"
        r"|\bDate\s+of\s+meeting\b|\bAgenda\s+item\b|\bReport\s+author\b", re.IGNORECASE)),
    ("council voice", 1, re.compile(
        r"\b(?:Executive\s+Board|scrutiny\s+committee|the\s+Council\s+Leader|full\s+council)\b",
        re.IGNORECASE)),
    ("quoted speaker", 1, re.compile(r"\b(?:said|says|added)\s*[:,]\s*[\"']")),
)
CLEAR_WEIGHT = 3
COMMITTEE_PAPER = next(p for name, _, p in SECONDARY_CUES if name == "council committee paper")

# Hosts whose documents are the regulator's or Ministers' own (used only when the text is
# unclear), and hosts that are secondary.  Mirrors (docslib, docsbay, ...) are neither.
AUTHORITATIVE_HOSTS = ("careinspectorate.wales", "arolygiaethgofal.cymru", "gov.wales",
                       "llyw.cymru", "cssiw.org.uk")
SECONDARY_HOSTS = ("wrexham.gov.uk", "wrecsam.gov.uk", "wrexham.com", "bbc.co.uk", "bbci.co.uk",
                   "lgcplus.com", "communitycare.co.uk", "leaderlive.co.uk", "blogspot.com",
                   "nathanleedavies.com", "shropshirestar.com", "wordpress.com")


# Cues that the speaker is CIW itself (not another regulator or Ministers): CIW's own
# voice is itself a regulator cue for relevance ("we have today published our letter").
CIW_CUES = frozenset({"CIW masthead", "inspector's signature", "regulator's report voice",
                      "regulator's news voice", "'our inspection'", "judgement formula"})


@dataclass(frozen=True)
class Voice:
    authoritative: bool
    reason: str
    ciw: bool = False  # CIW's own voice among the cues


def _weigh(cues: tuple[tuple[str, int, re.Pattern[str]], ...], text: str) -> tuple[int, list[str]]:
    names = [name for name, _, pattern in cues if pattern.search(text)]
    return sum(w for name, w, _ in cues if name in names), names


def host_hint(url: str | None) -> bool | None:
    """True/False for a known regulator or secondary host, None otherwise."""
    host = (urlsplit(url).hostname or "").lower() if url else ""
    if any(host == h or host.endswith("." + h) for h in AUTHORITATIVE_HOSTS):
        return True
    if any(host == h or host.endswith("." + h) for h in SECONDARY_HOSTS):
        return False
    return None


def assess_voice(
    raw_text: str, title: str | None = None, url: str | None = None, hint: bool | None = None
) -> Voice:
    """Authoritative or secondary, with the cues that decided it.  ``raw_text`` is the text
    before chrome stripping (comment boxes and share blocks are secondary cues)."""
    form = match_form(f"{title or ''}\n{raw_text}")
    primary, p_names = _weigh(PRIMARY_CUES, form)
    secondary, s_names = _weigh(SECONDARY_CUES, form)
    cues = f"primary {primary} ({', '.join(p_names) or '-'}); secondary {secondary} " \
           f"({', '.join(s_names) or '-'})"
    if primary >= CLEAR_WEIGHT and primary > secondary:
        decided, why = True, "regulator/Ministers' own text"
    elif secondary >= CLEAR_WEIGHT - 1 and secondary >= primary:
        decided, why = False, "reported or self-assessed"
    elif hint is not None:
        decided, why = hint, "text unclear, source hint"
    elif host_hint(url) is not None:
        decided, why = bool(host_hint(url)), f"text unclear, host of {url}"
    else:
        decided, why = primary > secondary, "weak cues"
    label = "authoritative" if decided else "secondary"
    return Voice(decided, f"{label}: {why}; {cues}", decided and bool(CIW_CUES & set(p_names)))


# --- Kind ---------------------------------------------------------------------------------

# CIW's and Welsh Government's own labels (domain.md §2.1), most specific first; looked for in
# the title, then in the lead of the text (a letter's subject line sits near the top).
KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (KIND_WARNING_NOTICE, re.compile(
        r"\bwarning\s+notice|\benhanced\s+monitoring|\bPart\s+8\b"
        r"|\b(?:ministerial|statutory|government)\s+intervention\b", re.I)),
    (KIND_JOINT_REVIEW, re.compile(r"\bjoint\s+review\b", re.I)),
    (KIND_IMPROVEMENT_CHECK, re.compile(r"\bimprovement\s+check\b", re.I)),
    (KIND_MONITORING_LETTER, re.compile(
        r"\bmonitoring\s+(?:activity|letter|visit)\b", re.I)),
    (KIND_ANNUAL_LETTER, re.compile(
        r"\bannual\s+(?:performance\s+)?(?:review\s+)?letter\b|\bperformance\s+review\s+april\b"
        r"|\bannual\s+review\s+and\s+evaluation\s+of\s+performance\b"
        r"|\bannual\s+performance\s+review\b"
        r"|\bthis\s+letter\s+summarises\s+our\s+review\s+of\b[^.]{0,80}\bperformance\b", re.I)),
    (KIND_INSPECTION_REPORT, re.compile(
        r"\binspection\s+(?:report|of)\b|\breport\s+of\b.{0,60}\binspection\b|\bre-?inspection\b"
        r"|\b(?:follow-up|full|risk\s+based|performance\s+evaluation)\s+inspection\b"
        r"|\binspection\s*:", re.I)),
)
# A news item or press release: a dateline followed by the "News" label (CIW, Audit Wales), a
# "Press release" line at the top, or CIW's "We have (today) published ..." at a line start.
NEWS_ITEM = re.compile(
    r"^\s*(?:\w+,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4}\s*(?:\n\s*)?(?:News|Newyddion)\s*$"
    r"|^\s*(?:Press\s+release|Datganiad\s+i'r\s+wasg)\b|^\s*We\s+have\s+(?:today\s+)?published\b",
    re.MULTILINE | re.IGNORECASE,
)
LEAD_CHARS = 1500


def _first_kind(text: str) -> str | None:
    """The most specific kind a title names (an intervention statement's title may also name
    the inspection report that prompted it)."""
    return next((kind for kind, pattern in KIND_RULES if pattern.search(text)), None)


def _earliest_kind(text: str) -> str | None:
    """The kind whose label appears first in ``text`` (a letter's subject line comes before
    the inspections it mentions)."""
    found = [(m.start(), order, kind) for order, (kind, pattern) in enumerate(KIND_RULES)
             for m in [pattern.search(text)] if m]
    return min(found)[2] if found else None


def document_kind(text: str, title: str | None, *, authoritative: bool,
                  relevant: bool = True) -> str:
    """The document's own form (a ``status.KIND_*`` constant).

    News items and press releases are news, whoever publishes them: a CIW news item announcing
    a letter is news, the letter is its own document.  Other secondary documents are news
    (council news, press, blogs) or other (council committee papers).  An authoritative
    document takes the regulator's type from its title or first line (most specific first),
    else from the label that comes first in its lead, but only when it
    is about a council's social services: a care-home or hospital report is other, and so is
    a written statement that is not about an intervention.
    """
    form = match_form(text)
    title_form = match_form(title or "")
    if NEWS_ITEM.search(title_form) or NEWS_ITEM.search(form[:LEAD_CHARS * 2]):
        return KIND_NEWS
    if not authoritative:
        return KIND_OTHER if COMMITTEE_PAPER.search(form) else KIND_NEWS
    if not relevant:
        return KIND_OTHER
    first_line = form.strip().split("\n", 1)[0]
    return (_first_kind(title_form) or _first_kind(first_line)
            or _earliest_kind(form[:LEAD_CHARS]) or KIND_OTHER)
