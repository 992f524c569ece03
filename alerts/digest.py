"""Render a digest (``storage.digests.Digest``) as an email: subject, text and HTML.

One email per day or week, for readers who do not want one email per event.  It says what
was published in the period (and which publications changed a recorded status, or claimed
one the regulator has not stated), the status changes themselves, where each watched
service stands now (last stated when, by what), and any source not being watched properly,
so a quiet digest can be trusted to mean "nothing happened" rather than "nothing was looked
at".  Pure: text and HTML are made from one list of sections, so they cannot drift apart.
"""

from __future__ import annotations

import html
from datetime import date, datetime

from alerts.subject import SUBJECT_LIMIT
from alerts.words import DIMENSION_WORDS
from storage.digests import DAY, LOCAL, Digest, DigestPublication, DigestStatus
from storage.status import SERVICE_LABELS


def _day(value: date | datetime | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "undated"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_subject(d: Digest) -> str:
    """"carewatch weekly digest to 23 Nov 2026: 1 status change, 5 publications": the
    period's end in UK time, which a reader knows without decoding an ISO week.  Under
    ``SUBJECT_LIMIT`` always: with very large counts "daily"/"weekly" gives way first."""
    which = "daily" if d.period == DAY else "weekly"
    counts = f"{_plural(len(d.changes), 'status change')}, " \
             f"{_plural(d.total_publications, 'publication')}"
    problems = f", {_plural(len(d.problems), 'source problem')}" if d.problems else ""
    end = _day(d.end.astimezone(LOCAL))
    subject = f"carewatch {which} digest to {end}: {counts}{problems}"
    if len(subject) >= SUBJECT_LIMIT:
        subject = f"carewatch digest to {end}: {counts}{problems}"
    return subject


def _service(s: DigestStatus) -> str:
    return f"{s.authority} {SERVICE_LABELS.get(s.service, s.service)}"


def _pub_flag(p: DigestPublication) -> str:
    if p.changed_status:
        return "changed the recorded status"
    if p.unconfirmed:
        return "unconfirmed claim (not the regulator's)"
    return "no status change"


Lines = list[tuple[str, str | None]]


def _sections(d: Digest) -> list[tuple[str, Lines]]:
    """(heading, [(line, link)]) — the one structure both text and HTML are made from."""
    changes: Lines = [(c.headline, c.url) for c in d.changes] or [("None in this period.", None)]
    status: Lines = [(f"{_service(s)}, {DIMENSION_WORDS.get(s.dimension, s.dimension)}: "
               f"{s.value} — last stated {_day(s.stated)} ({s.title})", s.url)
              for s in d.status] or [("No status recorded yet.", None)]
    pubs: Lines = [
        (f"{_day(p.published)} · {p.source} · {p.title} — {_pub_flag(p)}", p.url)
        for p in d.publications] or [("None in this period.", None)]
    hidden = d.total_publications - len(d.publications)
    if hidden > 0:
        pubs.append((f"… and {hidden} more: see `carewatch status --history`", None))
    sections: list[tuple[str, Lines]] = [
        ("Status changes", changes),
        ("Where each service stands (the regulator's last statement)", status),
        (f"New publications ({d.total_publications})", pubs),
    ]
    if d.problems:
        sections.append(("Sources needing attention", [
            (f"{p.source}: {p.state.replace('_', ' ')} since {_day(p.since)}"
             + (f" — {p.detail}" if p.detail else ""), None) for p in d.problems]))
    return sections


def _window(d: Digest) -> str:
    return f"From {d.start:%d %b %Y %H:%M} to {d.end:%d %b %Y %H:%M} UTC."


def _footer() -> str:
    return ("You receive this digest because your address is in CAREWATCH_DIGEST_TO. "
            "Council news and press are never taken as the regulator's verdict.")


def render_text(d: Digest) -> str:
    out = [render_subject(d), _window(d), ""]
    for heading, lines in _sections(d):
        out.append(heading)
        for text, link in lines:
            out.append(f"  - {text}")
            if link:
                out.append(f"    {link}")
        out.append("")
    out += ["--", _footer()]
    return "\n".join(out) + "\n"


def render_html(d: Digest) -> str:
    """The text body as HTML; everything scraped is escaped, only http(s) links are links."""
    esc = html.escape
    parts = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
             f"<title>{esc(render_subject(d))}</title></head>",
             '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;'
             'line-height:1.45;color:#1b1b1b;max-width:640px">',
             f'<p style="font-size:17px;font-weight:bold">{esc(render_subject(d))}</p>',
             f"<p>{esc(_window(d))}</p>"]
    for heading, lines in _sections(d):
        parts.append(f'<h2 style="font-size:15px;margin:18px 0 4px">{esc(heading)}</h2><ul>')
        for text, link in lines:
            if link and link.startswith(("http://", "https://")):
                parts.append(f'<li><a href="{esc(link, quote=True)}">{esc(text)}</a></li>')
            else:
                parts.append(f"<li>{esc(text)}</li>")
        parts.append("</ul>")
    parts.append('<p style="font-size:12px;color:#555;border-top:1px solid #ccc;'
                 f'padding-top:8px">{esc(_footer())}</p></body></html>')
    return "\n".join(parts) + "\n"
