"""``carewatch demo``: the product's real job, offline, end to end, in well under a minute.

Starts the replay site as it stood on 1 July 2020, a local SMTP server and a local
webhook receiver; polls (the quiet baseline); publishes CIW's 3 Aug 2020 letter on the
replay timeline; polls again (one alert, by email and signed webhook); moves on to 5 Sep
2020, when the same letter has appeared again in Welsh, in a council committee paper and in
the press, and polls a third time (nothing: one event, counted once); then writes the status
page and Atom feeds (``carewatch report``) into the work directory.  Every step is
checked, and a failed check makes the command exit non-zero, so the demo doubles as a smoke
test of a fresh install.
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from replay.server import ReplayServer
from replay.sinks import SmtpSink, WebhookReceiver
from replay.timeline import STEPS
from storage.status import CHILDREN, SERIOUS_CONCERN, SIGNIFICANT_CONCERN

BEFORE = STEPS["before-2020-letter"]
AFTER = STEPS["after-2020-letter"]
RESTATED = STEPS["after-2020-committee-paper"]


@dataclass
class DemoOutcome:
    workdir: Path
    checks: list[tuple[str, bool]] = field(default_factory=list)
    seconds: float = 0.0
    report: Path | None = None  # the status page's index.html

    @property
    def ok(self) -> bool:
        return all(passed for _, passed in self.checks)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set env vars for the duration of the demo and put the old values back."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def demo_environment(workdir: Path, site: str, smtp: SmtpSink, hook: WebhookReceiver,
                     secret: str) -> dict[str, str]:
    """The configuration a user would set by hand, pointed at the local stand-ins."""
    return {
        "CAREWATCH_DATABASE_URL": f"sqlite:///{workdir / 'carewatch.db'}",
        "CAREWATCH_DATA_DIR": str(workdir),
        "CAREWATCH_REPLAY_URL": site,
        "CAREWATCH_HTTP_MIN_INTERVAL": "0",  # the replay site is local: no need to pace
        "CAREWATCH_SMTP_HOST": smtp.host,
        "CAREWATCH_SMTP_PORT": str(smtp.port),
        "CAREWATCH_SMTP_MODE": "plain",
        "CAREWATCH_SMTP_FROM": "carewatch@localhost",
        "CAREWATCH_SMTP_TO": "newsdesk@localhost",
        "CAREWATCH_WEBHOOK_URL": hook.url,
        "CAREWATCH_WEBHOOK_SECRET": secret,
    }


def _letter_places(workdir: Path) -> list[str]:
    """The sources the Aug 2020 letter's event was seen on (the status's own document)."""
    from flows.database import open_database
    from storage import events, repo
    from storage.status import CONCERN_LEVEL

    with open_database(f"sqlite:///{workdir / 'carewatch.db'}")() as session:
        rows = [r for r in repo.current_status(session, "Wrexham")
                if r.service == CHILDREN and r.dimension == CONCERN_LEVEL]
        if not rows:
            return []
        letter = repo.publication_by_url(session, rows[0].url)
        found = events.members(session, letter.event_id) if letter else []
        return [m.source for m in found]


def _write_report(workdir: Path) -> Path:
    """The status page and feeds for the demo's database, as ``carewatch report`` writes
    them (into ``<workdir>/report``); returns the page's path."""
    from flows.database import open_database
    from report.build import write_report
    from scrapers.registry import SOURCES

    sessions = open_database(f"sqlite:///{workdir / 'carewatch.db'}")
    return write_report(sessions, workdir / "report", authorities=["Wrexham"],
                        sources=SOURCES).index


def run_demo(show: Callable[[str, object], None], workdir: Path | None = None) -> DemoOutcome:
    """Run the three polls; ``show(step, payload)`` renders each step for the user."""
    from flows.database import close_databases
    from flows.poll import poll

    started = time.perf_counter()
    outcome = DemoOutcome(workdir=workdir or Path(tempfile.mkdtemp(prefix="carewatch-demo-")))
    outcome.workdir.mkdir(parents=True, exist_ok=True)
    secret = new_webhook_secret()

    def check(label: str, passed: bool) -> None:
        outcome.checks.append((label, passed))
        show("check", (label, passed))

    with (
        ReplayServer(as_of=BEFORE) as site,
        SmtpSink() as smtp,
        WebhookReceiver(secret) as hook,
        _environment(demo_environment(outcome.workdir, site.url, smtp, hook, secret)),
    ):
        show("start", {"site": site.url, "smtp": f"{smtp.host}:{smtp.port}",
                       "webhook": hook.url, "workdir": outcome.workdir, "as_of": BEFORE})

        first = poll()
        show("poll", ("Poll 1: baseline as of " + BEFORE.strftime("%-d %b %Y"), first))
        check("baseline poll sends no alert",
              not first.transitions and not smtp.messages and not hook.received)

        site.set_as_of(AFTER)
        show("publish", (AFTER, "the 3 Aug 2020 letter is published"))
        second = poll()
        show("poll", ("Poll 2: after CIW publishes the 3 Aug 2020 letter", second))
        show("email", list(smtp.messages))
        show("webhook", list(hook.received))
        check("exactly one alert", len(second.transitions) == 1)
        check("exactly one email delivered", len(smtp.messages) == 1)
        check("exactly one webhook delivered, signature verified",
              len(hook.received) == 1 and all(w.verified for w in hook.received))
        if second.transitions:
            change = second.transitions[0]
            check("children's services: serious -> significant",
                  (change.service, change.old, change.new)
                  == (CHILDREN, SERIOUS_CONCERN, SIGNIFICANT_CONCERN))

        site.set_as_of(RESTATED)
        show("publish", (RESTATED, "the letter is out in Welsh, in committee papers and the press"))
        third = poll()
        show("poll", ("Poll 3: the same letter again — its Welsh twin, the committee paper "
                      "that attaches it, council news and press", third))
        check("third poll sends nothing",
              not third.transitions and len(smtp.messages) == 1 and len(hook.received) == 1)
        places = _letter_places(outcome.workdir)
        show("event", places)
        check("the letter is one event, seen in several places",
              {"ciw_la_reports", "ciw_welsh", "wrexham_moderngov"} <= set(places))
        show("status", outcome.workdir)
        outcome.report = _write_report(outcome.workdir)
        show("report", outcome.report)
        page = outcome.report.read_text(encoding="utf-8") if outcome.report.exists() else ""
        check("status page written, showing the escalation",
              "Significant concern" in page and "status.atom" in page)
    close_databases()
    outcome.seconds = time.perf_counter() - started
    return outcome
