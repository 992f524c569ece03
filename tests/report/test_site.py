"""site.py and build.py: the folder is replaced all or nothing and never one carewatch did
not write; regenerating from an unchanged database gives byte-identical feeds; and
`carewatch report` writes the site and prints the page's path."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.database import close_databases
from report.build import write_report
from report.site import MARKER, SiteError, write_site
from scrapers.registry import SOURCES
from tests.report.conftest import CIW, NOW, said


def test_write_site_writes_every_file_and_its_marker(tmp_path):
    out = tmp_path / "site"
    write_site(out, {"index.html": b"<p>one</p>", "docs/1.html": b"doc"})
    assert (out / "index.html").read_bytes() == b"<p>one</p>"
    assert (out / "docs" / "1.html").read_bytes() == b"doc"
    assert (out / MARKER).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging left behind


def test_a_rewrite_replaces_the_whole_folder(tmp_path):
    out = tmp_path / "site"
    write_site(out, {"index.html": b"old", "docs/9.html": b"gone soon"})
    write_site(out, {"index.html": b"new"})
    assert (out / "index.html").read_bytes() == b"new"
    assert not (out / "docs").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_folder_carewatch_did_not_write_is_never_replaced(tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    with pytest.raises(SiteError, match="did not write"):
        write_site(mine, {"index.html": b"x"})
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(SiteError, match="not a folder"):
        write_site(afile, {"index.html": b"x"})
    empty = tmp_path / "empty"
    empty.mkdir()
    write_site(empty, {"index.html": b"x"})  # an empty folder is fine
    assert (empty / "index.html").exists()


def test_a_failed_write_leaves_the_previous_site_whole(tmp_path):
    out = tmp_path / "site"
    write_site(out, {"index.html": b"good"})
    with pytest.raises(ValueError, match="relative path"):
        write_site(out, {"index.html": b"half", "../escape.html": b"no"})
    assert (out / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_regenerating_from_an_unchanged_database_gives_identical_feeds(recorded, sessions,
                                                                       tmp_path):
    first = write_report(sessions, tmp_path / "a", authorities=["Wrexham"], sources=SOURCES,
                         now=NOW)
    again = write_report(sessions, tmp_path / "b", authorities=["Wrexham"], sources=SOURCES,
                         now=NOW + timedelta(days=3))
    for name in ("status.atom", "status-wrexham.atom"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first.index.read_bytes() != again.index.read_bytes()  # it says when it was made
    assert first.files == again.files == 2 + 1 + len(first.report.documents)

    old = {e.id for e in feedparser.parse((tmp_path / "a" / "status.atom").read_bytes())
           .entries}
    recorded.add("letter2025", CIW + "letter-2025", said(concern="serious"),
                 when=date(2025, 2, 3))
    recorded.session.commit()
    write_report(sessions, tmp_path / "a", authorities=["Wrexham"], sources=SOURCES, now=NOW)
    feed = feedparser.parse((tmp_path / "a" / "status.atom").read_bytes())
    assert len(feed.entries) == len(old) + 1 and old < {e.id for e in feed.entries}
    assert feed.entries[0].id.endswith("/serious/https://careinspectorate.wales/letter-2025")


def test_carewatch_report_writes_the_site_and_prints_the_page(recorded, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("CAREWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'carewatch.db'}")
    monkeypatch.setenv("CAREWATCH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["report"])
        assert result.exit_code == 0, result.output
        index = Path(result.output.strip().splitlines()[-1])
        assert index == (tmp_path / "data" / "report" / "index.html").absolute()
        assert "Significant concern" in index.read_text()

        result = runner.invoke(app, ["report", "--out", str(tmp_path / "site"),
                                     "--authority", "*", "--base-url", "https://x.org/cw/"])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "site" / "status-powys.atom").exists()
        feed = feedparser.parse((tmp_path / "site" / "status.atom").read_bytes())
        assert feed.feed.links[0].href == "https://x.org/cw/status.atom"

        (tmp_path / "mine").mkdir()
        (tmp_path / "mine" / "keep.txt").write_text("x")
        result = runner.invoke(app, ["report", "--out", str(tmp_path / "mine")])
        assert result.exit_code == 2 and "refusing" in result.output
    finally:
        close_databases()
