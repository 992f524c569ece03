"""page.py and document.py: the status page and a stored copy's page, parsed as HTML,
for what a reader is told and for the markup rules (escaped, self-contained, headings)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from report.document import render_document
from report.page import FeedLink, render_index
from report.records import Link, Noted, SourceState, publication_rows, with_changes
from report.words import ago
from storage.status import CHILDREN, CONCERN_LEVEL, REVIEW_NEEDED
from tests.report.builders import (
    NOW,
    TODAY,
    document,
    report_of,
    statement,
    unconfirmed,
    wrexham_history,
)

FEEDS = [FeedLink("all councils", "status.atom"), FeedLink("Wrexham", "status-wrexham.atom")]


def source(name: str, state: str = "healthy", *, enabled: bool = True,
           error: str | None = None) -> SourceState:
    return SourceState(name=name, title=f"Title of {name}", publisher="regulator",
                       enabled=enabled, state=state,
                       since=datetime(2026, 11, 20, 8, 0, tzinfo=UTC) if state != "healthy"
                       else None,
                       last_success=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
                       last_new_item=None, consecutive_failures=3 if error else 0,
                       found_last_run=10, last_error=error)


def page(statements=None, **fields):
    report = report_of(wrexham_history() if statements is None else statements, **fields)
    if "publications" not in fields:
        docs = [s.document for s in reversed(report.statements)]
        report = type(report)(**{**report.__dict__, "publications": tuple(publication_rows(
            docs, report.statements, report.unconfirmed, report.noted))})
    markup = render_index(report, now=NOW, today=TODAY, feeds=FEEDS)
    return markup, BeautifulSoup(markup, "lxml")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def text_of(root, css: str) -> str:
    return " ".join(words(n) for n in root.select(css))


def test_children_card_states_each_aspect_with_when_and_where():
    _, root = page()
    card = text_of(root, "#wrexham-children")
    assert "Significant concern" in card
    assert "Last stated 3 Aug 2020 (6 years 3 months ago) — not restated since." in card
    assert "The sentence stating significant." in card
    assert "Letter 3 Aug 2020 · no fieldwork dates · published 4 Aug 2020" in card
    assert "higher of CIW's two formal levels" in card  # alerts.words' own meaning
    # the judgement was restated once since the letter that set it
    assert ("Stated since 14 Dec 2021; restated once, last on 1 Jun 2022 (4 years 5 months "
            "ago).") in card
    assert "None stated: no Welsh Government warning notice recorded." in card


def test_a_service_nothing_was_stated_about_says_so():
    _, root = page()
    assert text_of(root, "#wrexham-adults p.summary") == (
        "No status stated by the regulator in any stored document.")
    assert root.select("#wrexham-adults svg.timeline")  # the empty chart is still drawn


def test_links_carry_the_publication_id_and_a_stored_copy_beside_them():
    _, root = page()
    history = with_changes(wrexham_history())
    by_id = {s.document.id: s.document for s in history}
    linked = root.select("a.document")
    assert linked
    for a in linked:
        assert a["href"] == by_id[int(a["data-publication-id"])].url
    stored = {a["href"] for a in root.select("a.stored")}
    assert stored == {f"docs/{pid}.html" for pid in by_id}


def test_page_is_self_contained_and_structured():
    markup, root = page()
    assert root.html["lang"] == "en"
    assert root.select('meta[name="viewport"]')
    assert not root.select("script, img, iframe, [src], link[rel=stylesheet]")
    assert "http" not in "".join(s.get_text() for s in root.select("style"))
    levels = [int(h.name[1]) for h in root.find_all(["h1", "h2", "h3", "h4"])]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    feeds = [ln["href"] for ln in root.select('link[type="application/atom+xml"]')]
    assert feeds == ["status.atom", "status-wrexham.atom"]


def test_scraped_text_is_escaped():
    hostile = document(7, title="<script>alert(1)</script>", url="javascript:alert(1)")
    markup, root = page([statement(1, "serious", date(2019, 7, 8), doc=hostile,
                                   evidence="<img src=x onerror=alert(1)>")])
    assert "<script>alert" not in markup and "<img src=x" not in markup
    assert "javascript:" not in markup
    assert "<script>alert(1)</script>" in text_of(root, "#wrexham-children")


def test_unconfirmed_report_is_flagged_in_words():
    story = document(900, source="wrexham_com", kind="news", authoritative=False,
                     url="https://www.wrexham.com/news/story-900.html")
    history = with_changes(wrexham_history())
    report = unconfirmed(pid=900)
    rows = publication_rows([story, *[s.document for s in history]], history, [report], [])
    _, root = page(unconfirmed=(report,), publications=tuple(rows))
    section = text_of(root, "#wrexham .unconfirmed")
    assert "UNCONFIRMED" in section and "Open: the regulator has not spoken" in section
    (row,) = root.select("#publications tr.unconfirmed")
    cells = [words(td) for td in row.select("td")]
    assert cells[2] == "wrexham.com" and cells[4] == "Unconfirmed"
    assert cells[5].startswith("UNCONFIRMED REPORT claims Wrexham children's services concern "
                               "level serious concern, which the regulator has not stated.")


def test_publications_table_says_whether_each_changed_the_status():
    _, root = page()
    rows = root.select("#publications tbody tr")
    changed = [words(r.select("td")[4]) for r in rows]
    assert changed == ["No", "Yes", "Yes", "Yes", "Yes", "Yes"]  # newest (a restatement) first
    did = words(rows[4].select("td")[5])
    assert did == ("changed Wrexham children's services concern level: serious concern → "
                   "significant concern")


def test_a_reading_awaiting_review_counts_for_nothing_and_says_so():
    hedged = document(60, source="wrexham_news_rss", kind="news", authoritative=False)
    noted = (Noted(60, "Wrexham", CHILDREN, CONCERN_LEVEL, "serious", REVIEW_NEEDED, True, 0.5),)
    rows = publication_rows([hedged], with_changes(wrexham_history()), [], noted)
    _, root = page(publications=tuple(rows), noted=noted)
    assert "awaits review, counts for nothing until confirmed" in text_of(root, "#publications")


def test_source_health_at_a_glance():
    sources = (source("ciw_la_reports"),
               source("gov_wales_statements", "failing", error="403 Forbidden"),
               source("audit_wales", enabled=False))
    _, root = page(sources=sources)
    health = text_of(root, "#sources")
    assert "1 source needs attention." in health
    assert "⚠ failing since 20 Nov 2026 08:00 UTC" in health and "403 Forbidden" in health
    disabled = root.select("#sources tbody tr")[2].select("td")[1]
    assert " ".join(disabled.get_text().split()) == "disabled (✓ healthy)"
    _, root = page(sources=(source("ciw_la_reports"),))
    assert "Every watched source is healthy." in text_of(root, "#sources")


@pytest.mark.parametrize(("then", "expected"), [
    (date(2020, 8, 3), "6 years 3 months ago"),
    (date(2025, 11, 25), "1 year ago"),
    (date(2026, 10, 26), "30 days ago"),
    (date(2026, 10, 25), "1 month ago"),
    (date(2026, 11, 24), "1 day ago"),
    (TODAY, "today"),
])
def test_ago(then, expected):
    assert ago(then, TODAY) == expected


def test_document_page_shows_what_was_stored_and_read():
    history = with_changes(wrexham_history())
    letter = history[1].document
    letter = type(letter)(**{**letter.__dict__, "text": "Dear Director,\n<b>escaped</b>",
                             "also": (Link(50, "ciw_welsh", "https://arolygiaethgofal.cymru/x",
                                           "Llythyr"),)})
    noted = [Noted(letter.id, "Wrexham", CHILDREN, CONCERN_LEVEL, "significant", "auto", True,
                   1.0)]
    markup = render_document(letter, statements=[history[1]], noted=noted, written={50},
                             now=NOW)
    root = BeautifulSoup(markup, "lxml")
    body = words(root)
    assert "Dear Director, <b>escaped</b>" in body and "<b>escaped" not in markup
    assert "concern level changed the status to significant concern" in body
    assert root.select('a[href="50.html"]') and root.select('a[href="../index.html"]')
    assert root.select(f'a.document[data-publication-id="{letter.id}"]')[0][
        "href"] == letter.url
