"""The replay site on a real socket, with a movable timeline, fault injection and a request log.

``ReplayServer`` wraps a ``ReplaySite`` in ``http.server.ThreadingHTTPServer`` on 127.0.0.1 (a
free port unless one is given), serving from a daemon thread, so tests and the demo exercise the
real HTTP layer (timeouts, retries, conditional GET, content types) against known content.

Faults are how tests make the outside world misbehave on cue: a regex searched in the request
path (query included) selects requests; the fault can replace the status, body, content type or
headers, delay the answer, and apply a limited number of ``times`` or until cleared.  Two faults
break the connection itself: ``reset`` closes it with a TCP reset before any response (a
crashed server or a middlebox dropping the flow), and ``cut_after`` sends the headers (with
the full Content-Length) and only that many body bytes, then closes (a transfer cut short).
"""

from __future__ import annotations

import re
import socket
import struct
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

from replay.render import HTML_TYPE, error_page
from replay.site import ReplaySite, Response, etag_for
from replay.timeline import STEPS

__all__ = ["Fault", "LoggedRequest", "ReplayServer", "ReplaySite", "Response"]


class LoggedRequest(NamedTuple):
    """One answered request; compares equal to a plain ``(method, path, status)`` tuple."""

    method: str
    path: str
    status: int


@dataclass
class Fault:
    """An injected misbehaviour.  ``times=None`` means until ``clear_faults()``."""

    pattern: re.Pattern[str]
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    delay: float | None = None
    reset: bool = False  # close with a TCP reset instead of answering
    cut_after: int | None = None  # send this many body bytes, then close

    @property
    def replaces_response(self) -> bool:
        return self.status is not None or self.body is not None or self.content_type is not None

    def apply(self, original: Response) -> Response:
        """The faulty answer built over the normal one (the normal one ignores validators)."""
        status = self.status if self.status is not None else original.status
        body, content_type = original.body, original.content_type
        headers = dict(original.headers)
        if self.body is not None:
            body = self.body
            headers["ETag"] = etag_for(body)
        elif status != original.status:
            headers = {}
            if status >= 400:
                body = error_page(status, _reason(status)).encode("utf-8")
                content_type = HTML_TYPE
            else:
                body = b""
        if self.content_type is not None:
            content_type = self.content_type
        headers.update(self.headers)
        return Response(status, content_type, body, headers)


class ReplayServer:
    """A ``ReplaySite`` served over HTTP on loopback; a context manager, or start()/stop()."""

    def __init__(self, as_of: date | str | None = None, *, port: int = 0,
                 site: ReplaySite | None = None):
        self.site = site or ReplaySite(STEPS["latest"] if as_of is None else as_of)
        if site is not None and as_of is not None:
            self.site.as_of = as_of
        self._port = port
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._requests: list[LoggedRequest] = []
        self._taken = threading.local()  # the fault answer() took, for the handler's thread
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> ReplayServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer(("127.0.0.1", self._port), _Handler)
        httpd.replay = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name="replay-server", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # cut injected delays short
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("replay server is not running; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``; real URLs map to ``{url}/{host}{path}``."""
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, real_url: str) -> str:
        """The loopback URL serving ``real_url``: ``https://host/path`` -> ``{url}/host/path``."""
        scheme, sep, rest = real_url.partition("://")
        return f"{self.url}/{rest if sep else scheme.lstrip('/')}"

    # -- timeline ---------------------------------------------------------------------------

    @property
    def as_of(self) -> date:
        return self.site.as_of

    def set_as_of(self, as_of: date | str) -> None:
        with self._lock:
            self.site.as_of = as_of

    # -- faults -----------------------------------------------------------------------------

    def inject(self, pattern: str, status: int | None = None, body: bytes | str | None = None,
               content_type: str | None = None, headers: dict[str, str] | None = None,
               times: int | None = None, delay: float | None = None, *, reset: bool = False,
               cut_after: int | None = None) -> Fault:
        """Make requests whose path (incl. query) matches ``pattern`` misbehave; newest first.

        ``reset`` drops the connection (TCP RST) without answering; ``cut_after`` answers
        with the full headers but closes the connection after that many bytes of the body."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if times is not None and times < 1:
            raise ValueError("times must be a positive count, or None for 'until cleared'")
        if cut_after is not None and cut_after < 0:
            raise ValueError("cut_after must be a byte count >= 0")
        fault = Fault(re.compile(pattern), status, body, content_type, dict(headers or {}),
                      times, delay, reset, cut_after)
        with self._lock:
            self._faults.insert(0, fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.pattern.search(path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # -- request log ------------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the log of answered requests, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- serving ----------------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str]) -> Response:
        """Everything the handler does except socket I/O: faults, site, log.  The fault
        taken is left in ``connection_fault()`` for the handler (same thread), which applies
        ``reset`` and ``cut_after`` on the socket."""
        fault = self._take_fault(path)
        self._taken.fault = fault
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        if fault is not None and fault.reset:
            with self._lock:
                self._requests.append(LoggedRequest(method, path, 0))  # 0: no response
            return Response(0, "", b"")
        if fault is not None and fault.replaces_response:
            resp = fault.apply(self.site.route(path))
        else:
            resp = self.site.get(path, headers)
            if fault is not None and fault.headers:
                resp = replace(resp, headers={**resp.headers, **fault.headers})
        with self._lock:
            self._requests.append(LoggedRequest(method, path, resp.status))
        return resp

    def connection_fault(self) -> Fault | None:
        """The fault the last ``answer`` in this thread took, if it breaks the connection."""
        fault: Fault | None = getattr(self._taken, "fault", None)
        return fault if fault is not None and (fault.reset or fault.cut_after is not None) else None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops bursts of parallel connects (1 s SYN retry)


class _Handler(BaseHTTPRequestHandler):
    server_version = "replay/1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, *, send_body: bool) -> None:
        replay: ReplayServer = self.server.replay  # type: ignore[attr-defined]
        resp = replay.answer(self.command, self.path, dict(self.headers.items()))
        fault = replay.connection_fault()
        if fault is not None and fault.reset:
            self._reset()
            return
        cut = fault.cut_after if fault is not None else None
        try:
            self.send_response(resp.status)
            if resp.content_type:
                self.send_header("Content-Type", resp.content_type)
            for name, value in resp.headers.items():
                self.send_header(name, value)
            if resp.status != 304:
                self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if send_body and resp.status != 304:
                self.wfile.write(resp.body if cut is None else resp.body[:cut])
            if cut is not None:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)  # FIN after a partial body
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a timeout test); nothing to tell it

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), answering nothing more."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: the request log on ReplayServer is the record."""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
