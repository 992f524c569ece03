"""Run the real ``poll`` flow (and/or ``deliver``) in this process, as ``carewatch run``
does, configured by the environment; optionally SIGKILL this process at a named point.

    python -m tests.flows.killpoints.runner --poll [--no-deliver] [--deliver-later SECONDS]
        [--kill POINT] [--ready FILE --go FILE] [--started FILE] [--report FILE]

``--ready``/``--go``: once the flow has started, touch ``ready`` and wait for ``go`` to
appear before the first database access, so a test can release two runs at the same
moment.  ``--started``: touched just before the flow starts (a test times random kills
from it).  ``--deliver-later``: run the ``deliver`` flow as if it were that many seconds
later (a claim left by a killed run has lapsed by then).  ``--report``: a JSON summary of
what each flow returned.

A kill point (``KILL_POINTS``) is a place where a real crash could happen; it is reached
by wrapping the product's functions here, in the child only (the product has no test hooks):
a wrapper *arms* the point when the function named is called, and the kill happens then or
at the next commit, before or after it reaches the database.  A run whose point was never
reached exits with ``NOT_REACHED``, so a test cannot pass on a kill that did not happen.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NOT_REACHED = 3

#: name -> where the process dies.  The delivery points follow the send order: the status
#: alert to email first, then to the webhook (``alerts.channels.channels_from_env``).
KILL_POINTS = {
    "store-before-commit": "the letter's observation and alert are written, not committed",
    "store-after-commit": "the letter's store transaction has just committed",
    "run-recorded": "CIW's store committed; its source_runs row is written, not committed",
    "validators-saved": "CIW's listing validators have just been committed",
    "health-saved": "CIW's health state has just been committed",
    "poll-done": "every source is stored; delivery has not looked at the outbox yet",
    "claim-committed": "the first send (email) is claimed and committed, nothing sent",
    "email-accepted": "the SMTP server accepted the email; the attempt is not recorded",
    "email-attempt-before-commit": "the email attempt is written, not committed",
    "email-attempt-after-commit": "the email attempt is committed; the webhook not claimed",
    "webhook-claim-committed": "email delivered; the webhook send is claimed, nothing sent",
    "webhook-answered": "the receiver answered 204; the webhook attempt is not recorded",
    "webhook-attempt-before-commit": "the webhook attempt is written, not committed",
    "webhook-attempt-after-commit": "everything is recorded; the flow has not returned",
}


def _die() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class _Points:
    """Wrap product functions so that the chosen point kills this process."""

    def __init__(self, point: str) -> None:
        if point not in KILL_POINTS:
            raise SystemExit(f"unknown kill point {point!r}; one of {sorted(KILL_POINTS)}")
        self.point = point
        self.armed: str | None = None  # "before" or "after": die at that side of a commit
        self.calls: dict[str, int] = {}

    def wrap(self, module: Any, name: str,
             after: Callable[[Any, tuple[Any, ...]], None]) -> None:
        real = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            self.calls[name] = self.calls.get(name, 0) + 1
            after(result, args)
            return result

        setattr(module, name, wrapper)

    def arm(self, side: str) -> Callable[[Any, tuple[Any, ...]], None]:
        def on_call(_result: Any, _args: tuple[Any, ...]) -> None:
            if self.armed is None:
                self.armed = side
        return on_call

    def install(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        import flows.deliver
        from storage import http_cache, outbox, repo

        p = self.point
        if p in ("store-before-commit", "store-after-commit"):
            self.wrap(repo, "enqueue", self.arm(p.split("-")[1]))
        elif p == "run-recorded":
            self.wrap(repo, "finish_run", self.arm("before"))
        elif p == "validators-saved":
            self.wrap(http_cache, "save", self.arm("after"))
        elif p == "health-saved":
            self.wrap(repo, "save_health", self.arm("after"))
        elif p == "poll-done":
            self.wrap(outbox, "due", lambda _r, _a: _die())
        elif p in ("claim-committed", "webhook-claim-committed"):
            nth = 1 if p == "claim-committed" else 2

            def on_claim(taken: Any, _args: tuple[Any, ...]) -> None:
                if taken and self.calls["claim"] == nth:
                    self.armed = "after"
            self.wrap(outbox, "claim", on_claim)
        elif p in ("email-accepted", "webhook-answered"):
            channel = p.split("-")[0]

            def on_send(result: Any, args: tuple[Any, ...]) -> None:
                if args[0].name == channel and result.ok:
                    _die()
            self.wrap(flows.deliver, "send_now", on_send)
        elif p in ("email-attempt-before-commit", "email-attempt-after-commit",
                   "webhook-attempt-before-commit", "webhook-attempt-after-commit"):
            channel, side = p.split("-")[0], p.split("-")[2]

            def on_record(_result: Any, args: tuple[Any, ...]) -> None:
                if args[2] == channel and self.armed is None:
                    self.armed = side
            self.wrap(outbox, "record_attempt", on_record)

        def before(_session: Any) -> None:
            if self.armed == "before":
                _die()

        def after(_session: Any) -> None:
            if self.armed == "after":
                _die()

        event.listen(Session, "before_commit", before)
        event.listen(Session, "after_commit", after)


def _poll_summary(report: Any) -> dict[str, Any]:
    return {
        "baseline": report.baseline,
        "ok": report.ok,
        "sources": [{"source": s.source, "ok": s.ok, "new": s.new, "errors": s.errors}
                    for s in report.sources],
        "transitions": [t.key for t in report.transitions],
        "delivery": _delivery_summary(report.delivery) if report.delivery else None,
    }


def _delivery_summary(report: Any) -> dict[str, Any]:
    return {"sent": report.sent, "failed": report.failed}


class _RaceCounter(logging.Handler):
    """Counts transactions run again after losing a race (``storage.db.run_transaction``):
    how often the two runs of a concurrency test really collided."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "lost a race" in record.getMessage():
            self.count += 1


def _wait_for(path: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {path}")
        time.sleep(0.001)


def _start_line(ready: Path, go: Path | None) -> None:
    """Hold the poll at its first database access, inside the flow, until ``go`` appears:
    Prefect's start-up (a flow run registered with the API) takes each process a different
    time, so releasing them before ``poll()`` would stagger their real work."""
    import flows.deliver
    import flows.poll

    real = flows.poll.open_database
    waited: list[bool] = []

    def open_database(url: str) -> Any:
        if not waited:
            waited.append(True)
            ready.touch()
            if go is not None:
                _wait_for(go)
        return real(url)

    flows.poll.open_database = open_database  # type: ignore[assignment]
    flows.deliver.open_database = open_database  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="runner")
    parser.add_argument("--poll", action="store_true")
    parser.add_argument("--no-deliver", action="store_true",
                        help="poll without delivering at the end")
    parser.add_argument("--deliver-later", type=float)
    parser.add_argument("--kill", choices=sorted(KILL_POINTS))
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--go", type=Path)
    parser.add_argument("--started", type=Path)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args(argv)

    from flows.deliver import deliver
    from flows.poll import poll

    if args.kill:
        _Points(args.kill).install()
    if args.ready:
        _start_line(args.ready, args.go)
    if args.started:
        args.started.touch()
    races = _RaceCounter()
    database_log = logging.getLogger("storage.db")
    database_log.addHandler(races)
    database_log.setLevel(logging.INFO)
    summary: dict[str, Any] = {"started": time.time()}
    if args.poll:
        summary["poll"] = _poll_summary(poll(deliver_alerts=not args.no_deliver))
    if args.deliver_later is not None:
        later = datetime.now(UTC) + timedelta(seconds=args.deliver_later)
        summary["deliver"] = _delivery_summary(deliver(now=later))
    summary["finished"] = time.time()
    summary["retried_transactions"] = races.count
    if args.report:
        args.report.write_text(json.dumps(summary, default=str))
    return NOT_REACHED if args.kill else 0


if __name__ == "__main__":
    sys.exit(main())
