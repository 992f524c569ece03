"""Shared fixtures for scraper tests: saved pages, generated PDFs, a fake web for crawl().

Helpers are exposed as fixtures (not imports) because ``tests`` is not an importable package
under ``--import-mode=importlib``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from fpdf import FPDF

from scrapers.base import Fetched, FetchError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _load_fixture(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def _make_pdf(*paragraphs: str) -> bytes:
    """A real one-page-per-call PDF with a text layer (ASCII: the core font is Latin-1)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


class FakeWeb:
    """A fetch() over a dict of real URL -> body (or -> FetchError to raise); 404 otherwise."""

    def __init__(self, pages: Mapping[str, bytes | tuple[bytes, str] | Exception]):
        self.pages = dict(pages)
        self.requests: list[str] = []

    def __call__(self, url: str) -> Fetched:
        self.requests.append(url)
        if url not in self.pages:
            raise FetchError(url, "HTTP 404", transient=False, status=404)
        page = self.pages[url]
        if isinstance(page, Exception):
            raise page
        body, content_type = page if isinstance(page, tuple) else (page, _guess_type(url))
        return Fetched(url=url, status=200, content=body, content_type=content_type)


def _guess_type(url: str) -> str:
    if url.endswith(".pdf"):
        return "application/pdf"
    if "/feed/" in url:
        return "application/rss+xml; charset=UTF-8"
    return "text/html; charset=UTF-8"


@pytest.fixture
def load_fixture() -> Callable[[str, str], bytes]:
    return _load_fixture


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    return _make_pdf


@pytest.fixture
def fake_web() -> type[FakeWeb]:
    return FakeWeb


# --- the replay site (replay/ package, owned by the replay helper) ---------------------------


def _replay_path(url: str) -> str:
    """The replay-site path serving a real URL: https://host/p?q -> /host/p?q."""
    scheme, _, rest = url.partition("://")
    return f"/{rest}"


@pytest.fixture
def replay_path() -> Callable[[str], str]:
    return _replay_path


@pytest.fixture
def replay_client():
    """Factory: an HttpClient pointed at a running ReplayServer (no real sleeping)."""
    from scrapers.http import HttpClient, HttpSettings
    from scrapers.registry import allowed_hosts

    clients = []

    def make(server, **settings) -> HttpClient:
        client = HttpClient(
            HttpSettings(replay_url=server.url, **settings),
            allowed_hosts(environ={}),
            sleep=lambda seconds: None,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


class MemoryStore:
    """What storage would remember between polls: every publication's url and aliases."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.publications: list = []

    def is_known(self, url: str) -> bool:
        return url in self.keys

    def add(self, result) -> None:
        for publication in result.publications:
            self.publications.append(publication)
            self.keys.add(publication.url)
            self.keys.update(publication.aliases)


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore()
