"""``carewatch doctor`` (issue 6, Security): each check against the real thing (a real SMTP
server, a real webhook receiver, a real SQLite file at a real migration), saying what to fix,
and never printing a secret."""

from __future__ import annotations

import os
import socket

import pytest
from alembic import command
from typer.testing import CliRunner

from flows.cli import app
from flows.doctor import FAIL, OK, WARN, run_checks
from replay.sinks import SmtpSink
from storage.db import alembic_config, make_engine, migrate

runner = CliRunner()


def _by_name(checks):
    out: dict[str, list] = {}
    for check in checks:
        out.setdefault(check.name, []).append(check)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_good_configuration_passes(pipeline):
    checks = _by_name(run_checks(migrate=True))
    assert [c.status for c in checks["database"]] == [OK]
    assert [c.status for c in checks["smtp"]] == [OK]
    assert [c.status for c in checks["webhook"]] == [OK]
    assert checks["alert channels"][0].status == OK
    assert "webhook" in checks["alert channels"][0].detail
    assert all(c.status == OK for group in checks.values() for c in group)


def test_a_new_database_warns_and_migrate_fixes_it(pipeline):
    [check] = _by_name(run_checks())["database"]
    assert check.status == WARN and "no carewatch schema yet" in check.detail
    assert "--migrate" in check.fix
    [check] = _by_name(run_checks(migrate=True))["database"]
    assert check.status == OK


def test_a_database_behind_the_code_lists_pending_migrations(pipeline):
    engine = make_engine(os.environ["CAREWATCH_DATABASE_URL"])
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    engine.dispose()
    [check] = _by_name(run_checks())["database"]
    assert check.status == WARN and "at migration 0003" in check.detail
    assert "0004" in check.detail and "0005" in check.detail
    assert check.detail.index("0004") < check.detail.index("0005")


def test_a_database_from_a_newer_carewatch_fails(pipeline):
    from sqlalchemy import text

    url = os.environ["CAREWATCH_DATABASE_URL"]
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    [check] = _by_name(run_checks())["database"]
    assert check.status == FAIL and "9999_future" in check.detail
    assert "upgrade carewatch" in check.fix


def test_an_unreachable_database_fails_without_its_password(pipeline, monkeypatch):
    monkeypatch.setenv("CAREWATCH_DATABASE_URL",
                       f"postgresql+psycopg://watch:s3cretpw@127.0.0.1:{_free_port()}/cw")
    [check] = _by_name(run_checks())["database"]
    assert check.status == FAIL and "s3cretpw" not in check.detail
    assert "***" in check.detail and "CAREWATCH_DATABASE_URL" in check.fix


def test_a_refused_smtp_connection_says_what_to_check(pipeline, monkeypatch):
    monkeypatch.setenv("CAREWATCH_SMTP_PORT", str(_free_port()))
    [check] = _by_name(run_checks())["smtp"]
    assert check.status == FAIL and "Connection refused" in check.detail
    assert "CAREWATCH_SMTP_HOST" in check.fix


def test_a_wrong_smtp_password_fails_and_is_never_shown(pipeline, monkeypatch):
    with SmtpSink(credentials=("watch", "right-password")) as sink:
        monkeypatch.setenv("CAREWATCH_SMTP_PORT", str(sink.port))
        monkeypatch.setenv("CAREWATCH_SMTP_USERNAME", "watch")
        monkeypatch.setenv("CAREWATCH_SMTP_PASSWORD", "wrong-password")
        [check] = _by_name(run_checks())["smtp"]
        assert check.status == FAIL and "password" in check.fix
        assert "wrong-password" not in check.detail + check.fix
        monkeypatch.setenv("CAREWATCH_SMTP_PASSWORD", "right-password")
        [check] = _by_name(run_checks())["smtp"]
        assert check.status == OK and "logged in as watch" in check.detail
    assert sink.received == []  # the doctor never sends mail


@pytest.mark.parametrize("secret", ["hunter2", "whsec_", "whsec_!!notbase64!!", "whsec_c2hvcnQ="])
def test_a_malformed_webhook_secret_fails_without_echoing_it(pipeline, monkeypatch, secret):
    monkeypatch.setenv("CAREWATCH_WEBHOOK_SECRET", secret)
    [check] = _by_name(run_checks())["alert channels"]
    assert check.status == FAIL and "CAREWATCH_WEBHOOK_SECRET" in check.detail
    if len(secret) > len("whsec_"):
        assert secret not in check.detail


def test_an_unreachable_webhook_fails(pipeline, monkeypatch):
    monkeypatch.setenv("CAREWATCH_WEBHOOK_URL", f"http://127.0.0.1:{_free_port()}/hook?token=t0k")
    [check] = _by_name(run_checks())["webhook"]
    assert check.status == FAIL and "cannot connect" in check.detail
    assert "t0k" not in check.detail


def test_no_channel_is_a_warning(pipeline, monkeypatch):
    for name in ("CAREWATCH_SMTP_HOST", "CAREWATCH_WEBHOOK_URL"):
        monkeypatch.delenv(name)
    [check] = _by_name(run_checks())["alert channels"]
    assert check.status == WARN and "nobody is told" in check.detail


def test_a_missing_secret_block_says_how_to_create_it(pipeline, monkeypatch):
    monkeypatch.delenv("CAREWATCH_WEBHOOK_SECRET")
    monkeypatch.setenv("CAREWATCH_WEBHOOK_SECRET_BLOCK", "no-such-block")
    [check] = run_checks()
    assert check.name == "settings" and check.status == FAIL
    assert "carewatch secret set no-such-block" in check.detail


def test_the_command_exits_1_on_failure_and_prints_the_fix(pipeline, monkeypatch):
    result = runner.invoke(app, ["doctor", "--migrate"])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    monkeypatch.setenv("CAREWATCH_SMTP_PORT", str(_free_port()))
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "fix:" in result.output and "1 failed" in result.output
    assert pipeline.secret not in result.output
