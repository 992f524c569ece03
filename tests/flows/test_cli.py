"""The command line: argument errors say how to fix them, and the README documents every
command and every environment variable the code reads (style.md: docs are tested)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
runner = CliRunner()


def test_every_command_is_in_the_readme():
    commands = sorted(get_command(app).commands)
    assert {"demo", "run", "deliver", "status", "serve", "replay"} <= set(commands)
    for name in commands:
        assert f"`carewatch {name}" in README, f"README does not document `carewatch {name}`"


def test_every_env_var_is_in_the_readme():
    code = "\n".join(p.read_text() for pkg in ("flows", "scrapers", "storage", "alerts")
                     for p in (ROOT / pkg).rglob("*.py"))
    used = set(re.findall(r"CAREWATCH_[A-Z_]+[A-Z]", code))
    used = {v for v in used if not v.startswith("CAREWATCH_SOURCE_")}  # documented as a pattern
    missing = sorted(v for v in used if v not in README)
    assert not missing, f"README does not document {missing}"


def test_unknown_source_is_a_usage_error_naming_the_valid_ones():
    result = runner.invoke(app, ["run", "--source", "nope"])
    assert result.exit_code == 2
    assert "ciw_la_reports" in result.output and "wrexham_news_rss" in result.output


def test_replay_rejects_a_bad_date():
    result = runner.invoke(app, ["replay", "--as-of", "last tuesday"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


@pytest.mark.parametrize("command", ["demo", "run", "deliver", "status", "serve", "replay"])
def test_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_status_on_an_empty_database_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "carewatch run" in result.output


SEEDS = ROOT.parent / "shared" / "seeds"
LETTER_2020 = next((ROOT / "replay" / "content" / "pdf").glob("200804-*.pdf"))


def test_classify_json_one_object_per_file_and_errors_lose_nothing(tmp_path):
    import json

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really a pdf")
    result = runner.invoke(app, ["classify", "--json", str(LETTER_2020), str(broken),
                                 str(LETTER_2020)])
    assert result.exit_code == 1  # one file failed; the others were still classified
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(LETTER_2020), str(broken), str(LETTER_2020)]
    letter, error, again = lines
    assert "error" in error and "PDF" in error["error"]
    assert letter == again
    assert (letter["relevant"], letter["authority"], letter["authoritative"], letter["kind"]) == (
        True, "Wrexham", True, "annual_letter")
    assert list(letter["statuses"]) == ["children"]
    assert letter["statuses"]["children"]["concern_level"] == "significant"
    assert "escalated from serious to significant" in letter["statuses"]["children"]["evidence"]
    assert letter["dates"]["letter"] == "2020-08-03"


def test_classify_uses_the_pipelines_classifier(tmp_path):
    """Same code path: the command's JSON is classify_document's own to_json."""
    import json

    from scrapers.text import document_text
    from storage.classify import classify_document

    result = runner.invoke(app, ["classify", "--json", str(LETTER_2020)])
    expected = classify_document(document_text(LETTER_2020.read_bytes(),
                                               name=LETTER_2020.name)).to_json()
    assert json.loads(result.stdout) == {"path": str(LETTER_2020), **expected}


def test_classify_summary_is_readable():
    result = runner.invoke(app, ["classify", str(LETTER_2020)], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "children's services: concern level = significant" in result.output
    assert "council: Wrexham" in result.output


def test_status_table_names_every_aspect():
    """Regression: the table printed "judgement" for every aspect that was not a concern level."""
    from datetime import date
    from types import SimpleNamespace

    from rich.console import Console

    from flows.render import status_table

    row = SimpleNamespace(authority="Powys", service="children", dimension="intervention",
                          value="warning_notice", effective_date=date(2017, 10, 17),
                          title="Written Statement", url="https://gov.wales/x", evidence="…")
    console = Console(record=True, width=200)
    status_table(console, [row], "Powys")
    text = console.export_text()
    assert "intervention" in text and "judgement" not in text
