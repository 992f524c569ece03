"""The replay site as a pure function of (timeline date, request path): no sockets, no clock.

Each real host is served under a path prefix (``/careinspectorate.wales/news?page=1`` stands for
``https://careinspectorate.wales/news?page=1``).  A document answers 404 until its publication date,
exactly like a page that does not exist, and listings and feeds only show what is published by
``as_of``.  Every 200 carries an ETag (hash of the body) and a Last-Modified (publication time),
and ``get(path, headers)`` honours If-None-Match / If-Modified-Since with a 304, so conditional
GET in the HTTP layer can be exercised end to end.  Redirect Locations are real URLs, as the
real sites send them.
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from types import ModuleType
from urllib.parse import parse_qs, unquote, urlsplit

from replay import render_ciw, render_gov_wales, render_wrexham, render_wrexham_com
from replay.render import (
    CIW_ROBOTS,
    HTML_TYPE,
    PDF_TYPE,
    RSS_TYPE,
    TEXT_TYPE,
    WORDPRESS_ROBOTS,
    http_date,
    not_found_page,
)
from replay.timeline import (
    CIW,
    CIW_HOSTS,
    GOV_WALES,
    GOV_WALES_HOSTS,
    STEPS,
    WREXHAM_COM,
    WREXHAM_COM_HOSTS,
    WREXHAM_HOST,
    WREXHAM_NEWS,
    Catalogue,
    Entry,
    default_catalogue,
    resolve_as_of,
)

#: Last-Modified for pages that do not depend on the timeline (robots.txt, empty listings).
SITE_EPOCH = datetime(2019, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Response:
    """One HTTP answer.  ``headers`` excludes Content-Type and Content-Length."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def ok(body: str | bytes, content_type: str, modified: datetime) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = {"ETag": etag_for(data), "Last-Modified": http_date(modified)}
    return Response(200, content_type, data, headers)


def not_found(host: str) -> Response:
    return Response(404, HTML_TYPE, not_found_page(host).encode("utf-8"))


def redirect(location: str) -> Response:
    return Response(301, HTML_TYPE, b"", {"Location": location})


class ReplaySite:
    """Renders the replay site for one timeline date; ``as_of`` may be changed at any time."""

    def __init__(self, as_of: date | str = STEPS["latest"], catalogue: Catalogue | None = None):
        self.catalogue = catalogue or default_catalogue()
        self._as_of = resolve_as_of(as_of)
        self._pdf_cache: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @property
    def as_of(self) -> date:
        return self._as_of

    @as_of.setter
    def as_of(self, value: date | str) -> None:
        self._as_of = resolve_as_of(value)

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        """Answer a GET for ``/{host}/{real path}[?query]``, honouring conditional headers."""
        return _conditional(self.route(path), headers or {})

    def route(self, path: str) -> Response:
        """Answer a GET ignoring conditional headers (fault injection starts from this)."""
        split = urlsplit(path)
        _, _, rest = split.path.partition("/")
        host, slash, real = rest.partition("/")
        real_path = unquote("/" + real) if slash else "/"
        query = parse_qs(split.query, keep_blank_values=True)
        as_of = self._as_of
        if host in CIW_HOSTS:
            return self._ciw(host, real_path, query, as_of)
        if host == WREXHAM_HOST:
            return self._wrexham(real_path, query, as_of)
        if host in WREXHAM_COM_HOSTS:
            return self._wrexham_com(host, real_path, as_of)
        if host in GOV_WALES_HOSTS:
            return self._gov_wales(host, real_path, as_of)
        handler = _handlers().get(host)
        if handler is not None:
            return handler(self, host, real_path, query, as_of)
        return not_found(host or "this server")

    # -- careinspectorate.wales ------------------------------------------------------------

    def _ciw(self, host: str, path: str, query: dict[str, list[str]], as_of: date) -> Response:
        if path == "/robots.txt":
            return ok(CIW_ROBOTS, TEXT_TYPE, SITE_EPOCH)
        if path == "/news":
            news = self.catalogue.visible(as_of, source=CIW, kinds=["news"])
            page_number = _int_param(query, "page", default=0)
            body = render_ciw.render_listing(news, page_number, host=host)
            return ok(body, HTML_TYPE, news[0].published_at if news else SITE_EPOCH)
        if path.startswith("/sites/default/files/"):
            entry = self.catalogue.find_pdf(CIW, path)
            if entry is None or not entry.is_visible(as_of):
                return not_found(host)
            return ok(self.pdf_bytes(entry), PDF_TYPE, entry.published_at)
        entry = self.catalogue.find_page(CIW, path)
        if entry is None or not entry.is_visible(as_of):
            return not_found(host)
        body = self.catalogue.read_body(entry)
        if entry.kind == "news":
            link = self.catalogue.get(entry.links_to) if entry.links_to else None
            page = render_ciw.render_news(entry, body, link, host=host)
        else:
            size = len(self.pdf_bytes(entry)) if entry.pdf is not None else None
            page = render_ciw.render_report(entry, body, size, host=host)
        return ok(page, HTML_TYPE, entry.published_at)

    def pdf_bytes(self, entry: Entry) -> bytes:
        """The PDF of ``entry`` (read once per site)."""
        with self._lock:
            if entry.key not in self._pdf_cache:
                self._pdf_cache[entry.key] = self.catalogue.read_pdf(entry)
            return self._pdf_cache[entry.key]

    # -- news.wrexham.gov.uk --------------------------------------------------------------

    def _wrexham(self, path: str, query: dict[str, list[str]], as_of: date) -> Response:
        base = render_wrexham.BASE
        if path == "/robots.txt":
            return ok(WORDPRESS_ROBOTS, TEXT_TYPE, SITE_EPOCH)
        if path == "/feed":
            return redirect(f"{base}/feed/")
        if path == "/feed/":
            return self._feed(query, as_of)
        if path == "/" and "p" in query:
            entry = self.catalogue.find_post(_int_param(query, "p", default=0))
            if entry is None or not entry.is_visible(as_of):
                return not_found(WREXHAM_HOST)
            return redirect(entry.url)
        entry = self.catalogue.find_page(WREXHAM_NEWS, path)
        if entry is None and not path.endswith("/"):
            slashed = self.catalogue.find_page(WREXHAM_NEWS, path + "/")
            if slashed is not None and slashed.is_visible(as_of):
                return redirect(slashed.url)
        if entry is None or not entry.is_visible(as_of):
            return not_found(WREXHAM_HOST)
        body = render_wrexham.render_article(entry, self.catalogue.read_body(entry))
        return ok(body, HTML_TYPE, entry.published_at)

    def _feed(self, query: dict[str, list[str]], as_of: date) -> Response:
        posts = self.catalogue.visible(as_of, source=WREXHAM_NEWS)
        paged = max(1, _int_param(query, "paged", default=1))
        if paged > render_wrexham.page_count(len(posts)):
            return not_found(WREXHAM_HOST)
        per = render_wrexham.PER_PAGE
        chunk = posts[(paged - 1) * per:paged * per]
        items = [(e, self.catalogue.read_body(e)) for e in chunk]
        self_url = f"{render_wrexham.BASE}/feed/" + (f"?paged={paged}" if paged > 1 else "")
        newest = posts[0].published_at if posts else SITE_EPOCH
        body = render_wrexham.render_feed(items, self_url=self_url, last_build=newest)
        return ok(body, RSS_TYPE, newest)


    # -- wrexham.com ----------------------------------------------------------------------

    def _wrexham_com(self, host: str, path: str, as_of: date) -> Response:
        if path == "/robots.txt":
            return ok(WORDPRESS_ROBOTS, TEXT_TYPE, SITE_EPOCH)
        if path == "/news":
            return redirect(f"{render_wrexham_com.BASE}/news/")
        page = _listing_page(path)
        if page is not None:
            items = self.catalogue.visible(as_of, source=WREXHAM_COM)
            total = render_wrexham_com.page_count(len(items))
            if page > total:
                return not_found(host)
            per = render_wrexham_com.PER_PAGE
            chunk = items[(page - 1) * per:page * per]
            body = render_wrexham_com.render_listing(chunk, page, total)
            return ok(body, HTML_TYPE, items[0].published_at if items else SITE_EPOCH)
        entry = self.catalogue.find_page(WREXHAM_COM, path)
        if entry is None or not entry.is_visible(as_of):
            return not_found(host)
        page_html = render_wrexham_com.render_article(entry, self.catalogue.read_body(entry), as_of)
        return ok(page_html, HTML_TYPE, entry.published_at)

    # -- gov.wales --------------------------------------------------------------------------

    def _gov_wales(self, host: str, path: str, as_of: date) -> Response:
        if path == "/robots.txt":
            return ok(CIW_ROBOTS, TEXT_TYPE, SITE_EPOCH)
        if path == "/announcements/rss":
            items = self.catalogue.visible(as_of, source=GOV_WALES)
            newest = items[0].published_at if items else SITE_EPOCH
            body = render_gov_wales.render_feed(render_gov_wales.in_feed(items, as_of),
                                                last_build=newest)
            return ok(body, RSS_TYPE, newest)
        entry = self.catalogue.find_page(GOV_WALES, path)
        if entry is None or not entry.is_visible(as_of):
            return not_found(host)
        body = render_gov_wales.render_statement(entry, self.catalogue.read_body(entry))
        return ok(body, HTML_TYPE, entry.published_at)


#: Sources whose replay module serves its own hosts: ``replay.render_{name}`` exposes
#: ``HOSTS`` (every host it answers on) and ``serve(site, host, path, query, as_of)``.
SERVED_SOURCES = ("audit_wales", "bbc_wales_rss", "wrexham_moderngov", "ciw_welsh")

Handler = Callable[["ReplaySite", str, str, dict[str, list[str]], date], Response]


def _handlers() -> dict[str, Handler]:
    """Host -> the ``serve`` of the replay module answering for it (imported on first use,
    because those modules import this one for ``Response`` and ``ok``)."""
    with _HANDLERS_LOCK:  # the server answers in threads: never hand out a half-filled map
        if not _HANDLERS:
            for name in SERVED_SOURCES:
                module: ModuleType = importlib.import_module(f"replay.render_{name}")
                for host in module.HOSTS:
                    _HANDLERS[host] = module.serve
    return _HANDLERS


_HANDLERS: dict[str, Handler] = {}
_HANDLERS_LOCK = threading.Lock()


def _listing_page(path: str) -> int | None:
    """The page number of a wrexham.com listing path (``/news/`` = 1, ``/news/page/N/``)."""
    if path == "/news/":
        return 1
    parts = path.strip("/").split("/")
    if len(parts) == 3 and parts[:2] == ["news", "page"] and parts[2].isdigit():
        return max(1, int(parts[2]))
    return None


def _int_param(query: dict[str, list[str]], name: str, *, default: int) -> int:
    """Drupal and WordPress both treat a missing or non-numeric page parameter as the default."""
    values = query.get(name)
    if not values or not values[0].strip().isdigit():
        return default
    return int(values[0])


def _conditional(resp: Response, headers: Mapping[str, str]) -> Response:
    """Turn a 200 into a 304 when the client's validators still match (RFC 9110 §13)."""
    if resp.status != 200 or not headers:
        return resp
    lower = {k.lower(): v for k, v in headers.items()}
    validators = {k: v for k, v in resp.headers.items() if k in ("ETag", "Last-Modified")}
    not_modified = Response(304, "", b"", validators)
    if "if-none-match" in lower:
        tags = {t.strip().removeprefix("W/") for t in lower["if-none-match"].split(",")}
        return not_modified if "*" in tags or resp.headers.get("ETag") in tags else resp
    since = lower.get("if-modified-since")
    if since and "Last-Modified" in resp.headers:
        try:
            since_dt = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return resp
        if since_dt.tzinfo is None:
            since_dt = since_dt.replace(tzinfo=UTC)
        if parsedate_to_datetime(resp.headers["Last-Modified"]) <= since_dt:
            return not_modified
    return resp
