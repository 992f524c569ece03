"""The ``digest`` flow: put this period's digest in the outbox, then deliver it.

Scheduled weekly (Monday 08:00 Europe/London) by the ``digest`` deployment; run daily by
changing that deployment's cron and its ``period`` parameter to ``day``, or by hand with
``carewatch digest --period day``.  Nothing is sent unless ``CAREWATCH_DIGEST_TO`` names
recipients.  Each digest covers the time since the previous one of its period ended (or
one period, the first time), so a missed run is caught up rather than lost; the outbox key
(``storage.digests.Digest.key``) makes a second run in the same day or week a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prefect import flow, get_run_logger
from sqlalchemy.exc import IntegrityError

from alerts.message import from_outbox, render_subject
from flows.config import Settings
from flows.database import open_database
from flows.deliver import DeliveryReport, deliver
from scrapers.registry import enabled_sources
from storage import digests, models, repo
from storage.digests import DAY, PERIODS, Digest

LENGTH = {DAY: timedelta(days=1), digests.WEEK: timedelta(days=7)}


@dataclass
class DigestReport:
    digest: Digest | None = None
    enqueued: bool = False
    reason: str | None = None  # why nothing was enqueued
    delivery: DeliveryReport | None = None


def collect(settings: Settings, period: str, end: datetime) -> Digest:
    """This period's digest as of ``end``: starts where the previous one ended."""
    with open_database(settings.database_url)() as session:
        previous = digests.previous(session, period)
        start = previous.end if previous is not None else end - LENGTH[period]
        publications, total = digests.publications(session, start, end)
        changes = []
        for row in digests.notices(session, start, end):
            if not settings.watches(row.authority):
                continue
            notice = from_outbox(row.kind, row.payload)
            changes.append(digests.DigestChange(kind=row.kind, headline=render_subject(notice),
                                                url=row.payload.get("url", ""),
                                                raised=row.created_at))
        status = [digests.DigestStatus(
            authority=r.authority, service=r.service, dimension=r.dimension, value=r.value,
            stated=r.effective_date, title=r.title, url=r.url)
            for r in repo.current_status(session) if settings.watches(r.authority)]
        names = [source.name for source in enabled_sources()]
        problems = [digests.DigestProblem(source=h.source, state=h.state, since=h.since,
                                          detail=h.last_error)
                    for h in repo.source_health(session, names)
                    if h.source in names and h.state != "healthy"]
    return Digest(period=period, label=digests.label_for(period, end), start=start, end=end,
                  publications=tuple(publications), changes=tuple(changes),
                  status=tuple(status), problems=tuple(problems), total_publications=total)


def enqueue(settings: Settings, d: Digest, now: datetime) -> bool:
    """Write ``d`` to the outbox; False if this period's digest is already there (another
    run, even one racing this one, got there first: the unique key decides)."""
    try:
        with open_database(settings.database_url).begin() as session:
            if repo.alert_exists(session, d.key):
                return False
            session.add(models.Alert(
                key=d.key, kind=d.alert_kind, authority="", service="", payload=d.to_dict(),
                created_at=now, observation_id=None, priority=d.priority))
    except IntegrityError:
        return False
    return True


@flow(name="digest", log_prints=False)
def digest(period: str = digests.WEEK, deliver_alerts: bool = True,
           now: datetime | None = None) -> DigestReport:
    """Enqueue the ``period`` ("day" or "week") digest and deliver it."""
    if period not in PERIODS:
        raise ValueError(f"digest period must be one of {', '.join(PERIODS)}, not {period!r}")
    logger = get_run_logger()
    settings = Settings.from_env()
    if not settings.environ.get("CAREWATCH_DIGEST_TO", "").strip():
        reason = "no digest recipients: set CAREWATCH_DIGEST_TO to send digests"
        logger.info(reason)
        return DigestReport(reason=reason)
    moment = now or datetime.now(UTC)
    d = collect(settings, period, moment)
    report = DigestReport(digest=d, enqueued=enqueue(settings, d, moment))
    if not report.enqueued:
        report.reason = f"the {period} digest for {d.label} was already sent or queued"
        logger.info(report.reason)
    if deliver_alerts:
        report.delivery = deliver(now=now)
    return report
