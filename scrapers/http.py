"""The one HTTP layer: every byte carewatch reads from the web comes through HttpClient.fetch.

Why one layer: politeness and safety rules must hold for every source at once.  We send an
honest User-Agent with a contact URL (public-interest monitoring, not anonymous scraping),
time out, refuse bodies larger than a publication could plausibly be, follow redirects only
to hosts we watch (a compromised or misconfigured site must not steer us elsewhere), and
retry only what a retry can fix (connection errors, timeouts, 5xx, 429 with Retry-After).

Replay: with ``replay_url`` set, the real URL ``https://host/path?q`` is requested as
``{replay_url}/host/path?q`` and the replay server's (real) Location headers are mapped the
same way, so callers and records only ever see real URLs (contract "URL model").
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from scrapers.base import Fetched, FetchError

DEFAULT_USER_AGENT = (
    "carewatch/0.1 (+https://github.com/carewatch/carewatch; "
    "public-interest monitoring of regulator publications)"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

log = logging.getLogger(__name__)
N = TypeVar("N", int, float)


@dataclass(frozen=True)
class HttpSettings:
    """How the client behaves.  ``retries`` counts attempts after the first one."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 25 * 1024 * 1024  # the largest CIW report PDFs seen are a few MB
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_retry_after: float = 120.0  # never sleep longer than this on a server's say-so
    max_redirects: int = 5
    replay_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> HttpSettings:
        """Settings from CAREWATCH_* variables; a malformed value raises ValueError naming it.

        CAREWATCH_HTTP_TIMEOUT sets the read timeout (and caps the connect timeout).
        """
        defaults = cls()
        timeout = env_number(environ, "CAREWATCH_HTTP_TIMEOUT", defaults.read_timeout, float)
        replay = environ.get("CAREWATCH_REPLAY_URL", "").strip().rstrip("/") or None
        if replay and urlsplit(replay).scheme not in ("http", "https"):
            raise ValueError(f"CAREWATCH_REPLAY_URL must be an http(s) URL, got {replay!r}")
        return cls(
            user_agent=environ.get("CAREWATCH_USER_AGENT", "").strip() or defaults.user_agent,
            connect_timeout=min(defaults.connect_timeout, timeout),
            read_timeout=timeout,
            max_bytes=env_number(environ, "CAREWATCH_HTTP_MAX_BYTES", defaults.max_bytes, int),
            retries=env_number(environ, "CAREWATCH_HTTP_RETRIES", defaults.retries, int, low=0),
            replay_url=replay,
        )


def env_number(
    environ: Mapping[str, str], name: str, default: N, kind: Callable[[str], N], low: float = 1e-9
) -> N:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < low:
        raise ValueError(f"{name} must be at least {low:g}, got {raw!r}")
    return value


class _Retry(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, cause: str, *, status: int | None = None, wait: float | None = None):
        super().__init__(cause)
        self.cause = cause
        self.status = status
        self.wait = wait


class HttpClient:
    """A polite, bounded HTTP GET client restricted to ``allowed_hosts``.

    ``sleep`` and ``now`` are injectable so tests run retries without waiting.
    """

    def __init__(
        self,
        settings: HttpSettings,
        allowed_hosts: frozenset[str],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self._sleep = sleep
        self._now = now
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.connect_timeout,
            ),
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # --- public -----------------------------------------------------------------------------

    def fetch(self, url: str) -> Fetched:
        """GET ``url`` (a real URL); follow allowed redirects; return the body and real final URL.

        Raises FetchError naming the URL and the cause.
        """
        self._check_allowed(url, url)
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            response, content = self._get_with_retries(current)
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                target = urljoin(current, self._from_wire(location.strip()))
                self._check_allowed(target, current, redirect=True)
                log.debug("redirect %s -> %s", current, target)
                current = target
                continue
            if not 200 <= response.status_code < 300:
                raise FetchError(
                    current,
                    f"HTTP {response.status_code}",
                    transient=False,
                    status=response.status_code,
                )
            headers = {k.lower(): v for k, v in response.headers.items()}
            return Fetched(
                url=current,
                status=response.status_code,
                content=content,
                content_type=headers.get("content-type", ""),
                headers=headers,
            )
        raise FetchError(
            url, f"more than {self.settings.max_redirects} redirects (last {current})",
            transient=False,
        )

    # --- URL mapping and allowlist ------------------------------------------------------------

    def _to_wire(self, url: str) -> str:
        """The URL actually requested: the real one, or its replay-site address."""
        if not self.settings.replay_url:
            return url
        parts = urlsplit(url)
        wire = f"{self.settings.replay_url.rstrip('/')}/{parts.netloc}{parts.path or '/'}"
        return f"{wire}?{parts.query}" if parts.query else wire

    def _from_wire(self, location: str) -> str:
        """Undo the replay mapping if a server answered with a loopback Location."""
        replay = (self.settings.replay_url or "").rstrip("/")
        if replay and location.startswith(replay + "/"):
            rest = location[len(replay) + 1 :]
            return f"https://{rest}"
        return location

    def _check_allowed(self, target: str, origin: str, *, redirect: bool = False) -> None:
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        if parts.scheme in ("http", "https") and host in self.allowed_hosts:
            return
        if redirect:
            cause = f"redirect to {target} not allowed (host not in allowlist)"
        else:
            allowed = ", ".join(sorted(self.allowed_hosts))
            cause = f"host {host or '?'} not in allowlist ({allowed})"
        raise FetchError(origin, cause, transient=False)

    # --- attempts -----------------------------------------------------------------------------

    def _get_with_retries(self, url: str) -> tuple[httpx.Response, bytes]:
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._get_once(url)
            except _Retry as failure:
                if attempt == attempts:
                    tally = f"({attempts} attempts)"
                    if failure.status:  # "HTTP 500 after 3 attempts"
                        tally = f"after {attempts} attempts"
                    raise FetchError(
                        url,
                        f"{failure.cause} {tally}",
                        transient=True,
                        status=failure.status,
                    ) from None
                delay = self._delay(attempt, failure.wait)
                log.info("%s: %s; retry %d/%d in %.1fs", url, failure.cause, attempt,
                         attempts - 1, delay)
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, min(retry_after, self.settings.max_retry_after))
        return min(self.settings.backoff * 2 ** (attempt - 1), self.settings.max_retry_after)

    def _get_once(self, url: str) -> tuple[httpx.Response, bytes]:
        try:
            with self._client.stream("GET", self._to_wire(url)) as response:
                if response.status_code == 429 or response.status_code >= 500:
                    raise _Retry(
                        f"HTTP {response.status_code}",
                        status=response.status_code,
                        wait=self._retry_after(response.headers.get("retry-after")),
                    )
                if response.status_code >= 300:
                    return response, b""
                return response, self._read_body(url, response)
        except httpx.ConnectTimeout:
            raise _Retry(f"connect timeout after {self.settings.connect_timeout:g}s") from None
        except httpx.ReadTimeout:
            raise _Retry(f"read timeout after {self.settings.read_timeout:g}s") from None
        except httpx.TimeoutException as exc:
            raise _Retry(f"timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed: {type(exc).__name__}: {exc}") from None

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                url,
                f"response too large: Content-Length {declared} exceeds limit {limit} bytes",
                transient=False,
                status=response.status_code,
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(
                    url,
                    f"response too large: more than {limit} bytes",
                    transient=False,
                    status=response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _retry_after(self, value: str | None) -> float | None:
        """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), else None."""
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self._now()).total_seconds())
