"""urlwatch, the baseline ``bench/poll.py`` compares carewatch with, in its own environment.

urlwatch is not a carewatch dependency, so it lives in ``bench/.venv-urlwatch`` (gitignored),
created with ``python -m venv`` and ``pip install urlwatch`` the first time it is needed.  Each
run gets its own job list, configuration, hooks path and cache in a directory of the caller's
(``--urls``, ``--config``, ``--hooks``, ``--cache``), and XDG directories pointing there too, so
nothing of the user's own urlwatch setup is read or written.

What urlwatch 2.x sends for a ``url`` job (lib/urlwatch/jobs.py, ``UrlJob.retrieve``): a
``User-agent: urlwatch/VERSION (+https://thp.io/2008/urlwatch/info.html)``, ``If-None-Match``
with the ETag stored from the previous 200, and ``If-Modified-Since`` with the time of its own
previous run; a 304 counts as "unchanged".  After a failed run (or with ``ignore_cached``) it
drops If-None-Match and sends ``If-Modified-Since`` of 1970 with ``Cache-Control: max-age=172800``
to force a full answer.  It never reads robots.txt.  ``bench/poll.py``
records the headers it actually sent, so the report shows this rather than trusting the note.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.meter import note

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_VENV = BENCH_DIR / ".venv-urlwatch"
PACKAGE = "urlwatch"

CONFIG = """\
# Written by bench/urlwatch_env.py: report to stdout only, plain text, every job listed.
display:
  new: true
  error: true
  unchanged: true
  empty-diff: true
report:
  text:
    line_length: 75
    details: false
    footer: false
    minimal: false
  stdout:
    enabled: true
    color: false
  email:
    enabled: false
  html:
    diff: unified
"""


class UrlwatchSetupError(RuntimeError):
    """urlwatch could not be installed or run; the message says how to fix it."""


@dataclass(frozen=True)
class UrlwatchRun:
    seconds: float
    returncode: int
    stdout: str
    stderr: str

    def states(self) -> dict[str, int]:
        """How many jobs the text report lists as NEW, CHANGED, UNCHANGED, ERROR."""
        counts: dict[str, int] = {}
        for line in self.stdout.splitlines():
            for state in ("NEW", "CHANGED", "UNCHANGED", "ERROR"):
                if f" {state}: " in line and line.lstrip()[:1].isdigit():
                    counts[state] = counts.get(state, 0) + 1
        return counts


def _fix_hint(venv: Path) -> str:
    return (f"To fix: create it by hand with `{sys.executable} -m venv {venv} && "
            f"{venv}/bin/pip install {PACKAGE}` (needs PyPI access), or pass --urlwatch "
            f"PATH to an urlwatch executable you have, or --skip-urlwatch to measure carewatch "
            f"only.")


def ensure_urlwatch(venv: Path = DEFAULT_VENV) -> Path:
    """The urlwatch executable in ``venv``, creating the venv and installing it if needed."""
    exe = venv / "bin" / "urlwatch"
    if exe.exists() and _works(exe):
        return exe
    if not (venv / "bin" / "python").exists():
        note(f"urlwatch: creating its own environment: {sys.executable} -m venv {venv}")
        _run_step([sys.executable, "-m", "venv", str(venv)], venv, "could not create the venv")
    note(f"urlwatch: installing it: {venv}/bin/python -m pip install {PACKAGE} "
         "(from PyPI; once)")
    _run_step([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
               "--disable-pip-version-check", PACKAGE], venv, f"pip install {PACKAGE} failed")
    if not _works(exe):
        raise UrlwatchSetupError(f"{exe} was installed but `urlwatch --version` fails. "
                                 + _fix_hint(venv))
    note(f"urlwatch: ready, {version(exe)}")
    return exe


def _run_step(argv: Sequence[str], venv: Path, what: str) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UrlwatchSetupError(f"{what}: {exc}. {_fix_hint(venv)}") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise UrlwatchSetupError(f"{what} (exit {done.returncode}):\n{tail}\n{_fix_hint(venv)}")


def _works(exe: Path) -> bool:
    try:
        return subprocess.run([str(exe), "--version"], capture_output=True,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def version(exe: Path) -> str:
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    return (done.stdout or done.stderr).strip()


def jobs_yaml(jobs: Sequence[tuple[str, str]]) -> str:
    """urls.yaml for ``(name, url)`` jobs: one YAML document per job (JSON strings are YAML)."""
    docs = [f"name: {json.dumps(name)}\nurl: {json.dumps(url)}\n" for name, url in jobs]
    return "---\n".join(docs)


class Urlwatch:
    """One urlwatch setup (jobs, config, hooks path, cache) in ``workdir``."""

    def __init__(self, exe: Path, workdir: Path, jobs: Sequence[tuple[str, str]]) -> None:
        self.exe = exe
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.urls = workdir / "urls.yaml"
        self.config = workdir / "urlwatch.yaml"
        self.hooks = workdir / "hooks.py"  # absent on purpose: no hooks
        self.cache = workdir / "cache.db"
        self.urls.write_text(jobs_yaml(jobs), encoding="utf-8")
        self.config.write_text(CONFIG, encoding="utf-8")

    def argv(self) -> list[str]:
        return [str(self.exe), "--urls", str(self.urls), "--config", str(self.config),
                "--hooks", str(self.hooks), "--cache", str(self.cache)]

    def run(self) -> UrlwatchRun:
        """Run every job once; wall time of the whole process (start-up included)."""
        env = dict(os.environ)
        env.update(XDG_CONFIG_HOME=str(self.workdir / "xdg-config"),
                   XDG_CACHE_HOME=str(self.workdir / "xdg-cache"),
                   NO_COLOR="1")
        for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env.pop(proxy, None)  # loopback only; urlwatch passes these to requests
        started = time.perf_counter()
        done = subprocess.run(self.argv(), capture_output=True, text=True, env=env, timeout=600)
        seconds = time.perf_counter() - started
        return UrlwatchRun(seconds, done.returncode, done.stdout, done.stderr)

    def startup_seconds(self) -> float:
        """Wall time of ``urlwatch --version``: the process start-up part of a run."""
        started = time.perf_counter()
        subprocess.run([str(self.exe), "--version"], capture_output=True, timeout=60)
        return time.perf_counter() - started
