"""The status vocabulary in plain words, for everything a person reads.

Alert subjects and bodies, the CLI and the status page all word a stored value, a change, a
source and a date through this one module, so the same status never reads two ways in two
places.  The README's "Status vocabulary" section explains the same words once, at length.
Pure: no clock, no I/O.

Domain rules that shape the wording (domain.md §1.2, §6):
- "significant concern" ranks ABOVE "serious concern" in CIW usage, the reverse of everyday
  English, so the direction of a change comes only from ``concern_rank``, never from the words,
  and every message about a level says which way it went;
- a judgement is a verbatim phrase, not a grade: quoted, never given a direction;
- a Part 8 warning notice is the Welsh Ministers' act, above any CIW level;
- council news and press never move the status: what they claim is "unconfirmed".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from storage.notices import ALERT_STATUS_CHANGE, ALERT_UNCONFIRMED
from storage.status import (
    ADULTS,
    CHILDREN,
    CONCERN_LEVEL,
    CONCERN_LEVELS,
    INTERVENTION,
    INTERVENTION_REMOVED,
    JUDGEMENT,
    KIND_JOINT_REVIEW,
    KIND_WARNING_NOTICE,
    PEOPLE_SERVED,
    PROSPECTS,
    SERVICE_LABELS,
    WARNING_NOTICE,
    WHOLE,
    Transition,
    concern_rank,
)

# What kind of document a status came from (Transition.kind), in a few words; and the
# shortest honest form, for a subject that has no room for the kind.
SOURCE_LABELS = {
    "annual_letter": "CIW letter",
    "monitoring_letter": "CIW monitoring letter",
    "inspection_report": "CIW inspection report",
    "improvement_check": "CIW improvement check",
    "joint_review": "joint review",
    "warning_notice": "Welsh Government statement",
    "news": "CIW news",
}
SHORT_SOURCE_LABELS = {KIND_WARNING_NOTICE: "Welsh Government", KIND_JOINT_REVIEW: "joint review"}
SHORT_REGULATOR = "CIW"
# Who publishes what a source slug or host carries, in a few words (unconfirmed reports
# name the secondary source; "recorded status is ... (CIW, 8 Jul 2019)" names the regulator).
PUBLISHERS = {
    "ciw_la_reports": "CIW",
    "ciw_welsh": "CIW",
    "gov_wales_statements": "Welsh Government",
    "wrexham_news_rss": "Wrexham Council news",
    "wrexham_moderngov": "Wrexham Council papers",
    "wrexham_com": "wrexham.com",
    "bbc_wales_rss": "BBC Wales",
    "careinspectorate.wales": "CIW",
    "arolygiaethgofal.cymru": "CIW",
    "gov.wales": "Welsh Government",
    "news.wrexham.gov.uk": "Wrexham Council news",
    "moderngov.wrexham.gov.uk": "Wrexham Council papers",
    "bbc.co.uk": "BBC",
    "bbc.com": "BBC",
}
# Subjects name the service briefly when the full label leaves no room for the change.
SHORT_SERVICE_LABELS = {CHILDREN: "children's", ADULTS: "adults'", WHOLE: "social services"}
DIMENSION_WORDS = {
    CONCERN_LEVEL: "concern level",
    JUDGEMENT: "judgement",
    INTERVENTION: "intervention",
    PEOPLE_SERVED: "people served",
    PROSPECTS: "prospects for improvement",
}
# Stored authority names are the councils' full names ("Wrexham County Borough Council");
# subjects and headlines use the place ("Wrexham"), the body keeps the full name.
_COUNCIL_WORDS = re.compile(
    r"^(?:City and County of\s+)?(?P<place>.+?)\s+(?:(?:County Borough|County|City)\s+)?Council$"
)
ESCALATION = "Escalation"
DE_ESCALATION = "De-escalation"
# ``direction`` in the webhook payload: machine-readable, so a receiver never has to know
# that "significant" is the higher level.
DIRECTION_CODES = {ESCALATION: "escalation", DE_ESCALATION: "de_escalation"}


# --- what kind of alert --------------------------------------------------------------------


def alert_kind(t: Transition) -> str:
    """``status_change`` or ``unconfirmed_report`` (a plain Transition is a status change)."""
    return str(getattr(t, "alert_kind", ALERT_STATUS_CHANGE))


def is_unconfirmed(t: Transition) -> bool:
    return alert_kind(t) == ALERT_UNCONFIRMED


def is_warning_notice(t: Transition) -> bool:
    return t.dimension == INTERVENTION and t.new == WARNING_NOTICE


def direction(t: Transition) -> str | None:
    """ESCALATION or DE_ESCALATION for a concern-level change between two known levels.

    None for a first reading, a judgement, or a level outside the known ladder.
    Ordering comes only from ``concern_rank`` (significant is above serious).
    """
    if t.dimension != CONCERN_LEVEL or t.old is None:
        return None
    try:
        old_rank, new_rank = concern_rank(t.old), concern_rank(t.new)
    except ValueError:
        return None
    if new_rank > old_rank:
        return ESCALATION
    if new_rank < old_rank:
        return DE_ESCALATION
    return None


# --- who said it, about whom ---------------------------------------------------------------


def source_label(t: Transition) -> str:
    """Who said it, in a few words: "CIW letter", "CIW monitoring letter", ..., or for an
    unconfirmed report the secondary source ("Wrexham Council news", "wrexham.com")."""
    if is_unconfirmed(t):
        return publisher(t.source, t.url)
    return SOURCE_LABELS.get(t.kind, t.kind.replace("_", " "))


def short_source_label(t: Transition) -> str:
    """The publisher alone ("CIW", "Welsh Government"), for a subject short of room."""
    if is_unconfirmed(t):
        return source_label(t)
    if t.kind in SHORT_SOURCE_LABELS:
        return SHORT_SOURCE_LABELS[t.kind]
    return SHORT_REGULATOR if source_label(t).startswith(SHORT_REGULATOR) else source_label(t)


def publisher(source: str | None, url: str | None) -> str:
    """The publisher of a document, from its source slug, else its host."""
    if source in PUBLISHERS:
        return PUBLISHERS[source]
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.removeprefix("www.")
    return PUBLISHERS.get(host, host or (source or "unknown source"))


def document_publisher(t: Transition) -> str | None:
    """Who published the document itself, for "Published by ...": a joint review (the Audit
    Commission with SSIW) is neither CIW's nor the Welsh Government's, so it names nobody."""
    if is_unconfirmed(t):
        return source_label(t)
    if t.dimension == INTERVENTION:
        return "the Welsh Government"
    return None if t.kind == KIND_JOINT_REVIEW else "CIW"


def short_authority(name: str) -> str:
    """The place a council is named after: Wrexham County Borough Council -> Wrexham."""
    match = _COUNCIL_WORDS.match(name.strip())
    return match.group("place") if match else name


def service_label(t: Transition) -> str:
    return SERVICE_LABELS.get(t.service, t.service)


def short_service_label(t: Transition) -> str:
    return SHORT_SERVICE_LABELS.get(t.service, service_label(t))


def who(t: Transition) -> str:
    """"Wrexham children's services": the place and the service, as headlines name them."""
    return f"{short_authority(t.authority)} {service_label(t)}"


# --- values in words -----------------------------------------------------------------------


def dimension_word(t: Transition) -> str:
    return DIMENSION_WORDS.get(t.dimension, t.dimension.replace("_", " "))


def plain_value(dimension: str, value: str) -> str:
    """A stored value in words: "significant concern", "some people served well"."""
    if dimension == CONCERN_LEVEL:
        return level_words(value)
    if dimension == INTERVENTION:
        return {WARNING_NOTICE: "Part 8 warning notice",
                INTERVENTION_REMOVED: "intervention removed"}.get(value, value)
    if dimension == PEOPLE_SERVED:
        return "people not served well" if value == "not" else f"{value} people served well"
    if dimension == PROSPECTS:
        return f"{value} prospects for improvement"
    return value


def quoted_value(t: Transition, value: str) -> str:
    """A value as a body quotes it: a judgement verbatim, anything else in words."""
    return f"'{value if t.dimension == JUDGEMENT else plain_value(t.dimension, value)}'"


def level_words(value: str) -> str:
    return f"{value} concern"


# --- what a status means -------------------------------------------------------------------

UNCONFIRMED_MEANING = (
    "This is not a change of status. Only the regulator's own documents (CIW; the Welsh "
    "Government for a Part 8 intervention) move the recorded status; council news, press and "
    "blogs often paraphrase or repeat older labels. carewatch sends one notice per claim, "
    "however many stories repeat it, and closes it when the regulator next speaks on this, "
    "saying whether it confirmed or contradicted the claim."
)
WARNING_NOTICE_MEANING = (
    "A warning notice under Part 8 of the Social Services and Well-being (Wales) Act 2014 is "
    "the Welsh Ministers' own intervention in a council's social services: the top of the "
    "escalation ladder, above any CIW level of concern."
)
REMOVED_MEANING = (
    "The Welsh Ministers' intervention under Part 8 of the Social Services and Well-being "
    "(Wales) Act 2014 has ended. CIW's own levels of concern and judgements stand as last "
    "stated."
)
DE_ESCALATION_MEANING = (
    "CIW rarely announces a de-escalation, so carewatch records one only when a regulator's "
    "document states it, as quoted above; it never infers one from a positive tone."
)
JUDGEMENT_MEANING = (
    "CIW gives its judgement in its own words ('it is our judgement that ... is ...'). The "
    "phrase is quoted exactly: it is not a grade on a fixed scale, so carewatch does not say "
    "whether it is better or worse than before. The evidence above is the sentence it comes "
    "from."
)
JOINT_REVIEW_MEANING = (
    "Joint reviews (SSIW and the Audit Commission, 1998-2008) judged the whole service on two "
    "axes: how well people are served (all / most / some / not) and the prospects for "
    "improvement (excellent / promising / uncertain / poor)."
)


def meaning(t: Transition) -> str | None:
    """What the new value means, in plain words; the ladder comes from CONCERN_LEVELS."""
    ladder = ladder_words(t)
    if is_unconfirmed(t):
        return " ".join(part for part in (UNCONFIRMED_MEANING, ladder) if part)
    if t.dimension == INTERVENTION:
        return WARNING_NOTICE_MEANING if t.new == WARNING_NOTICE else REMOVED_MEANING
    if t.dimension in (PEOPLE_SERVED, PROSPECTS):
        return JOINT_REVIEW_MEANING
    if t.dimension == JUDGEMENT:
        return JUDGEMENT_MEANING
    if ladder and direction(t) == DE_ESCALATION:
        return f"{ladder} {DE_ESCALATION_MEANING}"
    return ladder


def ladder_words(t: Transition) -> str | None:
    """Where a concern level sits: the two formal levels, and what is above them."""
    if t.dimension != CONCERN_LEVEL or t.new not in CONCERN_LEVELS:
        return None
    rank = concern_rank(t.new)
    name = f"'{level_words(t.new).capitalize()}'"
    if rank == len(CONCERN_LEVELS) - 1:
        below = level_words(CONCERN_LEVELS[rank - 1])
        return (f"{name} is the higher of CIW's two formal levels of concern about a council's "
                f"service, above '{below}' (the reverse of everyday English). Only a Welsh "
                "Ministers' Part 8 intervention is further up.")
    above = level_words(CONCERN_LEVELS[rank + 1])
    return (f"{name} is the lower of CIW's two formal levels of concern about a council's "
            f"service; '{above}' is the higher (the reverse of everyday English).")


# --- dates and times -----------------------------------------------------------------------


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC.  A naive datetime is refused: it would silently mean local time."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z`` suffix (the form the Standard Webhooks examples use)."""
    return utc(moment).isoformat().replace("+00:00", "Z")


def document_date(t: Transition) -> date | None:
    """The date the document speaks for: the letter date when it has one, else publication."""
    return t.letter_date or t.published


def short_date(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def moment_words(moment: datetime) -> str:
    when = utc(moment)
    return f"{when.day} {when:%b %Y %H:%M} UTC"


# --- shortening ----------------------------------------------------------------------------

# A phrase cut short should not end on a word that only leads into what was cut.
DANGLING = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the",
                      "to", "with"})


def cut_words(text: str, limit: int) -> str | None:
    """The longest run of ``text``'s first words that fits ``limit`` with an ellipsis, or
    ``text`` itself if it fits; None when not even the first word fits."""
    if len(text) <= limit:
        return text
    words = text.split()
    for end in range(len(words) - 1, 0, -1):
        kept = words[:end]
        while len(kept) > 1 and kept[-1].lower() in DANGLING:
            kept = kept[:-1]
        cut = " ".join(kept).rstrip(" ,;:→—-") + "…"
        if len(cut) <= limit and cut != "…":
            return cut
    return None


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: cut at a word where one fits, else anywhere."""
    return cut_words(text, limit) or text[: max(limit - 1, 0)] + "…"
