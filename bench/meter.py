"""What a poller asks of the replay site: the shared measuring kit of ``bench/poll.py`` and
``bench/backfill.py``.

``MeteredReplayServer`` is the real ``replay.server.ReplayServer`` with one addition: every
answer is also logged with the body bytes sent and the conditional headers the client sent.
Measuring on the server side counts carewatch and urlwatch (another process) the same way.
``validators=False`` makes it behave like a site that ignores conditional GET: it sends no
ETag/Last-Modified and answers every request in full.

``site_fetch`` is a ``Fetch`` that asks a ``ReplaySite`` in-process (no socket), following
redirects as ``scrapers.http.HttpClient`` does; ``listing_urls`` uses it to learn, from each
source's own ``crawl``, which listing/feed URLs a poll reads when everything is known.
The rest are pure helpers: the kind of a requested path, a tally of hits, ratios, progress.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urljoin, urlsplit

from replay.server import ReplayServer
from replay.site import ReplaySite, Response
from scrapers.base import Fetch, Fetched, FetchError
from scrapers.registry import Source

CONDITIONAL = ("if-none-match", "if-modified-since")
VALIDATORS = ("etag", "last-modified")
REDIRECTS = frozenset({301, 302, 303, 307, 308})

# Kinds of requested path (``path_kind``).
ROBOTS, LISTING, MORE, DOCUMENT = "robots", "listing", "more", "document"


def note(message: str) -> None:
    """Progress and explanations go to stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


# --- the server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One answered request as a client saw it."""

    method: str
    path: str  # as requested: /{host}/{path}[?query]
    status: int
    body_bytes: int  # response body bytes sent (0 for a 304 or a HEAD)
    conditional: tuple[str, ...]  # the conditional request headers sent, lower-case names
    user_agent: str
    at: float  # time.perf_counter() when answered


class MeteredReplayServer(ReplayServer):
    """A ``ReplayServer`` that also logs body sizes and request headers (``hits``)."""

    def __init__(self, as_of: date | str | None = None, *, validators: bool = True) -> None:
        super().__init__(as_of)
        self.validators = validators
        self._hits: list[Hit] = []
        self._hits_lock = threading.Lock()

    def answer(self, method: str, path: str, headers: dict[str, str]) -> Response:
        sent = tuple(name for name in CONDITIONAL if any(k.lower() == name for k in headers))
        if not self.validators:
            headers = {k: v for k, v in headers.items() if k.lower() not in CONDITIONAL}
        resp = super().answer(method, path, headers)
        if not self.validators:
            resp = replace(resp, headers={k: v for k, v in resp.headers.items()
                                          if k.lower() not in VALIDATORS})
        size = 0 if method == "HEAD" or resp.status == 304 else len(resp.body)
        user_agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
        hit = Hit(method, path, resp.status, size, sent, user_agent, time.perf_counter())
        with self._hits_lock:
            self._hits.append(hit)
        return resp

    def __enter__(self) -> MeteredReplayServer:
        self.start()
        return self

    @property
    def hits(self) -> list[Hit]:
        with self._hits_lock:
            return list(self._hits)

    def clear_hits(self) -> None:
        """Forget every hit, and the base server's request log with them."""
        with self._hits_lock:
            self._hits.clear()
        self.clear_requests()


# --- in-process fetching ----------------------------------------------------------------------


def wire_path(url: str) -> str:
    """``https://host/path?q`` -> ``/host/path?q``: the path the replay site serves it under."""
    parts = urlsplit(url)
    path = f"/{parts.netloc}{parts.path or '/'}"
    return f"{path}?{parts.query}" if parts.query else path


def site_fetch(site: ReplaySite, *, asked: list[str] | None = None,
               max_redirects: int = 5) -> Fetch:
    """A ``Fetch`` answered by ``site`` in-process; records each URL asked for in ``asked``.

    Redirects are followed to the real URL in Location; anything but a final 200 raises
    ``FetchError`` (not transient) as the HTTP client would.
    """

    def fetch(url: str) -> Fetched:
        if asked is not None:
            asked.append(url)
        current = url
        for _ in range(max_redirects + 1):
            resp = site.get(wire_path(current))
            location = resp.headers.get("Location")
            if resp.status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            if resp.status != 200:
                raise FetchError(current, f"HTTP {resp.status}", transient=False,
                                 status=resp.status)
            headers = {k.lower(): v for k, v in resp.headers.items()}
            headers["content-type"] = resp.content_type
            return Fetched(url=current, status=resp.status, content=resp.body,
                           content_type=resp.content_type, headers=headers)
        raise FetchError(url, f"more than {max_redirects} redirects", transient=False)

    return fetch


class NotReady(Exception):
    """A source cannot be measured yet (placeholder module, or its replay pages missing)."""


def listing_urls(source: Source, site: ReplaySite) -> list[str]:
    """The URLs ``source``'s crawl reads when every item is already known: its listing or
    feed page(s), derived from the module's own ``crawl`` rather than written down here.

    Raises ``NotReady`` for a placeholder module (``NotImplementedError``) or a crawl that
    fails against the replay site (its pages are not served yet).
    """
    asked: list[str] = []
    try:
        source.crawl(site_fetch(site, asked=asked), lambda url: True,
                     base_url=source.base_url, authorities=source.authorities)
    except NotImplementedError as exc:
        raise NotReady(f"scrapers.{source.module} is a placeholder ({exc})") from None
    except Exception as exc:
        raise NotReady(f"crawl against the replay site failed: {type(exc).__name__}: {exc}") \
            from None
    if not asked:
        raise NotReady("its crawl fetched nothing")
    return list(dict.fromkeys(asked))


# --- tallies ----------------------------------------------------------------------------------


def path_kind(path: str, listings: Collection[str]) -> str:
    """What a requested path is: robots.txt, the first page of a watched listing/feed, a
    later page of one (same path with another query, or ``…/page/N/``), or a document."""
    split = urlsplit(path)
    if split.path.endswith("/robots.txt"):
        return ROBOTS
    if path in listings:
        return LISTING
    for listing in listings:
        base = urlsplit(listing).path
        if split.path == base or split.path.startswith(base.rstrip("/") + "/page/"):
            return MORE
    return DOCUMENT


@dataclass
class Tally:
    """The figures of one poll, from the server's hits."""

    requests: int = 0  # every request except robots.txt
    robots: int = 0
    listing: int = 0  # first pages of listings/feeds
    more_pages: int = 0  # later listing/feed pages
    documents: int = 0  # item pages and PDFs downloaded (200 with a body)
    not_modified: int = 0  # 304 answers
    redirects: int = 0
    errors: int = 0  # 4xx/5xx answers
    conditional: int = 0  # requests (robots.txt excluded) that carried If-None-Match/-Since
    bytes: int = 0  # response body bytes, robots.txt included
    robots_bytes: int = 0
    seconds: float = 0.0
    span: float = 0.0  # from the first request answered to the last
    document_paths: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)

    @property
    def bytes_without_robots(self) -> int:
        return self.bytes - self.robots_bytes


def tally(hits: Iterable[Hit], listings: Collection[str], seconds: float = 0.0) -> Tally:
    """Count ``hits`` by kind; ``listings`` are the wire paths of the watched first pages."""
    out = Tally(seconds=seconds)
    hits = list(hits)
    if hits:
        out.span = max(h.at for h in hits) - min(h.at for h in hits)
    for hit in hits:
        kind = path_kind(hit.path, listings)
        out.bytes += hit.body_bytes
        if hit.user_agent and hit.user_agent not in out.user_agents:
            out.user_agents.append(hit.user_agent)
        if kind == ROBOTS:
            out.robots += 1
            out.robots_bytes += hit.body_bytes
            continue
        out.requests += 1
        out.conditional += bool(hit.conditional)
        if hit.status == 304:
            out.not_modified += 1
        elif hit.status in REDIRECTS:
            out.redirects += 1
        elif hit.status >= 400:
            out.errors += 1
        if kind == LISTING:
            out.listing += 1
        elif kind == MORE:
            out.more_pages += 1
        elif hit.status == 200 and hit.body_bytes:
            out.documents += 1
            out.document_paths.append(hit.path)
    return out


def ratio(num: float, den: float) -> str:
    """``num / den`` for a table cell: ``"3.2x"``, ``"-"`` when both are 0, ``"inf"``."""
    if den == 0:
        return "-" if num == 0 else "inf"
    return f"{num / den:.1f}x"


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if abs(n) < 1024 or unit == "MiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def table(rows: Sequence[Sequence[str]], *, header: Sequence[str]) -> str:
    """A plain-text table, first column left-aligned, the others right-aligned."""
    grid = [list(header), *[list(r) for r in rows]]
    widths = [max(len(row[i]) for row in grid) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                         strict=True))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(grid[0]), rule, *(line(r) for r in grid[1:])])


def environ_without(prefix: str, environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` minus every variable starting with ``prefix`` (a child's clean slate)."""
    return {k: v for k, v in environ.items() if not k.startswith(prefix)}
