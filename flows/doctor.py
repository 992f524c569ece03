"""``carewatch doctor``: check the configuration before trusting it with months unattended.

Each check says ok, warn or fail, and for anything not ok what to change.  It reads the
same settings a run reads (so Secret blocks are resolved, and a half-set channel fails the
same way), connects to the database and reads its migration revision without changing it,
opens an SMTP session to each configured mail server (EHLO, STARTTLS or TLS, LOGIN, QUIT:
no mail is sent), opens a TCP connection to each webhook endpoint (no request is sent: a
test delivery would be an alert), and asks the Prefect API for its health when one is
configured.  Nothing it prints contains a password, a signing secret or a URL's token.
"""

from __future__ import annotations

import os
import smtplib
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str | None = None


def run_checks(environ: Mapping[str, str] | None = None, *, migrate: bool = False
               ) -> list[Check]:
    """Every check, in the order a person would fix them (settings first)."""
    env = dict(os.environ if environ is None else environ)
    checks: list[Check] = []
    settings = _settings(env, checks)
    if settings is None:
        return checks
    checks.append(_sources())
    checks.append(_database(settings.database_url, migrate=migrate))
    channels = _channels(settings, checks)
    checks.extend(_smtp(channels))
    checks.extend(_webhooks(channels))
    checks.append(_prefect(env))
    return checks


def _settings(env: dict[str, str], checks: list[Check]) -> Any:
    from flows.config import Settings

    try:
        settings = Settings.from_env(env)
    except ValueError as exc:
        checks.append(Check("settings", FAIL, str(exc), "fix the variable named above"))
        return None
    checks.append(Check("settings", OK, f"watching {', '.join(settings.authorities)}"))
    return settings


def _sources() -> Check:
    from scrapers.registry import CONFIG, enabled_sources

    enabled = [s.name for s in enabled_sources()]
    if not enabled:
        return Check("sources", FAIL, f"no source enabled in {CONFIG.path}",
                     "set enabled = true on at least one source in that file")
    return Check("sources", OK, f"{len(enabled)} enabled in {CONFIG.path}: {', '.join(enabled)}")


def _database(url: str, *, migrate: bool) -> Check:
    """Connect and compare the database's Alembic revision with the code's head."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import make_url

    from storage.db import alembic_config, make_engine, redact_url
    from storage.db import migrate as upgrade

    shown = redact_url(url)
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:  # noqa: BLE001 - any failure to reach it has the same fix
        first = str(exc).splitlines()[0] if str(exc) else ""
        return Check("database", FAIL, f"{shown}: {type(exc).__name__}: "
                     f"{_scrub(first, make_url(url).password)}",
                     "check CAREWATCH_DATABASE_URL (or CAREWATCH_DATA_DIR) and that the "
                     "server is running and reachable")
    finally:
        engine.dispose()
    if current == head:
        return Check("database", OK, f"{shown}: schema at the latest migration ({head})")
    if current is None:
        return Check("database", WARN, f"{shown}: no carewatch schema yet",
                     "it is created by the first run, or now by `carewatch doctor --migrate`")
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        return Check("database", FAIL,
                     f"{shown}: at migration {current}, which this carewatch does not know "
                     "(a newer version migrated it)",
                     "upgrade carewatch on this machine to the version the others run")
    pending = ", ".join(reversed([r.revision for r in script.iterate_revisions(head, current)]))
    return Check("database", WARN,
                 f"{shown}: at migration {current}; pending: {pending}",
                 "applied by the next run, or now by `carewatch doctor --migrate`")


def _channels(settings: Any, checks: list[Check]) -> list[Any]:
    try:
        channels = settings.channels()
    except ValueError as exc:
        checks.append(Check("alert channels", FAIL, str(exc), "fix the variable named above"))
        return []
    if not channels:
        checks.append(Check("alert channels", WARN, "none configured: changes are recorded "
                            "but nobody is told",
                            "set CAREWATCH_SMTP_HOST and CAREWATCH_SMTP_TO, and/or "
                            "CAREWATCH_WEBHOOK_URL and CAREWATCH_WEBHOOK_SECRET"))
        return []
    names = ", ".join(f"{c.name} → {c.target}" for c in channels)
    checks.append(Check("alert channels", OK, names))
    return channels


def _distinct(channels: list[Any], attribute: str, key: Callable[[Any], Any]) -> Iterator[Any]:
    seen = set()
    for channel in channels:
        settings = getattr(channel, "settings", None)
        if settings is None or not hasattr(settings, attribute):
            continue
        if key(settings) not in seen:
            seen.add(key(settings))
            yield settings


def _smtp(channels: list[Any]) -> list[Check]:
    """One session per distinct mail server: what a delivery does, short of sending."""
    from alerts.email import open_session

    checks = []
    for smtp in _distinct(channels, "host", lambda s: (s.host, s.port, s.mode, s.username)):
        where = f"{smtp.host}:{smtp.port} ({smtp.mode})"
        try:
            with open_session(smtp) as session:
                session.noop()
        except (OSError, smtplib.SMTPException) as exc:
            detail = f"{where}: {type(exc).__name__}: {_scrub(str(exc), smtp.password)}"
            fix = ("check the user name and password (CAREWATCH_SMTP_USERNAME, "
                   "CAREWATCH_SMTP_PASSWORD or its _BLOCK)"
                   if isinstance(exc, smtplib.SMTPAuthenticationError) else
                   "check CAREWATCH_SMTP_HOST, CAREWATCH_SMTP_PORT and CAREWATCH_SMTP_MODE, and "
                   "that this machine may reach the server")
            checks.append(Check("smtp", FAIL, detail, fix))
            continue
        login = f", logged in as {smtp.username}" if smtp.username else ""
        checks.append(Check("smtp", OK, f"{where} reachable{login}"))
    return checks


def _webhooks(channels: list[Any]) -> list[Check]:
    """The secret's format is checked when the settings are read; here, the endpoint."""
    from alerts.channels import safe_url

    checks = []
    for hook in _distinct(channels, "secret", lambda s: s.url):
        parts = urlsplit(hook.url)
        shown = safe_url(hook.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=10):
                pass
        except OSError as exc:
            checks.append(Check("webhook", FAIL, f"{shown}: cannot connect: {exc}",
                                "check CAREWATCH_WEBHOOK_URL and that the receiver is up"))
            continue
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not loopback:
            checks.append(Check("webhook", WARN, f"{shown}: reachable, but not https: "
                                "the payload travels unencrypted",
                                "use an https:// receiver URL"))
        else:
            checks.append(Check("webhook", OK, f"{shown}: reachable; secret well-formed"))
    return checks


def _prefect(env: Mapping[str, str]) -> Check:
    api = env.get("PREFECT_API_URL", "").strip()
    if not api:
        return Check("prefect", OK, "no PREFECT_API_URL: runs use Prefect's ephemeral API "
                     "(`carewatch serve` starts its own server for schedules)")
    import httpx

    from alerts.channels import safe_url

    try:
        response = httpx.get(api.rstrip("/") + "/health", timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return Check("prefect", FAIL, f"{safe_url(api)}: {type(exc).__name__}: {exc}",
                     "start the server (`prefect server start`) or fix PREFECT_API_URL")
    return Check("prefect", OK, f"{safe_url(api)} answers")


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text
