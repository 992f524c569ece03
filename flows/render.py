"""Terminal rendering for the CLI and the demo (rich).  Presentation only: no queries,
no decisions; every function takes the records it shows."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from storage.status import CONCERN_LEVEL, SERVICE_LABELS


def _day(value: Any) -> str:
    return value.strftime("%-d %b %Y") if value else "—"


def poll_report(console: Console, title: str, report: Any) -> None:
    """Per-source counts, then each alert the poll produced (or would produce)."""
    table = Table(title=title + (" (dry run: nothing written or sent)" if report.dry_run else "")
                  + (" — quiet baseline: history recorded, no alerts" if report.baseline else ""))
    for column in ("source", "ok", "listed", "new", "changed", "errors"):
        table.add_column(column)
    for s in report.sources:
        table.add_row(s.source, "yes" if s.ok else "[red]FAILED[/]", str(s.found), str(s.new),
                      str(s.changed), str(len(s.errors)))
    console.print(table)
    for s in report.sources:
        for error in s.errors:
            console.print(f"  [yellow]{s.source}[/]: {error}")
    if report.transitions:
        verb = "would alert" if report.dry_run else "alert"
        for t in report.transitions:
            console.print(f"  [bold]{verb}[/]: {transition_line(t)}")
            console.print(f"      evidence: “{t.evidence}”")
    else:
        console.print("  no status change")
    if report.delivery is not None:
        delivery_report(console, report.delivery)


def transition_line(t: Any) -> str:
    what = "concern" if t.dimension == CONCERN_LEVEL else "judgement"
    old = t.old or "(none recorded)"
    return (f"{t.authority} {SERVICE_LABELS.get(t.service, t.service)}: {what} {old} → {t.new} "
            f"({t.title}, {_day(t.letter_date or t.published)})")


def delivery_report(console: Console, report: Any) -> None:
    if not report.channels:
        console.print("  delivery: no channel configured "
                      "(set CAREWATCH_SMTP_HOST and/or CAREWATCH_WEBHOOK_URL)")
        return
    for key, channel in report.sent:
        console.print(f"  delivered {key} by {channel}")
    for key, channel, error in report.failed:
        console.print(f"  [red]delivery of {key} by {channel} failed[/]: {error} "
                      "(stays pending; retried by the next run)")
    if not report.sent and not report.failed:
        console.print("  delivery: nothing pending")


def status_table(console: Console, rows: Sequence[Any], authority: str) -> None:
    """The recorded status per service: value, when last stated, by what, with evidence.

    The table stays narrow enough for an 80-column terminal; the evidence sentence and the
    document link, which are long, follow it as numbered notes.
    """
    if not rows:
        console.print(f"No status recorded for {authority} yet. Run `carewatch run` first.")
        return
    table = Table(title=f"Recorded status — {authority}")
    for column in ("#", "service", "aspect", "status", "last stated", "document"):
        table.add_column(column, overflow="fold")
    for number, r in enumerate(rows, 1):
        table.add_row(str(number), f"{r.authority} {SERVICE_LABELS.get(r.service, r.service)}",
                      "concern level" if r.dimension == CONCERN_LEVEL else "judgement",
                      f"[bold]{r.value}[/]", _day(r.effective_date), r.title)
    console.print(table)
    for number, r in enumerate(rows, 1):
        console.print(f"  [{number}] “{r.evidence}”\n      {r.url}")


def demo_step(console: Console, step: str, payload: Any) -> None:
    """Render one step of the demo as it happens."""
    if step == "start":
        console.rule("carewatch demo")
        console.print(f"Replay site   {payload['site']} (as of {_day(payload['as_of'])})")
        console.print(f"SMTP server   {payload['smtp']}    webhook receiver {payload['webhook']}")
        console.print(f"Database      {payload['workdir']}/carewatch.db")
    elif step == "poll":
        title, report = payload
        console.rule(title)
        poll_report(console, title, report)
    elif step == "publish":
        console.rule(f"Timeline advanced to {_day(payload)}: the 3 Aug 2020 letter is published")
    elif step == "email":
        for message in payload:
            _show_email(console, message)
    elif step == "webhook":
        for hook in payload:
            state = "[green]signature verified[/]" if hook.verified else "[red]BAD SIGNATURE[/]"
            console.print(Panel(f"webhook-id {hook.id}\n{state}\n"
                                f"type {hook.payload.get('type')}  "
                                f"data.new {hook.payload.get('data', {}).get('new')}",
                                title="Webhook received"))
    elif step == "status":
        from flows.config import Settings
        from flows.database import open_database
        from storage import repo

        sessions = open_database(Settings.from_env().database_url)
        with sessions() as session:
            status_table(console, repo.current_status(session, "Wrexham"), "Wrexham")
    elif step == "check":
        label, passed = payload
        console.print(("[green]✓[/] " if passed else "[red]✗[/] ") + label)


def _show_email(console: Console, message: EmailMessage) -> None:
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    console.print(Panel(f"To: {message['To']}\nSubject: [bold]{message['Subject']}[/]\n\n"
                        + text.strip()[:1200], title="Email received"))


def demo_summary(console: Console, outcome: Any) -> None:
    passed = sum(ok for _, ok in outcome.checks)
    colour = "green" if outcome.ok else "red"
    console.rule(f"[{colour}]{passed}/{len(outcome.checks)} checks passed in "
                 f"{outcome.seconds:.1f} s[/]")
    console.print(f"Demo database kept at {Path(outcome.workdir) / 'carewatch.db'}")
