"""scrapers.http: retries, backoff, Retry-After, size limit, redirect allowlist, replay mapping."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from scrapers.base import FetchError
from scrapers.http import DEFAULT_USER_AGENT, HttpClient, HttpSettings

CIW = frozenset({"careinspectorate.wales", "www.careinspectorate.wales"})
NEWS = "https://careinspectorate.wales/news?page=0"
Handler = Callable[[httpx.Request], httpx.Response]


class Sleeps(list):
    """Records requested sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(
    handler: Handler, *, sleeps: Sleeps | None = None, now: datetime | None = None, **settings
) -> HttpClient:
    """A client over ``handler``; robots.txt answers 404 (all allowed) without reaching the
    handler, and pacing is off unless ``min_interval`` is given (tests/scrapers/
    test_politeness.py covers both)."""

    def no_robots(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/robots.txt"):
            return httpx.Response(404)
        return handler(request)

    settings.setdefault("min_interval", 0.0)
    return HttpClient(
        HttpSettings(**settings),
        CIW,
        transport=httpx.MockTransport(no_robots),
        sleep=sleeps if sleeps is not None else Sleeps(),
        now=(lambda: now) if now else (lambda: datetime.now(UTC)),
    )


def scripted(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with ``responses`` in turn (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


# --- success path -------------------------------------------------------------------------


def test_fetch_returns_body_real_url_and_lowercase_headers() -> None:
    handler, seen = scripted(
        httpx.Response(
            200, content=b"<html>ok</html>", headers={"Content-Type": "text/html", "X-Thing": "1"}
        )
    )
    fetched = make_client(handler).fetch(NEWS)
    assert fetched.url == NEWS
    assert fetched.status == 200
    assert fetched.content == b"<html>ok</html>"
    assert fetched.content_type == "text/html"
    assert fetched.headers["x-thing"] == "1"
    assert all(k == k.lower() for k in fetched.headers)
    assert seen[0].headers["user-agent"] == DEFAULT_USER_AGENT
    assert "+https://" in DEFAULT_USER_AGENT  # a contact URL


def test_fetch_sends_configured_user_agent() -> None:
    handler, seen = scripted(httpx.Response(200))
    make_client(handler, user_agent="carewatch-test/1 (+https://example.org)").fetch(NEWS)
    assert seen[0].headers["user-agent"] == "carewatch-test/1 (+https://example.org)"


def test_fetch_refuses_host_not_in_allowlist() -> None:
    handler, seen = scripted(httpx.Response(200))
    with pytest.raises(FetchError) as caught:
        make_client(handler).fetch("https://evil.example/x")
    assert "host evil.example not in allowlist" in str(caught.value)
    assert caught.value.transient is False
    assert seen == []


# --- replay mapping -------------------------------------------------------------------------


def test_replay_mapping_requests_host_prefixed_path_and_returns_real_url() -> None:
    handler, seen = scripted(httpx.Response(200, content=b"x"))
    client = make_client(handler, replay_url="http://127.0.0.1:9999")
    fetched = client.fetch("https://www.careinspectorate.wales/news?page=1")
    assert str(seen[0].url) == "http://127.0.0.1:9999/www.careinspectorate.wales/news?page=1"
    assert fetched.url == "https://www.careinspectorate.wales/news?page=1"


def test_replay_mapping_of_root_path() -> None:
    handler, seen = scripted(httpx.Response(200))
    make_client(handler, replay_url="http://127.0.0.1:9999/").fetch("https://careinspectorate.wales")
    assert str(seen[0].url) == "http://127.0.0.1:9999/careinspectorate.wales/"


def test_replay_redirect_location_is_real_and_mapped_again() -> None:
    handler, seen = scripted(
        httpx.Response(301, headers={"Location": "https://careinspectorate.wales/new-slug"}),
        httpx.Response(200, content=b"moved"),
    )
    client = make_client(handler, replay_url="http://127.0.0.1:9999")
    fetched = client.fetch("https://www.careinspectorate.wales/old-slug")
    assert [str(r.url) for r in seen] == [
        "http://127.0.0.1:9999/www.careinspectorate.wales/old-slug",
        "http://127.0.0.1:9999/careinspectorate.wales/new-slug",
    ]
    assert fetched.url == "https://careinspectorate.wales/new-slug"
    assert fetched.content == b"moved"


# --- redirects ------------------------------------------------------------------------------


def test_relative_redirect_is_resolved_against_real_url() -> None:
    handler, seen = scripted(
        httpx.Response(302, headers={"Location": "/news?page=0"}), httpx.Response(200)
    )
    fetched = make_client(handler).fetch("https://careinspectorate.wales/old")
    assert str(seen[1].url) == NEWS
    assert fetched.url == NEWS


def test_redirect_to_host_outside_allowlist_is_refused() -> None:
    handler, seen = scripted(httpx.Response(302, headers={"Location": "https://evil.example/"}))
    with pytest.raises(FetchError) as caught:
        make_client(handler).fetch("https://careinspectorate.wales/x")
    assert str(caught.value) == (
        "https://careinspectorate.wales/x: redirect to https://evil.example/ not allowed "
        "(host not in allowlist)"
    )
    assert caught.value.transient is False
    assert len(seen) == 1


def test_redirect_loop_stops_after_max_redirects() -> None:
    handler, seen = scripted(httpx.Response(302, headers={"Location": "/again"}))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        make_client(handler).fetch("https://careinspectorate.wales/again")
    assert len(seen) == 6


# --- retries ------------------------------------------------------------------------------


def test_5xx_is_retried_with_exponential_backoff() -> None:
    sleeps = Sleeps()
    handler, seen = scripted(
        httpx.Response(503), httpx.Response(500), httpx.Response(200, content=b"ok")
    )
    fetched = make_client(handler, sleeps=sleeps, backoff=1.5).fetch(NEWS)
    assert fetched.content == b"ok"
    assert len(seen) == 3
    assert sleeps == [1.5, 3.0]


def test_persistent_5xx_gives_transient_error_after_all_attempts() -> None:
    sleeps = Sleeps()
    handler, seen = scripted(httpx.Response(500))
    with pytest.raises(FetchError) as caught:
        make_client(handler, sleeps=sleeps).fetch(NEWS)
    assert str(caught.value) == f"{NEWS}: HTTP 500 after 3 attempts"
    assert caught.value.transient is True
    assert caught.value.status == 500
    assert len(seen) == 3
    assert sleeps == [1.0, 2.0]


def test_retries_setting_counts_extra_attempts() -> None:
    handler, seen = scripted(httpx.Response(502))
    with pytest.raises(FetchError, match="after 1 attempts"):
        make_client(handler, retries=0).fetch(NEWS)
    assert len(seen) == 1


def test_429_honours_retry_after_seconds() -> None:
    sleeps = Sleeps()
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200))
    make_client(handler, sleeps=sleeps).fetch(NEWS)
    assert sleeps == [7.0]


def test_retry_after_http_date() -> None:
    sleeps = Sleeps()
    now = datetime(2020, 8, 4, 10, 0, 0, tzinfo=UTC)
    handler, _ = scripted(
        httpx.Response(503, headers={"Retry-After": "Tue, 04 Aug 2020 10:00:42 GMT"}),
        httpx.Response(200),
    )
    make_client(handler, sleeps=sleeps, now=now).fetch(NEWS)
    assert sleeps == [42.0]


def test_retry_after_is_capped() -> None:
    sleeps = Sleeps()
    handler, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "86400"}), httpx.Response(200)
    )
    make_client(handler, sleeps=sleeps, max_retry_after=60).fetch(NEWS)
    assert sleeps == [60.0]


def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    sleeps = Sleeps()
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "soon"}), httpx.Response(200))
    make_client(handler, sleeps=sleeps).fetch(NEWS)
    assert sleeps == [1.0]


def test_read_timeout_is_retried_then_reported() -> None:
    sleeps = Sleeps()
    handler, seen = scripted(httpx.ReadTimeout("timed out"))
    with pytest.raises(FetchError) as caught:
        make_client(handler, sleeps=sleeps, read_timeout=30).fetch(NEWS)
    assert str(caught.value) == f"{NEWS}: read timeout after 30s (3 attempts)"
    assert caught.value.transient is True
    assert len(seen) == 3


def test_connection_error_is_retried_and_recovers() -> None:
    handler, seen = scripted(httpx.ConnectError("connection refused"), httpx.Response(200))
    assert make_client(handler).fetch(NEWS).status == 200
    assert len(seen) == 2


def test_404_is_not_retried() -> None:
    sleeps = Sleeps()
    handler, seen = scripted(httpx.Response(404))
    with pytest.raises(FetchError) as caught:
        make_client(handler, sleeps=sleeps).fetch(NEWS)
    assert str(caught.value) == f"{NEWS}: HTTP 404"
    assert caught.value.transient is False
    assert caught.value.status == 404
    assert len(seen) == 1
    assert sleeps == []


# --- body size ------------------------------------------------------------------------------


def test_declared_content_length_over_limit_is_refused() -> None:
    handler, _ = scripted(httpx.Response(200, content=b"x" * 2000))
    with pytest.raises(FetchError) as caught:
        make_client(handler, max_bytes=1000).fetch(NEWS)
    assert "Content-Length 2000 exceeds limit 1000 bytes" in str(caught.value)
    assert caught.value.transient is False


def test_streamed_body_over_limit_is_aborted() -> None:
    pulled: list[int] = []

    def chunks() -> Iterator[bytes]:
        for n in range(100):
            pulled.append(n)
            yield b"x" * 100

    handler, _ = scripted(httpx.Response(200, content=chunks()))  # chunked: no Content-Length
    with pytest.raises(FetchError, match="more than 1000 bytes") as caught:
        make_client(handler, max_bytes=1000).fetch(NEWS)
    assert caught.value.transient is False
    assert len(pulled) < 100  # stopped reading early


def test_body_at_limit_is_accepted() -> None:
    handler, _ = scripted(httpx.Response(200, content=b"x" * 1000))
    assert len(make_client(handler, max_bytes=1000).fetch(NEWS).content) == 1000


# --- settings -------------------------------------------------------------------------------


def test_settings_from_env() -> None:
    settings = HttpSettings.from_env(
        {
            "CAREWATCH_USER_AGENT": "ua/1 (+https://x.example)",
            "CAREWATCH_REPLAY_URL": "http://127.0.0.1:8765/",
            "CAREWATCH_HTTP_TIMEOUT": "5",
            "CAREWATCH_HTTP_MAX_BYTES": "1000",
            "CAREWATCH_HTTP_RETRIES": "0",
        }
    )
    assert settings.user_agent == "ua/1 (+https://x.example)"
    assert settings.replay_url == "http://127.0.0.1:8765"
    assert settings.read_timeout == 5.0
    assert settings.connect_timeout == 5.0
    assert settings.max_bytes == 1000
    assert settings.retries == 0


def test_settings_from_empty_env_are_defaults() -> None:
    assert HttpSettings.from_env({}) == HttpSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CAREWATCH_HTTP_TIMEOUT", "soon"),
        ("CAREWATCH_HTTP_TIMEOUT", "0"),
        ("CAREWATCH_HTTP_MAX_BYTES", "1.5"),
        ("CAREWATCH_HTTP_RETRIES", "-1"),
        ("CAREWATCH_REPLAY_URL", "127.0.0.1:8000"),
    ],
)
def test_settings_from_env_rejects_bad_values(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        HttpSettings.from_env({name: value})


# --- a real loopback server -------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/careinspectorate.wales/news?page=0":
            self._send(200, b"<html>listing</html>", "text/html; charset=UTF-8")
        elif self.path == "/www.careinspectorate.wales/old":
            self.send_response(301)
            self.send_header("Location", "https://careinspectorate.wales/news?page=0")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/careinspectorate.wales/flaky" and self.hits[self.path] == 1:
            self._send(503, b"busy", "text/plain", {"Retry-After": "0"})
        elif self.path == "/careinspectorate.wales/flaky":
            self._send(200, b"recovered", "text/plain")
        elif self.path == "/careinspectorate.wales/slow":
            time.sleep(0.5)
            self._send(200, b"late", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        # the client may have timed out first, as the timeout test intends
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    _Handler.hits = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def loopback_client(url: str, **settings) -> HttpClient:
    return HttpClient(HttpSettings(replay_url=url, **settings), CIW, sleep=Sleeps())


def test_loopback_fetch_redirect_and_retry(loopback: str) -> None:
    with loopback_client(loopback) as client:
        fetched = client.fetch("https://www.careinspectorate.wales/old")
        assert fetched.url == NEWS
        assert fetched.content == b"<html>listing</html>"
        assert fetched.content_type == "text/html; charset=UTF-8"
        assert client.fetch("https://careinspectorate.wales/flaky").content == b"recovered"
    assert _Handler.hits["/careinspectorate.wales/flaky"] == 2


def test_loopback_404_and_timeout(loopback: str) -> None:
    with loopback_client(loopback, read_timeout=0.1, retries=1) as client:
        with pytest.raises(FetchError) as missing:
            client.fetch("https://careinspectorate.wales/missing")
        assert missing.value.status == 404
        with pytest.raises(FetchError) as slow:
            client.fetch("https://careinspectorate.wales/slow")
        assert str(slow.value) == (
            "https://careinspectorate.wales/slow: read timeout after 0.1s (2 attempts)"
        )
