"""repo.py against a real, migrated database (every backend the ``engine`` fixture offers)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import ledger, models, repo
from storage.db import make_session_factory
from storage.notices import from_payload
from storage.status import (
    ADULTS,
    CHILDREN,
    JUDGEMENT,
    SERIOUS_CONCERN,
    SIGNIFICANT_CONCERN,
    WREXHAM,
)

REPORT = "https://careinspectorate.wales/local-authority-monitoring-activity-letter-wrexham"
NEWS = "https://careinspectorate.wales/211216-we-have-today-published-letter"
PDF = "https://careinspectorate.wales/sites/default/files/2021-12/letter-en.pdf"
OTHER = "https://careinspectorate.wales/some-other-report"
COUNCIL_NEWS = "https://news.wrexham.gov.uk/how-were-addressing-concerns/"


def count(session: Session, model: type[models.Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def store(session, make_publication, now, url=REPORT, *, authoritative=True, **fields):
    row, _ = repo.upsert_publication(
        session, make_publication(url, **fields), authoritative=authoritative, now=now
    )
    return row


# --- publications -------------------------------------------------------------------------


def test_is_empty_until_first_publication(session, make_publication, now) -> None:
    assert repo.is_empty(session)
    store(session, make_publication, now)
    assert not repo.is_empty(session)


def test_upsert_publication_new(session, make_publication, make_attachment, now) -> None:
    pub = make_publication(
        REPORT, aliases=(NEWS,), attachments=(make_attachment(PDF),), errors=("a", "b")
    )
    row, outcome = repo.upsert_publication(session, pub, authoritative=True, now=now)
    assert outcome == "new"
    assert (row.url, row.source, row.kind, row.title) == (REPORT, pub.source, "letter", pub.title)
    assert (row.published, row.letter_date) == (date(2020, 8, 4), date(2020, 8, 3))
    assert row.content_hash == pub.content_hash
    assert row.authoritative is True
    assert row.first_seen == row.last_seen == now
    assert row.errors == "a\nb"
    assert sorted(u.url for u in row.urls) == sorted([REPORT, NEWS])
    assert [(a.url, a.text) for a in row.attachments] == [(PDF, "PDF text")]
    assert row.full_text == pub.full_text


def test_upsert_publication_unchanged_updates_last_seen(session, make_publication, now) -> None:
    first, _ = repo.upsert_publication(session, make_publication(), authoritative=True, now=now)
    later = now + timedelta(hours=1)
    again, outcome = repo.upsert_publication(
        session, make_publication(), authoritative=True, now=later
    )
    assert outcome == "unchanged"
    assert again.id == first.id
    assert (again.first_seen, again.last_seen) == (now, later)
    assert count(session, models.Publication) == 1


def test_upsert_publication_changed_replaces_content_and_attachments(
    session, make_publication, make_attachment, now
) -> None:
    kept, dropped, added = (f"{PDF}?{n}" for n in ("kept", "dropped", "added"))
    repo.upsert_publication(
        session,
        make_publication(attachments=(make_attachment(kept), make_attachment(dropped))),
        authoritative=True,
        now=now,
    )
    edited = make_publication(
        text="Edited letter text.",
        letter_date=date(2020, 8, 4),
        attachments=(make_attachment(kept, "new text", "b" * 64), make_attachment(added)),
    )
    row, outcome = repo.upsert_publication(session, edited, authoritative=True, now=now)
    assert outcome == "changed"
    assert (row.text, row.letter_date, row.content_hash) == (
        "Edited letter text.", date(2020, 8, 4), edited.content_hash
    )
    assert {a.url: a.text for a in row.attachments} == {kept: "new text", added: "PDF text"}
    assert count(session, models.Attachment) == 2


def test_upsert_publication_matches_by_alias(session, make_publication, now) -> None:
    """A crawl that meets the news item first finds the event stored under its report."""
    first = store(session, make_publication, now, REPORT, aliases=(NEWS,))
    row, outcome = repo.upsert_publication(
        session, make_publication(NEWS), authoritative=True, now=now
    )
    assert (row.id, row.url, outcome) == (first.id, REPORT, "unchanged")
    assert count(session, models.Publication) == 1


def test_upsert_publication_records_new_aliases(session, make_publication, now) -> None:
    store(session, make_publication, now, REPORT)
    repo.upsert_publication(
        session, make_publication(REPORT, aliases=(NEWS,)), authoritative=True, now=now
    )
    assert repo.is_known(session, NEWS)


def test_upsert_publication_leaves_alias_owned_by_another_event(
    session, make_publication, now
) -> None:
    other = store(session, make_publication, now, OTHER, text="other")
    row = store(session, make_publication, now, REPORT, aliases=(OTHER,))
    # OTHER already names a stored event, so the upsert matched that one...
    assert row.id == other.id
    # ...and a report stored under its own URL does not take OTHER away from it.
    mine, _ = repo.upsert_publication(
        session, make_publication("https://careinspectorate.wales/mine", aliases=(OTHER,)),
        authoritative=True, now=now,
    )
    assert mine.id == other.id
    owner = session.scalar(
        select(models.PublicationUrl.publication_id).where(models.PublicationUrl.url == OTHER)
    )
    assert owner == other.id


def test_is_known_and_known_urls(session, make_publication, now) -> None:
    store(session, make_publication, now, REPORT, aliases=(NEWS,))
    assert repo.is_known(session, REPORT)
    assert repo.is_known(session, NEWS)
    assert not repo.is_known(session, OTHER)
    many = [f"https://careinspectorate.wales/x{n}" for n in range(1200)] + [NEWS]
    assert repo.known_urls(session, many) == {NEWS}
    assert repo.known_urls(session, []) == set()


# --- readings and alerts ------------------------------------------------------------------


def alerts(session: Session) -> list[models.Alert]:
    return list(session.scalars(select(models.Alert).order_by(models.Alert.id)))


def test_record_readings_first_reading_alerts(
    session, make_publication, make_reading, now
) -> None:
    row = store(session, make_publication, now)
    reading = make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))
    transitions = ledger.record_readings(session, row, [reading], alert=True, now=now)
    assert len(transitions) == 1
    (transition,) = transitions
    assert (transition.old, transition.new, transition.url) == (None, SIGNIFICANT_CONCERN, REPORT)
    (stored,) = alerts(session)
    assert stored.key == transition.key
    assert (stored.kind, stored.authority, stored.service) == ("status_change", WREXHAM, CHILDREN)
    assert stored.payload == transition.to_dict()
    assert from_payload(stored.payload) == transition
    assert (stored.payload["alert_kind"], stored.priority) == ("status_change", 2)
    observation = session.get_one(models.Observation, stored.observation_id)
    assert (observation.value, observation.observed_at) == (SIGNIFICANT_CONCERN, now)


def test_record_readings_twice_inserts_nothing(
    session, make_publication, make_reading, now
) -> None:
    row = store(session, make_publication, now)
    readings = [make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))]
    assert len(ledger.record_readings(session, row, readings, alert=True, now=now)) == 1
    assert ledger.record_readings(session, row, readings, alert=True, now=now) == []
    assert (count(session, models.Observation), count(session, models.Alert)) == (1, 1)


def test_record_readings_restatement_does_not_alert(
    session, make_publication, make_reading, now
) -> None:
    """Later letters restate earlier judgements: stored as evidence, alerted once."""
    first = store(session, make_publication, now, REPORT)
    later = store(session, make_publication, now, OTHER, text="later letter")
    phrase = "inadequate with early indicators of improvement"
    ledger.record_readings(
        session, first, [make_reading(phrase, date(2021, 1, 1), dimension=JUDGEMENT)],
        alert=True, now=now,
    )
    restated = make_reading(phrase.upper(), date(2021, 5, 1), dimension=JUDGEMENT)
    assert ledger.record_readings(session, later, [restated], alert=True, now=now) == []
    assert (count(session, models.Observation), count(session, models.Alert)) == (2, 1)


def test_record_readings_escalation_and_de_escalation(
    session, make_publication, make_reading, now
) -> None:
    letters = [store(session, make_publication, now, f"{OTHER}-{n}", text=str(n)) for n in range(3)]
    steps = [(SERIOUS_CONCERN, date(2019, 5, 3)), (SIGNIFICANT_CONCERN, date(2020, 8, 3)),
             (SERIOUS_CONCERN, date(2022, 9, 1))]
    seen = []
    for letter, (level, when) in zip(letters, steps, strict=True):
        (transition,) = ledger.record_readings(
            session, letter, [make_reading(level, when)], alert=True, now=now
        )
        seen.append((transition.old, transition.new, transition.old_stated))
    assert seen == [
        (None, SERIOUS_CONCERN, None),
        (SERIOUS_CONCERN, SIGNIFICANT_CONCERN, date(2019, 5, 3)),
        (SIGNIFICANT_CONCERN, SERIOUS_CONCERN, date(2020, 8, 3)),
    ]
    assert len(alerts(session)) == 3


def test_record_readings_quiet_baseline_then_change(
    session, make_publication, make_reading, now
) -> None:
    baseline = store(session, make_publication, now, REPORT)
    quiet = ledger.record_readings(
        session, baseline, [make_reading(SERIOUS_CONCERN, date(2019, 5, 3))], alert=False, now=now
    )
    assert quiet == [] and alerts(session) == []
    later = store(session, make_publication, now, OTHER, text="later")
    (transition,) = ledger.record_readings(
        session, later, [make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))], alert=True, now=now
    )
    assert (transition.old, transition.old_url) == (SERIOUS_CONCERN, REPORT)


def test_record_readings_older_document_never_alerts(
    session, make_publication, make_reading, now
) -> None:
    """A backfilled old letter is history: stored, not current, not an alert."""
    newer = store(session, make_publication, now, REPORT)
    ledger.record_readings(
        session, newer, [make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))], alert=True, now=now
    )
    older = store(session, make_publication, now, OTHER, text="old")
    assert ledger.record_readings(
        session, older, [make_reading(SERIOUS_CONCERN, date(2019, 5, 3))], alert=True, now=now
    ) == []
    (current,) = repo.current_status(session, WREXHAM)
    assert (current.value, current.url) == (SIGNIFICANT_CONCERN, REPORT)
    assert count(session, models.Observation) == 2


def test_record_readings_secondary_source_never_moves_status(
    session, make_publication, make_reading, now
) -> None:
    """Council news repeating CIW's words is stored, but only CIW sets the status."""
    news = store(session, make_publication, now, COUNCIL_NEWS, authoritative=False,
                 source="wrexham_news_rss", kind="news")
    reading = make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 10))
    ledger.record_readings(session, news, [reading], alert=True, now=now)
    assert repo.current_status(session) == []
    assert repo.history(session, WREXHAM, include_secondary=False) == []
    (row,) = repo.history(session, WREXHAM)
    assert (row.url, row.authoritative, row.source) == (COUNCIL_NEWS, False, "wrexham_news_rss")
    assert (row.observation.authoritative, row.observation.review) == (False, "auto")


def test_alert_is_written_in_the_observations_transaction(
    engine: Engine, make_publication, make_reading, now
) -> None:
    factory = make_session_factory(engine)
    with factory() as session:
        row = store(session, make_publication, now)
        session.commit()
        ledger.record_readings(
            session, row, [make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))],
            alert=True, now=now,
        )
        assert (count(session, models.Observation), count(session, models.Alert)) == (1, 1)
        session.rollback()
        assert (count(session, models.Observation), count(session, models.Alert)) == (0, 0)
        ledger.record_readings(
            session, row, [make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))],
            alert=True, now=now,
        )
        session.commit()
    with factory() as other:
        assert (count(other, models.Observation), count(other, models.Alert)) == (1, 1)


def test_duplicate_alert_key_never_makes_a_second_row(
    session, make_publication, make_reading, now
) -> None:
    row = store(session, make_publication, now)
    reading = make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))
    (transition,) = ledger.record_readings(session, row, [reading], alert=True, now=now)
    # The observation is lost (say, deleted by hand) and the document is read again: the
    # same change is detected with the same key, and the outbox already has it.
    session.delete(session.get_one(models.Observation, alerts(session)[0].observation_id))
    session.flush()
    assert ledger.record_readings(session, row, [reading], alert=True, now=now) == []
    assert [a.key for a in alerts(session)] == [transition.key]
    # The database refuses a second row with that key even if code tried.
    session.add(models.Alert(key=transition.key, kind="status_change", authority=WREXHAM,
                             service=CHILDREN, payload={}, created_at=now))
    with pytest.raises(IntegrityError):
        session.flush()


# --- current status and history -----------------------------------------------------------


def test_current_status_picks_latest_by_effective_date(
    session, make_publication, make_reading, now
) -> None:
    """Insertion order does not matter: the statement with the latest date is current."""
    late = store(session, make_publication, now, REPORT, title="late")
    early = store(session, make_publication, now, OTHER, text="early", title="early")
    undated = store(session, make_publication, now, NEWS, text="undated", title="undated")
    ledger.record_readings(session, late, [make_reading("significant", date(2020, 8, 3))],
                         alert=False, now=now)
    ledger.record_readings(session, early, [make_reading("serious", date(2019, 5, 3))],
                         alert=False, now=now)
    ledger.record_readings(session, undated, [make_reading("serious", None)], alert=False, now=now)
    (current,) = repo.current_status(session)
    assert (current.value, current.effective_date, current.url, current.title) == (
        "significant", date(2020, 8, 3), REPORT, "late"
    )
    assert (current.kind, current.source, current.observed_at) == ("letter", "ciw_la_reports", now)


def test_current_status_same_date_latest_recorded_wins(
    session, make_publication, make_reading, now
) -> None:
    first = store(session, make_publication, now, REPORT)
    second = store(session, make_publication, now, OTHER, text="second")
    for row, level in ((first, "serious"), (second, "significant")):
        ledger.record_readings(session, row, [make_reading(level, date(2020, 8, 3))],
                             alert=False, now=now)
    assert [r.value for r in repo.current_status(session)] == ["significant"]


def test_current_status_per_authority_service_and_dimension(
    session, make_publication, make_reading, now
) -> None:
    row = store(session, make_publication, now)
    readings = [
        make_reading("significant", date(2020, 8, 3)),
        make_reading("inadequate", date(2020, 8, 3), dimension=JUDGEMENT),
        make_reading("serious", date(2020, 8, 3), service=ADULTS),
        make_reading("serious", date(2020, 8, 3), authority="Powys"),
    ]
    ledger.record_readings(session, row, readings, alert=False, now=now)
    wrexham = repo.current_status(session, WREXHAM)
    assert [(r.service, r.dimension, r.value) for r in wrexham] == [
        (ADULTS, "concern_level", "serious"),
        (CHILDREN, "concern_level", "significant"),
        (CHILDREN, JUDGEMENT, "inadequate"),
    ]
    assert len(repo.current_status(session)) == 4
    assert repo.current_status(session, "Cardiff") == []


def test_history_in_date_order(session, make_publication, make_reading, now) -> None:
    dated = [("significant", date(2020, 8, 3)), ("serious", date(2019, 5, 3)),
             ("serious", None), ("continuing", date(2021, 12, 16))]
    for n, (value, when) in enumerate(dated):
        row = store(session, make_publication, now, f"{OTHER}-{n}", text=str(n))
        ledger.record_readings(session, row, [make_reading(value, when)], alert=False, now=now)
    other = store(session, make_publication, now, NEWS, text="powys")
    powys = make_reading("serious", date(2018, 1, 1), authority="Powys")
    ledger.record_readings(session, other, [powys], alert=False, now=now)
    assert [(r.observation.value, r.date) for r in repo.history(session, WREXHAM)] == [
        ("serious", None),
        ("serious", date(2019, 5, 3)),
        ("significant", date(2020, 8, 3)),
        ("continuing", date(2021, 12, 16)),
    ]


# --- outbox -------------------------------------------------------------------------------

EMAIL = ("email", "team@example.org")
HOOK = ("webhook", "https://hooks.example.org/carewatch")


def make_alerts(session, make_publication, make_reading, now, n: int) -> list[models.Alert]:
    for i in range(n):
        row = store(session, make_publication, now + timedelta(minutes=i), f"{OTHER}-{i}",
                    text=str(i))
        level = "significant" if i % 2 == 0 else "serious"
        ledger.record_readings(session, row, [make_reading(level, date(2020, 1, 1) + timedelta(i))],
                             alert=True, now=now + timedelta(minutes=i))
    return alerts(session)


def test_pending_deliveries_until_a_successful_send(
    session, make_publication, make_reading, now
) -> None:
    first, second = make_alerts(session, make_publication, make_reading, now, 2)
    pending = repo.pending_deliveries(session, [EMAIL, HOOK])
    assert [(a.id, c, t) for a, c, t in pending] == [
        (first.id, *EMAIL), (first.id, *HOOK), (second.id, *EMAIL), (second.id, *HOOK)
    ]
    repo.record_delivery(session, first.id, *HOOK, ok=False, response_code=500,
                         error="server error", now=now)
    repo.record_delivery(session, first.id, *EMAIL, ok=True, response_code=None, error=None,
                         now=now)
    pending = repo.pending_deliveries(session, [EMAIL, HOOK])
    assert [(a.id, c) for a, c, _ in pending] == [
        (first.id, "webhook"), (second.id, "email"), (second.id, "webhook")
    ]
    # A target is its own queue: a new recipient list gets every alert.
    assert len(repo.pending_deliveries(session, [("email", "new@example.org")])) == 2
    assert repo.pending_deliveries(session, []) == []


def test_pending_deliveries_oldest_first_and_limited(
    session, make_publication, make_reading, now
) -> None:
    made = make_alerts(session, make_publication, make_reading, now, 5)
    pending = repo.pending_deliveries(session, [EMAIL, HOOK], limit=3)
    assert [(a.id, c) for a, c, _ in pending] == [
        (made[0].id, "email"), (made[0].id, "webhook"), (made[1].id, "email")
    ]


def test_record_delivery_fields(session, make_publication, make_reading, now) -> None:
    (alert,) = make_alerts(session, make_publication, make_reading, now, 1)
    delivery = repo.record_delivery(session, alert.id, *HOOK, ok=False, response_code=503,
                                    error="unavailable", now=now)
    assert (delivery.alert_id, delivery.channel, delivery.target) == (alert.id, *HOOK)
    assert (delivery.ok, delivery.response_code, delivery.error) == (False, 503, "unavailable")
    assert delivery.attempted_at == now


def test_list_alerts_newest_first_with_deliveries(
    session, make_publication, make_reading, now
) -> None:
    first, second, third = make_alerts(session, make_publication, make_reading, now, 3)
    repo.record_delivery(session, first.id, *EMAIL, ok=False, response_code=None,
                         error="refused", now=now)
    repo.record_delivery(session, first.id, *EMAIL, ok=True, response_code=None, error=None,
                         now=now + timedelta(minutes=5))
    session.expire_all()
    listed = repo.list_alerts(session, limit=2)
    assert [a.id for a in listed] == [third.id, second.id]
    everything = repo.list_alerts(session)
    assert [a.id for a in everything] == [third.id, second.id, first.id]
    attempts = [(d.ok, d.error) for d in everything[-1].deliveries]
    assert attempts == [(False, "refused"), (True, None)]


# --- source runs --------------------------------------------------------------------------


def test_source_runs(session, now) -> None:
    first = repo.start_run(session, "ciw_la_reports", now)
    repo.finish_run(session, first, ok=False, found=0, new=0, errors=["timeout", "500"],
                    now=now + timedelta(seconds=5))
    second = repo.start_run(session, "ciw_la_reports", now + timedelta(hours=1))
    repo.finish_run(session, second, ok=True, found=12, new=1, errors=(),
                    now=now + timedelta(hours=1, seconds=3))
    running = repo.start_run(session, "wrexham_news_rss", now + timedelta(hours=1))
    runs = repo.last_runs(session)
    assert [(r.id, r.source) for r in runs] == [
        (second, "ciw_la_reports"), (running, "wrexham_news_rss")
    ]
    ciw, news = runs
    assert (ciw.ok, ciw.found, ciw.new, ciw.errors) == (True, 12, 1, None)
    assert ciw.finished_at == now + timedelta(hours=1, seconds=3)
    assert (news.ok, news.finished_at) == (None, None)
    assert session.get_one(models.SourceRun, first).errors == "timeout\n500"


def test_finish_run_unknown_id(session, now) -> None:
    with pytest.raises(LookupError):
        repo.finish_run(session, 999, ok=True, found=0, new=0, errors=None, now=now)
