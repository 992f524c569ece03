"""`carewatch alerts`: the listing (state per target, every attempt), `replay ID` (same
webhook-id, recorded) and `enable TARGET`, through typer's CliRunner against a real SQLite
file, the real Standard Webhooks receiver and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from alerts.channels import channels_from_env
from alerts.retry import RetryPolicy
from flows.cli import app
from flows.database import close_databases, open_database
from flows.deliver import deliver_due
from flows.demo import new_webhook_secret
from replay.sinks import SmtpSink, WebhookReceiver
from storage import models, repo
from storage.notices import status_change
from storage.status import CHILDREN, CONCERN_LEVEL, SCHEME_COP_2019, Transition

runner = CliRunner()


class Middle:
    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


@dataclass
class Setup:
    sessions: sessionmaker[Session]
    hook: WebhookReceiver
    smtp: SmtpSink
    env: dict[str, str]

    def enqueue(self, n: int, now: datetime) -> models.Alert:
        t = Transition(
            key=f"cw_cli_{n}", authority="Wrexham County Borough Council", service=CHILDREN,
            dimension=CONCERN_LEVEL, old="serious", new="significant", scheme=SCHEME_COP_2019,
            evidence="e", source="ciw_la_reports", kind="annual_letter", title=f"Letter {n}",
            url=f"https://careinspectorate.wales/{n}.pdf", letter_date=date(2020, 8, 3))
        with self.sessions.begin() as session:
            alert = repo.enqueue(session, status_change(t), observation_id=None, now=now)
            session.expunge(alert)
            return alert

    def deliver(self, now: datetime, max_attempts: int = 8):
        return deliver_due(self.sessions, channels_from_env(self.env),
                           policy=RetryPolicy(max_attempts=max_attempts),
                           clock=lambda: now, rng=Middle())

    def attempts(self, alert_id: int) -> list[tuple[str, bool]]:
        with self.sessions() as session:
            d = models.Delivery
            return [(r.channel, r.ok) for r in session.scalars(
                select(d).where(d.alert_id == alert_id).order_by(d.id))]


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    secret = new_webhook_secret()
    url = f"sqlite:///{tmp_path / 'carewatch.db'}"
    with WebhookReceiver(secret) as hook, SmtpSink() as smtp:
        env = {"CAREWATCH_DATABASE_URL": url, "CAREWATCH_WEBHOOK_URL": hook.url,
               "CAREWATCH_WEBHOOK_SECRET": secret, "CAREWATCH_SMTP_HOST": smtp.host,
               "CAREWATCH_SMTP_PORT": str(smtp.port), "CAREWATCH_SMTP_MODE": "plain",
               "CAREWATCH_SMTP_FROM": "carewatch@example.org",
               "CAREWATCH_SMTP_TO": "team@example.org"}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        yield Setup(open_database(url), hook, smtp, env)
    close_databases()


def lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines()]


def test_listing_shows_state_per_target_and_every_attempt(setup):
    now = datetime.now(UTC)
    setup.hook.responses.extend([500])
    first = setup.enqueue(1, now - timedelta(minutes=1))
    setup.deliver(now)
    second = setup.enqueue(2, now)

    result = runner.invoke(app, ["alerts"])
    assert result.exit_code == 0, result.output
    out = lines(result.output)
    header = (f"#{first.id}  {first.created_at:%-d %b %Y %H:%M}  status_change  "
              "Wrexham County Borough Council / children's services  "
              "concern level: serious → significant")
    assert header in out
    assert f"key {first.key}" in out
    next_at = f"{now + timedelta(seconds=5):%-d %b %Y %H:%M:%S}"
    assert f"email team@example.org: delivered {now:%-d %b %Y %H:%M:%S}" in out
    assert (f"webhook {setup.hook.url}: pending, next at {next_at} (1 of 8 attempts made)"
            in out)
    attempts = [line for line in out if line.startswith("attempt ")]
    assert len(attempts) == 2
    assert any(f"webhook {setup.hook.url}  failed 500  HTTP 500: simulated failure 500" in a
               for a in attempts)
    assert any("email team@example.org  ok 250" in a for a in attempts)
    # The newest first; the untried one says so.
    assert out.index(f"key {second.key}") < out.index(f"key {first.key}")
    assert f"webhook {setup.hook.url}: pending, not yet tried" in out

    newest = runner.invoke(app, ["alerts", "--limit", "1"])
    assert newest.exit_code == 0
    assert f"key {second.key}" in newest.output and f"key {first.key}" not in newest.output


def test_replay_resends_with_the_same_webhook_id_and_records_it(setup):
    now = datetime.now(UTC)
    alert = setup.enqueue(1, now)
    assert len(setup.deliver(now).sent) == 2

    result = runner.invoke(app, ["alerts", "replay", str(alert.id)])
    assert result.exit_code == 0, result.output
    assert f"Alert #{alert.id} re-sent by webhook: delivered." in result.output
    assert [h.id for h in setup.hook.received] == [alert.key, alert.key]
    assert [m["X-Carewatch-Key"] for m in setup.smtp.messages] == [alert.key, alert.key]
    assert setup.attempts(alert.id) == [("email", True), ("webhook", True),
                                        ("email", True), ("webhook", True)]

    only = runner.invoke(app, ["alerts", "replay", str(alert.id), "--channel", "webhook"])
    assert only.exit_code == 0, only.output
    assert len(setup.hook.received) == 3 and len(setup.smtp.messages) == 2


def test_replay_delivers_a_dead_letter(setup):
    now = datetime.now(UTC)
    setup.hook.responses.extend([500, 500])  # the alert, then the dead-letter alert about it
    alert = setup.enqueue(1, now)
    # The dead-letter alert about it goes to the webhook too (no operations target), and
    # dies there as well.
    assert setup.deliver(now, max_attempts=1).dead[0] == (alert.key, "webhook")
    assert "dead since" in runner.invoke(app, ["alerts"]).output

    result = runner.invoke(app, ["alerts", "replay", str(alert.id), "--channel", "webhook"])
    assert result.exit_code == 0, result.output
    listing = lines(runner.invoke(app, ["alerts"]).output)
    assert any(line.startswith(f"webhook {setup.hook.url}: delivered") for line in listing)
    assert setup.hook.received[-1].id == alert.key


def test_replay_of_an_unknown_id_is_a_clear_error(setup):
    result = runner.invoke(app, ["alerts", "replay", "999"])
    assert result.exit_code == 2
    assert "no alert with id 999" in result.output and "carewatch alerts" in result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    bad = runner.invoke(app, ["alerts", "replay", "1", "--channel", "pigeon"])
    assert bad.exit_code == 2 and "email, webhook" in bad.output


def test_a_410_shows_disabled_until_enabled(setup):
    now = datetime.now(UTC)
    setup.hook.responses.extend([410])
    alert = setup.enqueue(1, now)
    report = setup.deliver(now)
    assert report.disabled == [("webhook", setup.hook.url)]

    listing = runner.invoke(app, ["alerts"])
    out = lines(listing.output)
    assert any(line.startswith(f"webhook {setup.hook.url}: disabled since") and
               f"carewatch alerts enable {setup.hook.url}" in line for line in out)
    assert any(line.startswith("Disabled: webhook") for line in out)
    # The operations alert about it went to the status email (no operations target set).
    assert any(line.startswith("#") and "delivery_problem" in line for line in out)

    unknown = runner.invoke(app, ["alerts", "enable", "https://nowhere.example.org/"])
    assert unknown.exit_code == 2
    assert f"is not a disabled target; disabled now: {setup.hook.url}" in unknown.output

    enabled = runner.invoke(app, ["alerts", "enable", setup.hook.url])
    assert enabled.exit_code == 0, enabled.output
    assert f"Re-enabled webhook {setup.hook.url}" in enabled.output
    later = now + timedelta(seconds=1)
    sent = setup.deliver(later).sent
    assert (alert.key, "webhook") in sent
    assert [h.status_sent for h in setup.hook.received if h.id == alert.key] == [410, 204]


def test_help():
    for args in (["alerts", "--help"], ["alerts", "replay", "--help"],
                 ["alerts", "enable", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output
