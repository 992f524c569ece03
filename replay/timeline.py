"""The replay site's catalogue and timeline: which documents exist, where, and since when.

The catalogue is data (``replay/content/catalogue.toml`` plus body fragments, letter texts and
generated PDFs beside it), loaded here into frozen dataclasses.  Every entry carries its *real*
URL path and host, its publisher's date, and an honest ``provenance`` ("seed", "recreated",
"reconstructed") with a ``note`` saying what it rests on, so a test or a reader can tell what was
seen publicly from what was inferred or invented.

Time is an argument: ``Catalogue.visible(as_of)`` is the whole idea of the timeline.  A document
is visible on and after its ``published`` date, never before, so a test can replay the real order
of publication (``STEPS``) and watch carewatch react to each step.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).parent / "content"

CIW = "ciw_la_reports"
WREXHAM_NEWS = "wrexham_news_rss"
WREXHAM_COM = "wrexham_com"
GOV_WALES = "gov_wales_statements"
AUDIT_WALES = "audit_wales"
BBC_WALES = "bbc_wales_rss"
MODERNGOV = "wrexham_moderngov"
CIW_CY = "ciw_welsh"

#: Canonical host per source; the CIW pages are also served on ``www.``, differing only in chrome.
HOSTS: dict[str, str] = {
    CIW: "careinspectorate.wales",
    WREXHAM_NEWS: "news.wrexham.gov.uk",
    WREXHAM_COM: "wrexham.com",
    GOV_WALES: "gov.wales",
    AUDIT_WALES: "audit.wales",
    BBC_WALES: "www.bbc.co.uk",
    MODERNGOV: "moderngov.wrexham.gov.uk",
    CIW_CY: "arolygiaethgofal.cymru",
}
CIW_HOSTS = frozenset({"careinspectorate.wales", "www.careinspectorate.wales"})
WREXHAM_HOST = "news.wrexham.gov.uk"
#: wrexham.com and gov.wales answer on the bare host and on ``www.`` (markup.md §3, §4).
WREXHAM_COM_HOSTS = frozenset({"wrexham.com", "www.wrexham.com"})
GOV_WALES_HOSTS = frozenset({"gov.wales", "www.gov.wales"})
#: A wrexham.com article path: ``/news/{slug}-{id}.html`` (markup.md §3).
WREXHAM_COM_PATH = re.compile(r"^/news/[a-z0-9-]+-(?P<id>\d+)\.html$")

KINDS = ("news", "report", "letter", "article", "statement", "publication", "meeting",
         "agenda_item")
PROVENANCES = ("seed", "recreated", "reconstructed")

#: Default publication time of day (UTC) when an entry gives none: CIW publishes in the morning.
DEFAULT_TIME = time(9, 0)

#: Named moments in the real order of publication, for tests and demos.  Each step is the day
#: after the publication it names, so that publication is visible and the next one is not.
STEPS: dict[str, date] = {
    "before-any": date(2019, 1, 1),
    "after-2019-letter": date(2019, 7, 11),
    "before-2020-letter": date(2020, 7, 1),
    "after-2020-letter": date(2020, 8, 5),
    "after-council-2020-response": date(2020, 8, 21),
    "after-2020-committee-paper": date(2020, 9, 5),
    "after-oct-2020-inspection": date(2021, 1, 27),
    "after-council-2021-report": date(2021, 1, 29),
    "after-apr-2021-monitoring": date(2021, 6, 11),
    "after-nov-2021-monitoring": date(2021, 12, 17),
    "after-council-2022-report": date(2022, 10, 14),
    "after-care-home-item": date(2023, 6, 16),
    "after-2023-improvement-check": date(2024, 1, 11),
    "after-director-report": date(2024, 9, 18),
    "latest": date(2024, 12, 31),
}


class CatalogueError(ValueError):
    """The catalogue data is inconsistent (unknown kind, dangling link, missing file...)."""


@dataclass(frozen=True)
class PdfFile:
    """A PDF attachment: where the real site serves it and which committed file holds it.

    ``text`` is the letter text the PDF was generated from (replay/make_pdfs.py); ``headings``
    and ``masthead`` are layout hints for that generator only.
    """

    path: str
    file: str
    text: str
    title: str
    provenance: str
    note: str = ""
    seed: str | None = None
    masthead: bool = True
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One document on one source: a CIW news item, report or letter page, or a council article."""

    key: str
    source: str
    kind: str
    path: str
    title: str
    published: date
    body: str
    provenance: str
    note: str = ""
    time: time = DEFAULT_TIME
    summary: str = ""
    links_to: str | None = None
    listing_href: str | None = None
    seed: str | None = None
    letter_date: date | None = None
    fieldwork_start: date | None = None
    fieldwork_end: date | None = None
    pdf: PdfFile | None = None
    post_id: int | None = None
    categories: tuple[str, ...] = ()
    author: str = "Wrexham Council"
    #: The key of the same event in another language or on another source (a Welsh CIW page's
    #: English twin), for sources that link the two.
    pairs_with: str | None = None
    #: Source-specific fields a renderer needs and no other source has (``[entry.extra]``).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def article_id(self) -> int | None:
        """wrexham.com's numeric article id, from the path (it only ever increases)."""
        match = WREXHAM_COM_PATH.match(self.path) if self.source == WREXHAM_COM else None
        return int(match["id"]) if match else None

    @property
    def host(self) -> str:
        return HOSTS[self.source]

    @property
    def url(self) -> str:
        """The real canonical URL, as carewatch records it."""
        return f"https://{self.host}{self.path}"

    @property
    def published_at(self) -> datetime:
        return datetime.combine(self.published, self.time, tzinfo=UTC)

    def is_visible(self, as_of: date) -> bool:
        return self.published <= as_of


@dataclass(frozen=True)
class Catalogue:
    """All entries, with lookups by real host + path.  File reads go through ``read_*``."""

    entries: tuple[Entry, ...]
    content_dir: Path = CONTENT_DIR

    def get(self, key: str) -> Entry:
        for entry in self.entries:
            if entry.key == key:
                return entry
        raise KeyError(key)

    def visible(self, as_of: date, *, source: str | None = None,
                kinds: Iterable[str] | None = None) -> list[Entry]:
        """Entries published on or before ``as_of``, newest first (ties: latest time, then key)."""
        wanted = None if kinds is None else set(kinds)
        found = [
            e for e in self.entries
            if e.is_visible(as_of)
            and (source is None or e.source == source)
            and (wanted is None or e.kind in wanted)
        ]
        return sorted(found, key=lambda e: (e.published_at, e.post_id or e.article_id or 0, e.key),
                      reverse=True)

    def find_page(self, source: str, path: str) -> Entry | None:
        for entry in self.entries:
            if entry.source == source and entry.path == path:
                return entry
        return None

    def find_pdf(self, source: str, path: str) -> Entry | None:
        for entry in self.entries:
            if entry.source == source and entry.pdf is not None and entry.pdf.path == path:
                return entry
        return None

    def find_post(self, post_id: int, source: str = WREXHAM_NEWS) -> Entry | None:
        for entry in self.entries:
            if entry.source == source and entry.post_id == post_id:
                return entry
        return None

    def read_body(self, entry: Entry) -> str:
        return (self.content_dir / entry.body).read_text(encoding="utf-8")

    def read_pdf(self, entry: Entry) -> bytes:
        if entry.pdf is None:
            raise KeyError(f"{entry.key} has no PDF")
        return (self.content_dir / entry.pdf.file).read_bytes()

    def read_letter_text(self, entry: Entry) -> str:
        if entry.pdf is None:
            raise KeyError(f"{entry.key} has no PDF")
        return (self.content_dir / entry.pdf.text).read_text(encoding="utf-8")


def resolve_as_of(value: date | str) -> date:
    """Accept a date, an ISO date string or a ``STEPS`` name (for the CLI and tests)."""
    if isinstance(value, date):
        return value
    if value in STEPS:
        return STEPS[value]
    try:
        return date.fromisoformat(value)
    except ValueError:
        steps = ", ".join(STEPS)
        raise ValueError(f"not a date or step name: {value!r} (steps: {steps})") from None


@cache
def default_catalogue() -> Catalogue:
    """The committed catalogue, loaded once per process."""
    return load_catalogue(CONTENT_DIR)


def load_catalogue(content_dir: Path = CONTENT_DIR) -> Catalogue:
    """Read ``catalogue.toml`` and check it is consistent; raise CatalogueError if not.

    PDFs are not required to exist here (make_pdfs.py creates them from this same catalogue);
    the test suite checks that every committed PDF is present.
    """
    items: list[dict[str, Any]] = []
    # The main file, then one per source folder (``content/{folder}/catalogue.toml``), so a
    # source's entries live beside its pages.
    for path in [content_dir / "catalogue.toml", *sorted(content_dir.glob("*/catalogue.toml"))]:
        with path.open("rb") as fh:
            items += tomllib.load(fh).get("entry", [])
    entries = tuple(_entry(item) for item in items)
    catalogue = Catalogue(entries=entries, content_dir=content_dir)
    _check(catalogue)
    return catalogue


def _entry(item: dict[str, Any]) -> Entry:
    data = dict(item)
    pdf = data.pop("pdf", None)
    if pdf is not None:
        pdf = dict(pdf)
        pdf["headings"] = tuple(pdf.get("headings", ()))
        data["pdf"] = PdfFile(**pdf)
    if "time" in data:
        data["time"] = time.fromisoformat(data["time"])
    data["categories"] = tuple(data.get("categories", ()))
    data["extra"] = dict(data.get("extra", {}))
    try:
        return Entry(**data)
    except TypeError as exc:
        raise CatalogueError(f"entry {item.get('key')!r}: {exc}") from None


def _check(catalogue: Catalogue) -> None:
    keys: set[str] = set()
    urls: set[str] = set()
    for e in catalogue.entries:
        where = f"entry {e.key!r}"
        if e.key in keys:
            raise CatalogueError(f"{where}: duplicate key")
        keys.add(e.key)
        if e.source not in HOSTS:
            raise CatalogueError(f"{where}: unknown source {e.source!r}")
        if e.kind not in KINDS:
            raise CatalogueError(f"{where}: unknown kind {e.kind!r}")
        if e.provenance not in PROVENANCES:
            raise CatalogueError(f"{where}: unknown provenance {e.provenance!r}")
        if e.provenance == "seed" and not e.seed:
            raise CatalogueError(f"{where}: seed provenance needs `seed`")
        if not e.path.startswith("/"):
            raise CatalogueError(f"{where}: path must be root-relative")
        for url in (e.url, *((f"https://{e.host}{e.pdf.path}",) if e.pdf else ())):
            if url in urls:
                raise CatalogueError(f"{where}: duplicate URL {url}")
            urls.add(url)
        if not (catalogue.content_dir / e.body).is_file():
            raise CatalogueError(f"{where}: missing body file {e.body}")
        if e.pdf is not None:
            if e.pdf.provenance not in PROVENANCES:
                raise CatalogueError(f"{where}: unknown PDF provenance {e.pdf.provenance!r}")
            if not (catalogue.content_dir / e.pdf.text).is_file():
                raise CatalogueError(f"{where}: missing letter text {e.pdf.text}")
        if e.source == WREXHAM_NEWS and (e.post_id is None or not e.path.endswith("/")):
            raise CatalogueError(f"{where}: council articles need a post_id and a trailing slash")
        if e.source == WREXHAM_COM and not WREXHAM_COM_PATH.match(e.path):
            raise CatalogueError(f"{where}: wrexham.com paths are /news/{{slug}}-{{id}}.html")
        if e.source == GOV_WALES and e.kind not in ("statement", "news"):
            raise CatalogueError(f"{where}: gov.wales entries are statements or news")
        if e.source == GOV_WALES and (e.kind == "statement") != e.path.startswith(
                "/written-statement-"):
            raise CatalogueError(f"{where}: written statements, and only they, live under "
                                 "/written-statement-")
    for e in catalogue.entries:
        if e.pairs_with is not None and e.pairs_with not in keys:
            raise CatalogueError(f"entry {e.key!r}: pairs_with unknown key {e.pairs_with!r}")
        if e.links_to is None:
            continue
        target = catalogue.get(e.links_to) if e.links_to in keys else None
        if target is None:
            raise CatalogueError(f"entry {e.key!r}: links_to unknown key {e.links_to!r}")
        if target.published != e.published:
            raise CatalogueError(
                f"entry {e.key!r}: a report page appears with its news item, so both need "
                f"the same published date ({target.published} != {e.published})"
            )
