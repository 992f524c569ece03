"""`carewatch serve` as a user runs it: a subprocess that starts its own Prefect server on
loopback, registers the deployments with their schedules, and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx

from flows.deployments import DEPLOYMENTS, TIMEZONE


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def test_serve_registers_scheduled_deployments_and_stops_cleanly(tmp_path):
    env = {**os.environ, "CAREWATCH_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1",
           "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        def api_url() -> str | None:
            line = proc.stdout.readline()
            lines.append(line)
            assert proc.poll() is None or line, "".join(lines)
            match = re.search(r"Prefect API at (\S+);", line)
            return match.group(1) if match else None

        api = _wait_for(api_url, 180, "the local Prefect server")

        def deployments():
            response = httpx.post(f"{api}/deployments/filter", json={}, timeout=10)
            found = {d["name"]: d for d in response.json()}
            return found if set(found) == {d.name for d in DEPLOYMENTS} else None

        found = _wait_for(deployments, 120, "the deployments to be registered")
        for spec in DEPLOYMENTS:
            [schedule] = found[spec.name]["schedules"]
            assert schedule["schedule"]["cron"] == spec.cron
            assert schedule["schedule"]["timezone"] == TIMEZONE
            assert schedule["active"] is True

        def scheduled_runs():
            response = httpx.post(f"{api}/flow_runs/filter", timeout=10, json={
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}})
            return response.json() or None

        runs = _wait_for(scheduled_runs, 120, "the scheduler to create runs")
        assert {r["deployment_id"] for r in runs} <= {d["id"] for d in found.values()}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    # The child Prefect server went with it.
    try:
        httpx.get(f"{api}/health", timeout=2)
    except httpx.HTTPError:
        pass
    else:
        raise AssertionError("the local Prefect server is still running after serve stopped")
    assert (tmp_path / "prefect").is_dir()
