"""classify_document: one document in, a Classification out.  Pure: no I/O, no clock.

The order matters and is the same for every source (the pipeline and `carewatch classify`
share it): clean the text; decide relevance, authority, voice, kind and dates; then, only for a
relevant document about one council, run every reader over every sentence and fold the
findings into one status per service.  Folding is where restatements and contradictions are
settled: a restated value goes to ``restated``, never to the status; two different current
values for one field keep the last one at CONFLICT_CONFIDENCE so a person decides.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from storage.classify.authority import AuthorityMatch, find_authority
from storage.classify.dates import document_dates
from storage.classify.model import (
    EVIDENCE_PRIORITY,
    Classification,
    DocumentDates,
    ServiceStatus,
)
from storage.classify.readers import (
    READERS,
    SPECIFIC_SERVICES,
    Context,
    Finding,
    no_longer_notes,
)
from storage.classify.relevance import assess_relevance
from storage.classify.scheme import SCHEME_WORDING, document_scheme, scheme_of
from storage.classify.services import only_service, services_in
from storage.classify.source import assess_voice, document_kind
from storage.classify.text import Sentence, match_form, segment, strip_chrome
from storage.status import DIMENSIONS, SCHEME_JOINT_REVIEW, SERVICES, WHOLE, same_value

CONFLICT_CONFIDENCE = 0.5
# A press release's notes to editors describe the scheme (every grade of the joint-review grid),
# not the council: statuses are read from the text above them.
NOTES_TO_EDITORS = re.compile(r"^\s*Notes?\s+to\s+editors?\b.*", re.I | re.M | re.S)

# A document cites Welsh Ministers' statutory intervention (domain.md §1.2, §6.14).
PART_8_CUES = re.compile(
    r"\bPart\s+8\b|\bsections?\s+1[56]\d\b|\bWelsh\s+Ministers?\b|\bMinister\s+for\b"
    r"|\bDeputy\s+Minister\b|\bCabinet\s+Secretary\b|\bWelsh\s+Government\b",
    re.IGNORECASE,
)
JOINT_REVIEW_CUES = dict(SCHEME_WORDING)[SCHEME_JOINT_REVIEW]


def classify_document(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    source_authoritative: bool | None = None,
    published: date | None = None,
) -> Classification:
    """What ``text`` says about a Welsh council's social services, and who says it.

    ``title`` and ``url`` are the document's own when known (a title often names the council
    and the document type).  ``source_authoritative`` is the source's hint (CIW's site: True;
    council news: False), used only when the text itself is unclear.  ``published`` is the
    source's publication date; it also dates the statements when the text has no date.
    """
    cleaned = strip_chrome(text)
    voice = assess_voice(text, title, url, source_authoritative)
    relevance = assess_relevance(cleaned, title, regulator_voice=voice.ciw)
    authority = find_authority(cleaned, title, url)
    # Relevance is about one council's social services: a national review, or a report that
    # only lists councils, is about none of them (domain.md §2.1).
    relevant = relevance.relevant and authority.name is not None
    kind = document_kind(cleaned, title, authoritative=voice.authoritative, relevant=relevant)
    dates = document_dates(cleaned, published)
    reasons = [relevance.reason, authority.reason, voice.reason, f"kind: {kind}"]
    statuses: dict[str, ServiceStatus] = {}
    if relevant:
        statuses = _statuses(cleaned, title, dates, authority, reasons, ciw_voice=voice.ciw)
    elif relevance.relevant:
        reasons.append("not relevant after all: no single council is the subject")
    confidence = min((s.confidence for s in statuses.values()), default=1.0)
    return Classification(
        relevant=relevant,
        authority=authority.name,
        authoritative=voice.authoritative,
        kind=kind,
        statuses=statuses,
        dates=dates,
        confidence=confidence,
        reasons=tuple(reasons),
    )


def _sentences(cleaned: str, title: str | None) -> list[Sentence]:
    found = segment(cleaned)
    if title and not cleaned.lstrip().startswith(title.strip()):
        found.insert(0, Sentence(title.strip(), match_form(title.strip()), "", -1))
    return found


def _context(sentences: list[Sentence], cleaned: str, title: str | None,
             dates: DocumentDates) -> Context:
    paragraphs: dict[int, list[str]] = defaultdict(list)
    for sentence in sentences:
        paragraphs[sentence.paragraph].append(sentence.form)
    form = match_form(cleaned)
    specific = [s for s in services_in(form) if s in SPECIFIC_SERVICES]
    when = _stated_on(dates)
    return Context(
        title_service=only_service(match_form(title)) if title else None,
        specific_service=specific[0] if len(specific) == 1 else None,
        paragraphs={number: " ".join(forms) for number, forms in paragraphs.items()},
        year=when.year if when else None,
        part_8=bool(PART_8_CUES.search(form)),
        joint_review=bool(JOINT_REVIEW_CUES.search(form)),
    )


def _statuses(
    cleaned: str,
    title: str | None,
    dates: DocumentDates,
    authority: AuthorityMatch,
    reasons: list[str],
    *,
    ciw_voice: bool = False,
) -> dict[str, ServiceStatus]:
    body = NOTES_TO_EDITORS.sub("", cleaned)
    sentences = _sentences(body, title)
    ctx = replace(_context(sentences, body, title, dates), ciw_voice=ciw_voice)
    findings: list[Finding] = []
    for position, sentence in enumerate(sentences):
        reasons.extend(no_longer_notes(sentence))
        for reader in READERS:
            findings.extend(replace(f, position=position) for f in reader(sentence, ctx))
    scheme = document_scheme(_stated_on(dates), match_form(cleaned))
    return fold(findings, scheme=scheme, cap=authority.confidence, reasons=reasons)


def _stated_on(dates: DocumentDates) -> date | None:
    """When the document states its statuses: the letter's date, else its publication date,
    else the end of fieldwork (the regime in force then is the status's scheme)."""
    return dates.letter or dates.published or dates.fieldwork_end


def fold(
    findings: Iterable[Finding], *, scheme: str, cap: float = 1.0, reasons: list[str] | None = None
) -> dict[str, ServiceStatus]:
    """One ServiceStatus per service from a document's findings.

    Per (service, dimension): restated findings become ``restated`` (unless equal to the
    current value); current findings that agree keep the most confident; current findings
    that disagree keep the last and drop to CONFLICT_CONFIDENCE.  ``cap`` limits every
    confidence (an authority found only from an address or place names).
    """
    notes = reasons if reasons is not None else []
    findings = _drop_generic_whole(list(findings))
    by_key: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        by_key[(finding.service, finding.dimension)].append(finding)
    chosen: dict[str, dict[str, tuple[Finding, float]]] = defaultdict(dict)
    restated: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (service, dimension), group in by_key.items():
        current = [f for f in group if not f.restated]
        if current:
            best, confidence = _settle(current, notes)
            chosen[service][dimension] = (best, min(confidence, cap))
        for finding in group:
            if not finding.restated:
                continue
            pair = (dimension, finding.value)
            if any(same_value(finding.value, c.value) for c in current):
                continue
            if not any(d == dimension and same_value(v, finding.value)
                       for d, v in restated[service]):
                restated[service].append(pair)
    for service, pairs in restated.items():
        if service not in chosen:
            said = "; ".join(f"{d} {v!r}" for d, v in pairs)
            notes.append(f"{service}: restates an earlier inspection only ({said})")
    out: dict[str, ServiceStatus] = {}
    for service in SERVICES:
        if service in chosen:
            out[service] = _status(service, chosen[service], tuple(restated[service]), scheme)
            for dimension, (finding, confidence) in chosen[service].items():
                notes.append(f"{service} {dimension} = {finding.value!r} ({finding.how}, "
                             f"confidence {confidence:.2f})")
    return out


def _drop_generic_whole(findings: list[Finding]) -> list[Finding]:
    """Drop a whole-service finding when the document states the same value for a specific
    service: "removal of enhanced monitoring (social services)" in a title is the children's
    services' removal the body states, not a second status for the whole department."""
    specific = {(f.dimension, f.value.casefold(), f.restated) for f in findings
                if f.service in SPECIFIC_SERVICES}
    return [f for f in findings
            if f.service != WHOLE or (f.dimension, f.value.casefold(), f.restated) not in specific]


def _settle(current: list[Finding], notes: list[str]) -> tuple[Finding, float]:
    first = current[0]
    if all(same_value(first.value, f.value) for f in current):
        best = max(current, key=lambda f: f.confidence)
        return best, best.confidence
    last = max(current, key=lambda f: f.position)
    values = ", ".join(dict.fromkeys(repr(f.value) for f in current))
    notes.append(f"{last.service} {last.dimension}: conflicting values in one document "
                 f"({values}); kept the last for review")
    return last, min(CONFLICT_CONFIDENCE, last.confidence)


def _status(service: str, fields: dict[str, tuple[Finding, float]],
            restated: tuple[tuple[str, str], ...], scheme: str) -> ServiceStatus:
    values = {dimension: fields[dimension][0].value for dimension in fields}
    evidence = {dimension: fields[dimension][0].evidence for dimension in fields}
    confidence = {dimension: fields[dimension][1] for dimension in fields}
    schemes = {dimension: scheme_of(dimension, scheme) for dimension in fields}
    lead = next(d for d in EVIDENCE_PRIORITY if d in fields)
    return ServiceStatus(
        service=service,
        **{dimension: values.get(dimension) for dimension in DIMENSIONS},
        scheme=schemes[lead],
        evidence=evidence[lead],
        evidence_by_field=evidence,
        confidence=min(confidence.values()),
        restated=restated,
        confidence_by_field=confidence,
        scheme_by_field=schemes,
    )
