"""`carewatch review`: list what was read with too little confidence to count, then confirm
or reject it (issue 4).  The database is prepared by the pipeline's own functions (store,
classify, record) on realistic CIW texts; the commands run through typer's CliRunner."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from flows.cli import app
from flows.database import close_databases, open_database
from scrapers.base import Publication
from storage import ledger, models, repo
from storage.status import REVIEW_AUTO, REVIEW_CONFIRMED, REVIEW_NEEDED, REVIEW_REJECTED

runner = CliRunner()
NOW = datetime(2022, 10, 14, 9, 0, tzinfo=UTC)
CIW = "https://careinspectorate.wales/"
LONG_PHRASE = (
    "making some progress resulting in developments to practice and better outcomes for "
    "children and their families across the county borough"
)


def _letter(slug: str, judgement_sentence: str, when: date) -> Publication:
    text = (
        "Local authority inspection letter: Wrexham County Borough Council\n\n"
        "Care Inspectorate Wales (CIW) reviewed children's services at Wrexham County Borough "
        "Council.\n\n"
        f"Taking into account the evidence from this activity, {judgement_sentence}\n\n"
        "We will continue to monitor the local authority's progress."
    )
    return Publication(
        source="ciw_la_reports", url=CIW + slug, kind="inspection_report",
        title=f"Local authority inspection letter: Wrexham County Borough Council ({slug})",
        text=text, published=when, letter_date=when,
    )


DOCUMENTS = (
    # Read with confidence: the recorded judgement.
    _letter("monitoring-2021", "it is our judgement that children's services are continuing "
            "to make improvements.", date(2021, 12, 14)),
    # A judgement "phrase" longer than any label: stored as needing review.
    _letter("inspection-2022", f"it is our judgement that children's services are {LONG_PHRASE}.",
            date(2022, 10, 1)),
    # Another one, for rejecting.
    _letter("adults-2022", "it is our judgement that adult services are showing a mixed picture "
            "with some strengths in safeguarding and weaknesses in the timeliness of assessments "
            "and reviews.", date(2022, 10, 2)),
)


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A database the pipeline has recorded DOCUMENTS into (not a quiet baseline)."""
    url = f"sqlite:///{tmp_path / 'carewatch.db'}"
    monkeypatch.setenv("CAREWATCH_DATABASE_URL", url)
    monkeypatch.setenv("CAREWATCH_AUTHORITIES", "Wrexham")
    sessions = open_database(url)
    with sessions.begin() as session:
        for pub in DOCUMENTS:
            row, _ = repo.upsert_publication(session, pub, authoritative=True, now=NOW)
            ledger.record_status(session, row, pub, watches=lambda a: a == "Wrexham",
                                 quiet=False, now=NOW)
    yield sessions
    close_databases()


def _observations(sessions) -> dict[str, models.Observation]:
    with sessions() as session:
        rows = session.execute(select(models.Observation, models.Publication.url).join(
            models.Publication, models.Observation.publication)).all()
    return {url.removeprefix(CIW): obs for obs, url in rows}


def _alert_count(sessions) -> int:
    with sessions() as session:
        return len(session.scalars(select(models.Alert)).all())


def test_review_lists_what_needs_review(database):
    observations = _observations(database)
    assert {slug: o.review for slug, o in observations.items()} == {
        "monitoring-2021": REVIEW_AUTO, "inspection-2022": REVIEW_NEEDED,
        "adults-2022": REVIEW_NEEDED,
    }
    alerts_before = _alert_count(database)  # the confident letter's first judgement only
    assert alerts_before == 1

    result = runner.invoke(app, ["review"], terminal_width=200)
    assert result.exit_code == 0, result.output
    hedged = observations["inspection-2022"]
    assert (f"#{hedged.id}  Wrexham children's services · judgement · {LONG_PHRASE}  "
            "[confidence 0.60; regulator; 1 Oct 2022]") in result.output
    assert f"it is our judgement that children's services are {LONG_PHRASE}." in result.output
    assert CIW + "inspection-2022" in result.output
    assert "why: " in result.output
    assert f"#{observations['adults-2022'].id}  Wrexham adults' services" in result.output
    assert f"#{observations['monitoring-2021'].id} " not in result.output
    assert "carewatch review confirm ID" in result.output


def test_review_confirm_alerts_exactly_once(database):
    hedged = _observations(database)["inspection-2022"]
    first = runner.invoke(app, ["review", "confirm", str(hedged.id), "--note", "read the PDF"],
                          terminal_width=200)
    assert first.exit_code == 0, first.output
    assert f"Confirmed observation {hedged.id}." in first.output
    assert ("alert enqueued: Wrexham children's: 'continuing to make…' → 'making some progress"
            in first.output)
    assert _alert_count(database) == 2

    again = runner.invoke(app, ["review", "confirm", str(hedged.id)])
    assert again.exit_code == 0, again.output
    assert f"Observation {hedged.id} was already confirmed; nothing changed." in again.output
    assert _alert_count(database) == 2
    confirmed = _observations(database)["inspection-2022"]
    assert (confirmed.review, confirmed.review_note) == (REVIEW_CONFIRMED, "read the PDF")
    with database() as session:
        (judgement,) = [r for r in repo.current_status(session, "Wrexham")
                        if r.service == "children"]
    assert judgement.value == LONG_PHRASE

    nothing_left = runner.invoke(app, ["review"])
    assert f"#{hedged.id} " not in nothing_left.output

    # A confirmed observation's alert may have gone out: it cannot be rejected any more.
    refused = runner.invoke(app, ["review", "reject", str(hedged.id)])
    assert refused.exit_code == 1
    assert "cannot be rejected" in refused.output


def test_review_reject_never_alerts(database):
    hedged = _observations(database)["adults-2022"]
    result = runner.invoke(app, ["review", "reject", str(hedged.id), "--note", "not a verdict"])
    assert result.exit_code == 0, result.output
    assert f"Rejected observation {hedged.id}." in result.output
    again = runner.invoke(app, ["review", "reject", str(hedged.id)])
    assert again.exit_code == 0 and "already rejected" in again.output
    rejected = _observations(database)["adults-2022"]
    assert (rejected.review, rejected.review_note) == (REVIEW_REJECTED, "not a verdict")
    assert _alert_count(database) == 1
    with database() as session:
        assert [r.service for r in repo.current_status(session, "Wrexham")] == ["children"]


def test_review_unknown_id_says_so(database):
    result = runner.invoke(app, ["review", "confirm", "9999"])
    assert result.exit_code == 1
    assert "no observation with id 9999" in result.output


def test_review_on_an_empty_database(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["review"])
    close_databases()
    assert result.exit_code == 0 and "Nothing needs review." in result.output


@pytest.mark.parametrize("args", [["review", "--help"], ["review", "confirm", "--help"],
                                  ["review", "reject", "--help"]])
def test_review_help(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "Usage" in result.output
