"""The registry and the source modules stay in step (style.md §2.3.5)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import scrapers
from scrapers.registry import SOURCES, allowed_hosts, base_url_for, env_var_for, get_source

TESTS = Path(__file__).resolve().parents[1]
SHARED_MODULES = {"base", "crawl", "http", "registry", "text"}
SOURCE_MODULES = sorted(
    m.name for m in pkgutil.iter_modules(scrapers.__path__) if m.name not in SHARED_MODULES
)


def test_every_source_module_is_registered() -> None:
    assert sorted(SOURCES) == SOURCE_MODULES


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_module_is_documented(name: str) -> None:
    module = importlib.import_module(f"scrapers.{name}")
    assert module.__doc__ and len(module.__doc__) > 200
    assert SOURCES[name].crawl.__module__ == module.__name__


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_module_has_selectors(name: str) -> None:
    module = importlib.import_module(f"scrapers.{name}")
    tables = [getattr(module, t, None) for t in ("SELECTORS", "FIELDS")]
    assert any(isinstance(t, dict) and t for t in tables)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_has_test_file_and_fixtures(name: str) -> None:
    assert (TESTS / "scrapers" / f"test_{name}.py").is_file()
    assert any((TESTS / "fixtures" / name).iterdir())


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_entry_is_consistent(name: str) -> None:
    source = SOURCES[name]
    assert source.name == name
    assert source.kind in ("html", "rss")
    assert source.cadence_minutes > 0
    host = source.base_url.split("://", 1)[1].rstrip("/")
    assert source.base_url.startswith("https://")
    assert {host, f"www.{host}"} <= source.hosts


def test_authority() -> None:
    assert SOURCES["ciw_la_reports"].authoritative is True
    assert SOURCES["wrexham_news_rss"].authoritative is False
    assert SOURCES["wrexham_com"].authoritative is False
    assert SOURCES["gov_wales_statements"].authoritative is True


def test_get_source() -> None:
    assert get_source("ciw_la_reports") is SOURCES["ciw_la_reports"]


def test_get_source_unknown_lists_valid_names() -> None:
    with pytest.raises(ValueError) as caught:
        get_source("bbc_wales")
    assert "'bbc_wales'" in str(caught.value)
    assert "ciw_la_reports, gov_wales_statements, wrexham_com, wrexham_news_rss" in str(
        caught.value)


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
