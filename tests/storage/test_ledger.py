"""ledger.py: the status ledger's semantics (issue 4) against a real, migrated database.

Classifications are built by hand here (the classifier has its own corpus tests): what is
under test is what the ledger does with them.  Wrexham is the watched authority throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import ledger, models, repo
from storage.classify import Classification, DocumentDates, ServiceStatus
from storage.db import make_session_factory
from storage.notices import (
    ALERT_STATUS_CHANGE,
    ALERT_UNCONFIRMED,
    PRIORITY_CHANGE,
    PRIORITY_INTERVENTION,
    PRIORITY_UNCONFIRMED,
    RESOLUTION_CONFIRMED,
    RESOLUTION_CONTRADICTED,
    from_payload,
)
from storage.status import (
    CHILDREN,
    CONCERN_LEVEL,
    INTERVENTION,
    JUDGEMENT,
    KIND_ANNUAL_LETTER,
    KIND_MONITORING_LETTER,
    KIND_NEWS,
    KIND_WARNING_NOTICE,
    REVIEW_AUTO,
    REVIEW_CONFIRMED,
    REVIEW_NEEDED,
    REVIEW_REJECTED,
    SCHEME_PART_8,
    SERIOUS_CONCERN,
    SIGNIFICANT_CONCERN,
    WARNING_NOTICE,
    WREXHAM,
)

CIW = "https://careinspectorate.wales/"
COUNCIL = "https://news.wrexham.gov.uk/"
PRESS = "https://www.wrexham.com/news/"
INADEQUATE = "inadequate with early indicators of improvement"
IMPROVING = "continuing to make improvements required"


# --- helpers ------------------------------------------------------------------------------


def watched(authority: str) -> bool:
    return authority in (WREXHAM, "Powys")


def service(
    concern_level: str | None = None,
    *,
    judgement: str | None = None,
    intervention: str | None = None,
    confidence: float = 1.0,
    restated: tuple[tuple[str, str], ...] = (),
    name: str = CHILDREN,
) -> ServiceStatus:
    stated = concern_level or judgement or intervention or "nothing"
    return ServiceStatus(
        service=name, concern_level=concern_level, judgement=judgement,
        intervention=intervention, evidence=f"The sentence stating {stated}.",
        confidence=confidence, restated=restated,
        scheme=SCHEME_PART_8 if intervention else "cop_2019",
    )


def classification(
    *statuses: ServiceStatus,
    authoritative: bool = True,
    authority: str | None = WREXHAM,
    kind: str = KIND_ANNUAL_LETTER,
    relevant: bool = True,
    letter: date | None = None,
) -> Classification:
    return Classification(
        relevant=relevant, authority=authority, authoritative=authoritative, kind=kind,
        statuses={s.service: s for s in statuses}, dates=DocumentDates(letter=letter),
        confidence=min((s.confidence for s in statuses), default=1.0),
        reasons=("hand-built for the test",),
    )


@pytest.fixture
def record(session: Session, make_publication, now) -> Callable[..., list]:
    """Store a publication and record a classification of it; returns the notices."""

    def run(url: str, found: Classification, *, when: date, quiet: bool = False,
            source_authoritative: bool | None = None, title: str | None = None) -> list:
        secondary = not url.startswith(CIW)
        row, _ = repo.upsert_publication(
            session,
            make_publication(
                url, text=url, title=title or f"Document at {url}",
                source="wrexham_news_rss" if url.startswith(COUNCIL) else (
                    "press" if secondary else "ciw_la_reports"),
                kind="article" if secondary else "letter",
                published=when, letter_date=None if secondary else when,
            ),
            authoritative=not secondary if source_authoritative is None else source_authoritative,
            now=now,
        )
        return ledger.record_classification(
            session, row, found, watches=watched, quiet=quiet, now=now
        )

    return run


def alerts(session: Session, kind: str | None = None) -> list[models.Alert]:
    query = select(models.Alert).order_by(models.Alert.id)
    if kind is not None:
        query = query.where(models.Alert.kind == kind)
    return list(session.scalars(query))


def observations(session: Session) -> list[models.Observation]:
    return list(session.scalars(select(models.Observation).order_by(models.Observation.id)))


def current(session: Session, dimension: str = CONCERN_LEVEL) -> str | None:
    row = repo.current_for(session, WREXHAM, CHILDREN, dimension)
    return row.value if row else None


def changes(notices: list) -> list[tuple]:
    return [(n.alert_kind, n.dimension, n.old, n.new) for n in notices]


# --- status changes -----------------------------------------------------------------------


def test_record_classification_keeps_the_classification(session, record) -> None:
    found = classification(service(SIGNIFICANT_CONCERN))
    record(CIW + "letter", found, when=date(2020, 8, 3))
    (row,) = session.scalars(select(models.Publication))
    assert row.classification == found.to_json()


def test_restated_judgement_never_alerts_twice(session, record) -> None:
    """A later letter repeats the earlier inspection's judgement before giving its own: the
    repeat belongs to that inspection, so it is neither recorded again nor alerted."""
    first = record(CIW + "report", classification(service(judgement=INADEQUATE)),
                   when=date(2021, 1, 26))
    assert changes(first) == [(ALERT_STATUS_CHANGE, JUDGEMENT, None, INADEQUATE)]
    second = record(
        CIW + "april", classification(
            service(judgement=IMPROVING, restated=((JUDGEMENT, INADEQUATE),)),
            kind=KIND_MONITORING_LETTER),
        when=date(2021, 6, 10))
    assert changes(second) == [(ALERT_STATUS_CHANGE, JUDGEMENT, INADEQUATE, IMPROVING)]
    # A news item that only restates the April judgement states nothing of its own.
    third = record(CIW + "news", classification(
        ServiceStatus(service=CHILDREN, restated=((JUDGEMENT, IMPROVING),)), kind=KIND_NEWS),
        when=date(2021, 6, 11))
    # ...and a later letter whose own judgement is the current one restates it.
    fourth = record(CIW + "may", classification(service(judgement=IMPROVING.upper())),
                    when=date(2021, 7, 1))
    assert third == fourth == []
    assert [o.value for o in observations(session)] == [INADEQUATE, IMPROVING, IMPROVING.upper()]
    assert len(alerts(session)) == 2


def test_de_escalation_alerts(session, record) -> None:
    record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN)), when=date(2020, 8, 3),
           quiet=True)
    (notice,) = record(CIW + "2022", classification(service(SERIOUS_CONCERN)),
                       when=date(2022, 9, 1))
    assert (notice.old, notice.new, notice.old_stated) == (
        SIGNIFICANT_CONCERN, SERIOUS_CONCERN, date(2020, 8, 3))
    assert (notice.alert_kind, notice.priority, notice.old_source) == (
        ALERT_STATUS_CHANGE, PRIORITY_CHANGE, "ciw_la_reports")
    (alert,) = alerts(session)
    assert (alert.kind, alert.priority) == (ALERT_STATUS_CHANGE, PRIORITY_CHANGE)
    assert from_payload(alert.payload) == notice
    assert current(session) == SERIOUS_CONCERN


def test_older_document_never_alerts(session, record) -> None:
    record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN)), when=date(2020, 8, 3))
    assert record(CIW + "2019", classification(service(SERIOUS_CONCERN)),
                  when=date(2019, 7, 10)) == []
    assert current(session) == SIGNIFICANT_CONCERN


def test_intervention_alert_has_the_highest_priority(session, record, now) -> None:
    record(CIW + "powys-2017", classification(service(SIGNIFICANT_CONCERN), authority="Powys"),
           when=date(2017, 10, 1))
    (notice,) = record(
        "https://gov.wales/written-statement-powys", classification(
            service(intervention=WARNING_NOTICE), authority="Powys", kind=KIND_WARNING_NOTICE),
        when=date(2017, 10, 17), source_authoritative=True)
    assert (notice.dimension, notice.new, notice.priority) == (
        INTERVENTION, WARNING_NOTICE, PRIORITY_INTERVENTION)
    assert max(PRIORITY_CHANGE, PRIORITY_UNCONFIRMED) < PRIORITY_INTERVENTION
    assert notice.kind == KIND_WARNING_NOTICE
    first, second = alerts(session)
    assert (first.priority, second.priority) == (PRIORITY_CHANGE, PRIORITY_INTERVENTION)
    # Delivered first although enqueued last.
    pending = repo.pending_deliveries(session, [("email", "team@example.org")])
    assert [a.id for a, _, _ in pending] == [second.id, first.id]


def test_authoritative_text_from_a_secondary_source_moves_the_status(session, record) -> None:
    """A CIW letter attached to a council paper is the regulator's word: the text decides,
    not the source it was found on."""
    (notice,) = record(COUNCIL + "committee-paper",
                       classification(service(SIGNIFICANT_CONCERN), authoritative=True),
                       when=date(2020, 9, 1))
    assert notice.alert_kind == ALERT_STATUS_CHANGE
    (observation,) = observations(session)
    assert observation.authoritative is True
    assert current(session) == SIGNIFICANT_CONCERN


def test_unwatched_authority_recorded_without_alert(session, record) -> None:
    assert record(CIW + "bridgend", classification(service(SERIOUS_CONCERN), authority="Bridgend"),
                  when=date(2020, 8, 3)) == []
    assert [r.authority for r in repo.current_status(session)] == ["Bridgend"]
    assert alerts(session) == []


def test_quiet_baseline_records_everything_and_alerts_nothing(session, record) -> None:
    assert record(CIW + "2019", classification(service(SERIOUS_CONCERN)),
                  when=date(2019, 7, 10), quiet=True) == []
    assert record(COUNCIL + "claim", classification(service(SIGNIFICANT_CONCERN),
                                                    authoritative=False),
                  when=date(2019, 9, 1), quiet=True) == []
    assert record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN)),
                  when=date(2020, 8, 3), quiet=True) == []
    assert alerts(session) == []
    assert len(observations(session)) == 3
    assert current(session) == SIGNIFICANT_CONCERN


def test_observation_and_alert_share_one_transaction(engine, make_publication, now) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        row, _ = repo.upsert_publication(session, make_publication(COUNCIL + "n"),
                                         authoritative=False, now=now)
        session.commit()
        found = classification(service(SIGNIFICANT_CONCERN), authoritative=False)
        assert len(ledger.record_classification(session, row, found, watches=watched,
                                                quiet=False, now=now)) == 1
        session.rollback()
        count = session.scalar(select(func.count()).select_from(models.Alert))
        assert (count, observations(session)) == (0, [])


# --- needs review -------------------------------------------------------------------------


def test_needs_review_is_stored_without_effect_then_confirm_alerts_once(
    session, record, now
) -> None:
    record(CIW + "2019", classification(service(SERIOUS_CONCERN)), when=date(2019, 7, 10),
           quiet=True)
    hedged = classification(service(SIGNIFICANT_CONCERN, confidence=0.4))
    assert record(CIW + "2020", hedged, when=date(2020, 8, 3)) == []
    _, stored = observations(session)
    assert (stored.review, stored.confidence, stored.authoritative) == (REVIEW_NEEDED, 0.4, True)
    assert current(session) == SERIOUS_CONCERN and alerts(session) == []
    (listed,) = repo.needs_review(session)
    assert (listed.id, listed.value, listed.confidence, listed.url) == (
        stored.id, SIGNIFICANT_CONCERN, 0.4, CIW + "2020")
    assert listed.reasons == ("hand-built for the test",)

    later = now + timedelta(days=1)
    (notice,) = ledger.review_observation(session, stored.id, decision="confirm",
                                          note="letter says so", now=later)
    assert (notice.old, notice.new, notice.detected_at) == (
        SERIOUS_CONCERN, SIGNIFICANT_CONCERN, later)
    assert ledger.review_observation(session, stored.id, decision="confirm", now=later) == []
    assert [from_payload(a.payload) for a in alerts(session)] == [notice]
    assert (stored.review, stored.reviewed_at, stored.review_note) == (
        REVIEW_CONFIRMED, later, "letter says so")
    assert current(session) == SIGNIFICANT_CONCERN
    assert repo.needs_review(session) == []


def test_confirm_compares_with_the_status_recorded_then(session, record, now) -> None:
    record(CIW + "2019", classification(service(SERIOUS_CONCERN)), when=date(2019, 7, 10),
           quiet=True)
    record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN, confidence=0.5)),
           when=date(2020, 8, 3))
    # A confident, later letter arrives before anyone reviews the hedged one.
    record(CIW + "2021", classification(service(SIGNIFICANT_CONCERN)), when=date(2021, 8, 3))
    hedged = observations(session)[1]
    assert ledger.review_observation(session, hedged.id, decision="confirm", now=now) == []
    assert len(alerts(session)) == 1


def test_reject_never_alerts(session, record, now) -> None:
    record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN, confidence=0.3)),
           when=date(2020, 8, 3))
    (stored,) = observations(session)
    assert ledger.review_observation(session, stored.id, decision="reject",
                                     note="descriptive use", now=now) == []
    assert ledger.review_observation(session, stored.id, decision="reject", now=now) == []
    assert (stored.review, stored.review_note) == (REVIEW_REJECTED, "descriptive use")
    assert alerts(session) == [] and current(session) is None and repo.needs_review(session) == []
    # A reviewer who rejected by mistake may still confirm; it then counts, once.
    assert len(ledger.review_observation(session, stored.id, decision="confirm", now=now)) == 1
    assert len(alerts(session)) == 1


def test_review_refuses_what_cannot_be_undone_or_does_not_exist(session, record, now) -> None:
    record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN)), when=date(2020, 8, 3))
    record(CIW + "2021", classification(service(judgement=IMPROVING, confidence=0.3)),
           when=date(2021, 8, 3))
    automatic, hedged = observations(session)
    assert automatic.review == REVIEW_AUTO
    assert ledger.review_observation(session, automatic.id, decision="confirm", now=now) == []
    with pytest.raises(ValueError, match="recorded automatically"):
        ledger.review_observation(session, automatic.id, decision="reject", now=now)
    ledger.review_observation(session, hedged.id, decision="confirm", now=now)
    with pytest.raises(ValueError, match="confirmed"):
        ledger.review_observation(session, hedged.id, decision="reject", now=now)
    with pytest.raises(ValueError, match="decision"):
        ledger.review_observation(session, hedged.id, decision="maybe", now=now)
    with pytest.raises(LookupError):
        ledger.review_observation(session, 999, decision="confirm", now=now)


def test_confirm_for_an_unwatched_authority_does_not_alert(session, record, now) -> None:
    record(CIW + "x", classification(service(SERIOUS_CONCERN, confidence=0.2),
                                      authority="Bridgend"), when=date(2020, 8, 3))
    (stored,) = observations(session)
    assert ledger.review_observation(session, stored.id, decision="confirm", now=now,
                                     watches=watched) == []
    assert stored.review == REVIEW_CONFIRMED
    assert [r.value for r in repo.current_status(session, "Bridgend")] == [SERIOUS_CONCERN]


# --- unconfirmed reports ------------------------------------------------------------------


def _serious_recorded(record) -> None:
    record(CIW + "2019", classification(service(SERIOUS_CONCERN)), when=date(2019, 7, 8),
           quiet=True)


def _claim(record, url: str, value: str = SIGNIFICANT_CONCERN, when=date(2020, 8, 4)) -> list:
    return record(url, classification(service(value), authoritative=False, kind=KIND_NEWS),
                  when=when)


def test_secondary_claim_differing_raises_one_unconfirmed_report(session, record) -> None:
    _serious_recorded(record)
    (notice,) = _claim(record, PRESS + "inspectors-raise-concerns-1")
    assert (notice.alert_kind, notice.priority) == (ALERT_UNCONFIRMED, PRIORITY_UNCONFIRMED)
    assert (notice.old, notice.new, notice.url) == (
        SERIOUS_CONCERN, SIGNIFICANT_CONCERN, PRESS + "inspectors-raise-concerns-1")
    assert (notice.old_stated, notice.old_url, notice.old_source) == (
        date(2019, 7, 8), CIW + "2019", "ciw_la_reports")
    # A second story, and the council's own item, repeating the claim: still one notice.
    assert _claim(record, PRESS + "scrutiny-2", when=date(2020, 9, 14)) == []
    assert _claim(record, COUNCIL + "how-were-addressing", when=date(2020, 8, 20)) == []
    (alert,) = alerts(session)
    assert (alert.kind, alert.priority, alert.closed_at) == (
        ALERT_UNCONFIRMED, PRIORITY_UNCONFIRMED, None)
    assert from_payload(alert.payload) == notice
    assert [a.id for a in repo.open_unconfirmed(session)] == [alert.id]
    assert current(session) == SERIOUS_CONCERN
    assert [o.authoritative for o in observations(session)] == [True, False, False, False]


def test_secondary_claim_equal_to_the_record_raises_nothing(session, record) -> None:
    _serious_recorded(record)
    assert _claim(record, PRESS + "recap", SERIOUS_CONCERN) == []
    assert alerts(session) == []


def test_secondary_recap_older_than_the_record_raises_nothing(session, record) -> None:
    record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN)), when=date(2020, 8, 3),
           quiet=True)
    assert _claim(record, PRESS + "old-story", SERIOUS_CONCERN, when=date(2019, 9, 1)) == []
    assert alerts(session) == []


def test_secondary_claim_with_nothing_recorded_is_unconfirmed(session, record) -> None:
    (notice,) = _claim(record, PRESS + "first-word")
    assert (notice.alert_kind, notice.old, notice.old_url) == (ALERT_UNCONFIRMED, None, None)


def test_authoritative_arrival_confirms_open_report(session, record, now) -> None:
    _serious_recorded(record)
    _claim(record, PRESS + "one")
    _claim(record, PRESS + "two", SIGNIFICANT_CONCERN.upper())
    (change,) = record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN)),
                       when=date(2020, 8, 3))
    assert (change.alert_kind, change.old, change.new) == (
        ALERT_STATUS_CHANGE, SERIOUS_CONCERN, SIGNIFICANT_CONCERN)
    (report,) = alerts(session, ALERT_UNCONFIRMED)
    letter = observations(session)[-1]
    assert (report.closed_at, report.closed_by_observation_id, report.resolution) == (
        now, letter.id, RESOLUTION_CONFIRMED)
    assert repo.open_unconfirmed(session) == []


def test_authoritative_restatement_contradicts_open_report(session, record, now) -> None:
    _serious_recorded(record)
    _claim(record, PRESS + "one")
    _claim(record, PRESS + "other-claim", "some other level")
    assert record(CIW + "2020", classification(service(SERIOUS_CONCERN)),
                  when=date(2020, 8, 3)) == []
    assert [(a.payload["new"], a.resolution) for a in alerts(session, ALERT_UNCONFIRMED)] == [
        (SIGNIFICANT_CONCERN, RESOLUTION_CONTRADICTED),
        ("some other level", RESOLUTION_CONTRADICTED),
    ]
    # The regulator has spoken since: the same claim made again is news again.
    (again,) = _claim(record, PRESS + "three", when=date(2020, 9, 1))
    assert again.old_url == CIW + "2020"
    assert len(repo.open_unconfirmed(session)) == 1


def test_only_the_same_dimension_and_a_current_document_close_a_report(session, record) -> None:
    _serious_recorded(record)
    _claim(record, PRESS + "one")
    # A judgement says nothing about the concern level; a backfilled older letter is history.
    record(CIW + "judgement", classification(service(judgement=INADEQUATE)),
           when=date(2021, 1, 26))
    record(CIW + "2018", classification(service(SERIOUS_CONCERN)), when=date(2018, 7, 1))
    assert len(repo.open_unconfirmed(session)) == 1


def test_needs_review_closes_nothing_until_confirmed(session, record, now) -> None:
    _serious_recorded(record)
    _claim(record, PRESS + "one")
    record(CIW + "2020", classification(service(SIGNIFICANT_CONCERN, confidence=0.5)),
           when=date(2020, 8, 3))
    assert len(repo.open_unconfirmed(session)) == 1
    hedged = observations(session)[-1]
    (change,) = ledger.review_observation(session, hedged.id, decision="confirm", now=now)
    assert change.alert_kind == ALERT_STATUS_CHANGE
    (report,) = alerts(session, ALERT_UNCONFIRMED)
    assert (report.resolution, report.closed_by_observation_id) == (
        RESOLUTION_CONFIRMED, hedged.id)


def test_confirming_a_hedged_secondary_reading_raises_its_report(session, record, now) -> None:
    _serious_recorded(record)
    assert record(PRESS + "hedged", classification(
        service(SIGNIFICANT_CONCERN, confidence=0.5), authoritative=False),
        when=date(2020, 8, 4)) == []
    hedged = observations(session)[-1]
    (notice,) = ledger.review_observation(session, hedged.id, decision="confirm", now=now)
    assert notice.alert_kind == ALERT_UNCONFIRMED


# --- history ------------------------------------------------------------------------------


def test_history_flags_every_observation_and_lists_statement_less_events(
    session, record
) -> None:
    _serious_recorded(record)
    _claim(record, PRESS + "one")
    record(CIW + "hedged", classification(service(judgement=INADEQUATE, confidence=0.5)),
           when=date(2020, 10, 1))
    record(CIW + "conference-news", classification(kind=KIND_NEWS), when=date(2019, 5, 3),
           title="Improvement conference held")
    record(COUNCIL + "bins", classification(relevant=False), when=date(2019, 6, 1))
    record(CIW + "powys", classification(kind=KIND_NEWS, authority="Powys"),
           when=date(2019, 6, 2))
    rows = [(e.date, e.title, e.authoritative, e.observation.review if e.observation else None)
            for e in repo.history(session, WREXHAM)]
    assert rows == [
        (date(2019, 5, 3), "Improvement conference held", True, None),
        (date(2019, 7, 8), f"Document at {CIW}2019", True, REVIEW_AUTO),
        (date(2020, 8, 4), f"Document at {PRESS}one", False, REVIEW_AUTO),
        (date(2020, 10, 1), f"Document at {CIW}hedged", True, REVIEW_NEEDED),
    ]
    authoritative_only = repo.history(session, WREXHAM, include_secondary=False)
    assert [e.url for e in authoritative_only] == [
        CIW + "conference-news", CIW + "2019", CIW + "hedged"]
