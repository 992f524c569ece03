"""The ``source-health`` flow: once a day, is every source still being watched?

A poll re-assesses each source it reads (``check_source``, called by ``flows.poll``), but a
poll cannot notice that polls have stopped: the schedule paused, the work pool's worker
dead, the flow crashing before it reaches a source.  This flow runs on its own daily
schedule and re-assesses every enabled source with its polling interval in hand, so a
source not polled for ``every`` × ``CAREWATCH_HEALTH_OVERDUE_FACTOR`` raises a ``not_polled``
operations alert (``storage.health``), as do stale sources whose poll happens rarely.  Like
every health alert it fires once when the problem starts and once when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prefect import flow, get_run_logger
from sqlalchemy.orm import Session

from flows.config import Settings
from flows.database import open_database
from flows.deliver import DeliveryReport, deliver
from scrapers.registry import Source, base_url_for, enabled_sources
from storage import health, repo
from storage.db import run_transaction


@dataclass
class HealthReport:
    states: dict[str, health.Health] = field(default_factory=dict)
    alerts: list[health.HealthAlert] = field(default_factory=list)
    delivery: DeliveryReport | None = None

    @property
    def ok(self) -> bool:
        return all(state.ok for state in self.states.values())


def check_source(settings: Settings, source: Source, now: datetime, *,
                 every: timedelta | None = None) -> tuple[health.Health, list[health.HealthAlert]]:
    """Re-assess ``source``; enqueue an operations alert only when its state changed (entered
    a problem, switched problem, or recovered), in one transaction with the new state.

    ``every`` (the source's polling interval) turns on the not-polled rule; a poll that has
    just read the source leaves it out.  Returns the new state and the alerts enqueued
    (an alert another run already enqueued is not returned twice)."""
    def check(session: Session) -> tuple[health.Health, list[health.HealthAlert]]:
        current = health.assess(
            repo.recent_runs(session, source.name),
            cadence=source.cadence,
            last_new=repo.last_new_item(session, source.name),
            now=now,
            thresholds=settings.health,
            feed=source.kind == "rss",
            every=every,
        )
        alerts = health.decide(source.name, repo.get_health(session, source.name), current,
                               title=source.title, url=base_url_for(source, settings.environ))
        repo.save_health(session, source.name, current, now=now)
        return current, [alert for alert in alerts if repo.enqueue_health(session, alert, now=now)]

    # Two runs checking one source at once both read its old state; the second to write
    # it (a new source_health row, or the same alert key) runs again and finds no news.
    return run_transaction(open_database(settings.database_url), check)


@flow(name="source-health", log_prints=False)
def source_health(deliver_alerts: bool = True, now: datetime | None = None) -> HealthReport:
    """Re-assess every enabled source (including whether it is still being polled), then
    deliver the operations alerts that raised.  ``now`` is for tests stepping the clock."""
    settings = Settings.from_env()
    logger = get_run_logger()
    moment = now or datetime.now(UTC)
    report = HealthReport()
    for source in enabled_sources():
        try:
            state, alerts = check_source(settings, source, moment, every=source.every)
        except Exception as exc:  # one source's check must not hide the others'
            logger.error("health check of %s failed: %s", source.name, exc)
            continue
        report.states[source.name] = state
        report.alerts += alerts
        if not state.ok:
            logger.warning("%s: %s since %s: %s", source.name, state.state, state.since,
                           state.detail)
    if deliver_alerts:
        report.delivery = deliver(now=moment) if now is not None else deliver()
    return report
