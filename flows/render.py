"""Terminal rendering for the CLI and the demo (rich).  Presentation only: no queries,
no decisions; every function takes the records it shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from storage.health import duration_text
from storage.status import (
    REVIEW_AUTO,
    REVIEW_CONFIRMED,
    REVIEW_REJECTED,
    SERVICE_LABELS,
)


def _day(value: Any) -> str:
    return value.strftime("%-d %b %Y") if value else "—"


def poll_report(console: Console, title: str, report: Any) -> None:
    """Per-source counts, then each alert the poll produced (or would produce)."""
    table = Table(title=title + (" (dry run: nothing written or sent)" if report.dry_run else "")
                  + (" — quiet baseline: history recorded, no alerts" if report.baseline else ""))
    for column in ("source", "ok", "listed", "new", "changed", "errors"):
        table.add_column(column)
    for s in report.sources:
        listed = "unchanged" if getattr(s, "unchanged", False) else str(s.found)
        table.add_row(s.source, "yes" if s.ok else "[red]FAILED[/]", listed, str(s.new),
                      str(s.changed), str(len(s.errors)))
    console.print(table)
    for s in report.sources:
        for error in s.errors:
            console.print(f"  [yellow]{s.source}[/]: {error}")
    for alert in getattr(report, "health_alerts", []):
        from alerts.message import render_subject

        console.print(f"  [magenta]operations alert[/]: {escape(render_subject(alert))}",
                      soft_wrap=True)
    if report.transitions:
        verb = "would alert" if report.dry_run else "alert"
        for t in report.transitions:
            console.print(f"  [bold]{verb}[/]: {escape(transition_line(t))}")
            console.print(f"      evidence: “{escape(t.evidence)}”")
    else:
        console.print("  no status change")
    if report.delivery is not None:
        delivery_report(console, report.delivery)


def transition_line(t: Any) -> str:
    """One line per alert: the email subject (one wording for every alert kind), plus the
    document title for status changes."""
    from alerts.message import is_unconfirmed, render_subject

    if is_unconfirmed(t):
        return render_subject(t)
    return f"{render_subject(t)} — {t.title}"


def delivery_report(console: Console, report: Any) -> None:
    if not report.channels:
        console.print("  delivery: no channel configured "
                      "(set CAREWATCH_SMTP_HOST and/or CAREWATCH_WEBHOOK_URL)")
        return
    for key, channel in report.sent:
        console.print(f"  delivered {key} by {channel}")
    for key, channel, error in report.failed:
        console.print(f"  [red]delivery of {key} by {channel} failed[/]: {error} "
                      "(retried on its schedule: see `carewatch alerts`)")
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
                      _aspect(r.dimension),
                      f"[bold]{r.value}[/]", _day(r.effective_date), r.title)
    console.print(table)
    for number, r in enumerate(rows, 1):
        console.print(f"  [{number}] “{r.evidence}”\n      {r.url}")


def _moment(value: Any) -> str:
    return value.strftime("%-d %b %Y %H:%M") if value else "—"


def source_health(console: Console, rows: Sequence[Any], sources: Mapping[str, Any]) -> None:
    """The health table: per source its configuration (enabled, publisher, poll interval,
    expected cadence) and health (state, last success, failures in a row, items the listing
    found last run, last new item); each last error follows as a numbered note."""
    table = Table(title="Sources and their health (times UTC)")
    for column in ("#", "source", "title", "publisher", "every", "cadence", "state",
                   "last success", "failures", "found", "last new item"):
        # the title gives way first on a narrow terminal; the rest are short values
        if column == "title":
            table.add_column(column, overflow="ellipsis", no_wrap=True, max_width=24)
        elif column in ("source", "publisher"):
            table.add_column(column, no_wrap=True)
        else:
            table.add_column(column, overflow="fold")
    for number, r in enumerate(rows, 1):
        source = sources.get(r.source)
        state = "[green]healthy[/]" if r.state == "healthy" else (
            f"[red]{r.state}[/] since {_moment(r.since)}")
        if source is not None and not source.enabled:
            state = f"[dim]disabled[/] ({state})"
        table.add_row(str(number), r.source, escape(source.title if source else ""),
                      source.publisher if source else "—",
                      duration_text(source.every) if source else "—",
                      duration_text(source.cadence) if source else "—", state,
                      _moment(r.last_success), str(r.consecutive_failures),
                      "—" if r.found_last_run is None else str(r.found_last_run),
                      _moment(r.last_new_item))
    console.print(table)
    for number, r in enumerate(rows, 1):
        if r.last_error:
            console.print(f"  [{number}] last error: {escape(r.last_error)}", soft_wrap=True)


# --- history and review -------------------------------------------------------------------

def _aspect(dimension: str) -> str:
    return dimension.replace("_", " ")


def _service(service: str | None) -> str:
    return SERVICE_LABELS.get(service, service) if service else "—"


def status_history(console: Console, timelines: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Each authority's timeline, oldest first: one block per observation (what, by whom,
    whether it counts) or per publication that states no status (an event).

    Lines are printed unwrapped (titles and evidence are long; piping to a file or grep
    must keep each on one line); values scraped from the web are printed without markup.
    """
    for authority, entries in timelines:
        if not entries:
            console.print(f"Nothing recorded about {escape(authority)} yet. "
                          "Run `carewatch run` first.")
            continue
        console.rule(f"Status history — {escape(authority)}")
        console.print("regulator = CIW or Welsh Government text (moves the status); "
                      "secondary = council, press or blog (never does)", soft_wrap=True)
        for entry in entries:
            _history_entry(console, entry)


def _history_entry(console: Console, entry: Any) -> None:
    who = "regulator" if entry.authoritative else "secondary"
    o = entry.observation
    if o is None:
        head = f"{_day(entry.date)}  event: no status stated  [{who}; {entry.kind}]"
        lines = [entry.title, entry.url]
    else:
        head = (f"{_day(entry.date)}  {_service(o.service)} · {_aspect(o.dimension)} · "
                f"{o.value}  [{o.scheme}; {who}; review {o.review}; "
                f"confidence {o.confidence:.2f}]")
        if o.review_note:
            head += f"  note: {o.review_note}"
        lines = [entry.title, f"“{o.evidence}”", entry.url]
    lines += [f"also: {where}" for where in getattr(entry, "also", ())]
    console.print(escape(head), soft_wrap=True)
    for line in lines:
        console.print("    " + escape(line), soft_wrap=True)


def review_list(console: Console, rows: Sequence[Any]) -> None:
    """Observations awaiting a person: what was read, how sure, from which document, why."""
    if not rows:
        console.print("Nothing needs review.")
        return
    console.rule(f"Needs review — {len(rows)} observation(s); none counts until confirmed")
    for r in rows:
        who = "regulator" if r.authoritative else "secondary"
        console.print(escape(
            f"#{r.id}  {r.authority} {_service(r.service)} · {_aspect(r.dimension)} · {r.value}"
            f"  [confidence {r.confidence:.2f}; {who}; {_day(r.effective_date)}]"
        ), soft_wrap=True)
        for line in (r.title, f"“{r.evidence}”", r.url):
            console.print("    " + escape(line), soft_wrap=True)
        if r.reasons:
            console.print("    why: " + escape("; ".join(r.reasons)), soft_wrap=True)
    console.print("Confirm with `carewatch review confirm ID`, or reject with "
                  "`carewatch review reject ID` (add --note TEXT to say why).", soft_wrap=True)


def review_outcome(console: Console, observation_id: int, decision: str,
                   notices: Sequence[Any], *, before: str) -> None:
    """What a review decision did (``before``: the observation's review state before it)."""
    verb = "Confirmed" if decision == "confirm" else "Rejected"
    already = (REVIEW_CONFIRMED, REVIEW_AUTO) if decision == "confirm" else (REVIEW_REJECTED,)
    if before in already:
        state = "read automatically" if before == REVIEW_AUTO else before
        console.print(f"Observation {observation_id} was already {state}; nothing changed.")
        return
    console.print(f"{verb} observation {observation_id}.")
    if decision != "confirm":
        console.print("It will never count towards the status or alert.")
    elif notices:
        for notice in notices:
            console.print(f"  alert enqueued: {escape(transition_line(notice))}", soft_wrap=True)
        console.print("It is sent by the next `carewatch run` or `carewatch deliver`.")
    else:
        console.print("It counts from now; it changes nothing that was recorded, so no alert.")


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
        when, what = payload
        console.rule(f"Timeline advanced to {_day(when)}: {what}")
    elif step == "event":
        console.print("The 3 Aug 2020 letter is one publication event, seen on: "
                      + (", ".join(payload) or "—"), soft_wrap=True)
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
    elif step == "report":
        console.print(f"Status page and feeds written: {payload}", soft_wrap=True)
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
    if getattr(outcome, "report", None):
        console.print(f"Status page (open in a browser): {outcome.report}", soft_wrap=True)


def classification(console: Console, path: str, result: Any) -> None:
    """A readable summary of what the classifier read from one document."""
    voice = "regulator / Welsh Government" if result.authoritative else "secondary"
    console.rule(path)
    console.print(f"relevant: [bold]{'yes' if result.relevant else 'no'}[/]   "
                  f"council: [bold]{result.authority or '—'}[/]   source: {voice}   "
                  f"kind: {result.kind}   confidence: {result.confidence:.2f}")
    dates = {k: v for k, v in result.dates.to_json().items() if v}
    if dates:
        console.print("dates: " + ", ".join(f"{k} {v}" for k, v in dates.items()))
    if not result.statuses:
        console.print("no status stated")
    for service, stated in result.statuses.items():
        label = SERVICE_LABELS.get(service, service)
        for dimension in stated.stated:
            console.print(f"  {label}: {_aspect(dimension)} = "
                          f"[bold]{stated.value(dimension)}[/] ({stated.scheme})")
            console.print(f"      “{stated.evidence_by_field.get(dimension, stated.evidence)}”")
        for dimension, value in stated.restated:
            console.print(f"  {label}: restates earlier {_aspect(dimension)} “{value}”"
                          " (not this document's status)")
    for reason in result.reasons:
        console.print(f"  · {reason}")


# --- alerts and their delivery ------------------------------------------------------------


def _second(value: Any) -> str:
    return value.strftime("%-d %b %Y %H:%M:%S") if value else "—"


def _alert_about(alert: Any) -> tuple[str, str]:
    """(who, what) of an outbox row: council / service and old → new for a status alert;
    the source or channel and the problem for an operations alert."""
    p = alert.payload or {}
    if alert.authority:
        who = f"{alert.authority} / {_service(alert.service)}"
    else:
        who = f"{alert.service}"
    if "new" in p:
        dimension = f"{_aspect(p['dimension'])}: " if p.get("dimension") else ""
        return who, f"{dimension}{p.get('old') or '—'} → {p['new']}"
    if "problem" in p:
        what = str(p["problem"]).replace("_", " ")
        if p.get("recovered"):
            what += " (recovered)"
        if p.get("target"):
            what += f" {p['target']} (alert #{p.get('alert_id')})"
        return who, what
    return who, "—"


def _target_state(t: Any, *, alert_id: int, now: Any, max_attempts: int) -> str:
    made = f"{t.attempts} of {max_attempts} attempts made"
    if t.state == "delivered":
        state = f"[green]delivered[/] {_second(t.at)}"
    elif t.state == "dead":
        state = (f"[red]dead[/] since {_second(t.at)} after {t.attempts} attempts: "
                 f"`carewatch alerts replay {alert_id}` sends it again")
    elif t.state == "disabled":
        state = (f"[yellow]disabled[/] since {_second(t.at)} ({escape(t.reason or '')}): "
                 f"`carewatch alerts enable {escape(t.target)}`")
    elif t.next_attempt_at is None:
        state = "pending, not yet tried"
    elif t.next_attempt_at <= now:
        state = f"pending, due now ({made})"
    else:
        state = f"pending, next at {_second(t.next_attempt_at)} ({made})"
    where = escape(f"{t.channel} {t.target}")
    gone = "" if t.configured else " [dim](no longer configured)[/]"
    return f"{where}: {state}{gone}"


def alerts_list(console: Console, views: Sequence[Any], disabled: Sequence[Any], *,
                now: Any, max_attempts: int) -> None:
    """``carewatch alerts``: each alert, newest first (id, created, kind, council / service,
    old → new), where it stands with every target, then every delivery attempt; then the
    endpoints disabled by 410 Gone.  Lines are not wrapped (grep-able)."""
    if not views:
        console.print("No alerts yet. A status change found by `carewatch run` (or a "
                      "source's health changing) enqueues one.")
    else:
        console.rule(f"Alerts — the newest {len(views)}, newest first (times UTC)")
    for view in views:
        a = view.alert
        who, what = _alert_about(a)
        console.print(escape(f"#{a.id}  {_moment(a.created_at)}  {a.kind}  {who}  {what}"),
                      soft_wrap=True)
        console.print(escape(f"    key {a.key}"), soft_wrap=True)
        if not view.targets:
            console.print("    no channel configured for it", soft_wrap=True)
        for t in view.targets:
            console.print("    " + _target_state(t, alert_id=a.id, now=now,
                                                 max_attempts=max_attempts), soft_wrap=True)
        for d in view.attempts:
            outcome = "ok" if d.ok else "failed"
            code = f" {d.response_code}" if d.response_code is not None else ""
            error = f"  {d.error}" if d.error else ""
            console.print(escape(f"      attempt {_second(d.attempted_at)}  {d.channel} "
                                 f"{d.target}  {outcome}{code}{error}"), soft_wrap=True)
    for row in disabled:
        console.print(f"[yellow]Disabled[/]: {escape(f'{row.channel} {row.target}')} since "
                      f"{_second(row.disabled_at)} ({escape(row.reason)}); nothing is sent to "
                      f"it until `carewatch alerts enable {escape(row.target)}`", soft_wrap=True)


def replay_outcome(console: Console, alert_id: int, report: Any) -> None:
    """What `carewatch alerts replay ID` did, per channel."""
    for _key, channel in report.sent:
        console.print(f"Alert #{alert_id} re-sent by {channel}: delivered.")
    for _key, channel, error in report.failed:
        console.print(f"[red]Alert #{alert_id} by {channel} failed[/]: {escape(error)}",
                      soft_wrap=True)
    for channel, target in report.disabled:
        console.print(f"[yellow]{escape(f'{channel} {target}')} answered 410 Gone and is now "
                      "disabled[/]", soft_wrap=True)
    for channel, target in report.skipped:
        console.print(f"Skipped {escape(f'{channel} {target}')}: disabled "
                      f"(`carewatch alerts enable {escape(target)}` first)", soft_wrap=True)
    if not (report.sent or report.failed or report.skipped):
        console.print(f"No configured channel takes alert #{alert_id}; nothing sent.")


def enable_outcome(console: Console, target: str, enabled: Sequence[tuple[str, str]]) -> None:
    for channel, _ in enabled:
        console.print(f"Re-enabled {escape(f'{channel} {target}')}: what it missed is sent by "
                      "the next `carewatch deliver` (or `carewatch run`).", soft_wrap=True)


def health_report(console: Console, report: Any, sources: Mapping[str, Any]) -> None:
    """`carewatch health`: each enabled source's state now, then any alert it raised."""
    table = Table(title="Source health now")
    for column in ("source", "state", "since", "detail"):
        table.add_column(column, overflow="fold")
    for name, state in report.states.items():
        shown = "[green]healthy[/]" if state.ok else f"[red]{state.state}[/]"
        table.add_row(name, shown, _moment(state.since), escape(state.detail or ""))
    console.print(table)
    from alerts.message import render_subject

    for alert in report.alerts:
        console.print(f"  [magenta]operations alert[/]: {escape(render_subject(alert))}",
                      soft_wrap=True)
    if report.delivery is not None:
        delivery_report(console, report.delivery)


def digest_report(console: Console, report: Any) -> None:
    """`carewatch digest`: what the digest covered, whether it was queued, its delivery."""
    if report.digest is None:
        console.print(f"No digest: {report.reason}")
        return
    from alerts.digest import render_subject

    d = report.digest
    verb = "Queued" if report.enqueued else "Not queued"
    console.print(f"{verb}: {escape(render_subject(d))}  [dim](from {_moment(d.start)} to "
                  f"{_moment(d.end)})[/]", soft_wrap=True)
    if report.reason:
        console.print(f"  {escape(report.reason)}")
    if report.delivery is not None:
        delivery_report(console, report.delivery)


def doctor(console: Console, checks: Sequence[Any]) -> None:
    """`carewatch doctor`: one row per check; what to fix under each one not ok."""
    colours = {"ok": "green", "warn": "yellow", "fail": "red"}
    table = Table(title="carewatch doctor")
    for column in ("check", "result", "detail"):
        table.add_column(column, overflow="fold")
    for check in checks:
        colour = colours.get(check.status, "white")
        detail = escape(check.detail)
        if check.fix:
            detail += f"\n[bold]fix:[/] {escape(check.fix)}"
        table.add_row(check.name, f"[{colour}]{check.status}[/]", detail)
    console.print(table)
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    console.print(f"{failed} failed, {warned} warning(s), {len(checks) - failed - warned} ok")
