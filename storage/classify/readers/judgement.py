"""Judgement: the verbatim phrase of "it is our judgement that <service> is <phrase>", and the
restatements of earlier judgements that later letters carry (domain.md §1.3, §6.5, §6.6).
"""

from __future__ import annotations

import re

from storage.classify.readers.common import (
    CONFIDENCE,
    LEADING_ADVERB,
    MAX_JUDGEMENT_WORDS,
    QUOTES,
    Context,
    Finding,
    context_service,
    hedge,
)
from storage.classify.services import COUNCIL_SUBJECT, service_spans, services_heading
from storage.classify.text import Sentence
from storage.status import (
    JUDGEMENT,
    WHOLE,
)

# Where a judgement phrase ends: a clause break, a bracket, a conjunction after a comma, or
# the end of the sentence.
_PHRASE_END = (
    r"(?=\s*(?:;|:|\s[\u2013\u2014-]\s|\(|,\s*(?:and|but|while|whilst|although|however|which"
    r"|meaning|where|as|because|though|with|by|so)\b|[.!?][\"')]*$|$))"
)
_PHRASE = r"(?P<phrase>[^;]+?)" + _PHRASE_END

# "it is our judgement that <subject> is|are|remain(s) <phrase>" (domain.md §6.5).
JUDGEMENT_PATTERN = re.compile(
    r"\b(?:it\s+is\s+our\s+judge?ment|our\s+judge?ment\s+is|(?:CIW|CSSIW)'s\s+judge?ment\s+is)"
    # "that, while there is more to do, children's services are ...": an aside may come first.
    r"\s+that\s*(?:,[^,;.]{1,80},\s*)?(?P<subject>[^,;.]{1,160}?)\s+(?:is|are|remains?)\s+"
    + _PHRASE,
    re.IGNORECASE,
)
# The regulator reporting its own document's verdict: "The letter concludes that children's
# services are continuing to make improvements" (CIW news, 16 Dec 2021).  Present tense only;
# "the report concluded that ... were" is a restatement (below).
CONCLUSION_PATTERN = re.compile(
    r"\b(?:the|our|this)\s+(?:letter|report)\s+concludes\s+that\s+(?P<subject>[^,;.]{1,160}?)"
    r"\s+(?:is|are|remains?)\s+" + _PHRASE,
    re.IGNORECASE,
)
# Restatements of an earlier inspection's judgement (domain.md §6.6).
RESTATED_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "it was our judgement that children's services were ...", "CIW's judgement was that ..."
    re.compile(
        r"\b(?:it\s+was\s+our\s+judge?ment|our\s+judge?ment\s+was|(?:CIW|CSSIW)'s\s+judge?ment"
        r"\s+was)\s+that\s+(?P<subject>[^,;.]{1,160}?)\s+(?:was|were|is|are|remained)\s+"
        + _PHRASE,
        re.IGNORECASE,
    ),
    # "In October 2020 we judged children's services to be ...", "when we found ... to be ..."
    re.compile(
        r"\bwe\s+(?:judged|found|assessed)\s+(?P<subject>[^,;.]{1,120}?)\s+to\s+be\s+" + _PHRASE,
        re.IGNORECASE,
    ),
    # "Our monitoring activity in April 2021 found that children's services were ..."
    re.compile(
        r"\b(?:inspection|monitoring\s+activity|improvement\s+check|review|visit|letter|report)\b"
        r"[^.;]{0,60}?\b(?:found|concluded|judged)\s+that\s+(?P<subject>[^,;.]{1,120}?)\s+(?:was|were)\s+"
        + _PHRASE,
        re.IGNORECASE,
    ),
)
# "children's services were judged to be ...": the subject is the service just before.
JUDGED_PASSIVE = re.compile(
    r"\s+(?:was|were|had\s+been|have\s+been|has\s+been)\s+judged\s+(?:to\s+be\s+|as\s+)?"
    + _PHRASE,
    re.IGNORECASE,
)
_SUBJECT_GAP = 30


def _phrase(sentence: Sentence, match: re.Match[str]) -> str:
    phrase = sentence.text[match.start("phrase") : match.end("phrase")].strip(QUOTES)
    phrase = LEADING_ADVERB.sub("", phrase).strip(QUOTES + "\u2018\u2019\u201c\u201d")
    return phrase


def _subject_services(
    subject: str, sentence: Sentence, ctx: Context
) -> tuple[list[str], str]:
    """Services a judgement's subject is: a service phrase (explicit), the council (service
    from context, else the whole service, ambiguous), or nothing."""
    named = services_heading(subject)
    if named:
        return named, "explicit"
    if COUNCIL_SUBJECT.match(subject.strip()):
        found = context_service(sentence, ctx)
        if found is not None:
            return [found[0]], f"context ({found[1]})"
        return [WHOLE], "ambiguous"
    return [], "none"


def _judgement_confidence(how: str, phrase: str, form: str) -> float:
    base = {"explicit": CONFIDENCE["explicit"], "ambiguous": CONFIDENCE["ambiguous"]}.get(
        how, CONFIDENCE["context"]
    )
    if len(phrase.split()) > MAX_JUDGEMENT_WORDS:
        base = min(base, CONFIDENCE["long_phrase"])
    return hedge(form, base)


def read_judgement(sentence: Sentence, ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    form = sentence.form
    for match in (*JUDGEMENT_PATTERN.finditer(form), *CONCLUSION_PATTERN.finditer(form)):
        phrase = _phrase(sentence, match)
        services, how = _subject_services(match.group("subject"), sentence, ctx)
        for service in services if phrase else []:
            out.append(Finding(service, JUDGEMENT, phrase, sentence.text,
                               _judgement_confidence(how, phrase, form), False, how))
    for pattern in RESTATED_PATTERNS:
        for match in pattern.finditer(form):
            phrase = _phrase(sentence, match)
            services, how = _subject_services(match.group("subject"), sentence, ctx)
            for service in services if phrase and how == "explicit" else []:
                out.append(Finding(service, JUDGEMENT, phrase, sentence.text, 1.0, True, how))
    for match in JUDGED_PASSIVE.finditer(form):
        before = [services for _, stop, services in service_spans(form[: match.start()])
                  if match.start() - stop <= _SUBJECT_GAP
                  and not re.search(r"[,;.]", form[stop : match.start()])]
        phrase = _phrase(sentence, match)
        if before and phrase:
            for service in before[-1]:
                out.append(Finding(service, JUDGEMENT, phrase, sentence.text, 1.0, True))
    return out
