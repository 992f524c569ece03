"""data.py against a real migrated SQLite database filled by the pipeline's write path: the
report reads exactly what `carewatch status` reads, and what each publication did."""

from __future__ import annotations

from types import SimpleNamespace

from report import records
from report.data import load_report
from storage import models, repo
from storage.health import FAILING, Health
from storage.status import CONCERN_LEVEL, JUDGEMENT
from tests.report.conftest import NOW

SOURCES = {
    "ciw_la_reports": SimpleNamespace(title="CIW reports", publisher="regulator", enabled=True),
    "gov_wales_statements": SimpleNamespace(title="Welsh Government statements",
                                            publisher="government", enabled=True),
}


def load(session, authorities=("Wrexham",), **kw):
    return load_report(session, authorities=authorities, sources=SOURCES, **kw)


def test_current_status_is_exactly_what_carewatch_status_reads(recorded):
    report = load(recorded.session)
    mine = {(a, s, d): (st.value, st.effective_date, st.document.url)
            for (a, s, d), st in records.current(report.statements).items()}
    theirs = {(r.authority, r.service, r.dimension): (r.value, r.effective_date, r.url)
              for r in repo.current_status(recorded.session, "Wrexham")}
    assert mine == theirs and len(mine) == 2


def test_statements_are_the_regulators_accepted_words_marked_as_change_or_restatement(
        recorded):
    report = load(recorded.session)
    assert [(s.document.id, s.dimension, s.value, s.changed) for s in report.statements] == [
        (recorded.rows["letter2019"].id, CONCERN_LEVEL, "serious", True),
        (recorded.rows["letter2020"].id, CONCERN_LEVEL, "significant", True),
        (recorded.rows["monitoring2021"].id, JUDGEMENT, "continuing to make improvements",
         True),
        (recorded.rows["monitoring2022"].id, JUDGEMENT, "continuing to make improvements",
         False),
    ]
    # neither the press claim nor the low-confidence reading is a statement
    assert {s.document.source for s in report.statements} == {"ciw_la_reports"}


def test_each_publication_says_what_it_did(recorded):
    report = load(recorded.session)
    rows = {r.document.id: r.effect for r in report.publications}
    named = {name: rows.get(row.id) for name, row in recorded.rows.items()}
    assert named == {
        "audit": None,  # not about social services: not listed
        "letter2019": records.CHANGED, "letter2020": records.CHANGED,
        "welsh2020": records.SAME_EVENT, "monitoring2021": records.CHANGED,
        "press2022": records.UNCONFIRMED, "hedged2022": records.NEEDS_REVIEW,
        "monitoring2022": records.RESTATED,
        "powys2017": None,  # another council
    }
    dates = [r.document.dated for r in report.publications]
    assert dates == sorted(dates, reverse=True)
    assert (report.stored, report.relevant) == (9, 7)


def test_unconfirmed_report_points_at_its_stored_story(recorded):
    (report,) = load(recorded.session).unconfirmed
    assert report.document_id == recorded.rows["press2022"].id
    assert (report.notice.old, report.notice.new, report.closed_at) == (
        "significant", "serious", None)
    (alert,) = repo.open_unconfirmed(recorded.session, "Wrexham")
    assert report.key == alert.key


def test_documents_carry_their_stored_text_and_the_other_pages_of_their_event(recorded):
    report = load(recorded.session)
    docs = {d.id: d for d in report.documents}
    letter = docs[recorded.rows["letter2020"].id]
    assert "Dear Director" in letter.text and "PDF: escalated" in letter.text
    assert [link.publication_id for link in letter.also] == [recorded.rows["welsh2020"].id]
    assert recorded.rows["audit"].id not in docs


def test_every_council_when_none_is_named(recorded):
    report = load(recorded.session, authorities=None)
    assert report.authorities == ("Powys", "Wrexham")
    powys = [s for s in report.statements if s.authority == "Powys"]
    assert [(s.service, s.dimension, s.value) for s in powys] == [
        ("whole", "intervention", "warning_notice")]
    assert [s.service for s in records.service_statuses(report, "Powys")] == [
        "children", "adults", "whole"]


def test_recent_publications_are_capped_newest_first(recorded):
    report = load(recorded.session, recent=2)
    assert [r.document.id for r in report.publications] == [
        recorded.rows["monitoring2022"].id, recorded.rows["hedged2022"].id]
    assert report.relevant == 7


def test_source_health_is_the_sources_view(recorded):
    session = recorded.session
    for _ in range(3):
        run = repo.start_run(session, "gov_wales_statements", NOW)
        repo.finish_run(session, run, ok=False, found=None, new=0,
                        errors=["HTTP 403 from gov.wales"], now=NOW)
    repo.save_health(session, "gov_wales_statements", Health(FAILING, NOW, "403", 3), now=NOW)
    states = {s.name: s for s in load(session).sources}
    assert set(states) == {"ciw_la_reports", "gov_wales_statements"}
    gov = states["gov_wales_statements"]
    assert (gov.title, gov.state, gov.since, gov.consecutive_failures, gov.last_error) == (
        "Welsh Government statements", FAILING, NOW, 3, "HTTP 403 from gov.wales")
    assert states["ciw_la_reports"].state == "healthy"


def test_nothing_recorded_yet(sessions):
    with sessions() as session:
        report = load(session)
    assert report.statements == () and report.publications == () and report.stored == 0
    assert [s.stated for s in records.service_statuses(report, "Wrexham")] == [False, False]
    assert session.query(models.Publication).count() == 0
