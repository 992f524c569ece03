"""The timeline chart: one service's recorded status from 2002 to today, as an SVG string.
Pure: statements in, markup out, ``today`` an argument.

Drawn on the server so it reads without JavaScript, and built only from the ordered
vocabulary in ``storage.status`` (domain.md §1.2), top to bottom:

- **Ministerial intervention** (Part 8) on top: a warning notice sits above any CIW level;
  a bar runs from the notice until a document says the intervention was removed (a row of
  its own below the notice, where nothing runs on: no intervention is in force);
- **concern levels** in ladder order, ``significant`` above ``serious`` (``CONCERN_LEVELS``,
  never the words), joined by steps where a document moved the level;
- **judgements** get a row per phrase, in the order CIW first used them: they are verbatim
  phrases, not grades, so the rows are deliberately not ranked and not joined by steps;
- the joint reviews' two axes (1998-2008), best level on top, only when something was
  stated on them.

Each point is the document that stated it: an ``<a href>`` to the document's own URL, with
its stored publication id in ``data-publication-id``, around a circle with a ``<title>``.
A filled point moved the status, a hollow one restated it; a value's line is solid between
statements and dashed after the last one, up to today ("not restated since").  The
``<title>``/``<desc>`` pair says in words what the chart shows.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from report.records import START, Statement, statement_order
from report.words import aspect_words, day, safe_href, statement_line, value_words
from storage.status import (
    CONCERN_LEVEL,
    CONCERN_LEVELS,
    INTERVENTION,
    INTERVENTION_REMOVED,
    JUDGEMENT,
    PEOPLE_SERVED,
    PEOPLE_SERVED_LEVELS,
    PROSPECTS,
    PROSPECTS_LEVELS,
    WARNING_NOTICE,
    same_value,
)

WIDTH = 960
LABEL_WIDTH = 270  # the row labels' column
RIGHT = 28
TOP = 12
ROW = 32
BAND_TITLE = 20
AXIS = 40
LABEL_CHARS = 38  # per line of a row label; two lines at most
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

# Colours pass WCAG AA (4.5:1) against white as text and as marks.
COLOURS = {
    INTERVENTION: "#6a1b9a",
    CONCERN_LEVEL: "#b3261e",
    JUDGEMENT: "#1a56a8",
    PEOPLE_SERVED: "#2e6b30",
    PROSPECTS: "#2e6b30",
}
INK = "#1b1b1b"
MUTED = "#595959"
GRID = "#d0d0d0"

#: Ranked aspects, lowest on the page first, as the vocabulary orders them; a warning notice
#: is drawn above its removal, so a bar steps down when Ministers end an intervention.
LADDERS: dict[str, tuple[str, ...]] = {
    INTERVENTION: (INTERVENTION_REMOVED, WARNING_NOTICE),
    CONCERN_LEVEL: CONCERN_LEVELS,
    PEOPLE_SERVED: PEOPLE_SERVED_LEVELS,
    PROSPECTS: PROSPECTS_LEVELS,
}
BAND_TITLES = {
    INTERVENTION: "Ministerial intervention (Part 8)",
    CONCERN_LEVEL: "CIW concern level",
    JUDGEMENT: "CIW judgement (verbatim; not a grade)",
    PEOPLE_SERVED: "Joint review: people served",
    PROSPECTS: "Joint review: prospects",
}


@dataclass(frozen=True)
class Row:
    """One horizontal row of the chart: an aspect and, except for intervention, a value."""

    dimension: str
    value: str | None
    label: str

    def holds(self, s: Statement) -> bool:
        return s.dimension == self.dimension and (
            self.value is None or same_value(self.value, s.value))


def rows_for(statements: Sequence[Statement]) -> list[Row]:
    """The chart's rows, top to bottom (module docstring): intervention (warning notice,
    then removed), concern levels highest first, one row per judgement phrase in order of
    first use, then the joint reviews' axes when stated.  A value outside a known ladder
    gets a row of its own at the bottom of its band rather than being dropped."""
    rows = []
    for dimension in (INTERVENTION, CONCERN_LEVEL, JUDGEMENT, PEOPLE_SERVED, PROSPECTS):
        mine = [s for s in statements if s.dimension == dimension]
        if dimension in (PEOPLE_SERVED, PROSPECTS) and not mine:
            continue
        values = list(reversed(LADDERS.get(dimension, ())))
        for s in mine:
            if not any(same_value(v, s.value) for v in values):
                values.append(s.value)
        if not values:
            rows.append(Row(dimension, None, "none stated"))
        rows += [Row(dimension, v, _label(dimension, v)) for v in values]
    return rows


def _label(dimension: str, value: str) -> str:
    words = value_words(dimension, value)
    return words[0].upper() + words[1:] if dimension != JUDGEMENT else words


def render_timeline(statements: Sequence[Statement], *, title: str, chart_id: str,
                    today: date, start: date = START) -> str:
    """The SVG for one service's ``statements`` (any order); ``chart_id`` keeps its
    ``<title>``/``<desc>`` ids unique on a page with several charts."""
    ordered = sorted(statements, key=statement_order)
    start = min([start, *(date(s.dated.year, 1, 1) for s in ordered)])
    end = max([today, *(s.dated for s in ordered)])
    rows = rows_for(ordered)
    layout = _layout(rows)
    height = layout.bottom + AXIS
    scale = _Scale(start, end)
    esc = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" class="timeline" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'font-family="{esc(FONT, quote=True)}" font-size="13" fill="{INK}">',
        f'<title id="{chart_id}-title">{esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{esc(describe(ordered, today=today))}</desc>',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
    ]
    parts += _grid(scale, layout, today)
    parts += _labels(rows, layout)
    parts += _lines(ordered, rows, layout, scale, today)
    parts += _points(ordered, rows, layout, scale)
    if not ordered:
        mid = LABEL_WIDTH + (WIDTH - LABEL_WIDTH - RIGHT) / 2
        parts.append(f'<text x="{mid:.0f}" y="{layout.bottom / 2:.0f}" text-anchor="middle" '
                     f'fill="{MUTED}">No status stated by the regulator in any stored '
                     'document</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def describe(ordered: Sequence[Statement], *, today: date) -> str:
    """The chart in words (its ``<desc>``): each aspect's values and since when."""
    if not ordered:
        return (f"No status stated by the regulator in any stored document, up to "
                f"{day(today)}.")
    out = []
    for dimension in (INTERVENTION, CONCERN_LEVEL, JUDGEMENT, PEOPLE_SERVED, PROSPECTS):
        mine = [s for s in ordered if s.dimension == dimension]
        if not mine:
            continue
        steps = [f"{value_words(s.dimension, s.value)} from {day(s.dated)}"
                 for s in mine if s.changed]
        last = mine[-1]
        tail = (f"last stated {day(last.dated)}, not restated since"
                if last.changed else f"last restated {day(last.dated)}")
        out.append(f"{aspect_words(dimension).capitalize()}: {'; '.join(steps)} ({tail}).")
    out.append("Each point links to the document that stated it; filled points changed "
               "the status, hollow points restated it.")
    return " ".join(out)


# --- geometry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    ys: tuple[float, ...]  # each row's centre line
    titles: tuple[tuple[str, float], ...]  # band title and its baseline
    bottom: float  # below the last row


def _layout(rows: Sequence[Row]) -> _Layout:
    y = float(TOP)
    ys: list[float] = []
    titles: list[tuple[str, float]] = []
    band = None
    for row in rows:
        if row.dimension != band:
            band = row.dimension
            y += BAND_TITLE
            titles.append((BAND_TITLES.get(band, aspect_words(band)), y - 6))
        ys.append(y + ROW / 2)
        y += ROW
    return _Layout(tuple(ys), tuple(titles), y + 6)


class _Scale:
    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.days = max((end - start).days, 1)
        self.width = WIDTH - LABEL_WIDTH - RIGHT

    def x(self, when: date) -> float:
        return LABEL_WIDTH + self.width * (when - self.start).days / self.days


def _grid(scale: _Scale, layout: _Layout, today: date) -> list[str]:
    top, bottom = TOP, layout.bottom
    out = [f'<g aria-hidden="true" stroke="{GRID}" stroke-width="1">']
    first, last = scale.start.year, max(today.year, scale.start.year)
    step = 1 if last - first <= 12 else 2
    labels = []
    for year in range(first, last + 1):
        x = scale.x(date(year, 1, 1))
        if x > WIDTH - RIGHT:
            break
        if (year - first) % step == 0:
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom:.1f}"/>')
            labels.append(f'<text x="{x:.1f}" y="{bottom + 18:.1f}" text-anchor="middle" '
                          f'stroke="none" fill="{MUTED}" font-size="12">{year}</text>')
    for y in layout.ys:
        out.append(f'<line x1="{LABEL_WIDTH}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                   'stroke-dasharray="1 4"/>')
    x = scale.x(today)
    out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom:.1f}" '
               f'stroke="{MUTED}" stroke-dasharray="4 3"/>')
    out += labels
    out.append(f'<text x="{x:.1f}" y="{bottom + 34:.1f}" text-anchor="end" stroke="none" '
               f'fill="{MUTED}" font-size="12">today, {day(today)}</text>')
    out.append("</g>")
    return out


def _labels(rows: Sequence[Row], layout: _Layout) -> list[str]:
    esc = html.escape
    out = ['<g aria-hidden="true">']
    for text, y in layout.titles:
        out.append(f'<text x="8" y="{y:.1f}" font-size="12" font-weight="bold" '
                   f'fill="{MUTED}">{esc(text)}</text>')
    for row, y in zip(rows, layout.ys, strict=True):
        lines = _wrap(row.label)
        colour = COLOURS.get(row.dimension, INK)
        first = y + 4 - (len(lines) - 1) * 7
        spans = "".join(f'<tspan x="{LABEL_WIDTH - 10}" y="{first + 14 * i:.1f}">'
                        f"{esc(line)}</tspan>" for i, line in enumerate(lines))
        out.append(f'<text text-anchor="end" fill="{colour}"><title>{esc(row.label)}</title>'
                   f"{spans}</text>")
    out.append("</g>")
    return out


def _wrap(label: str) -> list[str]:
    """A label in at most two lines of ``LABEL_CHARS``; the rest is cut with an ellipsis
    (the row's ``<title>`` keeps it whole)."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > LABEL_CHARS:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (lines[1][: LABEL_CHARS - 1]).rstrip() + "…"]
    return lines


def _row_of(s: Statement, rows: Sequence[Row]) -> int:
    return next(i for i, row in enumerate(rows) if row.holds(s))


def _lines(ordered: Sequence[Statement], rows: Sequence[Row], layout: _Layout,
           scale: _Scale, today: date) -> list[str]:
    """Each value's line from its statement to the next on that aspect (solid), the last
    one dashed up to today; steps between ranked rows where the value moved."""
    out = ['<g aria-hidden="true" stroke-width="3" fill="none">']
    for dimension in (INTERVENTION, CONCERN_LEVEL, JUDGEMENT, PEOPLE_SERVED, PROSPECTS):
        mine = [s for s in ordered if s.dimension == dimension]
        colour = COLOURS.get(dimension, INK)
        for i, s in enumerate(mine):
            if dimension == INTERVENTION and same_value(s.value, INTERVENTION_REMOVED):
                continue  # the intervention ended here: no bar after it
            after = mine[i + 1] if i + 1 < len(mine) else None
            x1 = scale.x(s.dated)
            x2 = scale.x(after.dated if after else max(today, s.dated))
            y = layout.ys[_row_of(s, rows)]
            dash = "" if after else ' stroke-dasharray="6 4"'
            out.append(f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" '
                       f'stroke="{colour}"{dash}/>')
            if after is not None and dimension in LADDERS:
                y2 = layout.ys[_row_of(after, rows)]
                if y2 != y:
                    out.append(f'<line x1="{x2:.1f}" y1="{y:.1f}" x2="{x2:.1f}" '
                               f'y2="{y2:.1f}" stroke="{colour}" stroke-width="2"/>')
    out.append("</g>")
    return out


def _points(ordered: Sequence[Statement], rows: Sequence[Row], layout: _Layout,
            scale: _Scale) -> list[str]:
    esc = html.escape
    out = ['<g class="points">']
    for s in ordered:
        x, y = scale.x(s.dated), layout.ys[_row_of(s, rows)]
        colour = COLOURS.get(s.dimension, INK)
        fill = colour if s.changed else "#ffffff"
        line = statement_line(s)
        href = safe_href(s.document.url) or s.document.stored_path
        out.append(
            f'<a href="{esc(href, quote=True)}" class="point" '
            f'data-publication-id="{s.document.id}" data-observation-id="{s.observation_id}" '
            f'aria-label="{esc(line, quote=True)}">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{fill}" stroke="{colour}" '
            f'stroke-width="3"><title>{esc(line)}</title></circle></a>'
        )
    out.append("</g>")
    return out
