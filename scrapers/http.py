"""The one HTTP layer: every byte carewatch reads from the web comes through HttpClient.fetch.

Why one layer: politeness and safety rules must hold for every source at once.  We send an
honest User-Agent with a contact URL (public-interest monitoring, not anonymous scraping),
time out, refuse bodies larger than a publication could plausibly be, follow redirects only
to hosts we watch (a compromised or misconfigured site must not steer us elsewhere), and
retry only what a retry can fix (connection errors, timeouts, 5xx, 429 with Retry-After).

Politeness (issue 5), also for every source at once:

- robots.txt is read once per host (scheme and authority) per client, through this same
  client (replay mapping, allowlist, retries), and honoured for the product token
  ``carewatch`` with protego.  With a ``cache`` it is remembered between runs
  (``pending_robots()``, saved by the caller) and reused without a request for
  ``ROBOTS_MAX_AGE``, then re-validated with a conditional GET: a no-change poll asks a host
  for its listing only.  A 4xx robots.txt (404, 410, ...) means "no rules": allow all.
  A robots.txt that cannot be read (5xx, 429 or network failure after the retries, a
  redirect off the allowlist, an oversized body) means "complete disallow" for this client,
  as RFC 9309 §2.3.1.4 says; the FetchError says so and is transient, so a later poll tries
  again.  A disallowed URL raises a non-transient FetchError and logs one warning naming the
  host, the path and the rule.
- Requests to one host are at least ``min_interval`` seconds apart (measured from the end of
  the previous response), or the host's ``Crawl-delay`` for ``carewatch`` when that is
  longer (capped at ``max_retry_after``: a robots.txt does not get to stall a poll for hours).
- Conditional GET: given a ``cache`` (``HttpCacheStore``), a URL found in it is requested
  with If-None-Match / If-Modified-Since; a 304, or a 200 whose body hashes to the stored
  sha256, comes back as ``Fetched(not_modified=True)``.  The validators of every 200 are
  kept as *pending* (``pending_cache()``) and never written by the client: the caller saves
  them only once the response has been processed successfully (``flows.poll``).

Replay: with ``replay_url`` set, the real URL ``https://host/path?q`` is requested as
``{replay_url}/host/path?q`` and the replay server's (real) Location headers are mapped the
same way, so callers and records only ever see real URLs (contract "URL model").
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from scrapers.base import Fetched, FetchError

DEFAULT_USER_AGENT = (
    "carewatch/0.1 (+https://github.com/carewatch/carewatch; "
    "public-interest monitoring of regulator publications)"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: How long a robots.txt is reused without asking again (RFC 9309 §2.4: at most 24 hours).
ROBOTS_MAX_AGE = timedelta(hours=24)

# The token robots.txt groups are matched against (RFC 9309 §2.2.1), the User-Agent's first word.
ROBOTS_PRODUCT = "carewatch"

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
    min_interval: float = 1.0  # seconds between two requests to one host (Crawl-delay may raise it)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> HttpSettings:
        """Settings from CAREWATCH_* variables; a malformed value raises ValueError naming it.

        CAREWATCH_HTTP_TIMEOUT sets the read timeout (and caps the connect timeout);
        CAREWATCH_HTTP_MIN_INTERVAL the seconds between two requests to one host (0 = none).
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
            min_interval=env_number(environ, "CAREWATCH_HTTP_MIN_INTERVAL",
                                    defaults.min_interval, float, low=0),
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


def _conditional_headers(stored: CacheEntry | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a cache entry (empty without validators)."""
    headers: dict[str, str] = {}
    if stored is not None and stored.etag:
        headers["If-None-Match"] = stored.etag
    if stored is not None and stored.last_modified:
        headers["If-Modified-Since"] = stored.last_modified
    return headers


def disallowing_rule(robots_txt: str, url: str) -> str:
    """The robots.txt rule that forbids ``url`` to carewatch, for the log and the error.

    protego decides; this only explains: the longest Disallow value, in the group naming
    carewatch (else the ``*`` group), that on its own forbids ``url``.
    """
    groups = _robots_groups(robots_txt)
    named = [a for agents, _ in groups for a in agents
             if a != "*" and ROBOTS_PRODUCT.startswith(a)]  # protego's match, for one word
    wanted = max(named, key=len) if named else "*"
    hits = [
        value
        for agents, values in groups if wanted in agents
        for value in values
        if not Protego.parse(f"User-agent: *\nDisallow: {value}\n").can_fetch(url, "x")
    ]
    return f"Disallow: {max(hits, key=len)}" if hits else "Disallow: (not identified)"


def _robots_groups(robots_txt: str) -> list[tuple[set[str], list[str]]]:
    """(user-agents, Disallow values) per group, in file order (RFC 9309 §2.1)."""
    groups: list[tuple[set[str], list[str]]] = []
    in_rules = True
    for raw in robots_txt.splitlines():
        field, _, value = raw.split("#", 1)[0].partition(":")
        field, value = field.strip().lower(), value.strip()
        if field == "user-agent":
            if in_rules:
                groups.append((set(), []))
                in_rules = False
            groups[-1][0].add(value.lower())
        elif field in ("allow", "disallow", "crawl-delay") and groups:
            in_rules = True
            if field == "disallow" and value:
                groups[-1][1].append(value)
    return groups


@dataclass(frozen=True)
class CacheEntry:
    """What was remembered about a URL's last successfully processed 200: its validators
    (either may be missing) and the sha256 of its body.  For a robots.txt only, ``body`` is
    the file itself ("" for a 4xx: no rules) and ``checked_at`` when it was last read, so it
    is reused for ``ROBOTS_MAX_AGE`` without a request (RFC 9309 §2.4 allows 24 hours)."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    body: str | None = None
    checked_at: datetime | None = None


class HttpCacheStore(Protocol):
    """Where the client looks up validators (``storage.http_cache.SessionStore``; a plain
    ``dict[str, CacheEntry]`` will do in tests)."""

    def get(self, url: str, /) -> CacheEntry | None: ...


@dataclass(frozen=True)
class _Robots:
    """One host's robots.txt as read: its rules, or why it could not be read."""

    rules: Protego | None = None  # None: no robots.txt (4xx), everything allowed
    text: str = ""
    unreachable: str | None = None  # the failure that makes it "complete disallow"


class _Retry(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, cause: str, *, status: int | None = None, wait: float | None = None):
        super().__init__(cause)
        self.cause = cause
        self.status = status
        self.wait = wait


class HttpClient:
    """A polite, bounded HTTP GET client restricted to ``allowed_hosts``.

    ``sleep`` and ``now`` are injectable so tests run retries and pacing without waiting.
    ``cache`` enables conditional GET (module docstring).
    """

    def __init__(
        self,
        settings: HttpSettings,
        allowed_hosts: frozenset[str],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        cache: HttpCacheStore | None = None,
    ) -> None:
        self.settings = settings
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self._sleep = sleep
        self._now = now
        self._cache = cache
        self._pending: dict[str, CacheEntry] = {}
        self._pending_robots: dict[str, CacheEntry] = {}
        self._robots: dict[str, _Robots] = {}  # by "scheme://authority"
        self._crawl_delay: dict[str, float] = {}  # by host
        self._last_request: dict[str, datetime] = {}  # by host: when its last response ended
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
        current, response, content, stored = self._follow(url, polite=True)
        headers = {k.lower(): v for k, v in response.headers.items()}
        if response.status_code == 304 and _conditional_headers(stored):  # we asked for it
            return Fetched(url=current, status=304, content=b"", content_type="",
                           headers=headers, not_modified=True)
        if not 200 <= response.status_code < 300:
            raise FetchError(
                current,
                f"HTTP {response.status_code}",
                transient=False,
                status=response.status_code,
            )
        digest = hashlib.sha256(content).hexdigest()
        if response.status_code == 200:
            self._pending[current] = CacheEntry(
                headers.get("etag"), headers.get("last-modified"), digest
            )
        return Fetched(
            url=current,
            status=response.status_code,
            content=content,
            content_type=headers.get("content-type", ""),
            headers=headers,
            not_modified=stored is not None and stored.sha256 == digest,
        )

    def pending_cache(self) -> dict[str, CacheEntry]:
        """Validators and body hash of every 200 this client received, by final real URL.

        Never written by the client: the caller stores the ones it processed successfully.
        """
        return dict(self._pending)

    def pending_robots(self) -> dict[str, CacheEntry]:
        """Each robots.txt read (or re-validated) from the network by this client, with its
        text, to be remembered whatever became of the crawl: rules are not results, so
        keeping them can hide nothing."""
        return dict(self._pending_robots)

    def _follow(
        self, url: str, *, polite: bool, validators: CacheEntry | None = None
    ) -> tuple[str, httpx.Response, bytes, CacheEntry | None]:
        """The final real URL, response, body, and the final URL's cache entry, if any.

        ``polite`` checks robots.txt and sends validators at each hop; robots.txt itself is
        fetched without either, except the ``validators`` of its remembered copy.
        """
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            stored: CacheEntry | None = validators if current == url else None
            if polite:
                self._obey_robots(current)
                stored = self._cache.get(current) if self._cache is not None else None
            conditional = _conditional_headers(stored)
            response, content = self._get_with_retries(current, conditional)
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                target = urljoin(current, self._from_wire(location.strip()))
                self._check_allowed(target, current, redirect=True)
                log.debug("redirect %s -> %s", current, target)
                current = target
                continue
            return current, response, content, stored
        raise FetchError(
            url, f"more than {self.settings.max_redirects} redirects (last {current})",
            transient=False,
        )

    # --- robots.txt and pacing ----------------------------------------------------------------

    def _obey_robots(self, url: str) -> None:
        """Raise FetchError if the host's robots.txt forbids ``url`` to ``carewatch``."""
        parts = urlsplit(url)
        robots = self._robots_of(parts.scheme, parts.netloc)
        host = (parts.hostname or "").lower()
        if robots.unreachable is not None:
            raise FetchError(
                url,
                f"robots.txt of {host} could not be read ({robots.unreachable}); RFC 9309 "
                "treats that as disallow-all, so nothing is fetched from this host this run",
                transient=True,
            )
        if robots.rules is None or robots.rules.can_fetch(url, ROBOTS_PRODUCT):
            return
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        rule = disallowing_rule(robots.text, url)
        log.warning("robots.txt of %s disallows %s (rule %r) for user-agent %s: not fetched",
                    host, path, rule, ROBOTS_PRODUCT)
        raise FetchError(
            url,
            f"disallowed by robots.txt (rule {rule!r}) for user-agent {ROBOTS_PRODUCT}",
            transient=False,
        )

    def _robots_of(self, scheme: str, netloc: str) -> _Robots:
        origin = f"{scheme}://{netloc}".lower()
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        return self._robots[origin]

    def _read_robots(self, origin: str) -> _Robots:
        robots_url = f"{origin}/robots.txt"
        kept = self._cache.get(robots_url) if self._cache is not None else None
        if kept is None or kept.body is None:
            kept = None
        elif kept.checked_at is not None and self._now() - kept.checked_at < ROBOTS_MAX_AGE:
            return self._robots_rules(origin, kept.body)  # fresh enough: no request at all
        try:
            _, response, content, _ = self._follow(robots_url, polite=False, validators=kept)
        except FetchError as exc:
            log.warning("%s: %s; treating the host as disallow-all (RFC 9309)",
                        robots_url, exc.cause)
            return _Robots(unreachable=exc.cause)
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        if status == 304 and kept is not None and kept.body is not None:
            self._pending_robots[robots_url] = replace(kept, checked_at=self._now())
            return self._robots_rules(origin, kept.body)
        if 400 <= status < 500:
            log.info("%s: HTTP %d, no robots rules: all allowed", robots_url, status)
            self._pending_robots[robots_url] = CacheEntry(body="", checked_at=self._now())
            return _Robots()
        if not 200 <= status < 300:  # e.g. a 3xx without Location
            log.warning("%s: HTTP %d; treating the host as disallow-all (RFC 9309)",
                        robots_url, status)
            return _Robots(unreachable=f"HTTP {status}")
        text = content.decode("utf-8", errors="replace")
        self._pending_robots[robots_url] = CacheEntry(
            headers.get("etag"), headers.get("last-modified"),
            hashlib.sha256(content).hexdigest(), body=text, checked_at=self._now())
        return self._robots_rules(origin, text)

    def _robots_rules(self, origin: str, text: str) -> _Robots:
        """Parsed rules of a robots.txt (no rules for an empty one), noting its Crawl-delay."""
        if not text.strip():
            return _Robots()
        robots_url = f"{origin}/robots.txt"
        rules = Protego.parse(text)
        delay = rules.crawl_delay(ROBOTS_PRODUCT)
        if delay:
            host = (urlsplit(origin).hostname or "").lower()
            cap = self.settings.max_retry_after
            if delay > cap:
                log.warning("%s: Crawl-delay %gs capped at %gs", robots_url, delay, cap)
            self._crawl_delay[host] = max(self._crawl_delay.get(host, 0.0), min(delay, cap))
        return _Robots(rules=rules, text=text)

    def _interval(self, host: str) -> float:
        return max(self.settings.min_interval, self._crawl_delay.get(host, 0.0))

    def _wait_turn(self, host: str) -> None:
        """Sleep until ``host``'s minimum interval since its last response has passed."""
        last = self._last_request.get(host)
        if last is None:
            return
        wait = self._interval(host) - (self._now() - last).total_seconds()
        if wait > 0:
            self._sleep(wait)

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

    def _get_with_retries(
        self, url: str, headers: Mapping[str, str] | None = None
    ) -> tuple[httpx.Response, bytes]:
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._get_once(url, headers or {})
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

    def _get_once(self, url: str, headers: Mapping[str, str]) -> tuple[httpx.Response, bytes]:
        host = (urlsplit(url).hostname or "").lower()
        self._wait_turn(host)
        try:
            with self._client.stream("GET", self._to_wire(url), headers=headers) as response:
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
        finally:
            self._last_request[host] = self._now()

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
