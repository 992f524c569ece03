"""The status page (``index.html``): per council and service, what the regulator last
stated, since when, in which document and in which words; the timeline chart; unconfirmed
reports; recent publications and what each did; the health of every source.  Pure:
records in, HTML out, ``now`` and ``today`` arguments.

Wording follows the product's rules (domain.md): a level stays "last stated <date>" until a
document says otherwise ("— not restated since" where no later document repeated it), never
"current as of today"; a service nothing was stated about says so rather than showing
nothing; an unconfirmed report is flagged in words, not by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from alerts.message import UNCONFIRMED_MEANING, render_subject
from report import records
from report.markup import document_link, esc, shell, stored_link, table
from report.records import Aspect, PublicationRow, Report, ServiceStatus, Statement, Unconfirmed
from report.timeline import render_timeline
from report.words import (
    ago,
    aspect_words,
    day,
    document_label,
    fieldwork,
    kind_words,
    meaning,
    moment,
    publisher,
    service_words,
    short_authority,
    slug,
    value_words,
    who,
)
from storage.health import HEALTHY
from storage.notices import RESOLUTION_CONFIRMED
from storage.status import CONCERN_LEVELS, INTERVENTION

NOTHING_STATED = "No status stated by the regulator in any stored document."
NOT_RESTATED = "not restated since"


@dataclass(frozen=True)
class FeedLink:
    title: str
    href: str


def render_index(report: Report, *, now: datetime, today: date,
                 feeds: Sequence[FeedLink]) -> str:
    places = ", ".join(short_authority(a) for a in report.authorities) or "no council yet"
    title = f"{places} social services: the regulator's recorded status"
    head = [f'<link rel="alternate" type="application/atom+xml" title="{esc(f.title)}" '
            f'href="{esc(f.href)}">' for f in feeds]
    body = [
        '<a class="skip" href="#main">Skip to the status</a>',
        "<header>",
        '<p class="brand">carewatch</p>',
        f"<h1>{esc(title)}</h1>",
        f'<p class="lede">What Care Inspectorate Wales (CIW) — and the Welsh Government, for a '
        f"Ministerial intervention — last stated about each service, read from "
        f"{report.stored} stored publications ({report.relevant} about these services). "
        f"Generated {esc(moment(now))}.</p>",
        _nav(report),
        "</header>",
        '<main id="main">',
    ]
    for authority in report.authorities:
        body.append(_authority(report, authority, today))
    body += [_publications(report), _sources(report), _feeds(feeds), _vocabulary(),
             "</main>", _footer(now)]
    return shell(title=f"{title} — carewatch", body="\n".join(body), head=head,
                 description=f"carewatch status page for {places}: concern level, judgement "
                 "and Ministerial intervention per service, with evidence and documents.")


def _nav(report: Report) -> str:
    links = [(f"#{slug(a)}", short_authority(a)) for a in report.authorities]
    links += [("#publications", "Recent publications"), ("#sources", "Sources"),
              ("#feeds", "Feeds"), ("#vocabulary", "How to read this page")]
    items = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in links)
    return f'<nav aria-label="On this page"><ul>{items}</ul></nav>'


# --- per council and service ---------------------------------------------------------------


def _authority(report: Report, authority: str, today: date) -> str:
    key = slug(authority)
    parts = [f'<section id="{esc(key)}" aria-labelledby="{esc(key)}-h">',
             f'<h2 id="{esc(key)}-h">{esc(short_authority(authority))}</h2>']
    for service in records.service_statuses(report, authority):
        parts.append(_service(service, today))
    reports = [u for u in report.unconfirmed if u.authority == authority]
    if reports:
        parts.append(_unconfirmed(reports, key))
    parts.append("</section>")
    return "\n".join(parts)


def _service(s: ServiceStatus, today: date) -> str:
    key = f"{slug(s.authority)}-{slug(s.service)}"
    label = service_words(s.service)
    parts = [f'<section class="service" id="{esc(key)}" aria-labelledby="{esc(key)}-h">',
             f'<h3 id="{esc(key)}-h">{esc(label[0].upper() + label[1:])}</h3>',
             f'<p class="summary">{esc(summary(s, today))}</p>']
    if s.stated:
        parts.append('<dl class="aspects">')
        parts += [_aspect(a, s, today) for a in s.aspects]
        parts.append("</dl>")
    chart_id = f"chart-{key}"
    svg = render_timeline(s.statements, chart_id=chart_id, today=today,
                          title=f"{who(s.authority, s.service)}: recorded status from "
                          f"{records.START.year} to {day(today)}")
    parts += [
        f'<figure class="chart" aria-labelledby="{esc(chart_id)}-cap">',
        f'<div class="chart-scroll" role="region" tabindex="0" '
        f'aria-label="Timeline chart of {esc(who(s.authority, s.service))} (scrolls sideways '
        f'on a narrow screen)">{svg}</div>',
        f'<figcaption id="{esc(chart_id)}-cap">Timeline of {esc(who(s.authority, s.service))}, '
        f"{records.START.year} to today. Filled points: a document changed the status; hollow "
        "points: a document restated it; dashed line: not restated since. Each point links to "
        "its document.</figcaption>",
        "</figure>",
    ]
    if s.statements:
        parts.append(_statements_table(s))
    parts.append("</section>")
    return "\n".join(parts)


def summary(s: ServiceStatus, today: date) -> str:
    """The service's status in one sentence (what the browser test looks for)."""
    stated = [a for a in s.aspects if a.current is not None]
    if not stated:
        return NOTHING_STATED
    bits = []
    for a in stated:
        assert a.current is not None
        what = value_words(a.dimension, a.current.value)
        if a.dimension != INTERVENTION:  # "Part 8 warning notice" names its own aspect
            what = f"{aspect_words(a.dimension)} {what}"
        bits.append(f"{what} (last stated {day(a.current.dated)})")
    return "Recorded status: " + "; ".join(bits) + "."


def _aspect(a: Aspect, s: ServiceStatus, today: date) -> str:
    name = "Ministerial intervention" if a.dimension == INTERVENTION else (
        f"CIW {aspect_words(a.dimension)}")
    head = f'<div class="aspect" data-dimension="{esc(a.dimension)}"><dt>{esc(name)}</dt><dd>'
    if a.current is None or a.set_by is None:
        return head + f'<p class="value none">None stated{_none_why(a, s)}</p></dd></div>'
    c, first = a.current, a.set_by
    value = value_words(c.dimension, c.value)
    parts = [head, f'<p class="value">{esc(value[0].upper() + value[1:])}</p>',
             f'<p class="stated">{esc(stated_line(a, today))}</p>']
    if c.evidence:
        parts.append(f"<blockquote>{esc(c.evidence)}</blockquote>")
    parts.append(_document_lines(c))
    if a.restated_since:
        link = document_link(first.document.url, first.document.title, first.document.id)
        parts.append(f'<p class="small">First stated in {link} ({esc(day(first.dated))}).</p>')
    explained = meaning(first)
    if explained:
        parts.append(f'<details class="small meta"><summary>What this means</summary>'
                     f"<p>{esc(explained)}</p></details>")
    parts.append("</dd></div>")
    return "".join(parts)


def _none_why(a: Aspect, s: ServiceStatus) -> str:
    if a.dimension == INTERVENTION:
        return ": no Welsh Government warning notice recorded."
    return f": no regulator's document stored states a {aspect_words(a.dimension)} here."


def stated_line(a: Aspect, today: date) -> str:
    """"Last stated 3 Aug 2020 (6 years 3 months ago) — not restated since", or, when a later
    document repeated the value, since when it has stood and when it was last repeated."""
    c, first = a.current, a.set_by
    assert c is not None and first is not None
    if not a.restated_since:
        return f"Last stated {day(c.dated)} ({ago(c.dated, today)}) — {NOT_RESTATED}."
    times = "once" if a.restated == 1 else f"{a.restated} times"
    return (f"Stated since {day(first.dated)}; restated {times}, last on {day(c.dated)} "
            f"({ago(c.dated, today)}).")


def _document_lines(s: Statement) -> str:
    d = s.document
    dates = [f"Letter {day(d.letter_date)}" if d.letter_date else "No letter date",
             f"fieldwork {fieldwork(d)}" if fieldwork(d) else "no fieldwork dates",
             f"published {day(d.published)}" if d.published else "publication date unknown"]
    return (f'<p class="small">{document_link(d.url, d.title, d.id)} ({esc(document_label(d))})'
            f" · {stored_link(d.stored_path, d.id)}</p>"
            f'<p class="small meta">{esc(" · ".join(dates))}</p>')


def _statements_table(s: ServiceStatus) -> str:
    rows = []
    for st in reversed(s.statements):
        effect = "changed the status" if st.changed else "restated"
        if st.changed and st.old is not None:
            effect = f"changed from {value_words(st.dimension, st.old)}"
        rows.append([
            f'<span class="nowrap">{esc(day(st.dated))}</span>', esc(aspect_words(st.dimension)),
            f'<span class="{"changed" if st.changed else ""}">'
            f"{esc(value_words(st.dimension, st.value))}</span>",
            esc(effect),
            f"{document_link(st.document.url, st.document.title, st.document.id)} · "
            f"{stored_link(st.document.stored_path, st.document.id)}",
        ])
    return ("<details><summary>Every statement plotted above "
            f"({len(s.statements)})</summary>"
            + table(caption=f"Statements about {who(s.authority, s.service)}, newest first",
                    headers=["Date", "Aspect", "Value", "Effect", "Document"], rows=rows)
            + "</details>")


def _unconfirmed(reports: Sequence[Unconfirmed], key: str) -> str:
    parts = [f'<section class="unconfirmed" aria-labelledby="{esc(key)}-unconfirmed">',
             f'<h3 id="{esc(key)}-unconfirmed">Unconfirmed reports</h3>',
             f'<p class="small">{esc(UNCONFIRMED_MEANING)}</p>']
    for u in reversed(reports):
        n = u.notice
        link = document_link(n.url, n.title, u.document_id) if u.document_id is not None else (
            esc(n.title))
        stored = (f" · {stored_link(records.stored_path(u.document_id), u.document_id)}"
                  if u.document_id is not None else "")
        parts.append(
            f'<div class="report"><p><span class="flag">UNCONFIRMED</span> '
            f"{esc(render_subject(n))}</p>"
            f"<blockquote>{esc(n.evidence)}</blockquote>"
            f'<p class="small">{link} ({esc(publisher(n.source, n.url))}, '
            f"{esc(day(u.dated))}){stored}</p>"
            f'<p class="small"><strong>{esc(resolution(u))}</strong></p></div>')
    parts.append("</section>")
    return "\n".join(parts)


def resolution(u: Unconfirmed) -> str:
    if u.closed_at is None:
        return "Open: the regulator has not spoken on this since."
    verdict = "confirmed" if u.resolution == RESOLUTION_CONFIRMED else "contradicted"
    return f"Settled {day(u.closed_at.date())}: the regulator's next statement {verdict} it."


# --- recent publications, sources, feeds ---------------------------------------------------


def _publications(report: Report) -> str:
    rows, classes = [], []
    for p in report.publications:
        d = p.document
        flagged = p.effect == records.UNCONFIRMED
        did = ('<span class="flag">UNCONFIRMED REPORT</span> ' if flagged else "") + esc(
            effect_words(p))
        if p.effect == records.SAME_EVENT and p.event_statement is not None:
            e = p.event_statement.document
            did += f" ({document_link(e.url, document_label(e), e.id)})"
        rows.append([
            f'<span class="nowrap">{esc(day(d.dated))}</span>',
            f"{document_link(d.url, d.title, d.id)} · {stored_link(d.stored_path, d.id)}",
            esc(publisher(d.source, d.url)),
            esc(kind_words(d.kind)),
            "Yes" if p.changed else ("Unconfirmed" if flagged else "No"),
            did,
        ])
        classes.append("unconfirmed" if flagged else ("changed" if p.changed else ""))
    intro = (f"The {len(report.publications)} newest of the {report.relevant} stored "
             f"publications about these services ({report.stored} stored in all; the rest "
             "are about other things). Only the regulator's own documents change the status.")
    return ('<section id="publications" aria-labelledby="publications-h">'
            '<h2 id="publications-h">Recent publications</h2>'
            f'<p class="small">{esc(intro)}</p>'
            + table(caption="Recent publications, newest first",
                    headers=["Date", "Document", "Source", "Kind", "Changed status?",
                             "What it did"], rows=rows, row_classes=classes)
            + "</section>")


def effect_words(p: PublicationRow) -> str:
    """What a publication did, in a sentence."""
    if p.effect in (records.CHANGED, records.RESTATED):
        return "; ".join(statement_effect(s) for s in p.statements)
    if p.effect == records.UNCONFIRMED:
        return "; ".join(f"claims {who(u.notice.authority, u.notice.service)} "
                         f"{aspect_words(u.notice.dimension)} "
                         f"{value_words(u.notice.dimension, u.notice.new)}, which the "
                         f"regulator has not stated. {resolution(u)}" for u in p.unconfirmed)
    if p.effect == records.NEEDS_REVIEW:
        return "; ".join(f"read as {aspect_words(n.dimension)} "
                         f"{value_words(n.dimension, n.value)} with low confidence "
                         f"({n.confidence:.2f}): awaits review, counts for nothing until "
                         "confirmed" for n in p.noted if n.review == "needs_review")
    if p.effect == records.REJECTED:
        return "A reviewer rejected what was read from it: it never counts."
    if p.effect == records.SAME_EVENT:
        return "Another copy of a publication that stated a status: counted once"
    if p.effect == records.SECONDARY:
        return "Repeats the recorded status (council or press: never moves it)."
    return "States no status."


def statement_effect(s: Statement) -> str:
    what = f"{who(s.authority, s.service)} {aspect_words(s.dimension)}"
    value = value_words(s.dimension, s.value)
    if not s.changed:
        return f"restated {what} {value}"
    if s.old is None:
        return f"first recorded {what}: {value}"
    return f"changed {what}: {value_words(s.dimension, s.old)} → {value}"


def _sources(report: Report) -> str:
    rows = []
    for s in report.sources:
        healthy = s.state == HEALTHY
        state = ('<span class="state-ok">✓ healthy</span>' if healthy else
                 f'<span class="state-bad">⚠ {esc(s.state.replace("_", " "))}</span>'
                 + (f" since {esc(moment(s.since))}" if s.since else ""))
        if not s.enabled:
            state = f"disabled ({state})"
        rows.append([
            f"{esc(s.title)}<br><code>{esc(s.name)}</code>", state,
            esc(moment(s.last_success)) if s.last_success else "never",
            esc(moment(s.last_new_item)) if s.last_new_item else "none yet",
            str(s.consecutive_failures), esc(s.last_error or "—"),
        ])
    problems = sum(1 for s in report.sources if s.enabled and s.state != HEALTHY)
    verdict = ("Every watched source is healthy." if not problems else
               f"{problems} source{'s' if problems != 1 else ''} need{'' if problems != 1 else 's'}"
               " attention.")
    return ('<section id="sources" aria-labelledby="sources-h">'
            '<h2 id="sources-h">Sources</h2>'
            f'<p class="summary">{esc(verdict)}</p>'
            + table(caption="Source health (times UTC)",
                    headers=["Source", "State", "Last success", "Last new item",
                             "Failures in a row", "Last error"], rows=rows)
            + "</section>")


def _feeds(feeds: Sequence[FeedLink]) -> str:
    items = "".join(f'<li><a href="{esc(f.href)}" type="application/atom+xml">'
                    f"{esc(f.href)}</a> — {esc(f.title)}</li>" for f in feeds)
    return ('<section id="feeds" aria-labelledby="feeds-h"><h2 id="feeds-h">Feeds</h2>'
            "<p>Atom feeds with one entry per status change and per unconfirmed report. An "
            "entry's id never changes once published, so a feed reader shows each once.</p>"
            f"<ul>{items}</ul></section>")


def _vocabulary() -> str:
    ladder = " → ".join(value_words("concern_level", v) for v in CONCERN_LEVELS)
    return (
        '<section id="vocabulary" aria-labelledby="vocabulary-h">'
        '<h2 id="vocabulary-h">How to read this page</h2><ul>'
        f"<li>CIW's formal levels of concern, lowest first: {esc(ladder)}. In CIW's usage "
        f"<strong>{esc(value_words('concern_level', CONCERN_LEVELS[-1]))} is the higher "
        "level</strong>, the reverse of everyday English.</li>"
        "<li>A Welsh Government warning notice under Part 8 of the Social Services and "
        "Well-being (Wales) Act 2014 sits above any CIW level.</li>"
        "<li>A judgement is CIW's own phrase, quoted word for word; it is not a grade.</li>"
        "<li>A status stays as last stated until a regulator's document says otherwise: "
        "carewatch never infers a de-escalation from silence or a positive tone.</li>"
        "<li>Only the regulator's own documents move the status. Council news and the "
        "press are recorded; a claim they make that differs from the record is flagged as "
        "an unconfirmed report.</li></ul></section>")


def _footer(now: datetime) -> str:
    return (f"<footer><p>Generated by carewatch on {esc(moment(now))}. Statements are "
            "quoted from the documents linked; each has a stored copy as carewatch read it."
            "</p></footer>")

