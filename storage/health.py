"""Source health: is each source still doing its job?  Pure rules, no clock, no I/O.

A source is ``healthy`` or in one problem state, worked out from its recent runs
(``source_runs``), the time of its last new item and its expected publication cadence (the
source's ``cadence`` in ``scrapers/sources.toml``):

- ``empty_listing`` — the listing's selector suddenly finds nothing: (threshold 1, i.e. at
  once) a failed run whose error is a scraper's ``ParseError`` saying a selector found nothing
  ("no listing rows ... (selectors: ...)"), or a successful run whose listing found 0 items
  after runs that found some.  A redesign never fixes itself, so waiting for N runs would
  only delay the news.  It wins over ``failing``: it names the cause.  A run whose listing was
  unchanged (a 304 or the same body: nothing was read) is recorded with ``found`` unknown
  (None) and counts neither as finding some nor as finding none.  The second form is not
  applied to feeds (``feed=True``): a feed is a rolling window that may legitimately be empty
  (the gov.wales announcements feed, replayed months apart, is), and an HTML listing that
  finds nothing without an explicit "no results" marker already raises the ParseError.
- ``failing`` — the last N runs all failed (N = ``Thresholds.failures``,
  ``CAREWATCH_HEALTH_FAILURES``, default 3): one 500 is weather, three in a row is an outage.
- ``not_polled`` — the source has not been polled for ``every`` × ``overdue_factor``
  (``CAREWATCH_HEALTH_OVERDUE_FACTOR``, default 3; never less than two hours): the schedule,
  the worker or the poll flow itself has stopped, so nothing else about the source can be
  current.  Only the daily ``source-health`` flow can see it (a poll has just run); it wins
  over every other state, and a source never polled at all is not overdue.
- ``documents_failing`` — the last N runs (N as for ``failing``) all read the listing but
  each had a document it could not read (a letter's PDF broken, a page whose layout
  changed): the source "works", yet a status change may be sitting in that document
  unread.  Such a run still counts as a success for ``failing``; this names it instead.
- ``stale`` — no new item for longer than the source's expected cadence × ``stale_factor``
  (``CAREWATCH_HEALTH_STALE_FACTOR``, default 2).  A source that has never produced a new item
  is never stale (there is nothing to measure from).

An operations alert fires once when a source enters a problem state and once when it recovers
(``decide``), never on every run.  The quiet first-run baseline does not apply: a source that
fails on its very first runs is broken now, and saying so is the point (issue 5).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Self

HEALTHY = "healthy"
FAILING = "failing"
EMPTY_LISTING = "empty_listing"
STALE = "stale"
NOT_POLLED = "not_polled"
DOCUMENTS_FAILING = "documents_failing"
PROBLEMS = (NOT_POLLED, EMPTY_LISTING, FAILING, DOCUMENTS_FAILING, STALE)
# However often a source is polled, an overdue alert waits at least this long: a 30-minute
# source missing three slots is a restart, not an outage.
MIN_OVERDUE = timedelta(hours=2)

ALERT_SOURCE_HEALTH = "source_health"
PRIORITY_HEALTH = 0  # below every status alert (unconfirmed reports are 1)

# The scrapers' ParseError for a listing page whose selectors find no rows
# (``scrapers.ciw_la_reports``: "no listing rows and no empty-view marker (selectors: ...)").
# Any "no ... (selectors ...)" error of a failed run counts: a selector found nothing.  For a
# feed, its redesign is the feed URL no longer answering a feed ("not a feed", from
# ``scrapers.text.parse_feed_document``) or a feed without its channel.
_EMPTY_LISTING_ERROR = re.compile(
    r"\bno\b[^\n]*\bselectors?\b|\bnot a feed\b|\bfeed has no channel\b", re.IGNORECASE)


@dataclass(frozen=True)
class Thresholds:
    failures: int = 3
    stale_factor: float = 2.0
    overdue_factor: float = 3.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Thresholds:
        try:
            failures = int(env.get("CAREWATCH_HEALTH_FAILURES", "") or 3)
            factor = float(env.get("CAREWATCH_HEALTH_STALE_FACTOR", "") or 2.0)
            overdue = float(env.get("CAREWATCH_HEALTH_OVERDUE_FACTOR", "") or 3.0)
        except ValueError:
            raise ValueError(
                "CAREWATCH_HEALTH_FAILURES must be a whole number and "
                "CAREWATCH_HEALTH_STALE_FACTOR and CAREWATCH_HEALTH_OVERDUE_FACTOR numbers, "
                "e.g. 3, 2 and 3"
            ) from None
        if failures < 1 or factor <= 0 or overdue <= 0:
            raise ValueError("CAREWATCH_HEALTH_FAILURES must be >= 1 and "
                             "CAREWATCH_HEALTH_STALE_FACTOR and "
                             "CAREWATCH_HEALTH_OVERDUE_FACTOR > 0")
        return cls(failures=failures, stale_factor=factor, overdue_factor=overdue)


@dataclass(frozen=True)
class Run:
    """One finished poll of a source, as the rules need it; ``found`` is None when the
    listing was unchanged and not read."""

    started_at: datetime
    ok: bool
    found: int | None = 0
    new: int = 0
    errors: str | None = None


@dataclass(frozen=True)
class Health:
    """A source's state: ``since`` is when the problem began (None when healthy); ``runs``
    how many failed runs in a row; ``detail`` the error or reason in one line."""

    state: str
    since: datetime | None = None
    detail: str | None = None
    runs: int = 0

    @property
    def ok(self) -> bool:
        return self.state == HEALTHY


def consecutive_failures(runs: Sequence[Run]) -> int:
    """Failed runs at the end of ``runs`` (oldest first)."""
    count = 0
    for run in reversed(runs):
        if run.ok:
            break
        count += 1
    return count


def first_line(text: str | None) -> str | None:
    return text.strip().splitlines()[0] if text and text.strip() else None


def is_empty_listing_error(errors: str | None) -> bool:
    """Whether a failed run's error says a selector found nothing on the page."""
    return bool(errors and _EMPTY_LISTING_ERROR.search(errors))


def assess(
    runs: Sequence[Run],
    *,
    cadence: timedelta,
    last_new: datetime | None,
    now: datetime,
    thresholds: Thresholds = Thresholds(),
    feed: bool = False,
    every: timedelta | None = None,
) -> Health:
    """The source's state given its recent ``runs`` (oldest first); rules in the module
    docstring, checked in the order not polled (only when ``every``, the source's polling
    interval, is given), empty listing, failing, documents failing, stale."""
    if not runs:
        return Health(HEALTHY)
    if every is not None:
        last = runs[-1].started_at
        limit = max(every * thresholds.overdue_factor, MIN_OVERDUE)
        if now - last > limit:
            return Health(NOT_POLLED, last + limit,
                          f"last polled {last:%d %b %Y %H:%M} UTC, expected every "
                          f"{duration_text(every)}: is the poll deployment's schedule or "
                          f"worker running? (`carewatch sources`, `prefect worker start`)")
    failed = consecutive_failures(runs)
    streak = runs[len(runs) - failed:]
    empty = [run for run in streak if is_empty_listing_error(run.errors)]
    if empty:
        return Health(EMPTY_LISTING, empty[0].started_at, first_line(empty[-1].errors), failed)
    if failed >= thresholds.failures:
        return Health(FAILING, streak[0].started_at, first_line(streak[-1].errors), failed)
    troubled = _trailing_item_errors(runs)
    if len(troubled) >= thresholds.failures:
        return Health(DOCUMENTS_FAILING, troubled[0].started_at,
                      first_line(troubled[-1].errors), len(troubled))
    if not feed:
        zero = _trailing_empty(runs)
        if zero:
            return Health(EMPTY_LISTING, zero[0].started_at,
                          f"listing found 0 items ({len(zero)} run(s)) after finding some")
    if last_new is not None:
        limit = cadence * thresholds.stale_factor
        if now - last_new > limit:
            days = (now - last_new).days
            return Health(STALE, last_new + limit,
                          f"no new item for {days} days (expected about every "
                          f"{cadence.days} days)")
    return Health(HEALTHY)


def _trailing_item_errors(runs: Sequence[Run]) -> list[Run]:
    """Successful runs at the end that each recorded a document error."""
    trailing: list[Run] = []
    for run in reversed(runs):
        if not (run.ok and run.errors):
            break
        trailing.append(run)
    return trailing[::-1]


def duration_text(delta: timedelta) -> str:
    """``delta`` in the sources file's own notation (30m, 6h, 1d)."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def _trailing_empty(runs: Sequence[Run]) -> list[Run]:
    """Successful runs at the end that found 0 items, if an earlier successful run found
    some (a listing that never had items is not a redesign).  Unchanged runs are skipped."""
    trailing: list[Run] = []
    for run in reversed(runs):
        if not run.ok or run.found is None:
            continue
        if run.found:
            return list(reversed(trailing))
        trailing.append(run)
    return []


class OpsPayload:
    """The outbox payload of an operations alert (a dataclass with ``since`` and ``key``):
    its fields, ``since`` as ISO text, and its key; and back.  Shared by source-health and
    delivery-problem alerts, which travel through the same outbox."""

    since: datetime

    @property
    def key(self) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)  # type: ignore[call-overload]
        data["since"] = self.since.isoformat()
        data["key"] = self.key
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        fields = {k: v for k, v in data.items()
                  if k in cls.__dataclass_fields__}  # type: ignore[attr-defined]
        fields["since"] = datetime.fromisoformat(str(data["since"]))
        return cls(**fields)


@dataclass(frozen=True)
class HealthAlert(OpsPayload):
    """An operations alert: a source entered a problem state, or recovered from it.

    ``key`` is derived from (source, problem, episode start, recovered), so an episode
    alerts once on entry and once on recovery however many runs see it.
    """

    source: str
    title: str
    url: str
    problem: str
    since: datetime
    detail: str | None
    runs: int
    recovered: bool
    alert_kind: str = ALERT_SOURCE_HEALTH
    priority: int = PRIORITY_HEALTH

    @property
    def key(self) -> str:
        parts = (self.source, self.problem, self.since.isoformat(),
                 "recovered" if self.recovered else "entered")
        return "cwh_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]



def decide(
    source: str,
    previous: Health,
    current: Health,
    *,
    title: str,
    url: str,
) -> list[HealthAlert]:
    """The alerts a change of state calls for: entering a problem (or a different one)
    alerts once; returning to healthy alerts once, naming the problem it recovered from;
    staying in the same problem, or healthy, sends nothing."""
    if current.ok:
        if previous.ok or previous.since is None:
            return []
        return [HealthAlert(source, title, url, previous.state, previous.since,
                            current.detail or previous.detail, previous.runs, recovered=True)]
    assert current.since is not None
    if previous.state == current.state:
        return []
    return [HealthAlert(source, title, url, current.state, current.since, current.detail,
                        current.runs, recovered=False)]
