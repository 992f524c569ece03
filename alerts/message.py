"""Render a status ``Transition`` for people (subject, text, HTML) and machines (JSON payload).

Pure: no clock, no I/O.  Every channel renders through this one module, so an email and a
webhook for the same change always say the same thing.  The body is built once as a list of
sections (``_sections``) and then formatted as text or HTML, so the two cannot drift apart.

Two domain rules shape the wording (domain.md §1.2, §6):
- "significant concern" ranks ABOVE "serious concern" in CIW usage, so the direction of a
  change is worked out only through ``concern_rank``, never from the words;
- a judgement is a verbatim phrase, not a grade, so a judgement change is reported as
  "judgement now '<phrase>'" with no up/down direction.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from storage.status import (
    CONCERN_LEVEL,
    CONCERN_LEVELS,
    JUDGEMENT,
    SERVICE_LABELS,
    Transition,
    concern_rank,
)

# Short labels for the document kinds a transition can come from (Transition.kind).
SOURCE_LABELS = {
    "annual_letter": "CIW letter",
    "monitoring_letter": "CIW monitoring letter",
    "inspection_report": "CIW inspection report",
    "improvement_check": "CIW improvement check",
    "news": "CIW news",
}

# Mail clients cut subjects at roughly this width, so a long judgement phrase is shortened;
# but the phrase is the news, so one of up to MIN_PHRASE characters is always shown whole
# (every CIW phrase seen so far, e.g. "continuing to make improvements required", fits).
SUBJECT_LIMIT = 90
MIN_PHRASE = 40
PAYLOAD_TYPE = "status.changed"
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


def source_label(t: Transition) -> str:
    """Who said it, in a few words: "CIW letter", "CIW monitoring letter", ..."""
    return SOURCE_LABELS.get(t.kind, t.kind.replace("_", " "))


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


def render_subject(t: Transition) -> str:
    """One line naming authority, service, the change and its source.

    Kept under ``SUBJECT_LIMIT`` where possible by shortening a long judgement phrase (at a
    word, with an ellipsis, never below ``MIN_PHRASE``); authority, service, old -> new and
    the source are never dropped.
    """
    who = f"{short_authority(t.authority)} {service_label(t)}"
    when = document_date(t)
    tail = f" ({source_label(t)}, {_short_date(when)})" if when else f" ({source_label(t)})"
    if t.dimension == CONCERN_LEVEL:
        change = f"{t.old} → {t.new} concern" if t.old is not None else f"{t.new} concern"
        return f"{who}: {change}{tail}"
    prefix = f"{who}: {_dimension_word(t)} now '"
    room = max(SUBJECT_LIMIT - len(prefix) - len("'") - len(tail), MIN_PHRASE)
    return f"{prefix}{_shorten(t.new, room)}'{tail}"


def render_text(t: Transition) -> str:
    """Plain-text body: what changed, the evidence, the document and its dates, the footer."""
    out = [_headline(t), ""]
    for heading, lines in _sections(t):
        out.append(heading)
        for line in lines:
            value = f'"{line.text}"' if line.quote else line.text
            out.append(f"  {line.label}: {value}" if line.label else f"  {value}")
        out.append("")
    out += ["--", _footer(t)]
    return "\n".join(out) + "\n"


def render_html(t: Transition) -> str:
    """The same content as ``render_text`` as simple inline-styled HTML.

    Every interpolated value goes through ``html.escape``: evidence and titles are text
    scraped from the web.  Only http(s) URLs become links, so a hostile ``javascript:``
    URL is shown as text and never made clickable.
    """
    esc = html.escape
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


def render_payload(t: Transition, *, now: datetime) -> dict[str, Any]:
    """Standard-Webhooks-style event: ``type``, ``timestamp`` (ISO-8601 UTC) and ``data``."""
    data = t.to_dict()
    data["subject"] = render_subject(t)
    return {"type": PAYLOAD_TYPE, "timestamp": iso_utc(now), "data": data}


# --- body structure shared by text and HTML -------------------------------------------


@dataclass(frozen=True)
class _Line:
    text: str
    label: str | None = None
    href: str | None = None
    quote: bool = False


def _sections(t: Transition) -> list[tuple[str, list[_Line]]]:
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
        lines.append(_Line(_long_date(t.published), label="Published by CIW"))
    return lines


def _fieldwork(t: Transition) -> str | None:
    start, end = t.fieldwork_start, t.fieldwork_end
    if start and end:
        return f"{_long_date(start)} to {_long_date(end)}"
    if start:
        return f"from {_long_date(start)}"
    if end:
        return f"until {_long_date(end)}"
    return None


def _meaning(t: Transition) -> str | None:
    """One plain-words line placing the new value; the ladder comes from CONCERN_LEVELS."""
    if t.dimension == JUDGEMENT:
        return (
            "CIW states its judgement as a phrase ('it is our judgement that ... is ...'); "
            "it is quoted verbatim and is not a grade on a fixed scale."
        )
    if t.dimension != CONCERN_LEVEL or t.new not in CONCERN_LEVELS:
        return None
    rank = concern_rank(t.new)
    name = f"'{_level(t.new).capitalize()}'"
    if rank > 0:
        below = _level(CONCERN_LEVELS[rank - 1])
        return f"{name} is CIW's higher level of concern, above '{below}'."
    above = _level(CONCERN_LEVELS[rank + 1])
    return f"{name} is CIW's lower formal level of concern, below '{above}'."


def _footer(t: Transition) -> str:
    return (
        "This is an automated carewatch alert; re-sends of the same change carry the same "
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


# --- small formatting helpers ----------------------------------------------------------


def _dimension_word(t: Transition) -> str:
    if t.dimension == CONCERN_LEVEL:
        return "concern level"
    if t.dimension == JUDGEMENT:
        return "judgement"
    return t.dimension.replace("_", " ")


def _value(t: Transition, value: str) -> str:
    return f"'{_level(value)}'" if t.dimension == CONCERN_LEVEL else f"'{value}'"


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
