"""Render an alert for people (subject, text, HTML) and machines (JSON payload).

An alert is a status ``Transition``, or a ``storage.notices.Notice`` (a transition plus its
``alert_kind`` and ``priority``), as the outbox stores it.  Three kinds read differently:
a change of the regulator's recorded status (escalation, de-escalation, a new judgement);
a Welsh Ministers' Part 8 intervention ("URGENT — ..."); and an *unconfirmed report*, a
secondary source's claim that the regulator has not made ("Unconfirmed: ...").  An
operations alert (``storage.health.HealthAlert``: a source is failing, its listing is empty,
or it has gone stale; or it recovered) is rendered by ``_health_lines`` below, webhook type
``source.health``; one about delivery itself (``storage.outbox.DeliveryProblem``: an endpoint
disabled by 410 Gone, an alert dead-lettered) by ``_delivery_lines``, type
``delivery.problem``.  A digest (``storage.digests.Digest``) is email only and is rendered by
``alerts.digest``.

Pure: no clock, no I/O.  Every channel renders through this one module, so an email and a
webhook for the same change always say the same thing.  The body is built once as a list of
sections (``_sections``) and then formatted as text or HTML, so the two cannot drift apart.
Subjects are fitted under 90 characters by ``alerts.subject``; every value is worded by
``alerts.words``, whose helpers are re-exported here for older imports.  The webhook payload
is described by ``alerts/schema/webhook-payload.schema.json``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alerts import digest as digest_email
from alerts.subject import (
    HEALTH_WORDS,
    MIN_PHRASE,
    SUBJECT_LIMIT,
    delivery_subject,
    health_subject,
    status_subject,
)
from alerts.words import (
    DE_ESCALATION,
    DE_ESCALATION_MEANING,
    DIMENSION_WORDS,
    DIRECTION_CODES,
    ESCALATION,
    JOINT_REVIEW_MEANING,
    JUDGEMENT_MEANING,
    PUBLISHERS,
    REMOVED_MEANING,
    SOURCE_LABELS,
    UNCONFIRMED_MEANING,
    WARNING_NOTICE_MEANING,
    alert_kind,
    dimension_word,
    direction,
    document_date,
    document_publisher,
    is_unconfirmed,
    is_warning_notice,
    iso_utc,
    ladder_words,
    long_date,
    meaning,
    moment_words,
    plain_value,
    publisher,
    quoted_value,
    service_label,
    short_authority,
    source_label,
    utc,
    who,
)
from storage.digests import ALERT_DIGEST, Digest
from storage.health import ALERT_SOURCE_HEALTH, HealthAlert
from storage.notices import ALERT_STATUS_CHANGE, ALERT_UNCONFIRMED, from_payload, priority_for
from storage.outbox import ALERT_DELIVERY, ENDPOINT_DISABLED, DeliveryProblem
from storage.status import (
    CONCERN_LEVEL,
    INTERVENTION,
    INTERVENTION_REMOVED,
    JUDGEMENT,
    PEOPLE_SERVED,
    PROSPECTS,
    WARNING_NOTICE,
    Transition,
)

__all__ = [
    "DE_ESCALATION", "DE_ESCALATION_MEANING", "DIMENSION_WORDS", "ESCALATION", "HEALTH_WORDS",
    "JOINT_REVIEW_MEANING", "JUDGEMENT_MEANING", "MIN_PHRASE", "PAYLOAD_TYPE", "PAYLOAD_TYPES",
    "PUBLISHERS", "REMOVED_MEANING", "SOURCE_LABELS", "SUBJECT_LIMIT", "UNCONFIRMED_MEANING",
    "WARNING_NOTICE_MEANING", "Alertable", "OpsAlert", "alert_kind", "dimension_word",
    "direction", "document_date", "from_outbox", "is_unconfirmed", "is_warning_notice",
    "iso_utc", "ladder_words", "meaning", "plain_value", "publisher", "render_html",
    "render_payload", "render_subject", "render_text", "short_authority", "service_label",
    "source_label", "utc",
]

PAYLOAD_TYPES = {
    ALERT_STATUS_CHANGE: "status.changed",
    ALERT_UNCONFIRMED: "status.unconfirmed_report",
    ALERT_SOURCE_HEALTH: "source.health",
    ALERT_DELIVERY: "delivery.problem",
}
# Anything the outbox sends: a status notice, or an operations alert (about a source, or
# about delivery itself).
# A digest (``storage.digests``) is email only: ``alerts.digest`` renders it.
Alertable = Transition | HealthAlert | DeliveryProblem | Digest
OpsAlert = HealthAlert | DeliveryProblem
PAYLOAD_TYPE = PAYLOAD_TYPES[ALERT_STATUS_CHANGE]


def render_subject(t: Alertable) -> str:
    """One line shorter than ``SUBJECT_LIMIT``: for a status alert the authority, service,
    old → new and source; "URGENT — " for a Part 8 warning notice, "Unconfirmed: " for a
    secondary source's claim (``alerts.subject`` says what gives way when room is short)."""
    if isinstance(t, Digest):
        return digest_email.render_subject(t)
    if isinstance(t, HealthAlert):
        return health_subject(t)
    if isinstance(t, DeliveryProblem):
        return delivery_subject(t)
    return status_subject(t)


def render_text(t: Alertable) -> str:
    """Plain-text body: what changed, the evidence, the document and its dates, the footer."""
    if isinstance(t, Digest):
        return digest_email.render_text(t)
    if isinstance(t, HealthAlert | DeliveryProblem):
        body = [_ops_headline(t), ""] + [f"  {label}: {value}" for label, value in _ops_lines(t)]
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
    if isinstance(t, Digest):
        return digest_email.render_html(t)
    if isinstance(t, HealthAlert | DeliveryProblem):
        rows = "".join(_html_line(_Line(value, label=label,
                                        href=value if label == "Source URL" else None))
                       for label, value in _ops_lines(t))
        return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{esc(render_subject(t))}</title></head><body>"
                f"<p><strong>{esc(_ops_headline(t))}</strong></p>{rows}"
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
    (ISO-8601 UTC) and ``data``: the transition or operations alert, its ``alert_kind`` and
    ``priority``, the ``subject``, and for a status alert ``direction``, so a receiver need
    not know that "significant" is the higher concern.  Every field is described in
    ``alerts/schema/webhook-payload.schema.json``.  A digest has no payload: it is never a
    webhook."""
    if isinstance(t, Digest):
        raise TypeError("a digest is sent by email only")
    if isinstance(t, HealthAlert | DeliveryProblem):
        return {"type": PAYLOAD_TYPES[t.alert_kind], "timestamp": iso_utc(now),
                "data": {**t.to_dict(), "subject": render_subject(t)}}
    data = t.to_dict()
    data.setdefault("alert_kind", alert_kind(t))
    data.setdefault("priority", priority_for(t))
    data.setdefault("old_source", None)
    step = None if is_unconfirmed(t) else direction(t)
    data["direction"] = DIRECTION_CODES[step] if step else None
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
        sections.append(("Evidence", [_Line(t.evidence, quote=True),
                                      _Line(f"— {_attribution(t)}")]))
    sections.append(("Document", _document_lines(t)))
    said = meaning(t)
    if said:
        sections.append(("What this means", [_Line(said)]))
    return sections


def _headline(t: Transition) -> str:
    whom = who(t)
    if is_unconfirmed(t):
        return (f"Unconfirmed report: {source_label(t)} says {_claim(t)}. "
                f"The regulator's {_recorded(t)}.")
    if is_warning_notice(t):
        return f"URGENT: Welsh Ministers have issued a Part 8 warning notice on {whom}."
    if t.dimension == INTERVENTION and t.new == INTERVENTION_REMOVED:
        return f"The Welsh Ministers' Part 8 intervention in {whom} has ended."
    word = dimension_word(t)
    new = quoted_value(t, t.new)
    if t.dimension in (PEOPLE_SERVED, PROSPECTS):
        change = f"{quoted_value(t, t.old)} → {new}" if t.old else f"{new} (first recorded)"
        return f"Joint review of {whom}: {change}."
    if t.old is None:
        return f"First recorded {word} for {whom}: {new}."
    old = quoted_value(t, t.old)
    step = direction(t)
    if step is not None:
        verb = "rose" if step == ESCALATION else "fell"
        return f"{step}: CIW's {word} for {whom} {verb} from {old} to {new}."
    if t.dimension == JUDGEMENT:
        return f"CIW's judgement of {whom} is now {new} (previously {old})."
    return f"Change of {word} for {whom}: {old} → {new}."


def _change_lines(t: Transition) -> list[_Line]:
    label = dimension_word(t).capitalize()
    if t.old is None:
        lines = [_Line(f"{quoted_value(t, t.new)} (first recorded)", label=label)]
    else:
        lines = [_Line(f"{quoted_value(t, t.old)} → {quoted_value(t, t.new)}", label=label),
                 _Line(_stated(t), label="Previously recorded")]
        if t.old_url:
            lines.append(_Line(t.old_url, label="Previous document", href=t.old_url))
    lines.append(_Line(service_label(t), label="Service"))
    lines.append(_Line(t.authority, label="Authority"))
    return lines


def _claim_lines(t: Transition) -> list[_Line]:
    label = dimension_word(t).capitalize()
    lines = [_Line(f"{quoted_value(t, t.new)}, says {source_label(t)}", label=f"{label} claimed")]
    if t.old is None:
        lines.append(_Line("none stated by the regulator", label=f"{label} recorded"))
    else:
        lines.append(_Line(_stated(t), label=f"{label} recorded"))
        if t.old_url:
            lines.append(_Line(t.old_url, label="Recorded from", href=t.old_url))
    lines.append(_Line(service_label(t), label="Service"))
    lines.append(_Line(t.authority, label="Authority"))
    return lines


def _stated(t: Transition) -> str:
    """The recorded value a change replaces (or a claim contradicts), who stated it and
    since when: "'serious concern', stated by CIW on 8 July 2019"."""
    assert t.old is not None
    said = f"{quoted_value(t, t.old)}, stated by {_old_publisher(t)}"
    return f"{said} on {long_date(t.old_stated)}" if t.old_stated else said


def _old_publisher(t: Transition) -> str:
    stated_by = publisher(getattr(t, "old_source", None), t.old_url)
    if stated_by == "unknown source":
        stated_by = "Welsh Government" if t.dimension == INTERVENTION else "the regulator"
    return "the Welsh Government" if stated_by == "Welsh Government" else stated_by


def _attribution(t: Transition) -> str:
    """Who wrote the evidence sentence, and when: "CIW letter, 3 August 2020"."""
    when = document_date(t)
    return f"{source_label(t)}, {long_date(when)}" if when else source_label(t)


def _document_lines(t: Transition) -> list[_Line]:
    lines = [
        _Line(t.title, label="Title"),
        _Line(t.url, label="Link", href=t.url),
        _Line(source_label(t), label="Source"),
    ]
    if t.letter_date:
        lines.append(_Line(long_date(t.letter_date), label="Letter date"))
    fieldwork = _fieldwork(t)
    if fieldwork:
        lines.append(_Line(fieldwork, label="Fieldwork"))
    if t.published:
        by = document_publisher(t)
        lines.append(_Line(long_date(t.published), label=f"Published by {by}" if by else
                           "Published"))
    return lines


def _fieldwork(t: Transition) -> str | None:
    start, end = t.fieldwork_start, t.fieldwork_end
    if start and end:
        return f"{long_date(start)} to {long_date(end)}"
    if start:
        return f"from {long_date(start)}"
    if end:
        return f"until {long_date(end)}"
    return None


def _claim(t: Transition) -> str:
    """What a secondary source claims, as a clause: "Wrexham children's services are at
    significant concern"."""
    whom = who(t)
    if t.dimension == CONCERN_LEVEL:
        return f"{whom} are at {t.new} concern"
    if t.dimension == INTERVENTION:
        if t.new == WARNING_NOTICE:
            return f"Welsh Ministers issued a Part 8 warning notice on {whom}"
        return f"Welsh Ministers' intervention in {whom} has ended"
    if t.dimension == PEOPLE_SERVED:
        return (f"{whom} do not serve people well" if t.new == "not"
                else f"{whom} serve {t.new} people well")
    if t.dimension == PROSPECTS:
        return f"{whom} have {plain_value(t.dimension, t.new)}"
    return f"{whom} are '{t.new}'"


def _recorded(t: Transition) -> str:
    """The recorded status an unconfirmed claim is set against, with who stated it when."""
    if t.old is None:
        return "recorded status: none stated yet"
    return f"recorded status is {_stated(t)}"


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


# --- operations alerts -----------------------------------------------------------------


def _ops_headline(t: OpsAlert) -> str:
    """The subject's news in full: the body has room for the target and the whole error."""
    if isinstance(t, DeliveryProblem):
        if t.problem == ENDPOINT_DISABLED:
            return (f"The {t.channel} endpoint {t.target} answered 410 Gone and is disabled: "
                    "nothing more is sent to it.")
        return (f"Alert #{t.alert_id} was not delivered by {t.channel} to {t.target} after "
                f"{t.attempts} attempts.")
    problem = HEALTH_WORDS.get(t.problem, t.problem.replace("_", " "))
    since = moment_words(t.since)
    if t.recovered:
        return f"Source {t.source} has recovered: it was {problem} from {since}."
    runs = f" ({t.runs} runs in a row)" if t.runs > 1 else ""
    detail = f" Last seen: {t.detail}" if t.detail else ""
    return f"Source {t.source}: {problem} since {since}{runs}.{detail}"


def _health_lines(t: HealthAlert) -> list[tuple[str, str]]:
    lines = [("Source", f"{t.source} ({t.title})"), ("Source URL", t.url),
             ("Problem", HEALTH_WORDS.get(t.problem, t.problem)),
             ("Since", moment_words(t.since)),
             ("State", "recovered" if t.recovered else "needs attention")]
    if t.runs:
        lines.append(("Failed runs in a row", str(t.runs)))
    if t.detail:
        lines.append(("Detail", t.detail))
    return lines


def _delivery_lines(t: DeliveryProblem) -> list[tuple[str, str]]:
    alert = f"#{t.alert_id} {t.about}"
    if t.problem == ENDPOINT_DISABLED:
        lines = [("Channel", t.channel), ("Endpoint", t.target),
                 ("Disabled since", moment_words(t.since)), ("While sending", alert),
                 ("Alert key", t.alert_key)]
        if t.detail:
            lines.append(("Response", t.detail))
        lines.append(("What to do", "Nothing more is sent to this endpoint, and nothing is "
                      "lost: its alerts wait for it. Fix or replace the endpoint, then run "
                      f"`carewatch alerts enable {t.target}`."))
        return lines
    lines = [("Alert", alert), ("Alert key", t.alert_key), ("Channel", t.channel),
             ("Target", t.target),
             ("Attempts", f"{t.attempts}, the last at {moment_words(t.since)}")]
    if t.detail:
        lines.append(("Last error", t.detail))
    lines.append(("What to do", "The alert is dead-lettered: carewatch will not try again. "
                  "When the receiver is fixed, `carewatch alerts replay "
                  f"{t.alert_id}` sends it again (same webhook-id)."))
    return lines


def _ops_lines(t: OpsAlert) -> list[tuple[str, str]]:
    return _health_lines(t) if isinstance(t, HealthAlert) else _delivery_lines(t)


def from_outbox(kind: str, payload: dict[str, Any]) -> Alertable:
    """What an outbox row (``Alert.kind``, ``Alert.payload``) says, ready to render."""
    if kind == ALERT_SOURCE_HEALTH:
        return HealthAlert.from_dict(payload)
    if kind == ALERT_DELIVERY:
        return DeliveryProblem.from_dict(payload)
    if kind == ALERT_DIGEST:
        return Digest.from_dict(payload)
    return from_payload(payload)
