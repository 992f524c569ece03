"""End-to-end fixtures: the real replay server, a real SMTP server (aiosmtpd), a real
webhook receiver that verifies signatures, a real SQLite file, and Prefect's test harness."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.database import close_databases, open_database
from flows.demo import BEFORE, demo_environment, new_webhook_secret
from replay.server import ReplayServer
from replay.sinks import SmtpSink, WebhookReceiver


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@dataclass
class Pipeline:
    site: ReplayServer
    smtp: SmtpSink
    hook: WebhookReceiver
    secret: str
    workdir: Path

    def sessions(self):
        import os

        return open_database(os.environ["CAREWATCH_DATABASE_URL"])


@pytest.fixture
def pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    """Everything the demo starts, configured through env vars exactly as a user would."""
    secret = new_webhook_secret()
    with ReplayServer(as_of=BEFORE) as site, SmtpSink() as smtp, WebhookReceiver(secret) as hook:
        for key, value in demo_environment(tmp_path, site.url, smtp, hook, secret).items():
            monkeypatch.setenv(key, value)
        # Fail fast: the tests inject persistent faults and must not wait out real back-offs.
        monkeypatch.setenv("CAREWATCH_HTTP_RETRIES", "1")
        monkeypatch.setenv("CAREWATCH_CRAWL_RETRIES", "0")
        yield Pipeline(site, smtp, hook, secret, tmp_path)
    close_databases()
