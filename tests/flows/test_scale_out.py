"""Scale-out as the README's "Run at scale" runs it, for real: a Prefect server, a process
work pool and a worker (subprocesses), the deployments from ``prefect.yaml``, PostgreSQL
for the project's data, and the replay site, SMTP server and webhook receiver on loopback.

``prefect deployment run poll/poll`` is triggered twice: with the replay site as it stood
on 1 July 2020 (a quiet baseline: publications stored, nothing sent), then after CIW's
letter of 3 August 2020 (one status change, children's services serious -> significant,
delivered by the worker's flow run by email and signed webhook); then ``deliver/deliver``
runs and sends nothing again; then ``source-health/source-health`` (no problem to report)
and ``digest/digest`` (one weekly digest email).  What landed is read back from PostgreSQL
with SQLAlchemy.  The SMTP password lives only in the worker's environment and the webhook
secret in a Prefect Secret block (``carewatch secret set``): the test checks neither
appears in any flow-run parameter, in any deployment, or in the worker's, server's or API's
logs.

Runs only against PostgreSQL (``CAREWATCH_TEST_POSTGRES_URL``, exported by ``.ci/run``):
the test creates a schema of its own there and drops it afterwards.  Without it the test
is skipped, saying so.  Marked ``slow`` (about a minute): ``pytest -m "not slow"`` leaves
it out.  ``pytest -s`` shows its progress.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from flows.demo import AFTER, BEFORE, demo_environment, new_webhook_secret
from flows.deployments import DEPLOYMENTS, TIMEZONE
from flows.serve import free_port
from replay.server import ReplayServer
from replay.sinks import SmtpSink, WebhookReceiver
from storage.db import make_engine
from storage.notices import ALERT_STATUS_CHANGE
from storage.status import CHILDREN, SERIOUS_CONCERN, SIGNIFICANT_CONCERN
from tests.postgres import postgres_schema

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
POOL = "carewatch"
SECRET_BLOCK = "carewatch-webhook-secret"
DIGEST_TO = "editor@localhost"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
SERVER_TIMEOUT = 120  # a cold `prefect server start` migrates its own database first
RUN_TIMEOUT = 180  # one poll of every source; the worker picks a run up within a second
SMTP_USER = "carewatch"
WORKER = "scale-out-test"


class Stage:
    """Progress lines with the seconds since the test started (shown by ``pytest -s``)."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[scale-out {time.monotonic() - self.started:5.1f}s] {message}", flush=True)


class Processes:
    """Long-running subprocesses with their output in files; all stopped on exit."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "prefect", *args], cwd=REPO, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.running.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tail(self, name: str, lines: int = 40) -> str:
        return f"--- {name}.log (last {lines} lines) ---\n" + "\n".join(
            self.log(name).splitlines()[-lines:])

    def stop_all(self) -> None:
        """SIGTERM each (newest first, so the worker goes before its server), then SIGKILL
        what is left, including the worker's flow-run children (own process group)."""
        for _, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 20
        for _, process in reversed(self.running):
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for _, process in self.running:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # stragglers: a flow run left behind
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def _prefect(args: list[str], env: dict[str, str], *, timeout: float = 120) -> str:
    """Run one ``prefect`` CLI command from the repository root; its output, or fail."""
    done = subprocess.run([sys.executable, "-m", "prefect", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"`prefect {' '.join(args)}` failed:\n{output}"
    return output


def _wait_for(predicate: Callable[[], Any], timeout: float, what: str,
              diagnostics: Callable[[], str] = str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{diagnostics()}")


def start_server(processes: Processes, env: dict[str, str],
                 diagnostics: Callable[[], str]) -> str:
    """``prefect server start`` on a free loopback port; its API URL once healthy.

    The scheduler service is off: the deployments' cron schedules (every 5 and 30 minutes)
    would otherwise start runs of their own whenever the test spans a boundary.  A port
    taken between choosing it and binding it is retried on another.
    """
    for _attempt in range(3):
        port = free_port()
        api = f"http://127.0.0.1:{port}/api"
        server = processes.start(
            "server", ["server", "start", "--host", "127.0.0.1", "--port", str(port)],
            {**env, "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"})

        def healthy(server: subprocess.Popen[bytes] = server, api: str = api) -> bool | str:
            if server.poll() is not None:
                return "exited"
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        if _wait_for(healthy, SERVER_TIMEOUT, "the Prefect server", diagnostics) is True:
            return api
        if "address already in use" not in processes.log("server").lower():
            raise AssertionError("prefect server start exited\n" + diagnostics())
    raise AssertionError("prefect server start found no free port\n" + diagnostics())


def test_poll_deployment_on_a_prefect_worker_with_postgresql(tmp_path: Path) -> None:
    stage = Stage()
    smtp_password = secrets.token_urlsafe(18)
    webhook_secret = new_webhook_secret()
    secret_strings = {
        "CAREWATCH_SMTP_PASSWORD": smtp_password,
        "CAREWATCH_WEBHOOK_SECRET": webhook_secret,
        "the webhook secret's key": webhook_secret.removeprefix("whsec_"),
    }
    home = tmp_path / "prefect-home"
    home.mkdir()
    processes = Processes(tmp_path)
    # Nothing of the caller's Prefect or carewatch configuration leaks in: the worker gets
    # exactly the carewatch settings below.  PWD is what prefect.yaml's pull step records
    # ("{{ $PWD }}"); subprocess does not update it for cwd=, so it is set here.
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("PREFECT_", "CAREWATCH_"))}
    base_env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_CLI_PROMPT": "false",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
        "PWD": str(REPO),
    })

    def diagnostics() -> str:
        return "\n".join(processes.tail(name) for name in ("server", "worker"))

    with (
        postgres_schema("cw_scale") as database_url,
        ReplayServer(as_of=BEFORE) as site,
        SmtpSink(credentials=(SMTP_USER, smtp_password)) as smtp,
        WebhookReceiver(webhook_secret) as hook,
    ):
        stage(f"PostgreSQL schema ready; replay site at {site.url} as of {BEFORE}")
        try:
            api = start_server(processes, base_env, diagnostics)
            stage(f"prefect server start: healthy at {api}")
            client_env = {**base_env, "PREFECT_API_URL": api}
            with httpx.Client(base_url=api, timeout=10) as http:
                _scale_out(stage, processes, diagnostics, http, client_env, tmp_path,
                           database_url, site, smtp, hook, smtp_password, webhook_secret,
                           secret_strings)
        finally:
            processes.stop_all()
            stage("subprocesses stopped")


def _scale_out(stage: Stage, processes: Processes, diagnostics: Callable[[], str],
               http: httpx.Client, client_env: dict[str, str], tmp_path: Path,
               database_url: str, site: ReplayServer, smtp: SmtpSink, hook: WebhookReceiver,
               smtp_password: str, webhook_secret: str, secret_strings: dict[str, str]) -> None:
    # --- work pool, deployments, worker ------------------------------------------------------
    _prefect(["work-pool", "create", POOL, "--type", "process"], client_env)
    stage(f"prefect work-pool create {POOL} --type process")
    _prefect(["--no-prompt", "deploy", "--all"], client_env)
    deployments = {d["name"]: d for d in http.post("/deployments/filter", json={}).json()}
    stage(f"prefect deploy --all: {', '.join(sorted(deployments))}")
    assert sorted(deployments) == sorted(spec.name for spec in DEPLOYMENTS)
    for spec in DEPLOYMENTS:
        deployment = deployments[spec.name]
        assert deployment["work_pool_name"] == POOL
        assert deployment["entrypoint"] == spec.entrypoint
        assert deployment["pull_steps"] == [{
            "prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]
        [schedule] = deployment["schedules"]
        assert schedule["schedule"]["cron"] == spec.cron
        assert schedule["schedule"]["timezone"] == TIMEZONE

    # The webhook secret goes into a Prefect Secret block as the README says, typed at
    # `carewatch secret set`'s prompt; the worker is told only the block's name.
    done = subprocess.run([sys.executable, "-m", "flows.cli", "secret", "set", SECRET_BLOCK],
                          cwd=REPO, env=client_env, input=f"{webhook_secret}\n" * 2,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert webhook_secret not in done.stdout + done.stderr
    stage(f"carewatch secret set {SECRET_BLOCK}: stored on the server")
    carewatch_env = demo_environment(tmp_path, site.url, smtp, hook, webhook_secret)
    del carewatch_env["CAREWATCH_WEBHOOK_SECRET"]
    carewatch_env.update({
        "CAREWATCH_DATABASE_URL": database_url,
        "CAREWATCH_SMTP_USERNAME": SMTP_USER,
        "CAREWATCH_SMTP_PASSWORD": smtp_password,
        "CAREWATCH_WEBHOOK_SECRET_BLOCK": SECRET_BLOCK,
        "CAREWATCH_DIGEST_TO": DIGEST_TO,
        "CAREWATCH_CRAWL_RETRY_DELAYS": "1,2",  # a transient hiccup costs seconds, not 70
    })
    worker = processes.start(
        "worker", ["worker", "start", "--pool", POOL, "--name", WORKER],
        {**client_env, **carewatch_env, "PREFECT_WORKER_QUERY_SECONDS": "1"})

    def worker_online() -> bool:
        assert worker.poll() is None, "the worker exited\n" + diagnostics()
        workers = http.post(f"/work_pools/{POOL}/workers/filter", json={}).json()
        return any(w["name"] == WORKER and w["status"] == "ONLINE" for w in workers)

    _wait_for(worker_online, 60, "the worker to come online", diagnostics)
    stage(f"prefect worker start --pool {POOL}: online")

    def run(deployment: str, label: str, *params: str) -> dict[str, Any]:
        """``prefect deployment run``, then wait for the worker to finish the flow run."""
        args = ["deployment", "run", deployment]
        for param in params:
            args += ["--param", param]
        output = _prefect(args, client_env)
        match = re.search(r"UUID:\s*([0-9a-f-]{36})", output)
        assert match, f"no flow-run id in:\n{output}"
        run_id = match.group(1)
        stage(f"{label}: prefect {' '.join(args)} -> flow run {run_id}")

        def finished() -> dict[str, Any] | None:
            assert worker.poll() is None, "the worker exited\n" + diagnostics()
            flow_run = http.get(f"/flow_runs/{run_id}").json()
            return flow_run if flow_run["state_type"] in TERMINAL else None

        flow_run = _wait_for(finished, RUN_TIMEOUT, f"flow run {run_id}", diagnostics)
        stage(f"{label}: {flow_run['state_name']}")
        assert flow_run["state_type"] == "COMPLETED", f"{flow_run['state']}\n{diagnostics()}"
        return flow_run

    engine = make_engine(database_url)

    def count(sql: str, **params: Any) -> int:
        with engine.connect() as connection:
            return int(connection.execute(text(sql), params).scalar_one())

    def status_alerts() -> list[Any]:
        with engine.connect() as connection:
            return list(connection.execute(text(
                "SELECT id, key, authority, service FROM alerts WHERE kind = :kind"),
                {"kind": ALERT_STATUS_CHANGE}))

    try:
        # --- poll 1: the quiet baseline ----------------------------------------------------
        # scheduled=false: a hand-triggered poll reads every source now, whatever its
        # `every` (the deployment's default, scheduled=true, would skip those just polled).
        run("poll/poll", "poll 1 (baseline, 1 Jul 2020)", "scheduled=false")
        baseline = count("SELECT count(*) FROM publications")
        assert baseline > 0
        assert status_alerts() == []
        assert smtp.messages == [] and hook.received == []
        stage(f"poll 1: {baseline} publications in PostgreSQL, no alert, nothing sent")

        # --- poll 2: CIW's letter of 3 Aug 2020 is out ---------------------------------------
        site.set_as_of(AFTER)
        run("poll/poll", f"poll 2 (after the letter, {AFTER})", "scheduled=false")
        total = count("SELECT count(*) FROM publications")
        assert total > baseline
        [alert] = status_alerts()
        assert (alert.authority, alert.service) == ("Wrexham", CHILDREN)

        def delivered() -> int:
            return count("SELECT count(*) FROM deliveries WHERE alert_id = :id AND ok",
                         id=alert.id)

        assert delivered() == 2, "the alert is not recorded as delivered by email and webhook"
        stage(f"poll 2: {total} publications, 1 status alert, delivered on 2 channels")

        # --- the deliver deployment: nothing pending, nothing sent again ---------------------
        run("deliver/deliver", "deliver")
        assert delivered() == 2

        # --- the daily health check and the weekly digest, as the schedules run them --------
        run("source-health/source-health", "source health")
        assert count("SELECT count(*) FROM alerts WHERE kind = 'source_health'") == 0
        run("digest/digest", "digest")
        assert count("SELECT count(*) FROM alerts WHERE kind = 'digest'") == 1
        stage("source health: no problem; digest: queued once")
    finally:
        engine.dispose()

    [digest] = [m for m in smtp.received if m.rcpt_tos == (DIGEST_TO,)]
    assert "weekly digest" in digest.message["Subject"]
    assert "1 status change" in digest.message["Subject"]
    [mail] = [m for m in smtp.received if m.rcpt_tos != (DIGEST_TO,)]
    assert mail.login == SMTP_USER
    assert mail.message["Subject"].startswith("Wrexham children's services: serious → significant")
    [webhook] = hook.received
    assert webhook.verified and webhook.id == alert.key
    assert webhook.payload["type"] == "status.changed"
    assert (webhook.payload["data"]["old"], webhook.payload["data"]["new"]) \
        == (SERIOUS_CONCERN, SIGNIFICANT_CONCERN)
    stage("one email (after SMTP login) and one verified webhook received")

    # --- secrets: in no flow-run parameter, deployment or log ----------------------------------
    flow_runs = http.post("/flow_runs/filter", json={}).json()
    assert len(flow_runs) >= 5  # 2 polls + their deliver subflows + the deliver deployment
    logs = _all_logs(http, [r["id"] for r in flow_runs])
    worker_log = processes.log("worker")
    assert "Beginning flow run" in worker_log and "for flow 'deliver'" in worker_log, \
        "the worker's output shows none of the flow runs' logs\n" + diagnostics()
    places = {
        "flow-run parameters": json.dumps([r["parameters"] for r in flow_runs]),
        "deployments": json.dumps(list(deployments.values())),
        f"the {len(logs)} flow-run logs in the API": json.dumps(logs),
        "the worker's output": worker_log,
        "the server's output": processes.log("server"),
    }
    for place, content in places.items():
        for name, secret in secret_strings.items():
            assert secret not in content, f"{name} appears in {place}"
    stage(f"no secret in {', '.join(places)}")


def _all_logs(http: httpx.Client, flow_run_ids: list[str]) -> list[dict[str, Any]]:
    """Every log the flow runs sent to the API (the endpoint pages at its default limit)."""
    logs: list[dict[str, Any]] = []
    while True:
        page = http.post("/logs/filter", json={
            "logs": {"flow_run_id": {"any_": flow_run_ids}}, "offset": len(logs)}).json()
        if not page:
            return logs
        logs += page
