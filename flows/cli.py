"""The ``carewatch`` command line: thin wrappers over flows, storage and the replay site.

Heavy imports (Prefect, SQLAlchemy) happen inside commands so ``carewatch --help`` is fast
and so the demo can quieten Prefect's logging before Prefect reads its settings.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Watch CIW, the Welsh Government and Wrexham Council for changes in the regulator's "
    "status of Wrexham's social services, and alert by email or signed webhook.",
)
console = Console()


def _data_dir() -> Path:
    return Path(os.environ.get("CAREWATCH_DATA_DIR", "data"))


@app.command()
def demo(
    workdir: Annotated[Path | None, typer.Option(help="Keep the demo's database here "
                                                 "(default: a new temporary directory).")] = None,
) -> None:
    """Run the whole pipeline offline against the bundled replay site (about 30 s)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows import render
    from flows.demo import run_demo

    outcome = run_demo(lambda step, payload: render.demo_step(console, step, payload), workdir)
    render.demo_summary(console, outcome)
    raise typer.Exit(0 if outcome.ok else 1)


@app.command()
def run(
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help="Poll only this source (repeatable), even if disabled. "
        "Default: every enabled source.")] = None,
    dry_run: Annotated[bool, typer.Option(
        help="Print the alerts a poll would send; send nothing, write nothing.")] = False,
    alert_on_baseline: Annotated[bool, typer.Option(
        help="Alert even on the first run against an empty database.")] = False,
) -> None:
    """Poll now (by hand), then deliver pending alerts."""
    from flows import render
    from flows.poll import poll
    from scrapers.registry import get_source

    for name in source or []:
        try:
            get_source(name)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--source") from None
    report = poll(sources=source or None, dry_run=dry_run, alert_on_baseline=alert_on_baseline)
    render.poll_report(console, "Poll", report)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def deliver() -> None:
    """Send the alerts that are due on any channel: new ones at once, failed ones when their
    next retry comes round (a delivered one is never sent again)."""
    from flows import render
    from flows.deliver import deliver as deliver_flow

    render.delivery_report(console, deliver_flow())


@app.command()
def status(
    authority: Annotated[str, typer.Option(help="Council to show ('*' for all).")] = "Wrexham",
    history: Annotated[bool, typer.Option(
        "--history", help="Print the full timeline instead: every observation (regulator and "
        "secondary, with its review state) and every publication that states no status.")
    ] = False,
) -> None:
    """Print the recorded status per service, with its evidence and source."""
    from flows import render
    from flows.config import Settings
    from flows.database import open_database
    from storage import repo
    from storage.classify import AUTHORITIES

    sessions = open_database(Settings.from_env().database_url)
    with sessions() as session:
        if history:
            names = [a.name for a in AUTHORITIES] if authority == "*" else [authority]
            timelines = [(name, repo.history(session, name)) for name in names]
        else:
            rows = repo.current_status(session, None if authority == "*" else authority)
    if history:
        render.status_history(console, [t for t in timelines if t[1] or authority != "*"])
    else:
        render.status_table(console, rows, authority)


@app.command()
def sources() -> None:
    """Print every configured source (from the sources file) with its health: enabled,
    schedule, expected cadence, state, last success, consecutive failures, items the
    listing found last run, last new item, and the last error."""
    from flows import render
    from flows.config import Settings
    from flows.database import open_database
    from scrapers.registry import CONFIG, SOURCES
    from storage import repo

    sessions = open_database(Settings.from_env().database_url)
    with sessions() as session:
        rows = repo.source_health(session, list(SOURCES))
    render.source_health(console, rows, SOURCES)
    console.print(f"Sources file: {CONFIG.path}   status alerts for: {', '.join(CONFIG.watch)}",
                  soft_wrap=True)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(
        help="Write the site into this folder (default: $CAREWATCH_DATA_DIR/report). It is "
        "replaced whole on each run, so it must be new, empty or an earlier report.")] = None,
    authority: Annotated[list[str] | None, typer.Option(
        "--authority", help="Council to show (repeatable; '*' for every council with "
        "anything recorded). Default: the councils whose changes alert.")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="Where the site will be published, e.g. https://example.org/carewatch/ "
        "(makes the feeds' links absolute).")] = None,
) -> None:
    """Write the status page and Atom feeds as a static site (no server, no JavaScript
    needed) and print the path of its index.html."""
    from rich.markup import escape

    from flows.config import Settings
    from flows.database import open_database
    from report.build import write_report
    from report.site import SiteError
    from scrapers.registry import SOURCES

    settings = Settings.from_env()
    chosen = authority or list(settings.authorities)
    try:
        written = write_report(
            open_database(settings.database_url), out or _data_dir() / "report",
            authorities=None if "*" in chosen else chosen, sources=SOURCES, base_url=base_url)
    except SiteError as exc:
        console.print(f"[red]carewatch: {escape(str(exc))}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(f"Status page and feeds written: {written.files} files, "
                  f"{written.bytes / 1024:.0f} KiB, in {written.seconds:.2f} s. Open:")
    console.print(str(written.index), markup=False, highlight=False, soft_wrap=True)


review_app = typer.Typer(
    no_args_is_help=False,
    help="List observations read with too little confidence to count, and confirm or reject "
    "them (a confirmed one counts from then on and alerts once if it changes the status).",
)
app.add_typer(review_app, name="review")

NoteOption = Annotated[str | None, typer.Option(help="Why (kept with the decision).")]


@review_app.callback(invoke_without_command=True)
def review(ctx: typer.Context) -> None:
    """List the observations awaiting review (without a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    from flows import render
    from flows.config import Settings
    from flows.database import open_database
    from storage import repo

    sessions = open_database(Settings.from_env().database_url)
    with sessions() as session:
        rows = repo.needs_review(session)
    render.review_list(console, rows)


def _decide(observation_id: int, decision: str, note: str | None) -> None:
    from datetime import UTC, datetime

    from rich.markup import escape

    from flows import render
    from flows.config import Settings
    from flows.database import open_database
    from storage import ledger, repo

    settings = Settings.from_env()
    sessions = open_database(settings.database_url)
    try:
        with sessions.begin() as session:
            before = repo.get_observation(session, observation_id).review
            notices = ledger.review_observation(
                session, observation_id, decision=decision, note=note,
                now=datetime.now(UTC), watches=settings.watches,
            )
    except (LookupError, ValueError) as exc:
        hint = " (see `carewatch review`)" if isinstance(exc, LookupError) else ""
        console.print(f"[red]carewatch: {escape(str(exc))}[/]{hint}", soft_wrap=True)
        raise typer.Exit(1) from None
    render.review_outcome(console, observation_id, decision, notices, before=before)


@review_app.command()
def confirm(observation_id: Annotated[int, typer.Argument(metavar="ID")],
            note: NoteOption = None) -> None:
    """Confirm observation ID: it counts from now, and alerts once if it changes the status."""
    _decide(observation_id, "confirm", note)


@review_app.command()
def reject(observation_id: Annotated[int, typer.Argument(metavar="ID")],
           note: NoteOption = None) -> None:
    """Reject observation ID: the classifier misread the document; it never counts."""
    _decide(observation_id, "reject", note)


alerts_app = typer.Typer(
    no_args_is_help=False,
    help="List alerts and where each stands with every channel target (delivered; pending, "
    "and when it is next tried; dead-lettered; disabled), with every delivery attempt; "
    "replay one; re-enable an endpoint disabled by 410 Gone.",
)
app.add_typer(alerts_app, name="alerts")


def _configured_channels(settings: Any) -> list[Any]:
    """The configured channels; a configuration error is shown, not fatal, for listing."""
    from rich.markup import escape

    try:
        return list(settings.channels())
    except ValueError as exc:
        console.print(f"[yellow]carewatch: channel configuration: {escape(str(exc))}[/]",
                      soft_wrap=True)
        return []


@alerts_app.callback(invoke_without_command=True)
def list_alerts(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="Show the newest N alerts.")] = 20,
) -> None:
    """List the newest alerts with their state per target and every attempt (without a
    subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import UTC, datetime

    from alerts.retry import RetryPolicy
    from flows import render
    from flows.config import Settings
    from flows.database import open_database
    from storage import outbox

    settings = Settings.from_env()
    configured = {(c.name, c.target): c.kinds for c in _configured_channels(settings)}
    policy = RetryPolicy.from_env(settings.environ)
    sessions = open_database(settings.database_url)
    with sessions() as session:
        views = outbox.alert_views(session, configured=configured, limit=limit)
        disabled = list(outbox.disabled_targets(session).values())
        render.alerts_list(console, views, disabled, now=datetime.now(UTC),
                           max_attempts=policy.max_attempts)


@alerts_app.command("replay")
def alerts_replay(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    channel: Annotated[str | None, typer.Option(
        help="Only this channel (email, webhook, ops_email or ops_webhook).")] = None,
) -> None:
    """Send alert ID again now to its configured channels, delivered or not, with the same
    webhook-id; each attempt is recorded.  A dead-lettered alert that goes through is
    delivered."""
    from rich.markup import escape

    from flows import render
    from flows.config import Settings
    from flows.database import open_database
    from flows.deliver import UnknownAlert, replay

    settings = Settings.from_env()
    channels = settings.channels()
    if not channels:
        console.print("[red]carewatch: no alert channel configured[/] (set CAREWATCH_SMTP_HOST "
                      "and/or CAREWATCH_WEBHOOK_URL)", soft_wrap=True)
        raise typer.Exit(2)
    names = sorted({c.name for c in channels})
    if channel is not None and channel not in names:
        raise typer.BadParameter(f"{channel!r} is not a configured channel; configured: "
                                 f"{', '.join(names)}", param_hint="--channel")
    try:
        report = replay(open_database(settings.database_url), channels, alert_id, only=channel)
    except UnknownAlert as exc:
        console.print(f"[red]carewatch: {escape(str(exc))}[/] (see `carewatch alerts`)",
                      soft_wrap=True)
        raise typer.Exit(2) from None
    render.replay_outcome(console, alert_id, report)
    raise typer.Exit(0 if report.sent and not report.failed else 1)


@alerts_app.command("enable")
def alerts_enable(
    target: Annotated[str, typer.Argument(
        metavar="TARGET", help="The endpoint exactly as `carewatch alerts` shows it.")],
) -> None:
    """Send to TARGET again after it answered 410 Gone: what it missed goes out with the
    next delivery."""
    from datetime import UTC, datetime

    from rich.markup import escape

    from flows import render
    from flows.config import Settings
    from flows.database import open_database
    from storage import outbox

    sessions = open_database(Settings.from_env().database_url)
    with sessions.begin() as session:
        enabled = outbox.enable_target(session, target, now=datetime.now(UTC))
        disabled = sorted(t for _, t in outbox.disabled_targets(session))
    if not enabled:
        known = f"; disabled now: {', '.join(disabled)}" if disabled else "; none is disabled"
        console.print(f"[red]carewatch: {escape(target)} is not a disabled target[/]"
                      f"{escape(known)}", soft_wrap=True)
        raise typer.Exit(2)
    render.enable_outcome(console, target, enabled)


@app.command()
def classify(
    paths: Annotated[list[Path], typer.Argument(help="Documents: PDF, HTML or plain text.",
                                                exists=False)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file, per line.")]
    = False,
) -> None:
    """Say what carewatch reads from documents: relevance, council, regulator or secondary,
    kind, per-service status with evidence, and dates (the pipeline's own classifier)."""
    import json

    from flows import render
    from scrapers.base import ParseError
    from scrapers.text import document_text
    from storage.classify import classify_document

    failed = False
    for path in paths:
        try:
            text = document_text(path.read_bytes(), name=path.name)
        except (OSError, ParseError) as exc:
            failed = True
            error = f"{type(exc).__name__}: {exc}"
            if as_json:
                print(json.dumps({"path": str(path), "error": error}), flush=True)
            else:
                console.print(f"[red]{path}: cannot read: {error}[/]")
            continue
        result = classify_document(text)
        if as_json:
            print(json.dumps({"path": str(path), **result.to_json()}, ensure_ascii=False),
                  flush=True)
        else:
            render.classification(console, str(path), result)
    raise typer.Exit(1 if failed else 0)


@app.command()
def health() -> None:
    """Re-assess every enabled source now, as the daily `source-health` deployment does
    (including whether it is still being polled), and deliver any operations alert."""
    from flows import render
    from flows.health import source_health
    from scrapers.registry import SOURCES

    report = source_health()
    render.health_report(console, report, SOURCES)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def digest(
    period: Annotated[str, typer.Option(help="day or week: the period since the previous "
                                        "digest of that period (or one period).")] = "week",
) -> None:
    """Send the digest email now (to CAREWATCH_DIGEST_TO), as the weekly `digest`
    deployment does; once per day or week: a second run in the same period sends nothing."""
    from flows import render
    from flows.digest import digest as digest_flow
    from storage.digests import PERIODS

    if period not in PERIODS:
        raise typer.BadParameter(f"use one of: {', '.join(PERIODS)}", param_hint="--period")
    render.digest_report(console, digest_flow(period=period))


@app.command()
def doctor(
    migrate: Annotated[bool, typer.Option(
        help="Also bring the database schema to the latest migration.")] = False,
) -> None:
    """Check the configuration: settings and secrets, sources file, database reachable and
    migrations current, SMTP server reachable (no mail sent), webhook endpoint reachable and
    secret well-formed, Prefect API; and say what to fix.  Exit status 1 if anything fails."""
    from flows import render
    from flows.doctor import FAIL, run_checks

    checks = run_checks(migrate=migrate)
    render.doctor(console, checks)
    raise typer.Exit(1 if any(c.status == FAIL for c in checks) else 0)


secret_app = typer.Typer(no_args_is_help=True,
                         help="Keep the SMTP password or webhook secret in a Prefect Secret "
                         "block (encrypted by the Prefect server) instead of an env var.")
app.add_typer(secret_app, name="secret")


@secret_app.command("set")
def secret_set(
    name: Annotated[str, typer.Argument(help="Block name, e.g. carewatch-smtp-password.")],
) -> None:
    """Store a secret typed at the prompt (not echoed, never an argument: shell history
    keeps arguments) in the Prefect Secret block NAME, on the Prefect API the flows use;
    then point CAREWATCH_SMTP_PASSWORD_BLOCK or CAREWATCH_WEBHOOK_SECRET_BLOCK at NAME."""
    from prefect.blocks.system import Secret

    value = typer.prompt("Secret value", hide_input=True, confirmation_prompt=True)
    Secret(value=value).save(name, overwrite=True)
    console.print(f"Saved Prefect Secret block [bold]{name}[/].")


@app.command()
def serve() -> None:
    """Run the scheduled deployments (poll every 30 min, delivery retries every 5 min,
    source health daily, the digest weekly)
    in this process until interrupted; starts a local Prefect server unless
    PREFECT_API_URL is set."""
    from flows import serve as serve_module

    serve_module.run(_data_dir(), lambda line: console.print(line, soft_wrap=True))


@app.command()
def replay(
    as_of: Annotated[str | None, typer.Option(
        help="Timeline date YYYY-MM-DD or a step name (default: everything published).")] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 = any free port).")] = 8000,
) -> None:
    """Serve the bundled replay site for manual exploration (Ctrl-C stops)."""
    from replay.server import ReplayServer
    from replay.timeline import STEPS

    when: date | None = None
    if as_of:
        try:
            when = STEPS[as_of] if as_of in STEPS else date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter(
                f"{as_of!r} is neither YYYY-MM-DD nor one of: {', '.join(STEPS)}",
                param_hint="--as-of") from None
    with ReplayServer(as_of=when, port=port) as server:
        console.print(f"Replay site at [bold]{server.url}[/] (as of {when or 'today'}); "
                      f"point carewatch at it with CAREWATCH_REPLAY_URL={server.url}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


def main() -> None:
    """Console entry point: user-fixable errors become one clear line and exit status 2."""
    from sqlalchemy.exc import OperationalError

    from storage.db import redact_url

    try:
        app(prog_name="carewatch", standalone_mode=True)
    except ValueError as exc:  # configuration errors say what to set, and how
        console.print(f"[red]carewatch: {exc}[/]")
        sys.exit(2)
    except OperationalError as exc:
        url = redact_url(os.environ.get("CAREWATCH_DATABASE_URL", "(default SQLite file)"))
        console.print(f"[red]carewatch: cannot use the database {url}: {exc.orig}[/]\n"
                      "Check CAREWATCH_DATABASE_URL (or CAREWATCH_DATA_DIR) points somewhere "
                      "this user can write.")
        sys.exit(2)


if __name__ == "__main__":
    main()

