"""The ``deliver`` flow: drain the outbox, one send per (alert, channel).

Runs at the end of every poll and can run on its own schedule.  An alert stays pending
for a channel until a send to that channel succeeds, so a receiver that is down today is
retried by the next run, and one that already has the alert is never sent it again.
Every attempt, good or bad, is recorded.  Each channel takes only the alert kinds it is for
(``alerts.channels``): operations alerts about source health go to the operations targets
when they are configured, status alerts never do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.channels import Channel, DeliveryResult
from alerts.message import Alertable
from flows.config import Settings
from flows.database import open_database
from storage import repo
from storage.health import ALERT_SOURCE_HEALTH, HealthAlert
from storage.notices import from_payload


@dataclass
class DeliveryReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (alert key, channel)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (+ error)
    channels: list[str] = field(default_factory=list)


@task(name="send", cache_policy=NO_CACHE)
def send(channel: Channel, message: Alertable) -> DeliveryResult:
    """One attempt on one channel.  Channels report failure as a result, never by raising."""
    return channel.send(message, now=datetime.now(UTC))


def _message(kind: str, payload: dict[str, Any]) -> Alertable:
    """What an outbox row says: an operations alert, or a status notice."""
    if kind == ALERT_SOURCE_HEALTH:
        return HealthAlert.from_dict(payload)
    return from_payload(payload)


@flow(name="deliver")
def deliver() -> DeliveryReport:
    """Send every pending alert to every configured channel and record each attempt."""
    logger = get_run_logger()
    settings = Settings.from_env()
    channels = settings.channels()
    report = DeliveryReport(channels=[c.name for c in channels])
    if not channels:
        logger.info("no alert channel configured "
                    "(set CAREWATCH_SMTP_HOST or CAREWATCH_WEBHOOK_URL)")
        return report
    sessions = open_database(settings.database_url)
    by_target = {(c.name, c.target): c for c in channels}
    kinds = {target: channel.kinds for target, channel in by_target.items()}
    with sessions() as session:
        pending = [
            (alert.id, alert.key, _message(alert.kind, alert.payload), name, target)
            for alert, name, target in repo.pending_deliveries(
                session, list(by_target), kinds=kinds)
        ]
    for alert_id, key, message, name, target in pending:
        result = send(by_target[(name, target)], message)
        with sessions.begin() as session:
            repo.record_delivery(
                session, alert_id, name, target, ok=result.ok,
                response_code=result.response_code, error=result.error, now=datetime.now(UTC),
            )
        if result.ok:
            report.sent.append((key, name))
        else:
            report.failed.append((key, name, result.error or "failed"))
            logger.warning("delivery of %s by %s failed: %s", key, name, result.error)
    return report
