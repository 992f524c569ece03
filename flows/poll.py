"""The ``poll`` flow: crawl each source, store what is new, record status, deliver alerts.

The flow only orchestrates.  Crawling is in ``scrapers``, storing and the status ledger in
``storage``, sending in ``alerts``; every task body is a short call into one of them.
A source that fails is recorded as a failed run and the others carry on: one broken site
must never hide a change published on another.  After each run the source's health is
re-assessed (``storage.health``) and an operations alert is enqueued only when it enters a
problem state or recovers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.orm import Session

from flows.config import Settings
from flows.database import open_database
from flows.deliver import DeliveryReport, deliver
from flows.health import check_source
from scrapers.base import CrawlResult, FetchError
from scrapers.crawl import listing_pages
from scrapers.http import CacheEntry, HttpClient
from scrapers.registry import (
    PUBLISHERS,
    SOURCES,
    Source,
    allowed_hosts,
    base_url_for,
    enabled_sources,
    get_source,
)
from storage import health, http_cache, ledger, repo
from storage.db import run_transaction
from storage.status import Transition


@dataclass
class SourceReport:
    """What one source contributed to a run (printed by the CLI, asserted by tests)."""

    source: str
    ok: bool = True
    found: int = 0
    unchanged: bool = False  # the listing was not modified (304 / same body): nothing read
    new: int = 0
    changed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class PollReport:
    baseline: bool
    dry_run: bool
    sources: list[SourceReport]
    transitions: list[Transition]
    delivery: DeliveryReport | None = None
    health_alerts: list[health.HealthAlert] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # enabled, but not due on this schedule

    @property
    def ok(self) -> bool:
        return all(s.ok and not s.errors for s in self.sources)


def _transient(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's callback shape
    """Retry a crawl only when the failure may go away by itself (timeouts, 5xx, 429).

    A parse error or a 404 fails at once: retrying cannot fix a redesigned page.
    """
    try:
        state.result()
    except FetchError as exc:
        return exc.transient
    except Exception:
        return False
    return False


@dataclass(frozen=True)
class Crawled:
    """A crawl's result and the validators of the listing pages it read (issue 5).

    The validators are saved (``_save_validators``) only when the crawl had no error and its
    result was committed: saved after a failed item, the next poll's 304 would hide that
    item for ever.  Document pages are never cached (``scrapers.crawl``).
    """

    result: CrawlResult
    validators: dict[str, CacheEntry] = field(default_factory=dict)
    robots: dict[str, CacheEntry] = field(default_factory=dict)  # saved whatever happens


@task(name="crawl", retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=_transient,
      cache_policy=NO_CACHE)
def crawl_source(source: Source, settings: Settings) -> Crawled:
    """Fetch a source's listing and every item not yet stored (I/O only; parsing is pure).

    Listing pages are requested conditionally with the validators saved after the last
    successful run; the validators received come back with the result, unsaved."""
    sessions = open_database(settings.database_url)
    hosts = allowed_hosts([source], settings.environ)
    with (
        sessions() as session,
        HttpClient(settings.http, hosts, cache=http_cache.SessionStore(session)) as client,
        listing_pages() as pages,
    ):
        result = source.run_crawl(
            client.fetch,
            lambda url: repo.is_known(session, url),
            base_url=base_url_for(source, settings.environ),
        )
        pending = client.pending_cache()
        return Crawled(result, {url: pending[url] for url in pages if url in pending},
                       client.pending_robots())


@task(name="store", cache_policy=NO_CACHE)
def store_and_detect(
    source: Source,
    result: CrawlResult,
    settings: Settings,
    *,
    quiet: bool,
    now: datetime,
    session: Session | None = None,
) -> tuple[SourceReport, list[Transition]]:
    """Store a crawl's publications and record what each states, in one transaction per
    source; or, given ``session`` (a dry run), inside that session, left uncommitted for the
    caller to roll back.

    A dry run shares one session across sources so that each sees what the ones before it
    would have recorded: a press story polled after the CIW letter it reports must compare
    with the letter's status, as in a real run.

    Every new or changed publication is classified, whatever its source: the source's
    ``authoritative`` flag is the classifier's hint, the text decides (a CIW letter inside a
    council paper is the regulator's; a council's paraphrase is not), and a secondary
    source's claim is still worth recording (it may raise an unconfirmed report).
    """
    if session is None:
        # A concurrent poll may store the same publication first: then this source's
        # transaction fails on a unique constraint and is run again, finding it stored.
        return run_transaction(
            open_database(settings.database_url),
            lambda own: _store(source, result, settings, own, quiet=quiet, now=now))
    try:
        return _store(source, result, settings, session, quiet=quiet, now=now)
    except Exception:
        # No savepoint: under pysqlite a SAVEPOINT opened outside BEGIN commits on RELEASE,
        # which would make a dry run write.  A failed source rolls the dry session back
        # instead; later sources then compare with the stored state, as a real run would
        # after that source's own transaction failed.
        session.rollback()
        raise


def _store(source: Source, result: CrawlResult, settings: Settings, session: Session, *,
           quiet: bool, now: datetime) -> tuple[SourceReport, list[Transition]]:
    report = SourceReport(source.name, found=result.found, unchanged=result.unchanged,
                          errors=list(result.errors))
    transitions: list[Transition] = []
    for pub in result.publications:
        row, state = repo.upsert_publication(
            session, pub, authoritative=source.authoritative, now=now
        )
        report.new += state == "new"
        report.changed += state == "changed"
        report.errors.extend(pub.errors)
        if state != "unchanged":
            transitions += ledger.record_status(
                session, row, pub, watches=settings.watches, quiet=quiet, now=now,
                rank=citation_rank,
            )
    return report, transitions


def citation_rank(name: str) -> int:
    """A source's citation rank (``Source.rank``); unknown (retired) sources rank last."""
    source = SOURCES.get(name)
    return source.rank if source is not None else len(PUBLISHERS)


def _record_run(settings: Settings, report: SourceReport, started: datetime) -> None:
    def record(session: Session) -> None:
        run_id = repo.start_run(session, report.source, started)
        repo.finish_run(
            session, run_id, ok=report.ok, found=None if report.unchanged else report.found,
            new=report.new,
            errors="\n".join(report.errors) or None, now=datetime.now(UTC),
        )

    run_transaction(open_database(settings.database_url), record)


def _save_validators(settings: Settings, name: str, validators: dict[str, CacheEntry]) -> None:
    """Remember the listing pages of a run that succeeded; a failure here only costs the
    next poll a full fetch, so it is logged, never raised."""
    if not validators:
        return
    try:
        # Two polls saving one URL's entry at once: the loser runs again and replaces it.
        run_transaction(open_database(settings.database_url),
                        lambda session: http_cache.save(session, validators, datetime.now(UTC)))
    except Exception as exc:
        get_run_logger().error("saving HTTP validators of %s failed: %s", name, exc)


def _check_health(settings: Settings, source: Source, now: datetime) -> list[health.HealthAlert]:
    """Re-assess ``source`` after its run (``flows.health.check_source``, which the daily
    health flow shares).  Not called on a dry run, and not silenced by the quiet baseline."""
    return check_source(settings, source, now)[1]


def poll_order(sources: list[Source]) -> list[Source]:
    """Regulator sources first, then secondary ones (stable within each group).

    A press story and the CIW letter it reports can appear in the same poll; read the other
    way round, the story would raise an "unconfirmed report" that the letter closes a moment
    later, and readers would get a notice about a change that was never unconfirmed.
    """
    return sorted(sources, key=lambda source: (not source.authoritative, source.rank))


def due(source: Source, last_started: datetime | None, now: datetime) -> bool:
    """Whether a scheduled poll should read ``source``: never polled, or its ``every`` has
    passed.  A tenth of ``every`` (at most five minutes) is forgiven, so a source polled
    every 30 minutes by a 30-minute schedule is not skipped because the previous run
    started a second later in its slot."""
    if last_started is None:
        return True
    slack = min(source.every / 10, timedelta(minutes=5))
    return now - last_started + slack >= source.every


def select_sources(names: list[str] | None, *, scheduled: bool,
                   last_started: Callable[[str], datetime | None], now: datetime
                   ) -> tuple[list[Source], list[str]]:
    """The sources to poll, in ``poll_order``, and the names skipped as not yet due.

    Named sources are polled whatever their ``enabled`` or ``every`` (a hand trigger);
    otherwise every enabled source, and on a scheduled run only those ``due``.
    """
    if names:
        return poll_order([get_source(name) for name in names]), []
    chosen, skipped = [], []
    for source in enabled_sources():
        if scheduled and not due(source, last_started(source.name), now):
            skipped.append(source.name)
        else:
            chosen.append(source)
    return poll_order(chosen), skipped


@flow(name="poll", log_prints=False)
def poll(
    sources: list[str] | None = None,
    dry_run: bool = False,
    alert_on_baseline: bool = False,
    deliver_alerts: bool = True,
    scheduled: bool = False,
) -> PollReport:
    """Poll ``sources`` (every enabled one by default) and deliver any alerts.

    The first run on an empty database is a quiet baseline: it records history without
    alerting, unless ``alert_on_baseline``; so is a run that starts before a baseline run
    has completed (alongside it, or after it was killed: ``repo.start_baseline``).
    ``dry_run`` computes the alerts it would send and prints them, but sends nothing and
    writes nothing.  ``scheduled`` (the deployment's
    runs) skips sources polled more recently than their configured ``every``.
    """
    settings = Settings.from_env()
    sessions = open_database(settings.database_url)
    now = datetime.now(UTC)
    if dry_run:
        with sessions() as session:
            baseline = repo.in_baseline(session)
    else:
        baseline = run_transaction(sessions, lambda session: repo.start_baseline(session, now))
    with sessions() as session:
        selected, skipped = select_sources(
            sources, scheduled=scheduled, now=now,
            last_started=lambda name: repo.last_started(session, name))
    if skipped:
        get_run_logger().info("not due yet (see `every` in the sources file): %s",
                              ", ".join(skipped))
    quiet = baseline and not alert_on_baseline
    report = PollReport(baseline=baseline, dry_run=dry_run, sources=[], transitions=[],
                        skipped=skipped)
    # A dry run records into one session that is rolled back at the end: nothing written.
    dry_session = sessions() if dry_run else None
    try:
        _poll_sources(report, selected, settings, quiet=quiet, now=now, dry_session=dry_session)
    finally:
        if dry_session is not None:
            dry_session.rollback()
            dry_session.close()
    if not dry_run:
        run_transaction(sessions,
                        lambda session: repo.finish_baseline(session, datetime.now(UTC)))
    if not dry_run and deliver_alerts:
        report.delivery = deliver()
    return report


def _poll_sources(report: PollReport, selected: list[Source], settings: Settings, *,
                  quiet: bool, now: datetime, dry_session: Session | None) -> None:
    """Crawl, store and check each source in turn; a failing source never stops the rest."""
    logger = get_run_logger()
    dry_run = dry_session is not None
    for source in selected:
        started = datetime.now(UTC)
        validators: dict[str, CacheEntry] = {}
        try:
            crawled = crawl_source.with_options(
                retries=settings.crawl_retries,
                retry_delay_seconds=list(settings.crawl_retry_delays),
            )(source, settings)
            source_report, transitions = store_and_detect(
                source, crawled.result, settings, quiet=quiet, now=now, session=dry_session
            )
            validators = dict(crawled.robots)
            if not source_report.errors:  # stored (committed) and nothing failed
                validators |= crawled.validators
        except Exception as exc:  # one source failing must not stop the others
            logger.error("source %s failed: %s", source.name, exc)
            source_report = SourceReport(source.name, ok=False, errors=[str(exc)])
            transitions = []
        report.sources.append(source_report)
        report.transitions += transitions
        if not dry_run:
            _record_run(settings, source_report, started)
            _save_validators(settings, source.name, validators)
            try:
                report.health_alerts += _check_health(settings, source, datetime.now(UTC))
            except Exception as exc:  # a health check must never stop the poll
                logger.error("health check of %s failed: %s", source.name, exc)
        for error in source_report.errors:
            logger.warning("%s: %s", source.name, error)
