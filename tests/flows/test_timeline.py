"""The whole replay timeline, polled step by step as a scheduled run would see it: exactly
the regulator's changes alert, once each, and nothing else does (no false transitions from
other councils' letters, the care-home item, the national annual report or council news)."""

from __future__ import annotations

from sqlalchemy import select

from flows.poll import poll
from replay.timeline import STEPS
from storage import events, models, repo
from storage.status import CHILDREN, CONCERN_LEVEL, JUDGEMENT

EXPECTED = {
    # Audit Wales's 2011-2018 reports are visible at "before-any", so that first poll is the
    # quiet baseline and CIW's first stated level for Wrexham (July 2019) is news.
    "after-2019-letter": [(CHILDREN, CONCERN_LEVEL, None, "serious")],
    "after-2020-letter": [(CHILDREN, CONCERN_LEVEL, "serious", "significant")],
    "after-oct-2020-inspection": [
        (CHILDREN, JUDGEMENT, None, "inadequate with early indicators of improvement")],
    "after-apr-2021-monitoring": [
        (CHILDREN, JUDGEMENT, "inadequate with early indicators of improvement",
         "continuing to make improvements required")],
    "after-nov-2021-monitoring": [
        (CHILDREN, JUDGEMENT, "continuing to make improvements required",
         "continuing to make improvements")],
}


def test_every_step_alerts_exactly_the_regulators_changes(pipeline):
    seen = {}
    for name, when in sorted(STEPS.items(), key=lambda item: item[1]):
        pipeline.site.set_as_of(when)
        report = poll()
        assert report.ok, (name, report.sources)
        seen[name] = [(t.service, t.dimension, t.old, t.new) for t in report.transitions]
    assert {name: changes for name, changes in seen.items() if changes} == EXPECTED
    status_mail = [m for m in pipeline.smtp.messages
                   if not m["Subject"].startswith("carewatch: source")]
    assert len(status_mail) == 5 and len(pipeline.smtp.messages) == 5  # no health alert
    assert len(pipeline.hook.received) == 5 and all(h.verified for h in pipeline.hook.received)
    assert len({h.id for h in pipeline.hook.received}) == 5

    with pipeline.sessions()() as session:
        current = {(r.service, r.dimension): (r.value, r.effective_date.isoformat())
                   for r in repo.current_status(session, "Wrexham")}
        others = [*repo.current_status(session, "Bridgend"),
                  *repo.current_status(session, "Flintshire")]
    # De-escalation is never announced for Wrexham: "significant" stays last stated in Aug 2020.
    assert current == {
        (CHILDREN, CONCERN_LEVEL): ("significant", "2020-08-03"),
        (CHILDREN, JUDGEMENT): ("continuing to make improvements", "2021-12-14"),
    }
    assert others == []

    # One event, several places: the 2020 letter is also the Welsh twin and the committee
    # paper that attached it; the status counts it once and cites CIW's own page.
    with pipeline.sessions()() as session:
        [row] = [r for r in repo.current_status(session, "Wrexham")
                 if r.dimension == CONCERN_LEVEL]
        letter = session.scalars(select(models.Publication)
                                 .where(models.Publication.url == row.url)).one()
        places = {m.source for m in events.members(session, letter.event_id)}
        concern = session.scalars(select(models.Observation.publication_id).where(
            models.Observation.authority == "Wrexham",
            models.Observation.dimension == CONCERN_LEVEL,
            models.Observation.value == "significant")).all()
    assert row.source == "ciw_la_reports"
    assert {"ciw_la_reports", "ciw_welsh", "wrexham_moderngov"} <= places
    assert concern == [letter.id]
