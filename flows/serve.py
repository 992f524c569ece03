"""``carewatch serve``: run the scheduled deployments in one long-running process.

Prefect's ephemeral API runs no scheduler service (Prefect 3.x starts only the services
marked for ephemeral mode), so schedules served against it never fire.  When no
``PREFECT_API_URL`` is configured, this module therefore starts a Prefect server of its
own on loopback as a child process, with its state under the data directory, serves the
deployments against it, and stops it on exit.  With ``PREFECT_API_URL`` set (scale-out),
it serves against that server instead.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from flows.deployments import DEPLOYMENTS, TIMEZONE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_prefect_server(home: Path, *, timeout: float = 120.0) -> Iterator[str]:
    """Start ``prefect server start`` on loopback; yield its API URL; stop it afterwards."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log_path = home / "server.log"
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(port)],
            env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the local Prefect server exited with code {process.returncode}; "
                    f"see {log_path}"
                )
            try:
                if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local Prefect server did not start in {timeout:.0f}s; "
                                   f"see {log_path}")
            time.sleep(0.5)
        yield api_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def serve_deployments(api_url: str) -> None:
    """Serve every deployment in ``DEPLOYMENTS`` against ``api_url`` until interrupted."""
    from prefect import serve
    from prefect.schedules import Cron
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        deployments = []
        for spec in DEPLOYMENTS:
            flow = getattr(importlib.import_module(spec.module), spec.function)
            deployments.append(
                flow.to_deployment(
                    name=spec.name,
                    description=spec.description,
                    parameters=spec.parameters,
                    schedules=[Cron(spec.cron, timezone=TIMEZONE)],
                )
            )
        serve(*deployments, pause_on_shutdown=False)


def run(data_dir: Path, announce: Callable[[str], None]) -> None:
    """Entry point of ``carewatch serve``; ``announce`` tells the user where the API is."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        announce(f"Serving {len(DEPLOYMENTS)} deployments against {configured}")
        serve_deployments(configured)
        return
    announce("Starting a local Prefect server (Prefect's ephemeral API runs no scheduler)…")
    with local_prefect_server(data_dir / "prefect") as api_url:
        announce(f"Prefect API at {api_url}; serving {len(DEPLOYMENTS)} deployments "
                 f"({', '.join(d.name for d in DEPLOYMENTS)}). Ctrl-C stops.")
        serve_deployments(api_url)
