"""Two polls at the same time (issue 6): no duplicate observation, no duplicate alert, one
send per change, and neither run crashes, because of unique constraints, row locks and
transactions retried after losing a race, not luck.

The end-to-end test starts two real ``poll`` runs in two OS processes
(``tests/flows/killpoints/runner.py``: the flow ``carewatch run`` calls, configured by the
environment as a user would) against one database, a SQLite file and PostgreSQL, and
releases them at the same moment.  Each round does it twice: on an empty database (both
migrate it, both take the quiet baseline as of 1 July 2020, and every publication of every
source is stored by both at once), then after CIW publishes its letter of 3 August 2020
(children's services serious -> significant).  Timing decides which run records the change,
so three rounds are run; a forced interleaving (below) shows that timing is not what keeps
the second run from recording it again.  In rounds 0 and 2 the polls leave delivery to two
``deliver`` runs started together against a slow receiver: each send is claimed by one.

The forced-interleaving test takes the timing out: run B looks the letter up (not stored),
then run A stores it and commits, then B inserts it.  The unique constraint refuses B's
row, B's transaction is run again, and B finds the letter stored.

Marked ``slow`` (two subprocess polls per step; about 20 s per round).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.config import Settings
from flows.database import close_databases
from flows.deliver import deliver
from flows.demo import AFTER, BEFORE, demo_environment, new_webhook_secret
from flows.poll import crawl_source, poll, store_and_detect
from replay.server import ReplayServer
from replay.sinks import SmtpSink, WebhookReceiver
from scrapers.registry import get_source
from storage import repo
from storage.notices import ALERT_STATUS_CHANGE
from tests.flows.killpoints.children import (
    BACKENDS,
    fresh_database,
    significant_observations,
    stored,
    together,
)
from tests.flows.killpoints.children import child_env as make_child_env

ROUNDS = 3
CIW = "ciw_la_reports"


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_two_polls_at_once_record_and_send_each_change_once(backend: str, tmp_path: Path):
    outcomes = []
    for n in range(ROUNDS):
        workdir = tmp_path / f"round{n}"
        secret = new_webhook_secret()
        with (
            fresh_database(backend, workdir / "db") as url,
            ReplayServer(as_of=BEFORE) as site,
            SmtpSink() as smtp,
            WebhookReceiver(secret) as hook,
        ):
            env = make_child_env({**demo_environment(workdir, site.url, smtp, hook, secret),
                                  "CAREWATCH_DATABASE_URL": url}, workdir / "prefect")

            # An empty database: both migrate it and both store every publication at once.
            baselines = [c.summary() for c in _finished(together(env, workdir / "baseline",
                                                                 "--poll"))]
            for summary in baselines:
                poll_ = summary["poll"]
                assert poll_["ok"] and not poll_["transitions"], poll_
                # A run kept waiting (SQLite: for the write lock) until the other had
                # finished the baseline is simply the next poll: it finds nothing new.
                assert poll_["baseline"] or _new(poll_) == 0, poll_
            assert any(summary["poll"]["baseline"] for summary in baselines)
            before = stored(url)
            assert before.duplicate_urls == 0 and before.duplicate_observations == 0
            assert before.alerts == [] and not smtp.messages and not hook.received

            # The letter is published: both polls see it new at the same moment.
            site.set_as_of(AFTER)
            letters = [c.summary() for c in _finished(together(
                env, workdir / "letter", "--poll", *([] if n % 2 else ["--no-deliver"])))]
            polls = [summary["poll"] for summary in letters]
            if n % 2 == 0:
                # Two delivery runs at once, each send held up by the receiver: both want
                # the same two sends; each is claimed by one of them.
                hook.delay = 0.5
                deliveries = [c.summary()["deliver"] for c in _finished(together(
                    env, workdir / "deliver", "--deliver-later", "0"))]
                assert sorted(s for d in deliveries for s in map(tuple, d["sent"])) == sorted(
                    [(key, channel) for key in polls[0]["transitions"] + polls[1]["transitions"]
                     for channel in ("email", "webhook")])
            after, significant = stored(url), significant_observations(url)

        for poll_ in polls:
            assert poll_["ok"], poll_  # no source failed: a lost race is retried, not an error
        recorded = [key for poll_ in polls for key in poll_["transitions"]]
        [change] = [key for kind, key in after.alerts if kind == ALERT_STATUS_CHANGE]
        assert recorded == [change]  # one run recorded the change; the other, nothing new
        assert after.alerts == [(ALERT_STATUS_CHANGE, change)]
        assert after.duplicate_urls == 0 and after.duplicate_observations == 0
        assert significant == 1  # the letter's event counted once
        assert [(h.id, h.verified) for h in hook.received] == [(change, True)]
        assert [m["X-Carewatch-Key"] for m in smtp.messages] == [change]
        assert sorted((channel, state, attempts) for _, channel, state, attempts
                      in after.states) == [("email", "delivered", 1),
                                           ("webhook", "delivered", 1)]
        outcomes.append(
            f"round {n}: baseline runs stored {[_new(b['poll']) for b in baselines]} new "
            f"(quiet: {[b['poll']['baseline'] for b in baselines]}, transactions retried "
            f"{[b['retried_transactions'] for b in baselines]}); letter runs stored "
            f"{[_new(p) for p in polls]} new, retried "
            f"{[c['retried_transactions'] for c in letters]}, change recorded by run "
            f"{[i for i, p in enumerate(polls) if p['transitions']]}; "
            f"{after.publications} publications, 1 alert, 1 email, 1 webhook")
    print(f"\n{backend}:\n  " + "\n  ".join(outcomes))


def _new(poll_) -> int:
    return sum(source["new"] for source in poll_["sources"])


def _finished(children):
    for child in children:
        code = child.wait()
        assert code == 0, f"a poll crashed (exit {code})\n{child.output()}"
    return children


# --- the interleaving, forced ----------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def database_url(request, pipeline, tmp_path, monkeypatch):
    """The pipeline's environment on each backend."""
    with fresh_database(request.param, tmp_path / "db") as url:
        monkeypatch.setenv("CAREWATCH_DATABASE_URL", url)
        yield url
        close_databases()  # before the schema is dropped


def test_a_letter_stored_by_another_run_between_check_and_insert_is_not_stored_twice(
        pipeline, database_url, monkeypatch, caplog):
    pipeline.site.set_as_of(BEFORE)
    assert poll(sources=[CIW], deliver_alerts=False).baseline
    pipeline.site.set_as_of(AFTER)
    settings, source = Settings.from_env(), get_source(CIW)
    # Both runs crawl before either stores: both find the letter new.
    crawled_a = crawl_source.fn(source, settings)
    crawled_b = crawl_source.fn(source, settings)
    assert crawled_a.result.publications and crawled_b.result.publications

    real_match = repo._match_publication
    a_stored: list = []
    turn = ["B"]

    def b_checks_then_a_stores(session, pub):
        found = real_match(session, pub)
        if turn == ["B"]:  # B has looked its first publication up, not found it: A's turn
            assert found is None
            turn[0] = "A"
            a_stored.append(store_and_detect.fn(source, crawled_a.result, settings,
                                                quiet=False, now=datetime.now(UTC)))
        return found

    monkeypatch.setattr(repo, "_match_publication", b_checks_then_a_stores)
    with caplog.at_level(logging.INFO, logger="storage.db"):
        b_report, b_transitions = store_and_detect.fn(source, crawled_b.result, settings,
                                                      quiet=False, now=datetime.now(UTC))
    monkeypatch.setattr(repo, "_match_publication", real_match)

    [(a_report, a_transitions)] = a_stored
    assert [(t.old, t.new) for t in a_transitions] == [("serious", "significant")]
    assert a_report.new > 0
    # B's first attempt hit the unique constraint; run again, it found everything stored.
    assert any("lost a race" in r.getMessage() for r in caplog.records)
    assert (b_report.new, b_report.changed, b_report.errors, b_transitions) == (0, 0, [], [])

    after = stored(database_url)
    assert after.alerts == [(ALERT_STATUS_CHANGE, a_transitions[0].key)]
    assert after.duplicate_urls == 0 and after.duplicate_observations == 0
    assert significant_observations(database_url) == 1
    assert sorted(deliver().sent) == [(a_transitions[0].key, "email"),
                                      (a_transitions[0].key, "webhook")]
    assert [h.id for h in pipeline.hook.received] == [a_transitions[0].key]

