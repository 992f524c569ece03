"""timeline.py: the status chart as SVG, 2002 to today, read the way a browser and a screen
reader would (parsed as XML, no string matching of our own markup where a value will do)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from report.records import with_changes
from report.timeline import LABEL_WIDTH, RIGHT, WIDTH, render_timeline
from storage.status import INTERVENTION, JUDGEMENT
from tests.report.builders import TODAY, document, statement, wrexham_history

SVG = "{http://www.w3.org/2000/svg}"


def chart(statements, today=TODAY):
    markup = render_timeline(with_changes(statements), title="Wrexham children's services",
                             chart_id="c1", today=today)
    return markup, ET.fromstring(markup)


def points(root):
    return [(a, a.find(f"{SVG}circle")) for a in root.iter(f"{SVG}a")]


def row_labels(root):
    """Each row label's full text and its vertical position (the first line's y)."""
    out = {}
    for text in root.iter(f"{SVG}text"):
        title = text.find(f"{SVG}title")
        span = text.find(f"{SVG}tspan")
        if title is not None and span is not None:
            out[title.text] = float(span.get("y"))
    return out


def test_chart_is_well_formed_and_labelled_for_assistive_technology():
    _, root = chart(wrexham_history())
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == title.get("id") == "c1-title"
    assert root.get("aria-describedby") == desc.get("id") == "c1-desc"
    assert title.text == "Wrexham children's services"
    assert "significant concern from 3 Aug 2020" in desc.text
    assert "last stated 3 Aug 2020, not restated since" in desc.text
    assert "last restated 1 Jun 2022" in desc.text  # the judgement's restatement


def test_rows_run_from_intervention_down_the_concern_ladder_then_judgements():
    """Significant is drawn ABOVE serious (CIW's order, not everyday English's); a warning
    notice above both; judgements below, in the order CIW first used them."""
    _, root = chart(wrexham_history())
    y = row_labels(root)
    judgements = ["“inadequate with early indicators of improvement”",
                  "“continuing to make improvements required”",
                  "“continuing to make improvements”"]
    order = ["Part 8 warning notice", "Intervention removed", "Significant concern",
             "Serious concern", *judgements]
    assert [y[label] for label in order] == sorted(y[label] for label in order)


def test_each_point_links_to_its_document_with_its_publication_id_and_a_title():
    history = with_changes(wrexham_history())
    _, root = chart(history)
    found = points(root)
    assert len(found) == len(history)
    for (a, circle), s in zip(found, history, strict=True):
        assert a.get("href") == s.document.url
        assert a.get("data-publication-id") == str(s.document.id)
        tip = circle.find(f"{SVG}title").text
        assert s.document.title in tip and a.get("aria-label") == tip
        # filled: this document changed the status; hollow: it restated it
        assert (circle.get("fill") == "#ffffff") is (not s.changed)


def test_points_sit_on_the_time_axis_from_2002_to_today():
    _, root = chart([statement(1, "serious", date(2002, 1, 1)),
                     statement(2, "significant", TODAY)])
    xs = [float(c.get("cx")) for _, c in points(root)]
    assert xs == [LABEL_WIDTH, WIDTH - RIGHT]


def test_a_value_not_restated_runs_dashed_to_today_and_steps_between_levels():
    markup, root = chart(wrexham_history()[:2])
    lines = list(root.iter(f"{SVG}line"))
    serious_y, significant_y = sorted({float(c.get("cy")) for _, c in points(root)},
                                      reverse=True)
    x_2020 = max(float(c.get("cx")) for _, c in points(root))
    dashed = [ln for ln in lines if ln.get("stroke-dasharray") == "6 4"]
    assert len(dashed) == 1 and float(dashed[0].get("y1")) == significant_y
    assert float(dashed[0].get("x1")) == x_2020 and float(dashed[0].get("x2")) == WIDTH - RIGHT
    steps = [ln for ln in lines if ln.get("x1") == ln.get("x2")
             and {float(ln.get("y1")), float(ln.get("y2"))} == {serious_y, significant_y}]
    assert len(steps) == 1


def test_intervention_bar_ends_when_the_intervention_is_removed():
    history = [statement(1, "warning_notice", date(2017, 10, 17), dimension=INTERVENTION),
               statement(2, "removed", date(2020, 11, 2), dimension=INTERVENTION)]
    _, root = chart(history)
    notice_y, removed_y = (float(c.get("cy")) for _, c in points(root))
    assert notice_y < removed_y  # a warning notice is drawn above its removal
    purple = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "#6a1b9a"]
    bars = [ln for ln in purple if ln.get("y1") == ln.get("y2")]
    assert len(bars) == 1 and float(bars[0].get("y1")) == notice_y  # nothing after removal
    assert bars[0].get("stroke-dasharray") is None
    steps = [ln for ln in purple if ln.get("x1") == ln.get("x2")]
    assert len(steps) == 1 and float(steps[0].get("x1")) == float(bars[0].get("x2"))


def test_a_service_with_no_statement_says_so():
    markup, root = chart([])
    assert points(root) == []
    assert "No status stated by the regulator in any stored document" in markup
    assert root.find(f"{SVG}desc").text.startswith("No status stated")


def test_an_older_statement_extends_the_axis_back():
    _, root = chart([statement(1, "some", date(1999, 6, 1), dimension="people_served")])
    years = {t.text: float(t.get("x")) for t in root.iter(f"{SVG}text")
             if (t.text or "").isdigit()}
    assert min(years) == "1999" and years["1999"] == LABEL_WIDTH
    assert years["1999"] < float(points(root)[0][1].get("cx")) < years["2001"]


def test_scraped_text_is_escaped_and_a_hostile_url_is_never_a_link():
    doc = document(7, url="javascript:alert(1)", title="<script>alert('x')</script> & co")
    markup, root = chart([statement(1, "serious", date(2019, 7, 8), doc=doc,
                                     dimension=JUDGEMENT)])
    assert "<script>" not in markup and "javascript:" not in markup
    (a, circle), = points(root)
    assert a.get("href") == "docs/7.html"
    assert "<script>alert('x')</script> & co" in circle.find(f"{SVG}title").text
