"""Starting ``runner`` children from a test: their environment, their databases, and reading
back what they did.  Shared by ``test_concurrency`` and ``test_kill``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from storage import models
from storage.db import make_engine
from storage.status import CHILDREN, CONCERN_LEVEL, SIGNIFICANT_CONCERN, WREXHAM
from tests.postgres import postgres_schema

REPO = Path(__file__).resolve().parents[3]
BACKENDS = ("sqlite", "postgresql")
CHILD_TIMEOUT = 180  # one poll of every source and a delivery, on a loaded machine


def prefect_api_url() -> str:
    """The API of the Prefect server the test session runs (``prefect_test_harness``): the
    children use it too, rather than each starting an ephemeral server of its own."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    assert url, "the Prefect test harness is not running"
    return str(url)


def child_env(carewatch: dict[str, str], home: Path) -> dict[str, str]:
    """Exactly the carewatch settings given, plus what Prefect needs: nothing of the
    caller's PREFECT_/CAREWATCH_ configuration leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CAREWATCH_"))}
    home.mkdir(parents=True, exist_ok=True)
    env.update(carewatch)
    env.update({
        "PREFECT_API_URL": prefect_api_url(),
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        # As the `pipeline` fixture: fail fast, never wait out real back-offs.
        "CAREWATCH_HTTP_RETRIES": "1",
        "CAREWATCH_CRAWL_RETRIES": "0",
    })
    return env


@dataclass
class Child:
    """One runner process and where it writes."""

    process: subprocess.Popen[bytes]
    log: Path
    report: Path

    def wait(self, timeout: float = CHILD_TIMEOUT) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"runner did not finish in {timeout:.0f}s\n{self.output()}") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def summary(self) -> dict[str, Any]:
        assert self.report.exists(), f"runner wrote no report\n{self.output()}"
        return json.loads(self.report.read_text())


def start(env: dict[str, str], workdir: Path, name: str, *args: str) -> Child:
    """``python -m tests.flows.killpoints.runner ARGS`` with its report in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    log, report = workdir / f"{name}.log", workdir / f"{name}.json"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.flows.killpoints.runner", *args,
             "--report", str(report)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Child(process, log, report)


def run(env: dict[str, str], workdir: Path, name: str, *args: str) -> dict[str, Any]:
    """Run a runner to completion; its summary (it must not crash)."""
    child = start(env, workdir, name, *args)
    code = child.wait()
    assert code == 0, f"{name} exited {code}\n{child.output()}"
    return child.summary()


def together(env: dict[str, str], workdir: Path, *args: str, count: int = 2) -> list[Child]:
    """Start ``count`` runners and release them at the same moment: each signals it is
    ready (its flow has started and is about to open the database), and all are let go
    together by one file appearing."""
    go = workdir / "go"
    children = [start(env, workdir, f"run{n}", *args, "--ready", str(workdir / f"ready{n}"),
                      "--go", str(go)) for n in range(count)]
    deadline = time.monotonic() + CHILD_TIMEOUT
    while not all((workdir / f"ready{n}").exists() for n in range(count)):
        for child in children:
            if child.process.poll() is not None:
                raise AssertionError(f"a runner exited before the start\n{child.output()}")
        assert time.monotonic() < deadline, "runners never became ready"
        time.sleep(0.02)
    go.touch()
    return children


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a new schema in the PostgreSQL test database
    (dropped afterwards).  PostgreSQL skips when ``CAREWATCH_TEST_POSTGRES_URL`` is unset."""
    if backend == "sqlite":
        workdir.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{workdir / 'carewatch.db'}"
        return
    with postgres_schema("cw_race") as url:
        yield url


@dataclass(frozen=True)
class Stored:
    """What the database holds after a test's runs, read with a fresh engine."""

    publications: int
    duplicate_urls: int
    observations: int
    duplicate_observations: int
    alerts: list[tuple[str, str]]  # (kind, key), oldest first
    states: list[tuple[str, str, str, int]]  # (alert key, channel, state, attempts)
    runs: int


def stored(url: str) -> Stored:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            p, u, o = models.Publication, models.PublicationUrl, models.Observation
            a, s = models.Alert, models.DeliveryState
            per_url = select(u.url).group_by(u.url).having(func.count() > 1).subquery()
            per_reading = (select(o.publication_id).group_by(
                o.publication_id, o.authority, o.service, o.dimension)
                .having(func.count() > 1).subquery())
            return Stored(
                publications=c.scalar(select(func.count()).select_from(p)) or 0,
                duplicate_urls=c.scalar(select(func.count()).select_from(per_url)) or 0,
                observations=c.scalar(select(func.count()).select_from(o)) or 0,
                duplicate_observations=c.scalar(
                    select(func.count()).select_from(per_reading)) or 0,
                alerts=[(kind, key) for kind, key in c.execute(
                    select(a.kind, a.key).order_by(a.id))],
                states=[(key, channel, state, attempts) for key, channel, state, attempts
                        in c.execute(select(a.key, s.channel, s.state, s.attempts)
                                     .join(a, a.id == s.alert_id).order_by(s.id))],
                runs=c.scalar(select(func.count()).select_from(models.SourceRun)) or 0,
            )
    finally:
        engine.dispose()


def significant_observations(url: str) -> int:
    """Observations of the 2020 escalation (Wrexham children's services, significant)."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            o = models.Observation
            return c.scalar(select(func.count()).select_from(o).where(
                o.authority == WREXHAM, o.service == CHILDREN,
                o.dimension == CONCERN_LEVEL, o.value == SIGNIFICANT_CONCERN)) or 0
    finally:
        engine.dispose()
