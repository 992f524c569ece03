"""ReplayServer over a real socket: conditional GET, HEAD, robots.txt, 404s, fault injection,
the request log, concurrency, lifecycle and the ``python -m replay`` entry point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from replay.server import ReplayServer, ReplaySite
from replay.timeline import STEPS

LISTING = "/careinspectorate.wales/news"
FEED = "/news.wrexham.gov.uk/feed/"
PDF = ("/careinspectorate.wales/sites/default/files/2020-08/"
       "200804-wrexham-annual-letter-2019-20-en.pdf")
REPO = Path(__file__).resolve().parents[2]


# -- validators and 304 ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [LISTING, FEED, PDF, "/careinspectorate.wales/robots.txt"])
def test_every_200_has_etag_and_last_modified_and_honours_if_none_match(
        replay_http: httpx.Client, path: str) -> None:
    first = replay_http.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and etag.endswith('"')
    parsedate_to_datetime(modified)
    again = replay_http.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = replay_http.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_if_modified_since_gives_304_unless_older(replay_http: httpx.Client) -> None:
    modified = replay_http.get(PDF).headers["last-modified"]
    assert modified == "Tue, 04 Aug 2020 09:00:00 GMT"
    assert replay_http.get(PDF, headers={"If-Modified-Since": modified}).status_code == 304
    assert replay_http.get(
        PDF, headers={"If-Modified-Since": "Mon, 03 Aug 2020 09:00:00 GMT"}).status_code == 200
    assert replay_http.get(PDF, headers={"If-Modified-Since": "garbage"}).status_code == 200


def test_if_none_match_wins_over_if_modified_since(replay_http: httpx.Client) -> None:
    first = replay_http.get(LISTING)
    resp = replay_http.get(LISTING, headers={
        "If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]})
    assert resp.status_code == 200


def test_publishing_changes_the_listing_validators(replay_server: ReplayServer,
                                                   replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-2020-letter"])
    before = replay_http.get(LISTING)
    replay_server.set_as_of(STEPS["after-2020-letter"])
    after = replay_http.get(LISTING, headers={"If-None-Match": before.headers["etag"],
                                              "If-Modified-Since": before.headers["last-modified"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["last-modified"] == "Tue, 04 Aug 2020 09:00:00 GMT"


def test_in_process_site_honours_validators_too() -> None:
    site = ReplaySite(as_of=date(2020, 8, 5))
    resp = site.get(LISTING)
    assert resp.status == 200
    assert site.get(LISTING, {"if-none-match": resp.headers["ETag"]}).status == 304
    when = format_datetime(parsedate_to_datetime(resp.headers["Last-Modified"]), usegmt=True)
    assert site.get(LISTING, {"If-Modified-Since": when}).status == 304


# -- HEAD, robots, 404 -----------------------------------------------------------------------


def test_head_has_get_headers_and_no_body(replay_http: httpx.Client) -> None:
    got = replay_http.get(PDF)
    head = replay_http.head(PDF)
    assert head.status_code == 200
    assert head.content == b""
    assert int(head.headers["content-length"]) == len(got.content)
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == "application/pdf"
    assert replay_http.head("/careinspectorate.wales/nope").status_code == 404


@pytest.mark.parametrize("host", ["careinspectorate.wales", "www.careinspectorate.wales",
                                  "news.wrexham.gov.uk"])
def test_robots_txt_is_permissive(replay_server: ReplayServer, replay_http: httpx.Client,
                                  host: str) -> None:
    replay_server.set_as_of(STEPS["before-any"])  # robots.txt does not depend on the timeline
    resp = replay_http.get(f"/{host}/robots.txt")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    assert "User-agent: *" in resp.text
    disallowed = [line.split(":", 1)[1].strip() for line in resp.text.splitlines()
                  if line.startswith("Disallow:")]
    for path in ("/news", "/sites/default/files/", "/feed/", "/report-"):
        assert not any(path.startswith(rule) for rule in disallowed), path
    if host == "news.wrexham.gov.uk":
        assert "Disallow: /wp-admin/" in resp.text


@pytest.mark.parametrize("path", ["/careinspectorate.wales/no-such-page",
                                  "/news.wrexham.gov.uk/no-such-post/",
                                  "/example.org/anything", "/", "/careinspectorate.wales/news/"])
def test_unknown_paths_get_a_small_html_404(replay_http: httpx.Client, path: str) -> None:
    resp = replay_http.get(path)
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "<h1" in resp.text and len(resp.content) < 1000


# -- fault injection -------------------------------------------------------------------------


def test_fault_status_times_one_then_normal(replay_server: ReplayServer,
                                            replay_http: httpx.Client) -> None:
    replay_server.inject(r"^/news\.wrexham\.gov\.uk/", status=500, times=1)
    first = replay_http.get(FEED)
    assert first.status_code == 500
    assert "Internal Server Error" in first.text
    assert "etag" not in first.headers
    assert replay_http.get(FEED).status_code == 200
    assert replay_http.get(LISTING).status_code == 200


def test_fault_body_until_cleared(replay_server: ReplayServer, replay_http: httpx.Client) -> None:
    replay_server.inject(r"\.pdf$", body=b"garbage", content_type="application/pdf")
    for _ in range(2):
        resp = replay_http.get(PDF)
        assert resp.status_code == 200
        assert resp.content == b"garbage"
        assert resp.headers["content-type"] == "application/pdf"
        assert resp.headers["etag"] != replay_http.get(LISTING).headers["etag"]
    replay_server.clear_faults()
    assert replay_http.get(PDF).content.startswith(b"%PDF-")


def test_fault_pattern_sees_the_query(replay_server: ReplayServer,
                                      replay_http: httpx.Client) -> None:
    replay_server.inject(r"paged=2", status=503, headers={"Retry-After": "1"}, times=2)
    assert replay_http.get(FEED).status_code == 200
    resp = replay_http.get(FEED + "?paged=2")
    assert resp.status_code == 503 and resp.headers["retry-after"] == "1"
    assert replay_http.get(FEED + "?paged=2").status_code == 503
    assert replay_http.get(FEED + "?paged=2").status_code == 200


def test_fault_content_type_and_headers_only(replay_server: ReplayServer,
                                             replay_http: httpx.Client) -> None:
    replay_server.inject(r"/feed/", content_type="text/html; charset=UTF-8", times=1)
    resp = replay_http.get(FEED)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    assert resp.text.startswith("<?xml")
    replay_server.inject(r"/news$", headers={"X-Test": "yes"}, times=1)
    resp = replay_http.get(LISTING)
    assert resp.status_code == 200 and resp.headers["x-test"] == "yes"
    assert "x-test" not in replay_http.get(LISTING).headers


def test_fault_redirect_uses_given_location(replay_server: ReplayServer,
                                            replay_http: httpx.Client) -> None:
    replay_server.inject(r"/news$", status=302, times=1,
                         headers={"Location": "https://careinspectorate.wales/news?page=1"})
    resp = replay_http.get(LISTING)
    assert resp.status_code == 302
    assert resp.headers["location"] == "https://careinspectorate.wales/news?page=1"


def test_fault_delay_and_timeout(replay_server: ReplayServer, replay_http: httpx.Client) -> None:
    replay_server.inject(r"/news$", delay=0.3, times=1)
    started = time.monotonic()
    assert replay_http.get(LISTING).status_code == 200
    assert time.monotonic() - started >= 0.3
    replay_server.inject(r"/news$", delay=2, times=1)
    with pytest.raises(httpx.ReadTimeout):
        replay_http.get(LISTING, timeout=0.2)


def test_newest_fault_wins(replay_server: ReplayServer, replay_http: httpx.Client) -> None:
    replay_server.inject(r"/news", status=500)
    replay_server.inject(r"/news", status=404, times=1)
    assert replay_http.get(LISTING).status_code == 404
    assert replay_http.get(LISTING).status_code == 500


def test_inject_rejects_zero_times(replay_server: ReplayServer) -> None:
    with pytest.raises(ValueError):
        replay_server.inject(r"x", status=500, times=0)


# -- request log, concurrency, lifecycle -----------------------------------------------------


def test_requests_log_records_method_path_status(replay_server: ReplayServer,
                                                 replay_http: httpx.Client) -> None:
    replay_server.inject(r"paged=2", status=500, times=1)
    replay_http.get(LISTING + "?page=1")
    replay_http.head(PDF)
    replay_http.get(FEED + "?paged=2")
    replay_http.get("/careinspectorate.wales/missing")
    assert replay_server.requests == [
        ("GET", LISTING + "?page=1", 200),
        ("HEAD", PDF, 200),
        ("GET", FEED + "?paged=2", 500),
        ("GET", "/careinspectorate.wales/missing", 404),
    ]
    replay_server.clear_requests()
    assert replay_server.requests == []


def test_concurrent_requests_while_the_timeline_moves(replay_server: ReplayServer,
                                                     replay_http: httpx.Client) -> None:
    paths = [LISTING, FEED, PDF, LISTING + "?page=1"] * 10

    def fetch(path: str) -> int:
        return replay_http.get(path).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(fetch, p) for p in paths]
        replay_server.set_as_of(STEPS["after-2020-letter"])
        statuses = [f.result() for f in futures]
    assert set(statuses) == {200}
    assert len(replay_server.requests) == len(paths)


def test_server_binds_loopback_on_a_free_port_and_stops() -> None:
    server = ReplayServer(as_of=date(2020, 8, 5))
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.url_for("https://careinspectorate.wales/news?page=1") == (
            server.url + "/careinspectorate.wales/news?page=1")
        assert httpx.get(server.url + LISTING, timeout=5).status_code == 200
        url = server.url
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + LISTING, timeout=1)
    server.stop()  # idempotent


def test_server_accepts_a_step_name(replay_server: ReplayServer) -> None:
    replay_server.set_as_of("after-2020-letter")
    assert replay_server.as_of == STEPS["after-2020-letter"]


def test_python_dash_m_replay_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "replay", "--as-of", "2020-08-05", "--port", "0"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("replay site as of 2020-08-05 at http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[1].strip()
        resp = httpx.get(url + LISTING, timeout=5)
        assert resp.status_code == 200
        assert "4 August 2020" in resp.text
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
