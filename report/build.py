"""``carewatch report``: read the database, render every file, write the folder.  The edge
where the clock is read (``now``, and ``today`` in Europe/London, the schedules' zone);
everything it calls below is given them."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from report.atom import SUBTITLE, Feed, feed_id, feed_title, render_feed
from report.data import RECENT, load_report
from report.document import render_document
from report.page import FeedLink, render_index
from report.records import Noted, Report, Statement
from report.site import write_site
from report.words import short_authority, slug

LONDON = ZoneInfo("Europe/London")
INDEX = "index.html"
FEED = "status.atom"


@dataclass(frozen=True)
class Written:
    """What ``write_report`` wrote: the page to open, and the size of it all."""

    index: Path
    files: int
    bytes: int
    seconds: float
    report: Report


def feed_name(authority: str) -> str:
    """``status-<council>.atom``: one council's own feed."""
    return f"status-{slug(authority)}.atom"


def render_site(report: Report, *, now: datetime, today: date,
                base_url: str | None = None) -> dict[str, bytes]:
    """Every file of the site (relative path -> bytes).  ``base_url`` is where the site
    will be published; given, the feeds' links are absolute (feed readers prefer them),
    otherwise relative to the site's root."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    feeds: list[tuple[str, str | None, Report]] = [(FEED, None, report)]
    feeds += [(feed_name(a), a, report.for_authority(a)) for a in report.authorities]
    files: dict[str, bytes] = {}
    links = []
    for name, authority, scope in feeds:
        title = feed_title([short_authority(a) for a in scope.authorities])
        files[name] = render_feed(scope, Feed(
            id=feed_id(authority), title=title, subtitle=SUBTITLE, self_href=base + name,
            page_href=base + INDEX, docs_base=base))
        links.append(FeedLink(title, name))
    files[INDEX] = render_index(report, now=now, today=today, feeds=links).encode()
    said: dict[int, list[Statement]] = {}
    for s in report.statements:
        said.setdefault(s.document.id, []).append(s)
    read: dict[int, list[Noted]] = {}
    for n in report.noted:
        read.setdefault(n.publication_id, []).append(n)
    written = {d.id for d in report.documents}
    for d in report.documents:
        files[d.stored_path] = render_document(
            d, statements=said.get(d.id, []), noted=read.get(d.id, []), written=written,
            now=now).encode()
    return files


def write_report(
    sessions: sessionmaker[Session],
    out: Path,
    *,
    authorities: Sequence[str] | None,
    sources: Mapping[str, Any],
    now: datetime | None = None,
    base_url: str | None = None,
    recent: int = RECENT,
) -> Written:
    """Write the site for ``authorities`` (None: every council with anything recorded)
    into ``out``, replacing what an earlier run wrote there."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    with sessions() as session:
        report = load_report(session, authorities=authorities, sources=sources, recent=recent)
    files = render_site(report, now=now, today=now.astimezone(LONDON).date(),
                        base_url=base_url)
    write_site(out, files)
    return Written(index=Path(out).absolute() / INDEX, files=len(files),
                   bytes=sum(len(c) for c in files.values()),
                   seconds=time.perf_counter() - started, report=report)
