"""Render an alert for people (subject, text, HTML) and machines (JSON payload).

An alert is a status ``Transition``, or a ``storage.notices.Notice`` (a transition plus its
``alert_kind`` and ``priority``), as the outbox stores it.  Three kinds read differently:
a change of the regulator's recorded status (escalation, de-escalation, a new judgement);
a Welsh Ministers' Part 8 intervention ("URGENT — ..."); and an *unconfirmed report*, a
secondary source's claim that the regulator has not made ("Unconfirmed: ...").  An
operations alert (``storage.health.HealthAlert``: a source is failing, its listing is empty,
or it has gone stale; or it recovered) is rendered by ``_health_*`` below, webhook type
``source.health``; one about delivery itself (``storage.outbox.DeliveryProblem``: an endpoint
disabled by 410 Gone, an alert dead-lettered) by ``_delivery_*``, type ``delivery.problem``.

Pure: no clock, no I/O.  Every channel renders through this one module, so an email and a
webhook for the same change always say the same thing.  The body is built once as a list of
sections (``_sections``) and then formatted as text or HTML, so the two cannot drift apart.

Domain rules that shape the wording (domain.md §1.2, §6):
- "significant concern" ranks ABOVE "serious concern" in CIW usage, so the direction of a
  change is worked out only through ``concern_rank``, never from the words;
- a judgement is a verbatim phrase, not a grade, so a judgement change is reported as
  "judgement now '<phrase>'" with no up/down direction;
- a Part 8 warning notice sits above any CIW level;
- council news and press never move the status: their claims are reported as unconfirmed,
  saying what the regulator last stated.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from storage.health import ALERT_SOURCE_HEALTH, HealthAlert
from storage.notices import ALERT_STATUS_CHANGE, ALERT_UNCONFIRMED, from_payload, priority_for
from storage.outbox import ALERT_DELIVERY, ENDPOINT_DISABLED, DeliveryProblem
from storage.status import (
    CONCERN_LEVEL,
    CONCERN_LEVELS,
    INTERVENTION,
    INTERVENTION_REMOVED,
    JUDGEMENT,
    PEOPLE_SERVED,
    PROSPECTS,
    SERVICE_LABELS,
    WARNING_NOTICE,
    Transition,
    concern_rank,
)

# Short labels for the document kinds a status change can come from (Transition.kind).
SOURCE_LABELS = {
    "annual_letter": "CIW letter",
    "monitoring_letter": "CIW monitoring letter",
    "inspection_report": "CIW inspection report",
    "improvement_check": "CIW improvement check",
    "joint_review": "joint review",
    "warning_notice": "Welsh Government statement",
    "news": "CIW news",
}
# Who publishes what a source slug or host carries, in a few words (unconfirmed reports
# name the secondary source; "recorded status is ... (CIW, 8 Jul 2019)" names the regulator).
PUBLISHERS = {
    "ciw_la_reports": "CIW",
    "wrexham_news_rss": "Wrexham Council news",
    "careinspectorate.wales": "CIW",
    "arolygiaethgofal.cymru": "CIW",
    "gov.wales": "Welsh Government",
    "news.wrexham.gov.uk": "Wrexham Council news",
}
PAYLOAD_TYPES = {
    ALERT_STATUS_CHANGE: "status.changed",
    ALERT_UNCONFIRMED: "status.unconfirmed_report",
    ALERT_SOURCE_HEALTH: "source.health",
    ALERT_DELIVERY: "delivery.problem",
}
# Anything the outbox sends: a status notice, or an operations alert (about a source, or
# about delivery itself).
Alertable = Transition | HealthAlert | DeliveryProblem
OpsAlert = HealthAlert | DeliveryProblem

# Mail clients cut subjects at roughly this width, so a long judgement phrase is shortened;
# but the phrase is the news, so one of up to MIN_PHRASE characters is always shown whole
# (every CIW phrase seen so far, e.g. "continuing to make improvements required", fits).
SUBJECT_LIMIT = 90
MIN_PHRASE = 40
PAYLOAD_TYPE = PAYLOAD_TYPES[ALERT_STATUS_CHANGE]
# Stored authority names are the councils' full names ("Wrexham County Borough Council");
# subjects and headlines use the place ("Wrexham"), the body keeps the full name.
_COUNCIL_WORDS = re.compile(
    r"^(?:City and County of\s+)?(?P<place>.+?)\s+(?:(?:County Borough|County|City)\s+)?Council$"
)
ESCALATION = "Escalation"
DE_ESCALATION = "De-escalation"


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC.  A naive datetime is refused: it would silently mean local time."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z`` suffix (the form the Standard Webhooks examples use)."""
    return utc(moment).isoformat().replace("+00:00", "Z")


def alert_kind(t: Transition) -> str:
    """``status_change`` or ``unconfirmed_report`` (a plain Transition is a status change)."""
    return str(getattr(t, "alert_kind", ALERT_STATUS_CHANGE))


def is_unconfirmed(t: Transition) -> bool:
    return alert_kind(t) == ALERT_UNCONFIRMED


def is_warning_notice(t: Transition) -> bool:
    return t.dimension == INTERVENTION and t.new == WARNING_NOTICE


def source_label(t: Transition) -> str:
    """Who said it, in a few words: "CIW letter", "CIW monitoring letter", ..., or for an
    unconfirmed report the secondary source ("Wrexham Council news", "wrexham.com")."""
    if is_unconfirmed(t):
        return publisher(t.source, t.url)
    return SOURCE_LABELS.get(t.kind, t.kind.replace("_", " "))


def publisher(source: str | None, url: str | None) -> str:
    """The publisher of a document, from its source slug, else its host."""
    if source in PUBLISHERS:
        return PUBLISHERS[source]
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.removeprefix("www.")
    return PUBLISHERS.get(host, host or (source or "unknown source"))


def short_authority(name: str) -> str:
    """The place a council is named after: Wrexham County Borough Council -> Wrexham."""
    match = _COUNCIL_WORDS.match(name.strip())
    return match.group("place") if match else name


def service_label(t: Transition) -> str:
    return SERVICE_LABELS.get(t.service, t.service)


def document_date(t: Transition) -> date | None:
    """The date the document speaks for: the letter date when it has one, else publication."""
    return t.letter_date or t.published


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


def render_subject(t: Alertable) -> str:
    """One line naming authority, service, the change and its source.

    Kept under ``SUBJECT_LIMIT`` where possible by shortening a long judgement phrase (at a
    word, with an ellipsis, never below ``MIN_PHRASE``); authority, service, old -> new and
    the source are never dropped.  A warning notice starts "URGENT"; an unconfirmed report
    starts "Unconfirmed" and names the recorded status beside the claim.
    """
    if isinstance(t, HealthAlert | DeliveryProblem):
        return _ops_subject(t)
    if is_unconfirmed(t):
        return _unconfirmed_subject(t)
    who = f"{short_authority(t.authority)} {service_label(t)}"
    when = document_date(t)
    tail = f" ({source_label(t)}, {_short_date(when)})" if when else f" ({source_label(t)})"
    if is_warning_notice(t):
        return f"URGENT — Welsh Ministers issued a Part 8 warning notice: {who}{tail}"
    if t.dimension == INTERVENTION and t.new == INTERVENTION_REMOVED:
        return f"{who}: Welsh Ministers' intervention removed{tail}"
    if t.dimension == CONCERN_LEVEL:
        change = f"{t.old} → {t.new} concern" if t.old is not None else f"{t.new} concern"
        if direction(t) == DE_ESCALATION:
            change += " (de-escalation)"
        return f"{who}: {change}{tail}"
    if t.dimension in (PEOPLE_SERVED, PROSPECTS):
        return f"{who}: {_plain(t.dimension, t.new)}{tail}"
    prefix = f"{who}: {_dimension_word(t)} now '"
    room = max(SUBJECT_LIMIT - len(prefix) - len("'") - len(tail), MIN_PHRASE)
    return f"{prefix}{_shorten(t.new, room)}'{tail}"


def _unconfirmed_subject(t: Transition) -> str:
    """"Unconfirmed: wrexham.com says Wrexham children's services are at significant
    concern; recorded status is serious (CIW, 8 Jul 2019)"."""
    return f"Unconfirmed: {source_label(t)} says {_claim(t)}; {_recorded(t, short=True)}"


def render_text(t: Alertable) -> str:
    """Plain-text body: what changed, the evidence, the document and its dates, the footer."""
    if isinstance(t, HealthAlert | DeliveryProblem):
        body = [_ops_subject(t), ""] + [f"  {label}: {value}" for label, value in _ops_lines(t)]
        return "\n".join([*body, "", "--", _footer(t)]) + "\n"
    out = [_headline(t), ""]
    for heading, lines in _sections(t):
        out.append(heading)
        for line in lines:
            value = f'"{line.text}"' if line.quote else line.text
            out.append(f"  {line.label}: {value}" if line.label else f"  {value}")
        out.append("")
    out += ["--", _footer(t)]
    return "\n".join(out) + "\n"


def render_html(t: Alertable) -> str:
    """The same content as ``render_text`` as simple inline-styled HTML.

    Every interpolated value goes through ``html.escape``: evidence and titles are text
    scraped from the web.  Only http(s) URLs become links, so a hostile ``javascript:``
    URL is shown as text and never made clickable.
    """
    esc = html.escape
    if isinstance(t, HealthAlert | DeliveryProblem):
        rows = "".join(_html_line(_Line(value, label=label,
                                        href=value if label == "Source URL" else None))
                       for label, value in _ops_lines(t))
        return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{esc(_ops_subject(t))}</title></head><body>"
                f"<p><strong>{esc(_ops_subject(t))}</strong></p>{rows}"
                f'<p style="font-size:12px;color:#555">{esc(_footer(t))}</p></body></html>\n')
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(render_subject(t))}</title></head>",
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;'
        'line-height:1.45;color:#1b1b1b;max-width:640px">',
        f'<p style="font-size:17px;font-weight:bold">{esc(_headline(t))}</p>',
    ]
    for heading, lines in _sections(t):
        parts.append(f'<h2 style="font-size:15px;margin:18px 0 4px">{esc(heading)}</h2>')
        for line in lines:
            parts.append(_html_line(line))
    parts.append(
        '<p style="font-size:12px;color:#555;border-top:1px solid #ccc;padding-top:8px">'
        f"{esc(_footer(t))}</p></body></html>"
    )
    return "\n".join(parts) + "\n"


def render_payload(t: Alertable, *, now: datetime) -> dict[str, Any]:
    """Standard-Webhooks-style event: ``type`` (``status.changed``,
    ``status.unconfirmed_report``, ``source.health`` or ``delivery.problem``), ``timestamp``
    (ISO-8601 UTC) and ``data`` (the transition or operations alert, its ``alert_kind`` and
    ``priority``, and the ``subject``)."""
    if isinstance(t, HealthAlert | DeliveryProblem):
        return {"type": PAYLOAD_TYPES[t.alert_kind], "timestamp": iso_utc(now),
                "data": {**t.to_dict(), "subject": _ops_subject(t)}}
    data = t.to_dict()
    data.setdefault("alert_kind", alert_kind(t))
    data.setdefault("priority", priority_for(t))
    data["subject"] = render_subject(t)
    return {"type": PAYLOAD_TYPES.get(alert_kind(t), PAYLOAD_TYPE), "timestamp": iso_utc(now),
            "data": data}


# --- body structure shared by text and HTML -------------------------------------------


@dataclass(frozen=True)
class _Line:
    text: str
    label: str | None = None
    href: str | None = None
    quote: bool = False


def _sections(t: Transition) -> list[tuple[str, list[_Line]]]:
    if is_unconfirmed(t):
        sections = [("What is claimed", _claim_lines(t))]
    else:
        sections = [("What changed", _change_lines(t))]
    if t.evidence:
        sections.append(("Evidence", [_Line(t.evidence, quote=True)]))
    sections.append(("Document", _document_lines(t)))
    meaning = _meaning(t)
    if meaning:
        sections.append(("What this means", [_Line(meaning)]))
    return sections


def _headline(t: Transition) -> str:
    who = f"{short_authority(t.authority)} {service_label(t)}"
    if is_unconfirmed(t):
        return (f"Unconfirmed report: {source_label(t)} says {_claim(t)}. "
                f"The regulator's {_recorded(t, short=False)}.")
    if is_warning_notice(t):
        return f"URGENT: Welsh Ministers have issued a Part 8 warning notice on {who}."
    if t.dimension == INTERVENTION and t.new == INTERVENTION_REMOVED:
        return f"Welsh Ministers' intervention in {who} has been removed."
    word = _dimension_word(t)
    step = direction(t)
    if t.old is None:
        return f"First recorded {word} for {who}: {_value(t, t.new)}."
    if step is not None:
        verb = "rose" if step == ESCALATION else "fell"
        change = f"from {_value(t, t.old)} to {_value(t, t.new)}"
        return f"{step}: CIW's {word} for {who} {verb} {change}."
    return f"Change of {word} for {who}: {_value(t, t.old)} → {_value(t, t.new)}."


def _change_lines(t: Transition) -> list[_Line]:
    label = _dimension_word(t).capitalize()
    if t.old is None:
        lines = [_Line(f"{_value(t, t.new)} (first recorded)", label=label)]
    else:
        lines = [_Line(f"{_value(t, t.old)} → {_value(t, t.new)}", label=label)]
    previously = _previously(t)
    if previously:
        lines.append(_Line(previously))
    lines.append(_Line(service_label(t), label="Service"))
    lines.append(_Line(t.authority, label="Authority"))
    return lines


def _claim_lines(t: Transition) -> list[_Line]:
    label = _dimension_word(t).capitalize()
    lines = [_Line(f"{_value(t, t.new)}, says {source_label(t)}", label=f"{label} claimed")]
    if t.old is None:
        lines.append(_Line("none: the regulator has stated none", label=f"{label} recorded"))
    else:
        who = publisher(getattr(t, "old_source", None), t.old_url)
        when = f" on {_long_date(t.old_stated)}" if t.old_stated else ""
        lines.append(_Line(f"{_value(t, t.old)}, stated by {who}{when}", label=f"{label} recorded"))
        if t.old_url:
            lines.append(_Line(t.old_url, label="Recorded from", href=t.old_url))
    lines.append(_Line(service_label(t), label="Service"))
    lines.append(_Line(t.authority, label="Authority"))
    return lines


def _previously(t: Transition) -> str | None:
    if t.old is None or not (t.old_stated or t.old_url):
        return None
    text = f"{_value(t, t.old)} was previously stated"
    if t.old_stated:
        text += f" {_long_date(t.old_stated)}"
    if t.old_url:
        text += f" in {t.old_url}"
    return text


def _document_lines(t: Transition) -> list[_Line]:
    lines = [
        _Line(t.title, label="Title"),
        _Line(t.url, label="Link", href=t.url),
        _Line(source_label(t), label="Source"),
    ]
    if t.letter_date:
        lines.append(_Line(_long_date(t.letter_date), label="Letter date"))
    fieldwork = _fieldwork(t)
    if fieldwork:
        lines.append(_Line(fieldwork, label="Fieldwork"))
    if t.published:
        lines.append(_Line(_long_date(t.published), label=f"Published by {_document_publisher(t)}"))
    return lines


def _document_publisher(t: Transition) -> str:
    if is_unconfirmed(t):
        return source_label(t)
    return "the Welsh Government" if t.dimension == INTERVENTION else "CIW"


def _fieldwork(t: Transition) -> str | None:
    start, end = t.fieldwork_start, t.fieldwork_end
    if start and end:
        return f"{_long_date(start)} to {_long_date(end)}"
    if start:
        return f"from {_long_date(start)}"
    if end:
        return f"until {_long_date(end)}"
    return None


UNCONFIRMED_MEANING = (
    "This is not a change of status. Only the regulator's own documents (CIW; the Welsh "
    "Government for a Part 8 intervention) move the recorded status; council news, press and "
    "blogs often paraphrase or repeat older labels. carewatch sends one notice per claim, "
    "however many stories repeat it, and closes it when the regulator next states this "
    "status, saying whether it confirmed or contradicted the claim."
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
JOINT_REVIEW_MEANING = (
    "Joint reviews (SSIW and the Audit Commission, 1998-2008) judged the whole service on two "
    "axes: how well people are served (all / most / some / not) and the prospects for "
    "improvement (excellent / promising / uncertain / poor)."
)


def _meaning(t: Transition) -> str | None:
    """Plain words placing the new value; the ladder comes from CONCERN_LEVELS."""
    ladder = _ladder(t)
    if is_unconfirmed(t):
        return " ".join(part for part in (UNCONFIRMED_MEANING, ladder) if part)
    if t.dimension == INTERVENTION:
        return WARNING_NOTICE_MEANING if t.new == WARNING_NOTICE else REMOVED_MEANING
    if t.dimension in (PEOPLE_SERVED, PROSPECTS):
        return JOINT_REVIEW_MEANING
    if t.dimension == JUDGEMENT:
        return (
            "CIW states its judgement as a phrase ('it is our judgement that ... is ...'); "
            "it is quoted verbatim and is not a grade on a fixed scale."
        )
    if ladder and direction(t) == DE_ESCALATION:
        return f"{ladder} {DE_ESCALATION_MEANING}"
    return ladder


def _ladder(t: Transition) -> str | None:
    if t.dimension != CONCERN_LEVEL or t.new not in CONCERN_LEVELS:
        return None
    rank = concern_rank(t.new)
    name = f"'{_level(t.new).capitalize()}'"
    if rank > 0:
        below = _level(CONCERN_LEVELS[rank - 1])
        return f"{name} is CIW's higher level of concern, above '{below}'."
    above = _level(CONCERN_LEVELS[rank + 1])
    return f"{name} is CIW's lower formal level of concern, below '{above}'."


def _claim(t: Transition) -> str:
    """What a secondary source claims, as a clause: "Wrexham children's services are at
    significant concern"."""
    who = f"{short_authority(t.authority)} {service_label(t)}"
    if t.dimension == CONCERN_LEVEL:
        return f"{who} are at {t.new} concern"
    if t.dimension == INTERVENTION:
        if t.new == WARNING_NOTICE:
            return f"Welsh Ministers issued a Part 8 warning notice on {who}"
        return f"Welsh Ministers' intervention in {who} has been removed"
    if t.dimension in (PEOPLE_SERVED, PROSPECTS):
        return f"{who} are {_plain(t.dimension, t.new)}"
    return f"{who} are '{t.new}'"


def _recorded(t: Transition, *, short: bool) -> str:
    """The recorded status an unconfirmed claim is set against, with who stated it when."""
    if t.old is None:
        return "no recorded status" if short else "recorded status: none stated yet"
    value = t.old if short and t.dimension == CONCERN_LEVEL else _value(t, t.old)
    who = publisher(getattr(t, "old_source", None), t.old_url)
    if short:
        when = f", {_short_date(t.old_stated)}" if t.old_stated else ""
        return f"recorded status is {value} ({who}{when})"
    when = f" on {_long_date(t.old_stated)}" if t.old_stated else ""
    return f"recorded status is {value}, stated by {who}{when}"


def _footer(t: Alertable) -> str:
    return (
        "This is an automated carewatch alert; re-sends of the same alert carry the same "
        f"idempotency key: {t.key}"
    )


def _html_line(line: _Line) -> str:
    esc = html.escape
    if line.quote:
        return (
            '<blockquote style="margin:4px 0 4px 12px;padding-left:10px;'
            f'border-left:3px solid #999;font-style:italic">{esc(line.text)}</blockquote>'
        )
    if line.href and line.href.lower().startswith(("http://", "https://")):
        value = f'<a href="{esc(line.href)}" style="color:#0b57d0">{esc(line.text)}</a>'
    else:
        value = esc(line.text)
    label = f"<strong>{esc(line.label)}:</strong> " if line.label else ""
    return f'<p style="margin:2px 0">{label}{value}</p>'


# --- operations alerts (source health) --------------------------------------------------

HEALTH_WORDS = {"failing": "failing", "empty_listing": "listing empty", "stale": "stale"}


def _health_subject(t: HealthAlert) -> str:
    """"carewatch: source ciw_la_reports failing since 25 Nov 2026 09:00 UTC (3 runs):
    <error>" or "carewatch: source ciw_la_reports recovered (failing since ...)"."""
    problem = HEALTH_WORDS.get(t.problem, t.problem.replace("_", " "))
    since = f"{problem} since {_moment(t.since)}"
    if t.recovered:
        return f"carewatch: source {t.source} recovered ({since})"
    runs = f" ({t.runs} runs)" if t.runs > 1 else ""
    detail = f": {_shorten(t.detail, 200)}" if t.detail else ""
    return f"carewatch: source {t.source} {since}{runs}{detail}"


def _health_lines(t: HealthAlert) -> list[tuple[str, str]]:
    lines = [("Source", f"{t.source} ({t.title})"), ("Source URL", t.url),
             ("Problem", HEALTH_WORDS.get(t.problem, t.problem)),
             ("Since", _moment(t.since)),
             ("State", "recovered" if t.recovered else "needs attention")]
    if t.runs:
        lines.append(("Failed runs in a row", str(t.runs)))
    if t.detail:
        lines.append(("Detail", t.detail))
    return lines


def _moment(moment: datetime) -> str:
    when = utc(moment)
    return f"{when.day} {when:%b %Y %H:%M} UTC"


# --- operations alerts (delivery) -------------------------------------------------------


def _delivery_subject(t: DeliveryProblem) -> str:
    """"carewatch: webhook endpoint http://... disabled: it answered 410 Gone" or
    "carewatch: alert #12 not delivered by webhook to http://... after 8 attempts: <about>"."""
    if t.problem == ENDPOINT_DISABLED:
        return f"carewatch: {t.channel} endpoint {t.target} disabled: it answered 410 Gone"
    head = (f"carewatch: alert #{t.alert_id} not delivered by {t.channel} to {t.target} "
            f"after {t.attempts} attempts: ")
    return head + _shorten(t.about, max(SUBJECT_LIMIT * 2 - len(head), MIN_PHRASE))


def _delivery_lines(t: DeliveryProblem) -> list[tuple[str, str]]:
    alert = f"#{t.alert_id} {t.about}"
    if t.problem == ENDPOINT_DISABLED:
        lines = [("Channel", t.channel), ("Endpoint", t.target),
                 ("Disabled since", _moment(t.since)), ("While sending", alert),
                 ("Alert key", t.alert_key)]
        if t.detail:
            lines.append(("Response", t.detail))
        lines.append(("What to do", "Nothing more is sent to this endpoint, and nothing is "
                      "lost: its alerts wait for it. Fix or replace the endpoint, then run "
                      f"`carewatch alerts enable {t.target}`."))
        return lines
    lines = [("Alert", alert), ("Alert key", t.alert_key), ("Channel", t.channel),
             ("Target", t.target), ("Attempts", f"{t.attempts}, the last at {_moment(t.since)}")]
    if t.detail:
        lines.append(("Last error", t.detail))
    lines.append(("What to do", "The alert is dead-lettered: carewatch will not try again. "
                  "When the receiver is fixed, `carewatch alerts replay "
                  f"{t.alert_id}` sends it again (same webhook-id)."))
    return lines


def _ops_subject(t: OpsAlert) -> str:
    return _health_subject(t) if isinstance(t, HealthAlert) else _delivery_subject(t)


def _ops_lines(t: OpsAlert) -> list[tuple[str, str]]:
    return _health_lines(t) if isinstance(t, HealthAlert) else _delivery_lines(t)


def from_outbox(kind: str, payload: dict[str, Any]) -> Alertable:
    """What an outbox row (``Alert.kind``, ``Alert.payload``) says, ready to render."""
    if kind == ALERT_SOURCE_HEALTH:
        return HealthAlert.from_dict(payload)
    if kind == ALERT_DELIVERY:
        return DeliveryProblem.from_dict(payload)
    return from_payload(payload)


# --- small formatting helpers ----------------------------------------------------------


DIMENSION_WORDS = {
    CONCERN_LEVEL: "concern level",
    JUDGEMENT: "judgement",
    INTERVENTION: "intervention",
    PEOPLE_SERVED: "people served",
    PROSPECTS: "prospects for improvement",
}


def _dimension_word(t: Transition) -> str:
    return DIMENSION_WORDS.get(t.dimension, t.dimension.replace("_", " "))


def _value(t: Transition, value: str) -> str:
    if t.dimension == JUDGEMENT:
        return f"'{value}'"
    return f"'{_plain(t.dimension, value)}'"


def _plain(dimension: str, value: str) -> str:
    """A stored value in words: "significant concern", "serving some people well"."""
    if dimension == CONCERN_LEVEL:
        return _level(value)
    if dimension == INTERVENTION:
        return {WARNING_NOTICE: "Part 8 warning notice",
                INTERVENTION_REMOVED: "intervention removed"}.get(value, value)
    if dimension == PEOPLE_SERVED:
        return "not serving people well" if value == "not" else f"serving {value} people well"
    if dimension == PROSPECTS:
        return f"{value} prospects for improvement"
    return value


def _level(value: str) -> str:
    return f"{value} concern"


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def _short_date(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"
