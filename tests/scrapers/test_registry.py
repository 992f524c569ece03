"""The sources file, the registry and the source modules stay in step (style.md §2.3.5)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import scrapers
from scrapers.registry import (
    DEFAULT_FILE,
    SOURCES,
    ConfigError,
    allowed_hosts,
    base_url_for,
    enabled_sources,
    env_var_for,
    get_source,
    load_config,
    parse_duration,
)

TESTS = Path(__file__).resolve().parents[1]
SHARED_MODULES = {"attachments", "base", "councils", "crawl", "http", "registry", "text"}
MODULES = sorted({source.module for source in SOURCES.values()})
SOURCE_MODULES = sorted(
    m.name for m in pkgutil.iter_modules(scrapers.__path__) if m.name not in SHARED_MODULES
)


def test_every_source_module_is_configured() -> None:
    """Every module of the package reads some configured source, and no source names a
    missing module (several sources may share one: every council's ModernGov)."""
    assert MODULES == SOURCE_MODULES


def test_the_default_file_watches_every_source_of_issue_5() -> None:
    assert set(SOURCES) == {
        "ciw_la_reports", "ciw_welsh", "gov_wales_statements", "wrexham_moderngov",
        "audit_wales", "wrexham_news_rss", "wrexham_com", "bbc_wales_rss",
    }
    assert [s.name for s in enabled_sources()] == list(SOURCES)


@pytest.mark.parametrize("name", MODULES)
def test_source_module_is_documented(name: str) -> None:
    module = importlib.import_module(f"scrapers.{name}")
    assert module.__doc__ and len(module.__doc__) > 200
    assert module.HOSTS and isinstance(module.HOSTS, frozenset)


@pytest.mark.parametrize("name", MODULES)
def test_source_module_has_selectors(name: str) -> None:
    module = importlib.import_module(f"scrapers.{name}")
    tables = [getattr(module, t, None) for t in ("SELECTORS", "FIELDS")]
    assert any(isinstance(t, dict) and t for t in tables)


@pytest.mark.parametrize("name", MODULES)
def test_source_module_has_a_test_file(name: str) -> None:
    assert (TESTS / "scrapers" / f"test_{name}.py").is_file()


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_has_fixtures(name: str) -> None:
    assert any((TESTS / "fixtures" / name).iterdir())


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_entry_is_consistent(name: str) -> None:
    source = SOURCES[name]
    module = importlib.import_module(f"scrapers.{source.module}")
    assert source.name == name
    assert source.crawl.__module__ == module.__name__
    assert source.kind in ("html", "rss")
    assert source.every.total_seconds() > 0 and source.cadence.days >= 1
    assert source.base_url.startswith("https://")
    host = source.base_url.split("://", 1)[1].rstrip("/")
    assert host in source.hosts
    assert source.hosts <= module.HOSTS | {host}, "the module's hosts bound the allowlist"


def test_authority() -> None:
    authoritative = {name for name, s in SOURCES.items() if s.authoritative}
    assert authoritative == {"ciw_la_reports", "ciw_welsh", "gov_wales_statements"}


def test_citation_rank_follows_domain_order() -> None:
    """domain.md §6.9: CIW, then Welsh Government, then council papers, council news, press."""
    order = ["ciw_la_reports", "gov_wales_statements", "wrexham_moderngov",
             "wrexham_news_rss", "wrexham_com"]
    ranks = [SOURCES[name].rank for name in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert SOURCES["ciw_welsh"].rank == SOURCES["ciw_la_reports"].rank


# --- the configuration file ---------------------------------------------------------------

_MINIMAL = """
[watch]
authorities = ["*"]

[sources.flintshire_moderngov]
module = "moderngov"
title = "Flintshire committee papers"
base_url = "https://committeemeetings.flintshire.gov.uk/"
publisher = "council_papers"
kind = "rss"
every = "2h"
cadence = "45d"
authorities = ["Flintshire"]

[sources.ciw_la_reports]
module = "ciw_la_reports"
title = "CIW"
base_url = "https://careinspectorate.wales"
enabled = false
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_another_council_is_a_configuration_change(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, _MINIMAL))
    flint = config.sources["flintshire_moderngov"]
    assert config.watch == ("*",)
    assert flint.module == "moderngov" and flint.crawl.__module__ == "scrapers.moderngov"
    assert flint.hosts == {"committeemeetings.flintshire.gov.uk"}
    assert flint.base_url == "https://committeemeetings.flintshire.gov.uk"
    assert (flint.every.total_seconds(), flint.cadence.days) == (7200, 45)
    assert flint.authorities == ("Flintshire",)
    ciw = config.sources["ciw_la_reports"]
    assert ciw.enabled is False and ciw.authorities == ("*",)  # the [watch] list by default
    assert [s.name for s in enabled_sources(config.sources)] == ["flintshire_moderngov"]


def test_sources_file_from_the_environment(tmp_path: Path) -> None:
    path = _write(tmp_path, _MINIMAL)
    assert load_config(environ={"CAREWATCH_SOURCES_FILE": str(path)}).path == path
    assert load_config(environ={}).path == DEFAULT_FILE


@pytest.mark.parametrize(("text", "message"), [
    ("[sources.x]\nmodule='wrexham_com'\ntitle='t'\nbase_url='https://a.example'\n"
     "cadense='7d'\n", "unknown field(s) cadense"),
    ("[sources.x]\nmodule='nope'\ntitle='t'\nbase_url='https://a.example'\n",
     "no module scrapers.nope"),
    ("[sources.x]\nmodule='../flows'\ntitle='t'\nbase_url='https://a.example'\n",
     "module must name a module of the scrapers package"),
    ("[sources.x]\ntitle='t'\nbase_url='https://a.example'\n", "`module` is required"),
    ("[sources.x]\nmodule='wrexham_com'\ntitle='t'\nbase_url='a.example'\n",
     "base_url must be an http(s) URL"),
    ("[sources.x]\nmodule='wrexham_com'\ntitle='t'\nbase_url='https://a.example'\n"
     "every='often'\n", "[sources.x] every: expected a duration"),
    ("[sources.x]\nmodule='wrexham_com'\ntitle='t'\nbase_url='https://a.example'\n"
     "publisher='blog'\n", "publisher must be one of"),
    ("[sources.x]\nmodule='wrexham_com'\ntitle='t'\nbase_url='https://a.example'\n"
     "authorities=[]\n", "non-empty list of council names"),
    ("[sources.x]\nmodule='wrexham_com'\ntitle='t'\nbase_url='https://a.example'\n"
     "enabled='yes'\n", "enabled must be true or false"),
    ("[sources.Bad-Name]\nmodule='wrexham_com'\ntitle='t'\nbase_url='https://a.example'\n",
     "a source name is lower-case"),
    ("[watch]\nauthorities=['Wrexham']\n", "no [sources.NAME] tables"),
    ("[sources.x\n", "not valid TOML"),
])
def test_a_bad_file_is_refused_with_where_and_why(tmp_path: Path, text: str,
                                                   message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CAREWATCH_SOURCES_FILE"):
        load_config(tmp_path / "absent.toml")


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("6h", 21600), ("2d", 172800)])
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text, where="w").total_seconds() == seconds


@pytest.mark.parametrize("text", ["0m", "5", "1w", 30, "h"])
def test_parse_duration_refuses(text: object) -> None:
    with pytest.raises(ConfigError, match="w: expected a duration"):
        parse_duration(text, where="w")


def test_get_source() -> None:
    assert get_source("ciw_la_reports") is SOURCES["ciw_la_reports"]


def test_get_source_unknown_lists_valid_names() -> None:
    with pytest.raises(ValueError) as caught:
        get_source("bbc_wales")
    assert "'bbc_wales'" in str(caught.value)
    assert "audit_wales, bbc_wales_rss, ciw_la_reports, ciw_welsh" in str(caught.value)


def test_base_url_for_default_and_override() -> None:
    source = SOURCES["wrexham_news_rss"]
    assert env_var_for(source) == "CAREWATCH_SOURCE_WREXHAM_NEWS_RSS_URL"
    assert base_url_for(source, {}) == "https://news.wrexham.gov.uk"
    override = {"CAREWATCH_SOURCE_WREXHAM_NEWS_RSS_URL": "https://staging.example/news/"}
    assert base_url_for("wrexham_news_rss", override) == "https://staging.example/news"


def test_base_url_for_rejects_bad_override() -> None:
    with pytest.raises(ValueError, match="CAREWATCH_SOURCE_CIW_LA_REPORTS_URL"):
        base_url_for("ciw_la_reports", {"CAREWATCH_SOURCE_CIW_LA_REPORTS_URL": "careinspectorate"})


def test_allowed_hosts_include_overrides() -> None:
    hosts = allowed_hosts(environ={"CAREWATCH_SOURCE_CIW_LA_REPORTS_URL": "https://mirror.example"})
    assert {"careinspectorate.wales", "www.careinspectorate.wales", "news.wrexham.gov.uk"} <= hosts
    assert "mirror.example" in hosts


@pytest.mark.parametrize("name", [*SOURCE_MODULES, *sorted(SHARED_MODULES)])
def test_scrapers_import_nothing_from_storage_alerts_or_flows(name: str) -> None:
    tree = ast.parse((Path(scrapers.__file__).parent / f"{name}.py").read_text())
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m.split(".")[0] for m in imported} & {"storage", "alerts", "flows", "replay"}
