"""The status page checked as a person would: generated from a database built by really
polling the replay site through its whole 2019-2024 timeline (plus one press story making a
claim the regulator never made), served by a real HTTP server on loopback, opened in
headless Chromium (Debian's, driven by Playwright) at 1280 and 390 pixels wide, and judged
by what is visible.  At both widths it checks that:

- the current status of Wrexham children's services, as ``repo.current_status`` reads it
  from the database, is in the visible text: each value (significant concern; the
  judgement word for word), its evidence sentence, "Last stated <date>" and "not restated
  since"; adults' services, with nothing stated, say "No status stated by the regulator";
- the timeline chart is visible, has one point per accepted regulator statement in the
  database, its newest point is actually on screen (hit-testable, not scrolled away), and
  Chromium's accessibility tree names the points, the chart's scrolling region and one h1;
- the page never scrolls sideways (``scrollWidth`` <= the viewport's width);
- every element carrying a ``data-publication-id`` (chart points, document links) names a
  stored publication whose URL is exactly its ``href``, and every "stored copy" link is
  served (200) and shows that publication's title;
- the unconfirmed report is flagged ("UNCONFIRMED REPORT") on the row of the press story,
  which the database holds as an open unconfirmed report;
- nothing is fetched from anywhere but the site itself (no CDN, no font, no script);
- full-page screenshots are taken (PNG of the right width).

Once, it checks that ``status.atom`` is served and valid (feedparser, Atom 1.0) with one
entry per change and one for the unconfirmed report, each linking a stored copy that is
served.  Screenshots go to pytest's temporary folder; with ``CAREWATCH_SCREENSHOTS=docs``
the README's two are rewritten (``docs/report-desktop.png``, ``docs/report-phone.png``).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import select

from report.build import write_report
from scrapers.registry import SOURCES
from storage import models, repo
from storage.notices import ALERT_UNCONFIRMED
from storage.status import ADULTS, CHILDREN, CONCERN_LEVEL, JUDGEMENT, SERVICE_LABELS
from tests.report.conftest import PRESS_URL

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
DOCS = Path(__file__).resolve().parents[2] / "docs"


@dataclass
class Site:
    url: str
    folder: Path
    replayed: object
    seconds: float
    bytes: int


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(replayed, tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site") / "report"
    started = time.perf_counter()
    written = write_report(replayed.sessions, folder, authorities=["Wrexham"], sources=SOURCES)
    seconds = time.perf_counter() - started
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}/", folder, replayed, seconds,
                   written.bytes)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (`.ci/run` installs it: "
                    "apt-get install chromium); the browser tests need it")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Opened:
    page: object
    width: int
    name: str
    requests: list[str]


@pytest.fixture(params=list(WIDTHS), scope="module")
def opened(request, browser, site) -> Iterator[Opened]:
    size = WIDTHS[request.param]
    context = browser.new_context(viewport=size, is_mobile=request.param == "phone",
                                  has_touch=request.param == "phone", device_scale_factor=1)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    response = page.goto(site.url + "index.html", wait_until="load")
    assert response is not None and response.status == 200
    yield Opened(page, size["width"], request.param, requests)
    context.close()


def current(site: Site, service: str) -> list:
    with site.replayed.sessions() as session:
        return [r for r in repo.current_status(session, "Wrexham") if r.service == service]


def visible_words(value_row) -> str:
    """A recorded value as a reader sees it: a level "significant concern", a judgement
    word for word."""
    if value_row.dimension == CONCERN_LEVEL:
        return f"{value_row.value} concern"
    return value_row.value


def day(d) -> str:
    return f"{d.day} {d:%b %Y}"


def test_current_status_wording_is_visible_for_each_service(opened, site):
    page = opened.page
    children = current(site, CHILDREN)
    assert {r.dimension for r in children} == {CONCERN_LEVEL, JUDGEMENT}
    card = page.locator("#wrexham-children")
    assert card.is_visible()
    text = " ".join(card.inner_text().split())
    for row in children:
        assert visible_words(row).casefold() in text.casefold(), row
        assert f"Last stated {day(row.effective_date)}" in text
        assert row.evidence in text  # the evidence sentence, verbatim
    level = next(r for r in children if r.dimension == CONCERN_LEVEL)
    assert f"Last stated {day(level.effective_date)} (" in text and "not restated since" in text

    adults = " ".join(page.locator("#wrexham-adults").inner_text().split())
    recorded = current(site, ADULTS)
    if recorded:
        assert all(visible_words(r).casefold() in adults.casefold() for r in recorded)
    else:
        assert "No status stated by the regulator in any stored document." in adults
    headings = [h.inner_text().strip().casefold()
                for h in page.locator("#wrexham h3").all()]
    assert [SERVICE_LABELS[CHILDREN], SERVICE_LABELS[ADULTS]] == headings[:2]


def test_chart_is_visible_with_a_point_per_statement(opened, site):
    page = opened.page
    chart = page.locator("#wrexham-children svg.timeline")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 150
    with site.replayed.sessions() as session:
        stated = session.scalars(select(models.Observation.id).where(
            models.Observation.authority == "Wrexham",
            models.Observation.service == CHILDREN,
            models.Observation.authoritative.is_(True),
            models.Observation.review.in_(repo.ACCEPTED))).all()
    points = page.locator("#wrexham-children a.point")
    assert points.count() == len(stated) >= 5
    # the newest point is on screen, not scrolled away: a person at this width sees it
    newest = max(points.all(), key=lambda p: float(p.locator("circle").get_attribute("cx")))
    hit = newest.locator("circle").evaluate(
        "c => { const b = c.getBoundingClientRect();"
        " return document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2) === c; }")
    assert hit
    # Chromium's accessibility tree names each point and the chart's scrolling region
    assert page.get_by_role("link", name=re.compile(r"Concern level changed to significant "
                                                    r"concern")).count() == 1
    assert page.get_by_role("region", name=re.compile("Timeline chart of Wrexham children's"))\
        .count() == 1
    assert page.get_by_role("heading", level=1).count() == 1


def test_no_sideways_scrolling(opened):
    widths = opened.page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert widths[2] == opened.width
    assert max(widths[:2]) <= opened.width, widths


def test_every_document_link_is_a_stored_publication(opened, site):
    page = opened.page
    links = page.eval_on_selector_all(
        "[data-publication-id]",
        "els => els.map(e => [e.getAttribute('data-publication-id'), e.getAttribute('href')])")
    stored = page.eval_on_selector_all(
        "a.stored", "els => els.map(e => [e.getAttribute('data-stored-id'), "
                    "e.getAttribute('href')])")
    assert len(links) >= 10 and len(stored) >= 10
    with site.replayed.sessions() as session:
        for pid, href in links:
            publication = session.get(models.Publication, int(pid))
            assert publication is not None, pid
            assert href == publication.url
        titles = {}
        for pid, href in stored:
            assert href == f"docs/{pid}.html"
            titles[href] = session.get(models.Publication, int(pid)).title
    for href, title in titles.items():
        response = page.request.get(site.url + href)
        assert response.status == 200, href
        assert title.replace("&", "&amp;").replace("'", "&#x27;") in response.text()


def test_unconfirmed_report_is_flagged(opened, site):
    row = opened.page.locator("#publications tr.unconfirmed")
    assert row.count() == 1 and row.is_visible()
    assert "UNCONFIRMED REPORT" in row.inner_text()
    pid = int(row.locator("a.document").get_attribute("data-publication-id"))
    with site.replayed.sessions() as session:
        publication = session.get(models.Publication, pid)
        open_reports = repo.open_unconfirmed(session, "Wrexham")
    assert publication.url == PRESS_URL
    assert [a.payload["url"] for a in open_reports if a.kind == ALERT_UNCONFIRMED] == [PRESS_URL]
    assert "UNCONFIRMED" in opened.page.locator("#wrexham .unconfirmed").inner_text()


def test_nothing_is_fetched_from_anywhere_else(opened, site):
    assert opened.requests and all(url.startswith(site.url) for url in opened.requests), \
        opened.requests


def test_feeds_are_served_and_valid(browser, site):
    context = browser.new_context()
    try:
        body = context.request.get(site.url + "status.atom").body()
        feed = feedparser.parse(body)
        assert feed.bozo == 0 and feed.version == "atom10"
        kinds = sorted("unconfirmed" if e.id.startswith("tag:carewatch,2026:unconfirmed/")
                       else "change" for e in feed.entries)
        assert kinds == ["change"] * 5 + ["unconfirmed"]
        for entry in feed.entries:
            related = [ln.href for ln in entry.links if ln.rel == "related"]
            assert context.request.get(site.url + related[0]).status == 200
    finally:
        context.close()


def test_screenshots(opened, site, tmp_path_factory):
    page = opened.page
    page.evaluate("window.scrollTo(0, 0)")
    folder = tmp_path_factory.mktemp("screenshots")
    full = folder / f"report-{opened.name}-full.png"
    page.screenshot(path=str(full), full_page=True)
    width, height = _png_size(full)
    assert width == opened.width and height > 2000
    # the README's picture: the page from its top down to the children's services chart
    chart = page.locator("#wrexham-children figure.chart").bounding_box()
    clip_height = min(chart["y"] + chart["height"] + 16, 2600)
    shot = folder / f"report-{opened.name}.png"
    page.screenshot(path=str(shot), full_page=True,
                    clip={"x": 0, "y": 0, "width": opened.width, "height": clip_height})
    assert _png_size(shot) == (opened.width, int(clip_height))
    if os.environ.get("CAREWATCH_SCREENSHOTS") == "docs":
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS / shot.name)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])
