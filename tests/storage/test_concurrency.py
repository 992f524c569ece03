"""Concurrent writers (issue 6), with the interleaving forced rather than hoped for: two
transactions with their own connections, on a SQLite file and on PostgreSQL.

- Two pages of one letter (the CIW page and its Welsh twin) stored by two polls at once:
  each would read the recorded status "serious" and alert "serious -> significant", each
  under its own key (it cites its own page), so no unique constraint can stop the second.
  ``repo.lock_status`` makes the second wait until the first commits, and then read the
  status the first recorded: one alert.  (SQLite admits one writer at a time anyway;
  PostgreSQL needs the lock.)
- The quiet baseline (``repo.start_baseline``): a poll alongside the first one, or after
  the first was killed half way, is quiet too; the first completed poll ends it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from scrapers.base import Publication
from storage import ledger, models, repo
from storage.db import make_session_factory, run_transaction
from storage.notices import ALERT_STATUS_CHANGE
from storage.status import SERIOUS_CONCERN, SIGNIFICANT_CONCERN, Reading

ENGLISH = "https://careinspectorate.wales/wrexham-annual-letter-2019-20"
WELSH = "https://arolygiaethgofal.cymru/llythyr-blynyddol-wrecsam-2019-20"
EARLIER = "https://careinspectorate.wales/wrexham-annual-letter-2018-19"
BLOCKED = 1.0  # seconds: far more than an unblocked record_readings takes


@pytest.fixture
def sessions(engine: Engine):
    if engine.url.database in (None, "", ":memory:"):
        pytest.skip("in-memory SQLite is one shared connection: nothing runs concurrently")
    return make_session_factory(engine)


def _store(session, pub: Publication, reading: Reading, now) -> list:
    row, _ = repo.upsert_publication(session, pub, authoritative=True, now=now)
    return ledger.record_readings(session, row, [reading], alert=True, now=now)


def _status_alerts(sessions) -> int:
    with sessions() as session:
        a = models.Alert
        return session.scalar(select(func.count()).select_from(a)
                              .where(a.kind == ALERT_STATUS_CHANGE)) or 0


def test_two_pages_of_one_letter_recorded_at_once_alert_once(
        sessions, make_publication: Callable[..., Publication],
        make_reading: Callable[..., Reading], now) -> None:
    with sessions.begin() as session:
        _store(session, make_publication(EARLIER, letter_date=date(2019, 7, 10)),
               make_reading(SERIOUS_CONCERN, date(2019, 7, 10)), now)
    escalation = make_reading(SIGNIFICANT_CONCERN, date(2020, 8, 3))

    welsh = sessions()
    welsh.begin()
    welsh_notices = _store(welsh, make_publication(WELSH, source="ciw_welsh"), escalation, now)
    english_notices: list = []

    def english() -> None:
        with sessions.begin() as session:
            english_notices.extend(_store(session, make_publication(ENGLISH), escalation, now))

    thread = threading.Thread(target=english)
    thread.start()
    thread.join(timeout=BLOCKED)
    waited = thread.is_alive()  # the English page's transaction waits for the Welsh one
    welsh.commit()
    welsh.close()
    thread.join(timeout=60)

    assert waited
    assert [(n.old, n.new, n.url) for n in welsh_notices] == [
        (SERIOUS_CONCERN, SIGNIFICANT_CONCERN, WELSH)]
    assert english_notices == []  # it read "significant", recorded by the Welsh page
    assert _status_alerts(sessions) == 2  # 2019's "serious" and this change, once


def test_a_poll_alongside_or_after_an_unfinished_baseline_is_quiet(
        engine: Engine, make_publication: Callable[..., Publication], now) -> None:
    sessions = make_session_factory(engine)

    def start() -> bool:
        return run_transaction(sessions, lambda session: repo.start_baseline(session, now))

    assert start()  # an empty database: the first poll is the baseline
    with sessions.begin() as session:
        repo.upsert_publication(session, make_publication(), authoritative=True, now=now)
    # The first poll is still storing, or was killed here: the next poll is quiet too.
    assert start()
    with sessions() as session:
        assert repo.in_baseline(session)
    run_transaction(sessions, lambda session: repo.finish_baseline(session, now))
    assert not start()
    with sessions() as session:
        assert not repo.in_baseline(session)


def test_a_completed_poll_that_stored_nothing_leaves_the_baseline_open(engine: Engine,
                                                                        now) -> None:
    """Every source failed on the first run: the next run is still the quiet baseline."""
    sessions = make_session_factory(engine)
    assert run_transaction(sessions, lambda session: repo.start_baseline(session, now))
    run_transaction(sessions, lambda session: repo.finish_baseline(session, now))
    with sessions() as session:
        assert repo.in_baseline(session)


def test_two_first_polls_at_once_are_both_the_baseline(sessions, now) -> None:
    start = threading.Barrier(2)
    quiet: list[bool] = []

    def poll() -> None:
        start.wait()
        quiet.append(run_transaction(sessions, lambda s: repo.start_baseline(s, now)))

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert quiet == [True, True]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(models.Baseline)) == 1

