"""The catalogue data: consistent, honest about provenance, and verbatim where it claims a seed."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from replay.site import ReplaySite
from replay.timeline import (
    AUDIT_WALES,
    BBC_WALES,
    CIW,
    CIW_CY,
    GOV_WALES,
    KINDS,
    MODERNGOV,
    PROVENANCES,
    STEPS,
    WREXHAM_COM,
    WREXHAM_NEWS,
    CatalogueError,
    default_catalogue,
    load_catalogue,
    resolve_as_of,
)
from tests.replay.helpers import norm, soup

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
CATALOGUE = default_catalogue()


def seed_text(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed {name} not available on this machine")
    return path.read_text(encoding="utf-8")


def test_catalogue_loads_with_known_vocabulary() -> None:
    assert len(CATALOGUE.entries) >= 30
    for entry in CATALOGUE.entries:
        assert entry.kind in KINDS
        assert entry.provenance in PROVENANCES
        assert entry.note, f"{entry.key} needs a note saying what it rests on"
        if entry.pdf is not None:
            assert entry.pdf.provenance in PROVENANCES
            assert entry.pdf.note


def test_catalogue_covers_the_brief() -> None:
    ciw_news = CATALOGUE.visible(STEPS["latest"], source=CIW, kinds=["news"])
    assert len(ciw_news) == 11
    council = CATALOGUE.visible(STEPS["latest"], source=WREXHAM_NEWS)
    assert len(council) > 10  # at least two feed pages at the latest step
    assert len(CATALOGUE.visible(STEPS["before-2020-letter"], source=WREXHAM_NEWS)) >= 3
    for path in (
        "/how-were-addressing-concerns-and-improving-our-childrens-services/",
        "/improvements-in-childrens-social-care-reported-to-executive-board/",
        "/report-notes-progress-in-social-services/",
        "/annual-performance-report-how-we-did/",
    ):
        assert CATALOGUE.find_page(WREXHAM_NEWS, path) is not None, path


def test_steps_are_in_order_and_each_reveals_something() -> None:
    days = list(STEPS.values())
    assert days == sorted(days)
    counts = [len(CATALOGUE.visible(day)) for day in days]
    # Only the Welsh Government's 2017-18 Powys intervention statements (and a schools
    # statement) and Audit Wales's 2011-2018 reports (corporate, not social services) predate
    # "before-any": no regulator word on Wrexham's social services is visible then.
    early = CATALOGUE.visible(days[0])
    assert counts[0] == len(early) and {e.source for e in early} == {GOV_WALES, AUDIT_WALES}
    assert all(a < b for a, b in zip(counts, counts[1:], strict=False)), counts


def test_visible_is_newest_first_and_cut_at_as_of() -> None:
    found = CATALOGUE.visible(date(2020, 8, 4), source=CIW, kinds=["news"])
    assert [e.published for e in found] == sorted((e.published for e in found), reverse=True)
    assert found[0].published == date(2020, 8, 4)
    assert all(e.published <= date(2020, 8, 4) for e in found)
    assert date(2020, 8, 4) not in {
        e.published for e in CATALOGUE.visible(date(2020, 8, 3), source=CIW)
    }


def test_news_links_to_a_page_published_the_same_day() -> None:
    linked = [e for e in CATALOGUE.entries if e.links_to]
    assert len([e for e in linked if e.source == CIW]) == 8
    for news in linked:
        page = CATALOGUE.get(news.links_to or "")
        assert page.kind in ("report", "letter")
        assert page.published == news.published


def test_real_urls_are_canonical() -> None:
    for entry in CATALOGUE.entries:
        if entry.source == CIW:
            assert entry.url.startswith("https://careinspectorate.wales/")
        elif entry.source == WREXHAM_COM:
            assert entry.url.startswith("https://wrexham.com/news/")
            assert entry.url.endswith(f"-{entry.article_id}.html")
        elif entry.source == GOV_WALES:
            assert entry.url.startswith("https://gov.wales/")
        elif entry.source == CIW_CY:
            assert entry.url.startswith("https://arolygiaethgofal.cymru/")
        elif entry.source == AUDIT_WALES:
            assert entry.url.startswith(("https://audit.wales/news/",
                                         "https://audit.wales/publication/"))
        elif entry.source == BBC_WALES:
            assert entry.url.startswith("https://www.bbc.co.uk/news/")
        elif entry.source == MODERNGOV:
            assert entry.url.startswith(
                "https://moderngov.wrexham.gov.uk/ieListDocuments.aspx?")
        else:
            assert entry.url.startswith("https://news.wrexham.gov.uk/")
            assert entry.url.endswith("/")


def test_resolve_as_of_accepts_dates_iso_and_steps() -> None:
    assert resolve_as_of(date(2020, 1, 2)) == date(2020, 1, 2)
    assert resolve_as_of("2020-08-05") == date(2020, 8, 5)
    assert resolve_as_of("after-2020-letter") == STEPS["after-2020-letter"]
    with pytest.raises(ValueError, match="after-2020-letter"):
        resolve_as_of("someday")


def test_load_catalogue_rejects_a_dangling_link(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CATALOGUE.content_dir, content, ignore=shutil.ignore_patterns("*.pdf"))
    toml = content / "catalogue.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'links_to = "ciw-2020-wrexham-annual-letter"', 'links_to = "nowhere"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match="nowhere"):
        load_catalogue(content)


def test_load_catalogue_rejects_an_unknown_provenance(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CATALOGUE.content_dir, content, ignore=shutil.ignore_patterns("*.pdf"))
    toml = content / "catalogue.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('provenance = "recreated"', 'provenance = "seen"', 1)
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="seen"):
        load_catalogue(content)


# -- seeds are verbatim ----------------------------------------------------------------------


def test_seed_004_letter_text_is_the_seed_byte_for_byte() -> None:
    entry = CATALOGUE.get("ciw-2020-wrexham-annual-letter")
    assert entry.pdf is not None and entry.pdf.provenance == "seed"
    assert CATALOGUE.read_letter_text(entry) == seed_text(entry.pdf.seed or "")


def test_seed_002_report_page_is_verbatim() -> None:
    entry = CATALOGUE.get("ciw-2021-wrexham-inspection-report")
    lines = [norm(line) for line in seed_text(entry.seed or "").splitlines() if line.strip()]
    page = soup(ReplaySite(STEPS["latest"]).get("/careinspectorate.wales" + entry.path).body)
    assert norm(page.h1.get_text()) == lines[0]
    body = norm(page.select_one("div.field--name-body").get_text(" "))
    assert body == " ".join(lines[1:])


def test_seed_000_council_article_is_verbatim_with_promo_lines_in_place() -> None:
    entry = CATALOGUE.get("wxm-2021-executive-board-report")
    seed = seed_text(entry.seed or "")
    page = soup(ReplaySite(STEPS["latest"]).get("/news.wrexham.gov.uk" + entry.path).body)
    blocks = page.select_one("div.entry-content").find_all(["h2", "p", "li"])
    assert norm(" ".join(b.get_text() for b in blocks)) == norm(seed.replace("•", ""))
    promos = [p for p in blocks if p.name == "p" and p.find("a")]
    assert [norm(p.get_text()) for p in promos] == [
        "Get the latest COVID-19 vaccination information",
        "Get the facts…read the latest NHS Wales Covid-19 vaccination info.",
    ]
