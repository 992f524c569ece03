"""Fixtures for the replay-site tests: a real server on loopback and an httpx client for it."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from replay.server import ReplayServer
from replay.timeline import STEPS


@pytest.fixture(scope="session")
def ssl_context() -> ssl.SSLContext:
    """Built once: httpx would load the CA bundle per client (~0.1 s each), though we only
    ever speak plain HTTP to loopback."""
    return ssl.create_default_context()


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    """A fresh server per test (faults and the request log never leak between tests)."""
    with ReplayServer(as_of=STEPS["latest"]) as server:
        yield server


@pytest.fixture
def replay_http(replay_server: ReplayServer,
                ssl_context: ssl.SSLContext) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=replay_server.url, timeout=5.0, follow_redirects=False,
                      verify=ssl_context) as client:
        yield client

