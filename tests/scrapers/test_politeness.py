"""scrapers.http politeness and cost (issue 5): robots.txt, per-host pacing, Crawl-delay,
conditional GET and the same-body skip; and walk_listing's handling of an unchanged listing."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from replay.server import ReplayServer
from replay.timeline import STEPS
from scrapers.base import Fetched, FetchError, Publication
from scrapers.crawl import listing_pages, walk_listing
from scrapers.http import CacheEntry, HttpClient, HttpSettings, disallowing_rule
from scrapers.registry import allowed_hosts

CIW = frozenset({"careinspectorate.wales", "www.careinspectorate.wales"})
SITE = "https://careinspectorate.wales"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
Handler = Callable[[httpx.Request], httpx.Response]


class Clock:
    """A fake clock whose sleep moves time on, recording each sleep."""

    def __init__(self) -> None:
        self.now = T0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += timedelta(seconds=seconds)


class Site:
    """A MockTransport web: robots.txt and pages by path, every request logged."""

    def __init__(self, robots: str | int = 404, pages: dict[str, httpx.Response] | None = None):
        self.robots = robots
        self.pages = pages or {}
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.path == "/robots.txt":
            if isinstance(self.robots, int):
                return httpx.Response(self.robots)
            return httpx.Response(200, text=self.robots, headers={"Content-Type": "text/plain"})
        return self.pages.get(request.url.path, httpx.Response(200, content=b"<html>page</html>"))

    def paths(self) -> list[str]:
        return [f"{r.url.host}{r.url.path}" for r in self.seen]


def client_for(site: Site, clock: Clock | None = None, *, cache=None, **settings) -> HttpClient:
    clock = clock or Clock()
    settings.setdefault("min_interval", 0.0)
    return HttpClient(HttpSettings(**settings), CIW, transport=httpx.MockTransport(site),
                      sleep=clock.sleep, now=lambda: clock.now, cache=cache)


ROBOTS = """\
User-agent: *
Disallow: /admin/
Disallow: /search/

User-agent: googlebot
Disallow: /
"""


# --- robots.txt ----------------------------------------------------------------------------


def test_disallowed_url_raises_and_logs_one_line_naming_host_path_and_rule(caplog) -> None:
    site = Site(ROBOTS)
    caplog.set_level(logging.INFO, logger="scrapers.http")
    with pytest.raises(FetchError) as caught:
        client_for(site).fetch(f"{SITE}/search/node?keys=wrexham")
    assert caught.value.transient is False
    assert caught.value.cause == (
        "disallowed by robots.txt (rule 'Disallow: /search/') for user-agent carewatch"
    )
    assert site.paths() == ["careinspectorate.wales/robots.txt"]  # the page was never asked
    warnings = [r for r in caplog.records
                if r.name == "scrapers.http" and r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert "careinspectorate.wales" in line
    assert "/search/node?keys=wrexham" in line
    assert "Disallow: /search/" in line


def test_allowed_url_is_fetched_after_robots() -> None:
    site = Site(ROBOTS)
    fetched = client_for(site).fetch(f"{SITE}/news")
    assert fetched.content == b"<html>page</html>"
    assert site.paths() == ["careinspectorate.wales/robots.txt", "careinspectorate.wales/news"]


def test_a_group_naming_carewatch_wins_over_the_star_group() -> None:
    robots = "User-agent: *\nDisallow: /\n\nUser-agent: carewatch\nDisallow: /private/\n"
    client = client_for(Site(robots))
    assert client.fetch(f"{SITE}/news").status == 200
    with pytest.raises(FetchError, match=r"rule 'Disallow: /private/'"):
        client.fetch(f"{SITE}/private/x")


@pytest.mark.parametrize("status", [404, 410, 403])
def test_robots_4xx_means_everything_allowed(status: int) -> None:
    site = Site(status)
    assert client_for(site).fetch(f"{SITE}/admin/anything").status == 200
    assert site.paths()[-1] == "careinspectorate.wales/admin/anything"


def test_robots_is_read_once_per_host_per_client() -> None:
    site = Site(ROBOTS)
    client = client_for(site)
    for path in ("/news", "/news?page=1", "/report"):
        client.fetch(SITE + path)
    client.fetch("https://www.careinspectorate.wales/news")
    robots = [p for p in site.paths() if p.endswith("/robots.txt")]
    assert robots == ["careinspectorate.wales/robots.txt",
                      "www.careinspectorate.wales/robots.txt"]
    client_for(site).fetch(f"{SITE}/news")  # a new client (a new run) reads it again
    assert [p for p in site.paths() if p.endswith("/robots.txt")][-1] == (
        "careinspectorate.wales/robots.txt")


def test_a_remembered_robots_txt_is_reused_for_a_day_without_a_request() -> None:
    site, clock = Site(robots=ROBOTS), Clock()
    kept = {f"{SITE}/robots.txt": CacheEntry(etag='"r1"', body=ROBOTS,
                                             checked_at=T0 - timedelta(hours=23))}
    with client_for(site, clock, cache=kept) as client:
        client.fetch(f"{SITE}/news")
        with pytest.raises(FetchError, match="disallowed by robots.txt"):
            client.fetch(f"{SITE}/search/x")
        assert client.pending_robots() == {}
    assert site.paths() == ["careinspectorate.wales/news"]


def test_an_old_robots_txt_is_revalidated_and_a_304_keeps_its_rules() -> None:
    def robots_304(request: httpx.Request) -> httpx.Response:
        assert request.headers.get("if-none-match") == '"r1"'
        return httpx.Response(304)

    site, clock = Site(robots=ROBOTS), Clock()
    site.robots = 200  # never served: the handler below answers robots.txt
    kept = {f"{SITE}/robots.txt": CacheEntry(etag='"r1"', body=ROBOTS,
                                             checked_at=T0 - timedelta(hours=25))}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            site.seen.append(request)
            return robots_304(request)
        return site(request)

    client = HttpClient(HttpSettings(min_interval=0.0), CIW, transport=httpx.MockTransport(handler),
                        sleep=clock.sleep, now=lambda: clock.now, cache=kept)
    with client:
        with pytest.raises(FetchError, match="disallowed by robots.txt"):
            client.fetch(f"{SITE}/admin/x")
        [(url, entry)] = client.pending_robots().items()
    assert url == f"{SITE}/robots.txt"
    assert (entry.body, entry.etag, entry.checked_at) == (ROBOTS, '"r1"', T0)


def test_robots_read_from_the_network_is_pending_with_its_text() -> None:
    site = Site(robots=ROBOTS)
    with client_for(site) as client:
        client.fetch(f"{SITE}/news")
        entry = client.pending_robots()[f"{SITE}/robots.txt"]
    assert entry.body == ROBOTS and entry.checked_at == T0
    assert entry.sha256 == hashlib.sha256(ROBOTS.encode()).hexdigest()


def test_a_missing_robots_txt_is_remembered_as_no_rules() -> None:
    site = Site(robots=404)
    with client_for(site) as client:
        client.fetch(f"{SITE}/news")
        assert client.pending_robots()[f"{SITE}/robots.txt"].body == ""
    kept = {f"{SITE}/robots.txt": CacheEntry(body="", checked_at=T0)}
    site = Site(robots=ROBOTS)  # the host adds rules; the remembered "none" holds for a day
    with client_for(site, cache=kept) as client:
        client.fetch(f"{SITE}/search/x")
    assert site.paths() == ["careinspectorate.wales/search/x"]


def test_an_unreadable_robots_txt_is_not_remembered() -> None:
    with client_for(Site(robots=503), retries=0) as client:
        with pytest.raises(FetchError):
            client.fetch(f"{SITE}/news")
        assert client.pending_robots() == {}


def test_robots_5xx_is_disallow_all_for_the_run_and_says_so() -> None:
    site = Site(503)
    client = client_for(site, retries=1)
    with pytest.raises(FetchError) as caught:
        client.fetch(f"{SITE}/news")
    assert caught.value.transient is True  # a later poll (or the task retry) tries again
    message = str(caught.value)
    assert "robots.txt of careinspectorate.wales could not be read (HTTP 503 after 2 attempts)" \
        in message
    assert "RFC 9309" in message and "disallow-all" in message
    with pytest.raises(FetchError, match="disallow-all"):
        client.fetch(f"{SITE}/other")
    assert site.paths() == ["careinspectorate.wales/robots.txt"] * 2  # one read, retried once


def test_robots_unreachable_is_disallow_all() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = HttpClient(HttpSettings(retries=0, min_interval=0), CIW,
                        transport=httpx.MockTransport(refuse), sleep=lambda s: None)
    with pytest.raises(FetchError, match=r"could not be read \(connection failed.*disallow-all"):
        client.fetch(f"{SITE}/news")


def test_robots_is_read_through_the_replay_mapping() -> None:
    site = Site(ROBOTS)
    client_for(site, replay_url="http://127.0.0.1:9999").fetch(f"{SITE}/news")
    assert [str(r.url) for r in site.seen] == [
        "http://127.0.0.1:9999/careinspectorate.wales/robots.txt",
        "http://127.0.0.1:9999/careinspectorate.wales/news",
    ]


def test_redirect_target_is_checked_against_its_own_hosts_robots() -> None:
    site = Site(ROBOTS, {"/old": httpx.Response(301, headers={
        "Location": "https://careinspectorate.wales/admin/moved"})})
    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        client_for(site).fetch(f"{SITE}/old")
    assert "careinspectorate.wales/admin/moved" not in site.paths()


@pytest.mark.parametrize(
    ("robots", "url", "rule"),
    [
        (ROBOTS, f"{SITE}/admin/x", "Disallow: /admin/"),
        ("User-agent: *\nDisallow: /a\nDisallow: /a/b\n", f"{SITE}/a/b/c", "Disallow: /a/b"),
        ("User-agent: *\nDisallow: /*.pdf$\n", f"{SITE}/f/x.pdf", "Disallow: /*.pdf$"),
        ("User-agent: CareWatch\nDisallow: /x\n\nUser-agent: *\nDisallow: /\n", f"{SITE}/x/1",
         "Disallow: /x"),
    ],
)
def test_disallowing_rule_names_the_longest_matching_rule_of_our_group(robots, url, rule):
    assert disallowing_rule(robots, url) == rule


# --- pacing --------------------------------------------------------------------------------


def test_min_interval_spaces_requests_to_one_host() -> None:
    clock = Clock()
    client = client_for(Site(404), clock, min_interval=1.0)
    client.fetch(f"{SITE}/news")  # robots.txt at T0, the page one second later
    client.fetch(f"{SITE}/news?page=1")
    assert clock.sleeps == [1.0, 1.0]


def test_min_interval_counts_time_already_passed_and_is_per_host() -> None:
    clock = Clock()
    client = client_for(Site(404), clock, min_interval=1.0)
    client.fetch(f"{SITE}/news")
    clock.now += timedelta(seconds=0.75)  # parsing took a while
    client.fetch(f"{SITE}/news?page=1")
    assert clock.sleeps == [1.0, 0.25]
    client.fetch("https://www.careinspectorate.wales/x")  # another host: its own robots, no wait
    assert clock.sleeps == [1.0, 0.25, 1.0]  # only between its robots.txt and its page


def test_crawl_delay_larger_than_min_interval_is_honoured() -> None:
    clock = Clock()
    site = Site("User-agent: *\nDisallow: /admin/\n\nUser-agent: carewatch\nCrawl-delay: 5\n")
    client = client_for(site, clock, min_interval=1.0)
    client.fetch(f"{SITE}/news")
    client.fetch(f"{SITE}/news?page=1")
    assert clock.sleeps == [5.0, 5.0]


def test_crawl_delay_smaller_than_min_interval_changes_nothing() -> None:
    clock = Clock()
    client = client_for(Site("User-agent: *\nCrawl-delay: 0.5\n"), clock, min_interval=2.0)
    client.fetch(f"{SITE}/news")
    assert clock.sleeps == [2.0]


def test_crawl_delay_is_capped() -> None:
    clock = Clock()
    client = client_for(Site("User-agent: *\nCrawl-delay: 86400\n"), clock,
                        min_interval=1.0, max_retry_after=30.0)
    client.fetch(f"{SITE}/news")
    assert clock.sleeps == [30.0]


def test_min_interval_from_env() -> None:
    assert HttpSettings.from_env({}).min_interval == 1.0
    assert HttpSettings.from_env({"CAREWATCH_HTTP_MIN_INTERVAL": "0"}).min_interval == 0.0
    assert HttpSettings.from_env({"CAREWATCH_HTTP_MIN_INTERVAL": "2.5"}).min_interval == 2.5
    with pytest.raises(ValueError, match="CAREWATCH_HTTP_MIN_INTERVAL"):
        HttpSettings.from_env({"CAREWATCH_HTTP_MIN_INTERVAL": "-1"})


# --- conditional GET against the real replay site ----------------------------------------------

NEWS = f"{SITE}/news"


@pytest.fixture
def replay():
    with ReplayServer(as_of=STEPS["latest"]) as server:
        yield server


def replay_client(server: ReplayServer, cache=None) -> HttpClient:
    return HttpClient(HttpSettings(replay_url=server.url, min_interval=0),
                      allowed_hosts(environ={}), sleep=lambda s: None, cache=cache)


def test_validators_of_a_200_are_pending_and_a_304_is_not_modified(replay) -> None:
    cache: dict[str, CacheEntry] = {}
    with replay_client(replay, cache) as client:
        first = client.fetch(NEWS)
        assert first.status == 200 and not first.not_modified
        pending = client.pending_cache()
    entry = pending[NEWS]
    assert entry.etag and entry.last_modified and entry.sha256
    assert cache == {}  # the client never writes the store
    replay.clear_requests()
    with replay_client(replay, pending) as client:
        again = client.fetch(NEWS)
    assert (again.status, again.content, again.not_modified) == (304, b"", True)
    assert [r.status for r in replay.requests if r.path.endswith("/news")] == [304]


def test_if_modified_since_alone_gets_a_304(replay) -> None:
    with replay_client(replay) as client:
        client.fetch(NEWS)
        entry = client.pending_cache()[NEWS]
    only_date = {NEWS: CacheEntry(last_modified=entry.last_modified)}
    with replay_client(replay, only_date) as client:
        assert client.fetch(NEWS).not_modified


def test_stale_validators_get_the_new_page(replay) -> None:
    replay.set_as_of(STEPS["before-2020-letter"])
    with replay_client(replay) as client:
        client.fetch(NEWS)
        old = client.pending_cache()
    replay.set_as_of(STEPS["after-2020-letter"])
    with replay_client(replay, old) as client:
        fresh = client.fetch(NEWS)
        assert fresh.status == 200 and not fresh.not_modified and fresh.content
        assert client.pending_cache()[NEWS] != old[NEWS]


def test_urls_not_in_the_cache_are_requested_unconditionally(replay) -> None:
    with replay_client(replay, {"https://careinspectorate.wales/other": CacheEntry("x")}) as c:
        assert c.fetch(NEWS).status == 200


# --- same body, no validators ------------------------------------------------------------------


def test_same_body_without_validators_is_not_modified_and_keeps_content() -> None:
    body = b"<html>same listing</html>"
    site = Site(404, {"/news": httpx.Response(200, content=body)})  # no ETag, no Last-Modified
    cache = {NEWS: CacheEntry(sha256=hashlib.sha256(body).hexdigest())}
    fetched = client_for(site, cache=cache).fetch(NEWS)
    assert fetched.not_modified and fetched.content == body
    page = site.seen[-1]
    assert "if-none-match" not in page.headers and "if-modified-since" not in page.headers


def test_a_different_body_is_modified() -> None:
    site = Site(404, {"/news": httpx.Response(200, content=b"<html>new</html>")})
    cache = {NEWS: CacheEntry(sha256="0" * 64)}
    assert not client_for(site, cache=cache).fetch(NEWS).not_modified


def test_validators_are_sent_from_the_cache_entry() -> None:
    site = Site(404, {"/news": httpx.Response(304)})
    cache = {NEWS: CacheEntry(etag='"abc"', last_modified="Wed, 01 Jan 2020 00:00:00 GMT")}
    fetched = client_for(site, cache=cache).fetch(NEWS)
    assert fetched.not_modified and fetched.status == 304
    assert site.seen[-1].headers["if-none-match"] == '"abc"'
    assert site.seen[-1].headers["if-modified-since"] == "Wed, 01 Jan 2020 00:00:00 GMT"


def test_an_unasked_304_is_an_error() -> None:
    site = Site(404, {"/news": httpx.Response(304)})
    with pytest.raises(FetchError, match="HTTP 304"):
        client_for(site).fetch(NEWS)


def test_pending_is_keyed_by_the_final_url_after_redirects() -> None:
    site = Site(404, {"/old": httpx.Response(301, headers={"Location": "/news"}),
                      "/news": httpx.Response(200, content=b"x", headers={"ETag": '"e"'})})
    client = client_for(site)
    client.fetch(f"{SITE}/old")
    assert list(client.pending_cache()) == [NEWS]


# --- walk_listing and unchanged listings -----------------------------------------------------


@dataclass(frozen=True)
class _Page:
    entries: tuple[str, ...]
    next_url: str | None


def _walk(answers: dict[str, Fetched], known: set[str] = frozenset()):  # type: ignore[assignment]
    requested: list[str] = []

    def fetch(url: str) -> Fetched:
        requested.append(url)
        return answers[url]

    def parse(body: bytes, url: str) -> _Page:
        entries, _, nxt = body.decode().partition("|")
        return _Page(tuple(e for e in entries.split(",") if e), nxt or None)

    def crawl_entry(entry: str, seen: set[str]) -> Publication:
        requested.append(entry)
        return Publication(source="t", url=entry, kind="news", title=entry, text=entry)

    with listing_pages() as pages:
        result = walk_listing(fetch, "https://x/1", parse_page=parse, keys=lambda e: (e,),
                              is_known=known.__contains__, crawl_entry=crawl_entry,
                              entry_url=lambda e: e)
    return result, requested, pages


def _page(url: str, body: str, *, not_modified: bool = False) -> Fetched:
    return Fetched(url=url, status=304 if not_modified else 200,
                   content=b"" if not_modified else body.encode(), content_type="text/html",
                   not_modified=not_modified)


def test_unchanged_first_page_returns_at_once() -> None:
    result, requested, pages = _walk({"https://x/1": _page("https://x/1", "", not_modified=True)})
    assert result.unchanged and result.publications == () and result.found == 0
    assert result.errors == ()
    assert requested == ["https://x/1"]
    assert pages == {"https://x/1"}


def test_same_body_first_page_is_unchanged_too() -> None:
    same = Fetched(url="https://x/1", status=200, content=b"https://x/a|", content_type="",
                   not_modified=True)
    result, requested, _ = _walk({"https://x/1": same})
    assert result.unchanged and requested == ["https://x/1"]


def test_unchanged_later_page_stops_the_walk() -> None:
    answers = {
        "https://x/1": _page("https://x/1", "https://x/a|https://x/2"),
        "https://x/2": _page("https://x/2", "", not_modified=True),
    }
    result, requested, pages = _walk(answers)
    assert not result.unchanged
    assert [p.url for p in result.publications] == ["https://x/a"]
    assert requested == ["https://x/1", "https://x/a", "https://x/2"]
    assert pages == {"https://x/1", "https://x/2"}  # documents are not listing pages
