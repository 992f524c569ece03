"""records.py: which statement changed the status, what stands now, what each publication
did.  The ledger's rules applied to the stored history (domain.md §6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from report import records
from report.records import Noted, aspect, publication_rows, service_statuses, with_changes
from storage.status import ADULTS, CHILDREN, CONCERN_LEVEL, JUDGEMENT, REVIEW_NEEDED, WHOLE
from tests.report.builders import (
    IMPROVING,
    document,
    report_of,
    statement,
    unconfirmed,
    wrexham_history,
)


def test_with_changes_marks_changes_and_restatements_per_aspect():
    marked = with_changes(reversed(wrexham_history()))  # any input order
    assert [(s.observation_id, s.changed, s.old) for s in marked] == [
        (1, True, None), (2, True, "serious"), (3, True, None),
        (4, True, "inadequate with early indicators of improvement"),
        (5, True, "continuing to make improvements required"), (6, False, IMPROVING)]
    assert marked[1].old_stated == date(2019, 7, 8)
    assert marked[1].old_url == marked[0].document.url


def test_with_changes_compares_values_as_a_reader_would():
    """Case, spacing and apostrophes do not make a new judgement (status.same_value)."""
    marked = with_changes([statement(1, IMPROVING, date(2021, 1, 1), dimension=JUDGEMENT),
                           statement(2, "Continuing  to make IMPROVEMENTS", date(2022, 1, 1),
                                     dimension=JUDGEMENT)])
    assert [s.changed for s in marked] == [True, False]


def test_backfilled_older_document_takes_its_place_in_the_order():
    """A 2018 letter found after the 2020 one is history: the 2020 letter stays current
    and the 2018 one becomes the first statement."""
    marked = with_changes([statement(2, "significant", date(2020, 8, 3)),
                           statement(9, "serious", date(2018, 7, 1))])
    assert [(s.observation_id, s.changed, s.old) for s in marked] == [
        (9, True, None), (2, True, "serious")]
    assert records.current(marked)[("Wrexham", CHILDREN, CONCERN_LEVEL)].value == "significant"


def test_undated_statements_count_as_oldest_like_current_status():
    undated = statement(7, "significant", date(2020, 1, 1))
    undated = replace(undated, effective_date=None)
    marked = with_changes([statement(1, "serious", date(2019, 7, 8)), undated])
    assert [s.observation_id for s in marked] == [7, 1]
    assert records.current(marked)[("Wrexham", CHILDREN, CONCERN_LEVEL)].value == "serious"


def test_aspect_knows_what_set_the_value_and_how_often_it_was_restated():
    marked = with_changes(wrexham_history())
    judgement = aspect([s for s in marked if s.service == CHILDREN], JUDGEMENT)
    assert judgement.current.observation_id == 6 and judgement.set_by.observation_id == 5
    assert judgement.restated == 1 and judgement.restated_since
    level = aspect(marked, CONCERN_LEVEL)
    assert level.current is level.set_by and level.restated == 0
    assert not level.restated_since
    assert aspect(marked, "intervention").current is None


def test_service_statuses_always_show_children_and_adults():
    statuses = service_statuses(report_of(wrexham_history()), "Wrexham")
    assert [s.service for s in statuses] == [CHILDREN, ADULTS]
    assert statuses[0].stated and not statuses[1].stated
    assert [a.dimension for a in statuses[1].aspects] == ["intervention", CONCERN_LEVEL,
                                                          JUDGEMENT]


def test_whole_department_and_joint_review_axes_appear_only_when_stated():
    history = [statement(1, "some", date(2004, 5, 1), dimension="people_served",
                         service=WHOLE)]
    statuses = service_statuses(report_of(history), "Wrexham")
    assert [s.service for s in statuses] == [CHILDREN, ADULTS, WHOLE]
    assert [a.dimension for a in statuses[2].aspects][-1] == "people_served"


def test_publication_rows_say_what_each_document_did():
    marked = with_changes(wrexham_history())
    letter = marked[1].document
    twin = document(50, when=date(2020, 8, 3), source="ciw_welsh", event_id=letter.event_id)
    story = document(900, source="wrexham_com", kind="news", authoritative=False)
    hedged = document(60, source="wrexham_news_rss", kind="news", authoritative=False)
    agrees = document(61, source="wrexham_com", kind="news", authoritative=False)
    silent = document(62, source="bbc_wales_rss", kind="news", authoritative=False)
    noted = [Noted(60, "Wrexham", CHILDREN, CONCERN_LEVEL, "serious", REVIEW_NEEDED, True, 0.5),
             Noted(61, "Wrexham", CHILDREN, CONCERN_LEVEL, "significant", "auto", False, 1.0)]
    rows = publication_rows([marked[5].document, letter, twin, story, hedged, agrees, silent],
                            marked, [unconfirmed(pid=900)], noted)
    assert [r.effect for r in rows] == [records.RESTATED, records.CHANGED, records.SAME_EVENT,
                                        records.UNCONFIRMED, records.NEEDS_REVIEW,
                                        records.SECONDARY, records.NOTHING]
    assert rows[2].event_statement == marked[1]
    assert [r.changed for r in rows] == [False, True, False, False, False, False, False]
