"""Benchmark a no-change poll: carewatch against urlwatch, on the replay site (issue 5).

    python bench/poll.py [--as-of STEP] [--skip-urlwatch] [--skip-cli] [--urlwatch PATH]
                         [--min-interval SECONDS] [--keep DIR] [--json]

Starts the real replay server (``replay.server.ReplayServer``, measured by
``bench.meter.MeteredReplayServer``) at the ``latest`` timeline step with every source whose
module and replay pages are ready (a placeholder is skipped with a note).  carewatch polls it
twice into a temporary SQLite database, through the poll flow's own code (``flows.poll.poll``
with its Prefect tasks called as plain functions: no Prefect engine or API, no delivery): a
baseline that backfills, then a no-change poll.  urlwatch, installed in ``bench/.venv-urlwatch``
on first use, watches the same listing/feed URLs (learnt from each source's ``crawl``): one run
to prime its cache, one no-change run.  Both no-change polls are then repeated against a site
that ignores conditional GET (no ETag/Last-Modified, always 200).  Finally ``carewatch run``
is timed once as a separate process, Prefect start-up included.

Measured on the server side for both clients: requests (robots.txt counted apart), response
body bytes, documents downloaded (anything but robots.txt and listing/feed pages), and wall
time.  It prints the figures and the issue's targets as PASS/FAIL lines; it always exits 0
unless it could not run (it is a report, not a test).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` importable
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from bench.meter import (  # noqa: E402
    MeteredReplayServer,
    NotReady,
    Tally,
    human_bytes,
    listing_urls,
    note,
    ratio,
    table,
    tally,
    verdict,
    wire_path,
)
from bench.urlwatch_env import (  # noqa: E402
    DEFAULT_VENV,
    Urlwatch,
    UrlwatchRun,
    UrlwatchSetupError,
    ensure_urlwatch,
    version,
)
from replay.timeline import STEPS  # noqa: E402

# Variables that would make a poll send mail or webhooks; never passed on.
DELIVERY_PREFIXES = ("CAREWATCH_SMTP_", "CAREWATCH_WEBHOOK_", "CAREWATCH_OPS_")
INTERVAL_VARIABLE = "CAREWATCH_HTTP_MIN_INTERVAL"
BYTES_TARGET = 3.0  # urlwatch bytes / carewatch bytes, no-change poll (issue 5)


@dataclass
class Watched:
    source: str
    urls: list[str]  # real listing/feed URLs the source's crawl reads


@dataclass
class Results:
    as_of: str
    sources: list[Watched] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    polls: dict[str, Tally] = field(default_factory=dict)  # "<client> <poll>" -> figures
    # scenario -> requested path -> client -> "status, bytes, conditional?"
    per_url: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    urlwatch_version: str | None = None
    urlwatch_startup: float | None = None
    pacing: str = ""
    cli: dict[str, Any] | None = None


# --- carewatch --------------------------------------------------------------------------------


class _Direct:
    """A Prefect task stand-in: calling it calls the task's function; options are ignored."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def with_options(self, **_: Any) -> _Direct:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)


@contextmanager
def prefect_free_poll() -> Iterator[Callable[..., Any]]:
    """``flows.poll.poll``'s own function with every Prefect task in ``flows.poll`` called
    directly and ``get_run_logger`` a stdlib logger: the flow's code without Prefect's engine.
    """
    from prefect import Task

    import flows.poll as module

    saved: dict[str, Any] = {name: value for name, value in vars(module).items()
                             if isinstance(value, Task)}
    saved["get_run_logger"] = module.get_run_logger
    logger = logging.getLogger("bench.poll.flow")
    for name, task in saved.items():
        if name != "get_run_logger":
            setattr(module, name, _Direct(task.fn))
    def get_run_logger() -> logging.Logger:
        return logger

    module.get_run_logger = get_run_logger  # type: ignore[assignment]
    try:
        yield module.poll.fn
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def carewatch_env(workdir: Path, replay_url: str) -> dict[str, str]:
    return {
        "CAREWATCH_DATABASE_URL": f"sqlite:///{workdir / 'carewatch.db'}",
        "CAREWATCH_DATA_DIR": str(workdir),
        "CAREWATCH_REPLAY_URL": replay_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


def clean_environ(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DELIVERY_PREFIXES)}
    env.update(extra)
    return env


def poll_carewatch(poll_fn: Callable[..., Any], names: list[str]) -> list[str]:
    """One poll of ``names``; the problems it reported (source errors), as lines."""
    report = poll_fn(sources=names, deliver_alerts=False)
    problems = [f"{s.source}: {e}" for s in report.sources for e in s.errors]
    problems += [f"{s.source}: failed" for s in report.sources if not s.ok and not s.errors]
    found = ", ".join(f"{s.source} {s.found} listed/{s.new} new" for s in report.sources)
    note(f"  {'baseline' if report.baseline else 'poll'}: {found}")
    return problems


# --- measuring --------------------------------------------------------------------------------


def measure(server: MeteredReplayServer, listings: set[str], run: Callable[[], object]) -> Tally:
    server.clear_hits()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    hits = server.hits
    if len(hits) != len(server.requests):
        raise RuntimeError("the metered log and the server's request log disagree")
    return tally(hits, listings, seconds)


def per_url(server: MeteredReplayServer) -> dict[str, str]:
    """The last answer to each path: ``"304, 0 B, conditional"``."""
    out: dict[str, str] = {}
    for hit in server.hits:
        cond = "conditional" if hit.conditional else "plain"
        out[hit.path] = f"{hit.status}, {human_bytes(hit.body_bytes)}, {cond}"
    return out


def run_cli(names: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """``carewatch run --source NAME...`` as a new process: wall time, exit code, output."""
    exe = Path(sys.executable).with_name("carewatch")
    argv = [str(exe), "run"] if exe.exists() else [sys.executable, "-m", "flows.cli", "run"]
    for name in names:
        argv += ["--source", name]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=900)
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


# --- the report -------------------------------------------------------------------------------


ROWS: list[tuple[str, Callable[[Tally], float], Callable[[float], str]]] = [
    ("requests (robots.txt excluded)", lambda t: t.requests, lambda v: f"{v:.0f}"),
    ("  of which 304 Not Modified", lambda t: t.not_modified, lambda v: f"{v:.0f}"),
    ("  of which conditional", lambda t: t.conditional, lambda v: f"{v:.0f}"),
    ("robots.txt requests", lambda t: t.robots, lambda v: f"{v:.0f}"),
    ("bytes received (bodies)", lambda t: t.bytes, human_bytes),
    ("  robots.txt excluded", lambda t: t.bytes_without_robots, human_bytes),
    ("documents downloaded", lambda t: t.documents, lambda v: f"{v:.0f}"),
    ("later listing pages", lambda t: t.more_pages, lambda v: f"{v:.0f}"),
    ("wall time (s)", lambda t: t.seconds, lambda v: f"{v:.2f}"),
    ("first to last request (s)", lambda t: t.span, lambda v: f"{v:.2f}"),
]


def comparison(cw: Tally, uw: Tally | None) -> str:
    rows = []
    for label, get, fmt in ROWS:
        c = get(cw)
        if uw is None:
            rows.append([label, fmt(c), "", ""])
            continue
        u = get(uw)
        rows.append([label, fmt(c), fmt(u), ratio(u, c)])
    return table(rows, header=["", "carewatch", "urlwatch", "urlwatch/carewatch"])


def targets(r: Results, key: str) -> list[str]:
    cw = r.polls[f"carewatch {key}"]
    uw = r.polls.get(f"urlwatch {key}")
    listings = [wire_path(u) for w in r.sources for u in w.urls]
    one_each = cw.requests == len(listings) and cw.listing == len(listings)
    lines = [
        f"{verdict(one_each)}  one request per listing/feed: {cw.requests} requests for "
        f"{len(listings)} listings/feeds ({cw.listing} listing, {cw.more_pages} later pages, "
        f"{cw.documents} documents, {cw.redirects} redirects); robots.txt apart: {cw.robots}",
        f"{verdict(cw.documents == 0)}  no document downloaded: {cw.documents}"
        + (f" ({', '.join(cw.document_paths[:5])})" if cw.document_paths else ""),
    ]
    if uw is None:
        lines.append("n/a   >=3x fewer bytes than urlwatch: urlwatch not run")
    elif cw.bytes == 0 and uw.bytes == 0:
        lines.append("FAIL  >=3x fewer bytes than urlwatch: both received 0 bytes (no difference "
                     "to measure)")
    else:
        passed = uw.bytes >= BYTES_TARGET * cw.bytes
        lines.append(f"{verdict(passed)}  >=3x fewer bytes than urlwatch: carewatch "
                     f"{human_bytes(cw.bytes)}, urlwatch {human_bytes(uw.bytes)} "
                     f"(ratio {ratio(uw.bytes, cw.bytes)}; robots.txt excluded: "
                     f"{ratio(uw.bytes_without_robots, cw.bytes_without_robots)})")
    return lines


SCENARIOS = {
    "nochange": "No-change poll, site honours conditional GET (ETag/Last-Modified, 304)",
    "novalidators": "No-change poll, site ignores conditional GET (no validators, always 200)",
}


def render(r: Results) -> str:
    out = [f"Replay site at {r.as_of}; sources measured: "
           + ", ".join(w.source for w in r.sources)]
    for name, why in r.skipped.items():
        out.append(f"  not measured: {name}: {why}")
    out.append("Listing/feed URLs (both clients poll these):")
    for w in r.sources:
        out += [f"  {w.source:22} {u}" for u in w.urls]
    if r.urlwatch_version:
        out.append(f"urlwatch: {r.urlwatch_version}; process start-up "
                   f"(`urlwatch --version`) {r.urlwatch_startup:.2f} s")
    out.append("carewatch: flows.poll.poll's function, Prefect tasks called as plain functions "
               "(no Prefect engine/API, alert delivery off), in this process; HTTP pacing: "
               + r.pacing)
    for key, title in (("baseline", "First poll (carewatch baseline backfill / urlwatch "
                        "priming its cache)"), *SCENARIOS.items()):
        cw = r.polls.get(f"carewatch {key}")
        if cw is None:
            continue
        uw = r.polls.get(f"urlwatch {key}")
        out += ["", title, comparison(cw, uw)]
        unpaced = r.polls.get(f"carewatch {key} unpaced")
        if unpaced is not None:
            same = (unpaced.requests, unpaced.bytes) == (cw.requests, cw.bytes)
            out.append(f"carewatch with pacing off ({INTERVAL_VARIABLE}=0): "
                       f"{unpaced.seconds:.2f} s"
                       + (f", urlwatch/carewatch {ratio(uw.seconds, unpaced.seconds)}"
                          if uw is not None else "")
                       + ("" if same else f" ({unpaced.requests} requests, "
                          f"{human_bytes(unpaced.bytes)})"))
        if key in SCENARIOS:
            out += ["Per URL (last answer: status, body bytes, request conditional?):"]
            for path, sides in r.per_url.get(key, {}).items():
                out.append(f"  {path}")
                out += [f"      {client:9} {value}" for client, value in sides.items()]
            out += ["Targets:", *("  " + line for line in targets(r, key))]
    if r.cli is not None:
        out += ["", "carewatch run (CLI, separate process, Prefect start-up included):",
                f"  wall time {r.cli['seconds']:.2f} s, exit {r.cli['returncode']}; "
                f"{r.cli['requests']} requests, {r.cli['robots']} robots.txt, "
                f"{r.cli['not_modified']} answered 304, {human_bytes(r.cli['bytes'])}, "
                f"{r.cli['documents']} documents"]
    if r.notes:
        out += ["", "Notes:", *(f"  - {n}" for n in r.notes)]
    return "\n".join(out)


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n")[0],
        epilog="Progress goes to stderr, the report to stdout.")
    parser.add_argument("--as-of", default="latest",
                        help=f"replay timeline step or ISO date (default: latest; steps: "
                        f"{', '.join(STEPS)})")
    parser.add_argument("--skip-urlwatch", action="store_true",
                        help="measure carewatch only (no urlwatch install or run)")
    parser.add_argument("--urlwatch", type=Path, metavar="PATH",
                        help="an urlwatch executable to use instead of bench/.venv-urlwatch")
    parser.add_argument("--skip-cli", action="store_true",
                        help="do not time `carewatch run` as a separate process")
    parser.add_argument("--min-interval", type=float, metavar="SECONDS",
                        help=f"set {INTERVAL_VARIABLE} for carewatch's polls (default: as "
                        "configured, 1 s; 0 makes the baseline quick but unlike production)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it (database, urlwatch files); default: a "
                        "temporary directory, removed afterwards")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="  %(levelname)s %(name)s: %(message)s")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="carewatch-bench-poll-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = run(args, workdir)
    except UrlwatchSetupError as exc:
        print(f"error: urlwatch: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(asdict(results), indent=2, default=str))
    else:
        print(render(results))
    return 0


def run(args: argparse.Namespace, workdir: Path) -> Results:
    from scrapers.registry import SOURCES

    urlwatch_exe = None
    if not args.skip_urlwatch:
        urlwatch_exe = args.urlwatch or ensure_urlwatch(DEFAULT_VENV)
    note("importing the poll flow (Prefect, SQLAlchemy)...")
    from flows.database import close_databases

    server = MeteredReplayServer(as_of=args.as_of)
    with server, prefect_free_poll() as poll_fn:
        results = Results(as_of=str(server.as_of))
        note(f"replay site {server.url} at {server.as_of}; finding each source's listing URLs")
        for source in SOURCES.values():
            try:
                results.sources.append(Watched(source.name, listing_urls(source, server.site)))
            except NotReady as exc:
                results.skipped[source.name] = str(exc)
                note(f"  skipping {source.name}: {exc}")
        names = [w.source for w in results.sources]
        listings = {wire_path(u) for w in results.sources for u in w.urls}
        env = carewatch_env(workdir, server.url)
        if args.min_interval is not None:
            env[INTERVAL_VARIABLE] = f"{args.min_interval:g}"
        os.environ.update(env)
        for key in [k for k in os.environ if k.startswith(DELIVERY_PREFIXES)]:
            del os.environ[key]

        results.pacing = _pacing()
        carewatch_polls(results, server, listings, poll_fn, names, env, cli=not args.skip_cli)
        if urlwatch_exe is not None:
            measure_urlwatch(results, server, listings, urlwatch_exe, workdir)
    close_databases()
    add_notes(results)
    return results


def carewatch_polls(results: Results, server: MeteredReplayServer, listings: set[str],
                    poll_fn: Callable[..., Any], names: list[str], env: dict[str, str], *,
                    cli: bool) -> None:
    """Baseline, no-change poll, the same with pacing off, the CLI (optional), and a
    no-change poll against a site without validators, in that order: the last one leaves
    no validators stored, so it must come after everything measured with them."""
    problems: list[str] = []

    def poll() -> None:
        problems.extend(poll_carewatch(poll_fn, names))

    note("carewatch: baseline poll (backfill)...")
    results.polls["carewatch baseline"] = measure(server, listings, poll)
    note("carewatch: no-change poll...")
    results.polls["carewatch nochange"] = measure(server, listings, poll)
    results.per_url["nochange"] = {p: {"carewatch": v} for p, v in per_url(server).items()}
    note("carewatch: no-change poll with pacing off (CAREWATCH_HTTP_MIN_INTERVAL=0)...")
    saved = os.environ.get(INTERVAL_VARIABLE)
    os.environ[INTERVAL_VARIABLE] = "0"
    try:
        results.polls["carewatch nochange unpaced"] = measure(server, listings, poll)
    finally:
        if saved is None:
            del os.environ[INTERVAL_VARIABLE]
        else:
            os.environ[INTERVAL_VARIABLE] = saved
    if cli:
        note("carewatch run (CLI, a new process: Prefect starts its API first)...")
        outcome: dict[str, Any] = {}

        def cli_poll() -> None:
            seconds, code, output = run_cli(names, clean_environ(env))
            outcome.update(seconds=seconds, returncode=code)
            if code != 0:
                tail = " | ".join(output.strip().splitlines()[-6:])
                results.notes.append(f"carewatch run exited {code}: {tail}")

        figures = measure(server, listings, cli_poll)
        results.cli = {**outcome, "requests": figures.requests, "robots": figures.robots,
                       "bytes": figures.bytes, "documents": figures.documents,
                       "not_modified": figures.not_modified}
    server.validators = False
    note("carewatch: no-change poll against a site without validators...")
    results.polls["carewatch novalidators"] = measure(server, listings, poll)
    results.per_url["novalidators"] = {p: {"carewatch": v} for p, v in per_url(server).items()}
    server.validators = True
    results.notes += [f"carewatch reported: {p}" for p in dict.fromkeys(problems)]


def _pacing() -> str:
    """carewatch's per-host pacing as configured, for the report."""
    from scrapers.http import HttpSettings

    interval = getattr(HttpSettings.from_env(), "min_interval", None)
    if interval is None:
        return "no per-host pacing in scrapers.http"
    return f"at least {interval:g} s between two requests to one host ({INTERVAL_VARIABLE})"


def measure_urlwatch(results: Results, server: MeteredReplayServer, listings: set[str],
                     exe: Path, workdir: Path) -> None:
    jobs = [(f"{w.source} {i}" if len(w.urls) > 1 else w.source, server.url_for(url))
            for w in results.sources for i, url in enumerate(w.urls)]
    watcher = Urlwatch(exe, workdir / "urlwatch", jobs)
    results.urlwatch_version = version(exe)
    results.urlwatch_startup = watcher.startup_seconds()
    for key, title in (("baseline", "priming run"), ("nochange", "no-change run"),
                       ("novalidators", "no-change run, site without validators")):
        server.validators = key != "novalidators"
        note(f"urlwatch: {title}...")
        runs: list[UrlwatchRun] = []

        def run_once(runs: list[UrlwatchRun] = runs) -> None:
            runs.append(watcher.run())

        results.polls[f"urlwatch {key}"] = measure(server, listings, run_once)
        done = runs[0]
        states = ", ".join(f"{n} {s}" for s, n in sorted(done.states().items())) or "no report"
        note(f"  urlwatch exit {done.returncode}: {states}")
        if done.returncode != 0:
            results.notes.append(f"urlwatch {title} exited {done.returncode}: "
                                 + " | ".join(done.stderr.strip().splitlines()[-4:]))
        for path, value in per_url(server).items():
            results.per_url.setdefault(key, {}).setdefault(path, {})["urlwatch"] = value
    server.validators = True
    sent = results.polls["urlwatch nochange"]
    results.notes.append(
        f"urlwatch sent a conditional header on {sent.conditional} of {sent.requests} no-change "
        "requests (If-None-Match with the stored ETag and If-Modified-Since with its last run "
        "time; lib/urlwatch/jobs.py UrlJob.retrieve) and fetched robots.txt "
        f"{sent.robots} times; User-Agent: {', '.join(sent.user_agents) or '?'}")


def add_notes(r: Results) -> None:
    cw = r.polls.get("carewatch nochange")
    uw = r.polls.get("urlwatch nochange")
    if cw is not None and cw.conditional == 0:
        r.notes.append("carewatch sent no conditional request headers: the no-change poll "
                       "downloaded every listing (were the validators of the baseline saved?)")
    first = r.polls.get("carewatch baseline")
    if cw is not None and cw.robots == 0 and first is not None and first.robots:
        r.notes.append(
            f"carewatch read each host's robots.txt in the baseline ({first.robots} requests) "
            "and reused the remembered copies in the no-change poll (scrapers/http.py "
            "ROBOTS_MAX_AGE, 24 h, then a conditional re-validation)")
    if cw is not None and cw.robots_bytes and not cw.bytes_without_robots:
        r.notes.append(
            f"carewatch's only bytes in the no-change poll are robots.txt: {cw.robots} requests, "
            f"{human_bytes(cw.robots_bytes)} (its remembered copies were missing or older than "
            "a day)")
    if uw is not None and uw.conditional and uw.bytes == 0:
        r.notes.append(
            "urlwatch also polls conditionally, so on a site that honours validators neither "
            "client downloads a listing body; on a site that ignores them both download the "
            "same listing bodies.  The '>=3x fewer bytes' target cannot be met against urlwatch "
            f"{(r.urlwatch_version or '').removeprefix('urlwatch ')} on the listing/feed URLs "
            "alone; carewatch's advantage "
            "over a watcher is elsewhere (no document fetched again, one page per listing).")
    if r.skipped:
        r.notes.append("not yet measurable: " + ", ".join(r.skipped)
                       + " (placeholder module or replay pages missing); re-run when they land")


if __name__ == "__main__":
    sys.exit(main())
