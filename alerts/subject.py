"""Alert subjects: one line, shorter than ``SUBJECT_LIMIT``, that a reader can act on alone.

A status subject names the authority, the service, the change (old → new) and the source:
``Wrexham children's services: serious → significant concern, escalated (CIW, 3 Aug 2020)``.
Mail clients and phone notifications cut a subject at about 90 characters, and CIW's
judgement phrases run to 40 or more, so a subject is *fitted* rather than templated: it is
built from parts that each have a rich and a compact form, and the richest combination that
fits wins.  What gives way first, last:

1. the document's kind and date (``CIW monitoring letter, 14 Dec 2021`` → ``CIW``);
2. the word "services" (``Wrexham children's services`` → ``Wrexham children's``);
3. the old judgement phrase, cut to its first words (``'inadequate…'``), or, when old and
   new begin alike, to the words that differ (``'…improvements required'``);
4. the new phrase, only beyond ``MIN_PHRASE`` characters: the news is shown whole.

Authority, service, the arrow and the source are always there, with two exceptions that
read better without an arrow: "Part 8 intervention ended", and an unconfirmed claim too long
to set beside the recorded value (``Unconfirmed: … 'inadequate…' (Wrexham Council news)``),
which the body then sets against the record.  A phrase is cut only at a word, never after a
word such as "of" or "with", and always ends in an ellipsis inside its quotes, so a cut is
never mistaken for the whole phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from urllib.parse import urlsplit

from alerts.words import (
    DANGLING,
    DE_ESCALATION,
    ESCALATION,
    cut_words,
    direction,
    document_date,
    is_unconfirmed,
    is_warning_notice,
    moment_words,
    plain_value,
    service_label,
    short_authority,
    short_date,
    short_service_label,
    short_source_label,
    shorten,
    source_label,
)
from storage.health import HealthAlert
from storage.outbox import ENDPOINT_DISABLED, DeliveryProblem
from storage.status import (
    CONCERN_LEVEL,
    INTERVENTION,
    JUDGEMENT,
    PEOPLE_SERVED,
    PROSPECTS,
    WARNING_NOTICE,
    Transition,
)

SUBJECT_LIMIT = 90  # every subject is shorter than this
MIN_PHRASE = 40  # a new judgement phrase up to this long is always shown whole
MIN_CUT_PHRASE = 20  # ... and one cut shorter only for an authority name that leaves no room
MIN_CLAIM = 15  # ... and a claim set against nothing, for want of room, no shorter than this
MIN_DETAIL = 12  # an error detail shorter than this says nothing: leave it to the body
URGENT = "URGENT — "
UNCONFIRMED = "Unconfirmed: "
_HTTP_STATUS = re.compile(r"\bHTTP \d{3}\b")
HEALTH_WORDS = {"failing": "failing", "empty_listing": "listing empty", "stale": "stale",
                "not_polled": "not polled"}

# The change part of a subject given the characters it may take, or None if it cannot be
# said in so few.
Change = Callable[[int], str | None]


def status_subject(t: Transition) -> str:
    """A status change, Part 8 intervention or unconfirmed report (see module docstring)."""
    place = short_authority(t.authority)
    services = _unique([service_label(t), short_service_label(t)])
    if is_unconfirmed(t):
        prefix, tails = UNCONFIRMED, [f", says {source_label(t)}", f" ({source_label(t)})"]
    else:
        prefix, tails = (URGENT if is_warning_notice(t) else ""), _source_tails(t)
    changes = _changes(t)
    fitted = _fit(prefix, [f"{place} {service}" for service in services], changes, tails)
    # Only a place name far longer than any Welsh council's leaves no room: cut the place.
    for size in (24, 16, 8):
        if fitted is not None or len(place) <= size:
            break
        fitted = _fit(prefix, [f"{shorten(place, size)} {services[-1]}"], changes, tails)
    return fitted or shorten(
        f"{prefix}{place} {services[-1]}: {changes[-1](SUBJECT_LIMIT) or t.new}{tails[-1]}",
        SUBJECT_LIMIT - 1)


def _source_tails(t: Transition) -> list[str]:
    when = document_date(t)
    day = f", {short_date(when)}" if when else ""
    full, short = source_label(t), short_source_label(t)
    return _unique([f" ({full}{day})", f" ({short}{day})", f" ({short})"])


def _changes(t: Transition) -> list[Change]:
    """The ways to say the change, most informative first."""
    if t.dimension == JUDGEMENT:
        changes: list[Change] = [
            partial(_phrases, t.old, t.new, old_words, new_min)
            for old_words, new_min in ((2, MIN_PHRASE), (1, MIN_PHRASE), (1, MIN_CUT_PHRASE))]
        if is_unconfirmed(t):
            # The claim is the news: alone rather than cut to a word (the body sets it
            # against the recorded phrase).
            changes.append(partial(_phrases, None, t.new, 1, MIN_CLAIM))
        return [*changes, partial(_phrases, t.old, t.new, 1, 1)]
    return [partial(_fixed, said) for said in _said(t)]


def _said(t: Transition) -> list[str]:
    """A change of a value from a short fixed vocabulary, with and without its direction."""
    if t.dimension == INTERVENTION:
        return ["Part 8 warning notice" if t.new == WARNING_NOTICE else "Part 8 intervention ended"]
    if t.dimension == CONCERN_LEVEL:
        new = f"{t.new} concern"
        if t.old is None:
            return [new] if is_unconfirmed(t) else [f"{new}, first recorded", new]
        change = f"{t.old} → {new}"
        if is_unconfirmed(t):  # a claim is not a change: no direction; alone at a pinch
            return [change, new]
        word = {ESCALATION: "escalated", DE_ESCALATION: "de-escalated"}.get(direction(t) or "")
        return [f"{change}, {word}", change] if word else [change]
    if t.dimension in (PEOPLE_SERVED, PROSPECTS):
        words = "people served well" if t.dimension == PEOPLE_SERVED else "prospects"
        if t.old is None:
            return [plain_value(t.dimension, t.new).removesuffix(" for improvement")]
        return [f"{t.old} → {t.new} {words}"]
    return [f"{t.old} → {t.new}" if t.old is not None else t.new]


def _fixed(said: str, room: int) -> str | None:
    return said if len(said) <= room else None


def _phrases(old: str | None, new: str, old_words: int, new_min: int, room: int) -> str | None:
    """``'old' → 'new'`` in ``room`` characters: the new phrase whole if it is at most
    ``new_min`` long, else cut at a word within at least that many characters; the old one
    in what is left, keeping at least ``old_words`` words."""
    if old is None:
        cut = cut_words(new, room - 2)
        return f"'{cut}'" if cut and room - 2 >= min(len(new), new_min) else None
    space = room - len("'' → ''")
    forms = _old_forms(old, new, old_words)
    budget = space - len(forms[-1])
    new_cut = cut_words(new, budget)
    if new_cut is None or budget < min(len(new), new_min):
        return None
    old_cut = next(f for f in forms if len(f) <= space - len(new_cut))
    return f"'{old_cut}' → '{new_cut}'"


def _old_forms(old: str, new: str, min_words: int) -> list[str]:
    """The old phrase, whole and then ever shorter, never under ``min_words`` words (or
    the whole phrase).  When both phrases begin alike ("continuing to make improvements
    required" → "continuing to make improvements") the start says nothing, so the old phrase
    keeps its end instead ("…improvements required")."""
    words, others = old.split(), new.split()
    common = 0
    while common < min(len(words), len(others)) and words[common] == others[common]:
        common += 1
    forms = [old]
    if 0 < common < len(words):
        forms += ["…" + " ".join(words[start:]) for start in range(1, common + 1)
                  if len(words) - start >= min_words]
        return forms
    for end in range(len(words) - 1, 0, -1):
        kept = words[:end]
        while len(kept) > 1 and kept[-1].lower() in DANGLING:
            kept = kept[:-1]
        form = " ".join(kept).rstrip(" ,;:→—-") + "…"
        if len(kept) >= min_words and form not in forms:
            forms.append(form)
    return forms


def _fit(prefix: str, whos: Sequence[str], changes: Sequence[Change],
         tails: Sequence[str]) -> str | None:
    """The first candidate, in order of what is kept longest (see module docstring), that
    is shorter than SUBJECT_LIMIT; None if none is."""
    for change in changes:
        for who in whos:
            for tail in tails:
                said = change(SUBJECT_LIMIT - 1 - len(prefix) - len(who) - len(": ") - len(tail))
                if said is not None:
                    return f"{prefix}{who}: {said}{tail}"
    return None


# --- operations alerts ---------------------------------------------------------------------


def health_subject(t: HealthAlert) -> str:
    """"carewatch: source wrexham_news_rss failing since 25 Nov 2026 09:00 UTC (3 runs): HTTP
    500", or "... recovered (failing since ...)".  The error (or at least its HTTP status)
    is kept before the time of day: it says what to look at."""
    problem = HEALTH_WORDS.get(t.problem, t.problem.replace("_", " "))
    head = f"carewatch: source {t.source}"
    sinces = [f"since {moment_words(t.since)}", f"since {short_date(t.since)}"]
    if t.recovered:
        return _first_fitting([f"{head} recovered ({problem} {since})" for since in sinces]
                              + [f"{head} recovered"])
    runs = f" ({t.runs} runs)" if t.runs > 1 else ""
    plain = [f"{head} {problem} {since}{runs}" for since in sinces] + [f"{head} {problem}"]
    gist = _error_gist(t.detail)
    if not gist:
        return _first_fitting(plain)
    # The whole error; else a cut that keeps its HTTP status; else the status alone.
    code = _HTTP_STATUS.search(gist)
    whole = [f"{line}: {gist}" for line in plain[:2]]
    cut = []
    for line in [*plain[:2], f"{head} {problem} {sinces[1]}"]:
        said = cut_words(gist, SUBJECT_LIMIT - 1 - len(line) - len(": "))
        if said and len(said) >= MIN_DETAIL and (code is None or code.group() in said):
            cut.append(f"{line}: {said}")
    status = [f"{line}: {code.group()}" for line in plain[:2]] if code else []
    return _first_fitting([*whole, *cut, *status, *plain])


def _error_gist(detail: str | None) -> str:
    """An error without the URL it is about ("https://x/feed/: HTTP 500" → "HTTP 500"): the
    source is already named, and the URL is in the body."""
    if not detail:
        return ""
    head, sep, rest = detail.partition(": ")
    return rest if sep and urlsplit(head).scheme in ("http", "https") else detail


def delivery_subject(t: DeliveryProblem) -> str:
    """"carewatch: webhook endpoint http://... disabled: it answered 410 Gone", or
    "carewatch: alert #12 not delivered (webhook, 8 attempts): <its subject>"; the target
    of a dead letter is in the body."""
    if t.problem == ENDPOINT_DISABLED:
        host = urlsplit(t.target).hostname or t.target
        return _first_fitting([
            f"carewatch: {t.channel} endpoint {target} disabled: it answered 410 Gone"
            for target in _unique([t.target, host, shorten(host, 30)])])
    head = f"carewatch: alert #{t.alert_id} not delivered ({t.channel}, {t.attempts} attempts)"
    about = cut_words(t.about, SUBJECT_LIMIT - 1 - len(head) - len(": "))
    return _first_fitting(([f"{head}: {about}"] if about else []) + [head])


def _first_fitting(lines: Iterable[str]) -> str:
    last = ""
    for last in lines:
        if len(last) < SUBJECT_LIMIT:
            return last
    return shorten(last, SUBJECT_LIMIT - 1)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
