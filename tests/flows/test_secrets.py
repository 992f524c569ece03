"""Secrets from Prefect Secret blocks (issue 6, Scale-out): a webhook signed with a secret
read from a block verifies at the receiver, and the secret appears in no log record and in
no flow-run parameter."""

from __future__ import annotations

import asyncio
import logging

import pytest
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client

from flows.config import SecretBlockError, Settings, resolve_secret_blocks
from flows.demo import AFTER
from flows.poll import poll


async def _all_parameters() -> str:
    async with get_client() as client:
        runs = await client.read_flow_runs(limit=200)
    return " ".join(repr(run.parameters) for run in runs)


def test_webhook_secret_from_a_block_signs_and_never_leaks(pipeline, monkeypatch, caplog):
    Secret(value=pipeline.secret).save("carewatch-test-webhook", overwrite=True)
    monkeypatch.delenv("CAREWATCH_WEBHOOK_SECRET")
    monkeypatch.setenv("CAREWATCH_WEBHOOK_SECRET_BLOCK", "carewatch-test-webhook")
    caplog.set_level(logging.DEBUG)

    poll(sources=["ciw_la_reports"])
    pipeline.site.set_as_of(AFTER)
    report = poll(sources=["ciw_la_reports"])

    assert len(report.transitions) == 1
    [hook] = pipeline.hook.received
    assert hook.verified  # signed with the block's secret, which the receiver knows
    assert pipeline.secret not in caplog.text
    assert pipeline.secret not in repr(Settings.from_env())
    assert pipeline.secret not in asyncio.run(_all_parameters())


def test_setting_both_the_secret_and_its_block_is_refused():
    with pytest.raises(SecretBlockError, match="unset one of them"):
        resolve_secret_blocks({"CAREWATCH_SMTP_PASSWORD": "pw",
                               "CAREWATCH_SMTP_PASSWORD_BLOCK": "carewatch-smtp"})


def test_an_empty_block_is_refused(pipeline):
    Secret(value="").save("carewatch-empty", overwrite=True)
    with pytest.raises(SecretBlockError, match="empty"):
        resolve_secret_blocks({"CAREWATCH_SMTP_PASSWORD_BLOCK": "carewatch-empty"})


def test_settings_repr_hides_the_database_password():
    settings = Settings.from_env({"CAREWATCH_DATABASE_URL":
                                  "postgresql+psycopg://watch:pw-in-url@db/carewatch"})
    assert "pw-in-url" not in repr(settings) and "***" in repr(settings)


def test_secret_set_stores_what_was_typed_without_echoing_it(pipeline):
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["secret", "set", "carewatch-typed"],
                                input="typed-value-1\ntyped-value-1\n")
    assert result.exit_code == 0, result.output
    assert "typed-value-1" not in result.output
    assert Secret.load("carewatch-typed").get() == "typed-value-1"
