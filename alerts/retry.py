"""When to try a failed delivery again, and when to give up.  Pure: no clock, no I/O.

The schedule is the one the Standard Webhooks spec recommends (and Svix, Resend and others
use): after the first attempt, which is immediate, retry after 5 seconds, 5 minutes,
30 minutes, 2 hours, 5 hours, 10 hours and 10 hours, each delay counted from the failure
before it, so an alert that fails throughout is given up about 27.5 hours after it was
first tried.  Each delay is spread by ±20% (``jitter``) so that alerts which failed
together, when a receiver went down, do not all come back at the same second.

A receiver may ask to be left alone for longer with ``Retry-After`` (seconds or an HTTP
date): the next attempt then waits at least that long, capped at ``max_retry_after`` (the
schedule's longest step) so a receiver cannot stall an alert for days.  It can never make
carewatch retry sooner than the schedule.

``CAREWATCH_DELIVERY_MAX_ATTEMPTS`` (default 8, the spec's schedule) sets how many attempts
are made per alert and target before it is dead-lettered; beyond eight, every further
attempt waits the last step (10 hours).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

# Delay before attempt n+1 (index n): attempt 1 is immediate.
SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
DEFAULT_MAX_ATTEMPTS = len(SCHEDULE)
JITTER = 0.2
MAX_RETRY_AFTER = max(SCHEDULE)


class Uniform(Protocol):
    """What the jitter needs from a random source (``random.Random`` has it)."""

    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    jitter: float = JITTER
    max_retry_after: timedelta = MAX_RETRY_AFTER

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RetryPolicy:
        raw = environ.get("CAREWATCH_DELIVERY_MAX_ATTEMPTS", "").strip()
        if not raw:
            return cls()
        try:
            attempts = int(raw)
        except ValueError:
            attempts = 0
        if attempts < 1:
            raise ValueError(
                f"CAREWATCH_DELIVERY_MAX_ATTEMPTS must be a whole number of at least 1, got "
                f"{raw!r} (the default, {DEFAULT_MAX_ATTEMPTS}, retries for about 27 hours)"
            )
        return cls(max_attempts=attempts)

    def delay_after(
        self, attempts: int, rng: Uniform, *, retry_after: timedelta | None = None
    ) -> timedelta | None:
        """How long to wait after the ``attempts``-th attempt failed; None when that was the
        last one (the alert is dead-lettered for that target)."""
        if attempts >= self.max_attempts:
            return None
        step = SCHEDULE[min(max(attempts, 0), len(SCHEDULE) - 1)]
        delay = step * rng.uniform(1 - self.jitter, 1 + self.jitter)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay

    def describe(self) -> str:
        """The schedule in words, for help texts and the listing."""
        steps = [_words(SCHEDULE[min(n, len(SCHEDULE) - 1)])
                 for n in range(1, self.max_attempts)]
        return f"{self.max_attempts} attempts: at once" + "".join(
            f", then {step}" for step in steps)


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A ``Retry-After`` header (delta-seconds or an HTTP date) as a delay from ``now``;
    None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - now)


def _words(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    for unit, size in (("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
