"""A run killed with SIGKILL at any point, then run again, delivers every alert exactly once
(issue 6): one webhook-id per change at the receiver (a retry of the same id is allowed and
counted), each change by email at least once, no duplicate observation or alert, nothing
left undelivered.

Each case starts from one database (the quiet baseline of 1 July 2020, made once and
copied), with the replay site on 5 August 2020, when CIW's letter of 3 August escalates
Wrexham's children's services from serious to significant concern.  A child process
(``tests/flows/killpoints/runner.py``) runs the real ``poll`` flow, which stores the letter,
enqueues its alert and delivers it by email and signed webhook, and kills itself with SIGKILL
at one of ``KILL_POINTS`` (the product is wrapped in the child only; it has no test hooks);
a few more cases are killed from outside at a random moment (seeded).  Then the run is done
again as an operator or the schedule would: ``poll``, then ``deliver`` once a claim the dead
run left has lapsed (``storage.outbox.CLAIM``; the ``deliver`` deployment runs every five
minutes).

A send the receiver took is repeated when the run dies before the attempt is committed:
the webhook under the same webhook-id (a Standard Webhooks receiver drops it), the email
as a second copy with the same Message-ID (email has no idempotency key; mail clients
usually fold the two).  That window is asserted, not hidden: exactly the cases killed inside
it (``REPEATS``) repeat a send, and they do repeat it.

Marked ``slow``: two child runs per case, about 15 s each; ``pytest -s`` prints a table.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.demo import AFTER, BEFORE, demo_environment, new_webhook_secret
from replay.server import ReplayServer
from replay.sinks import SmtpSink, WebhookReceiver
from storage.notices import ALERT_STATUS_CHANGE
from storage.outbox import CLAIM
from tests.flows.killpoints.children import (
    child_env,
    run,
    significant_observations,
    start,
    stored,
)
from tests.flows.killpoints.runner import KILL_POINTS, NOT_REACHED

pytestmark = pytest.mark.slow

# Run again as if this much later: past the claim a killed run may have left.
LATER = str(int(CLAIM.total_seconds()) + 60)
RANDOM_SEEDS = (1, 2, 3, 4)
# The at-least-once windows: a send the receiver took that was never recorded is repeated.
REPEATS = {
    "email-accepted": ("email", 1),
    "email-attempt-before-commit": ("email", 1),
    "webhook-answered": ("webhook", 1),
    "webhook-attempt-before-commit": ("webhook", 1),
}
TABLE: list[str] = []


@dataclass
class Template:
    """The baseline database to copy, and what one unkilled run after it does."""

    database: Path
    site: ReplayServer
    reference: Path  # the database after an unkilled run (the expected outcome)
    reference_alerts: list[tuple[str, str]]
    seconds: float  # how long the unkilled run's flow took


def _copy_database(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def _env(workdir: Path, database: Path, site: ReplayServer, smtp: SmtpSink,
         hook: WebhookReceiver, secret: str) -> dict[str, str]:
    return child_env({**demo_environment(workdir, site.url, smtp, hook, secret),
                      "CAREWATCH_DATABASE_URL": f"sqlite:///{database}"}, workdir / "prefect")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    root = tmp_path_factory.mktemp("kill-template")
    database = root / "baseline" / "carewatch.db"
    secret = new_webhook_secret()
    with ReplayServer(as_of=BEFORE) as site, SmtpSink() as smtp, WebhookReceiver(secret) as hook:
        baseline = run(_env(root / "baseline", database, site, smtp, hook, secret),
                       root / "baseline", "baseline", "--poll")
        assert baseline["poll"]["baseline"] and baseline["poll"]["ok"], baseline
        site.set_as_of(AFTER)
        reference = root / "reference" / "carewatch.db"
        _copy_database(database, reference)
        summary = run(_env(root / "reference", reference, site, smtp, hook, secret),
                      root / "reference", "reference", "--poll")
        alerts = stored(f"sqlite:///{reference}").alerts
        [(kind, key)] = alerts
        assert kind == ALERT_STATUS_CHANGE and summary["poll"]["transitions"] == [key]
        assert [h.id for h in hook.received] == [key] and len(smtp.messages) == 1
        yield Template(database, site, reference, alerts,
                       summary["finished"] - summary["started"])
    print("\n" + "\n".join(TABLE))


@dataclass
class Outcome:
    killed: str  # how the first run ended
    alerts_after_kill: int
    sent_before_rerun: tuple[int, int]  # (emails, webhooks) the receivers had at the kill
    webhooks: list[str]  # webhook-id of every request the receiver verified
    emails: list[tuple[str, str]]  # (X-Carewatch-Key, Message-ID) of every email


def _kill_then_rerun(template: Template, workdir: Path, *args: str,
                     kill_after: float | None = None) -> Outcome:
    """Run a poll that dies (by ``--kill`` or SIGKILL after ``kill_after`` seconds), then
    poll and deliver again; what the receivers got over both."""
    database = workdir / "carewatch.db"
    _copy_database(template.database, database)
    url = f"sqlite:///{database}"
    secret = new_webhook_secret()
    with SmtpSink() as smtp, WebhookReceiver(secret) as hook:
        env = _env(workdir, database, template.site, smtp, hook, secret)
        started = workdir / "started"
        child = start(env, workdir, "killed", "--poll", "--started", str(started), *args)
        if kill_after is not None:
            deadline = time.monotonic() + 120
            while not started.exists() and child.process.poll() is None:
                assert time.monotonic() < deadline, child.output()
                time.sleep(0.01)
            time.sleep(kill_after)
            if child.process.poll() is None:
                os.kill(child.process.pid, signal.SIGKILL)
        code = child.wait()
        assert code != NOT_REACHED, f"the kill point was never reached\n{child.output()}"
        if kill_after is None:
            assert code == -signal.SIGKILL, f"exit {code}\n{child.output()}"
        killed = "killed" if code == -signal.SIGKILL else f"finished (exit {code})"
        alerts_after_kill = len(stored(url).alerts)
        sent_before_rerun = (len(smtp.messages), len(hook.received))

        again = run(env, workdir, "rerun", "--poll", "--deliver-later", LATER)
        assert again["poll"]["ok"], again
        assert not again["poll"]["baseline"]
        outcome = Outcome(
            killed, alerts_after_kill, sent_before_rerun,
            [h.id for h in hook.received if h.verified],
            [(m["X-Carewatch-Key"], m["Message-ID"]) for m in smtp.messages])
        assert all(h.verified for h in hook.received)

    # No duplicate in the database, nothing missing, nothing undelivered.
    after = stored(url)
    assert after.alerts == template.reference_alerts
    assert after.duplicate_urls == 0 and after.duplicate_observations == 0
    assert after.publications == stored(f"sqlite:///{template.reference}").publications
    assert significant_observations(url) == 1
    assert sorted((channel, state) for _, channel, state, _ in after.states) == [
        ("email", "delivered"), ("webhook", "delivered")]
    return outcome


def _check_sends(template: Template, outcome: Outcome, repeats: dict[str, int]) -> str:
    """Every change reached the webhook under one id and arrived by email; repeats only
    where ``repeats`` allows them.  A line for the table."""
    [(_, key)] = template.reference_alerts
    assert set(outcome.webhooks) == {key}  # one webhook-id per change, never a second
    assert {k for k, _ in outcome.emails} == {key}  # each change by email at least once
    assert len({message_id for _, message_id in outcome.emails}) == 1  # one Message-ID
    same_id, email_repeats = len(outcome.webhooks) - 1, len(outcome.emails) - 1
    assert same_id <= repeats.get("webhook", 0)
    assert email_repeats <= repeats.get("email", 0)
    return (f"delivered 1 change; webhook requests {len(outcome.webhooks)} "
            f"(same-id retries {same_id}); emails {len(outcome.emails)} "
            f"(duplicates {email_repeats}); at the kill: {outcome.alerts_after_kill} alert "
            f"stored, {outcome.sent_before_rerun[0]} email and {outcome.sent_before_rerun[1]} "
            f"webhook received")


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_killed_at_a_point_then_rerun_delivers_each_change_once(template, point, tmp_path):
    began = time.monotonic()
    outcome = _kill_then_rerun(template, tmp_path, "--kill", point)
    repeats = dict([REPEATS[point]]) if point in REPEATS else {}
    line = _check_sends(template, outcome, repeats)
    if point in REPEATS:  # the window is real: the repeat does happen
        channel, count = REPEATS[point]
        sent = outcome.webhooks if channel == "webhook" else outcome.emails
        assert len(sent) == 1 + count
    TABLE.append(f"{point:30} {line} [{time.monotonic() - began:.0f}s]")


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
def test_killed_at_a_random_moment_then_rerun_delivers_each_change_once(template, seed,
                                                                        tmp_path):
    """Killed from outside at a random moment of the run: seed N picks it in the N-th
    equal slice of the unkilled run's duration, so the few cases spread over the run."""
    began = time.monotonic()
    slices = len(RANDOM_SEEDS)
    delay = template.seconds * (seed - 1 + random.Random(seed).random()) / slices
    outcome = _kill_then_rerun(template, tmp_path, kill_after=delay)
    # A random moment may fall in either at-least-once window, never in both.
    line = _check_sends(template, outcome, {"email": 1, "webhook": 1})
    assert len(outcome.webhooks) + len(outcome.emails) <= 3
    TABLE.append(f"random seed {seed} at {delay:4.1f}s ({outcome.killed}): {line} "
                 f"[{time.monotonic() - began:.0f}s]")


def test_a_baseline_killed_half_way_is_finished_quietly(tmp_path):
    """The first poll dies after storing CIW: the next poll is still the quiet baseline (it
    must not alert on the history in the sources the first never reached), and the letter
    published afterwards alerts once."""
    database = tmp_path / "carewatch.db"
    url = f"sqlite:///{database}"
    secret = new_webhook_secret()
    with ReplayServer(as_of=BEFORE) as site, SmtpSink() as smtp, WebhookReceiver(secret) as hook:
        env = _env(tmp_path, database, site, smtp, hook, secret)
        child = start(env, tmp_path, "killed", "--poll", "--kill", "validators-saved")
        assert child.wait() == -signal.SIGKILL, child.output()
        half = stored(url)
        assert half.publications > 0 and half.runs == 1  # CIW stored, nothing after it

        again = run(env, tmp_path, "rerun", "--poll")
        assert again["poll"]["baseline"] and not again["poll"]["transitions"], again
        assert stored(url).publications > half.publications
        assert not smtp.messages and not hook.received

        site.set_as_of(AFTER)
        letter = run(env, tmp_path, "letter", "--poll")
        assert not letter["poll"]["baseline"] and len(letter["poll"]["transitions"]) == 1
        [key] = letter["poll"]["transitions"]
        assert [h.id for h in hook.received] == [key]
        assert [m["X-Carewatch-Key"] for m in smtp.messages] == [key]
