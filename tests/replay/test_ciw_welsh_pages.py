"""arolygiaethgofal.cymru over real HTTP: the English CIW skeleton (markup.md §1) under Welsh
chrome, the ``/newyddion`` view and its paging along the timeline, Welsh dates, the links to the
English twins, the shared PDFs, and the catalogue rules that keep the timeline honest."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from replay.render_ciw_welsh import welsh_date
from replay.server import ReplayServer
from replay.site import ReplaySite
from replay.timeline import CIW, CIW_CY, STEPS, Entry, default_catalogue
from tests.replay.helpers import norm, soup

CATALOGUE = default_catalogue()
HOST = "/arolygiaethgofal.cymru"
WELSH = [e for e in CATALOGUE.entries if e.source == CIW_CY]
NEWS = [e for e in WELSH if e.kind == "news"]
DOCUMENTS = [e for e in WELSH if e.kind != "news"]
LETTER_2020 = CATALOGUE.get("ciw-cy-2020-wrexham-annual-letter")
NEWS_2020 = CATALOGUE.get("ciw-cy-2020-wrexham-annual-letter-news")


def ids(entries: list[Entry]) -> list[str]:
    return [e.key for e in entries]


def listing(http: httpx.Client, query: str = "") -> list[tuple[str, str, str]]:
    """(datetime, visible date, href) of each row of one ``/newyddion`` page."""
    resp = http.get(f"{HOST}/newyddion{query}")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=UTF-8"
    rows = soup(resp.text).select("main#main-content div.view-news div.views-row")
    return [(row.time["datetime"], norm(row.time.get_text()),
             row.select_one("h3.node__title a")["href"]) for row in rows]


# --- listing ----------------------------------------------------------------------------------


def test_listing_pages_five_at_a_time_from_page_zero(replay_http: httpx.Client) -> None:
    news = CATALOGUE.visible(STEPS["latest"], source=CIW_CY, kinds=["news"])
    first, second = listing(replay_http), listing(replay_http, "?page=1")
    assert len(first) == 5 and len(second) == len(news) - 5
    assert [href for *_, href in first + second] == [e.listing_href or e.path for e in news]
    page0 = soup(replay_http.get(f"{HOST}/newyddion").text)
    assert page0.select_one("li.pager__item--next a")["href"] == "?page=1"
    page1 = soup(replay_http.get(f"{HOST}/newyddion?page=1").text)
    assert page1.select_one("li.pager__item--next") is None
    assert page1.select_one("li.pager__item--previous a")["href"] == "?page=0"


def test_listing_rows_carry_welsh_dates(replay_http: httpx.Client) -> None:
    stamp, shown, _ = listing(replay_http)[0]
    assert stamp == "2024-01-15T09:00:00Z"
    assert shown == "15 Ionawr 2024"


def test_listing_follows_the_timeline(replay_server: ReplayServer,
                                      replay_http: httpx.Client) -> None:
    replay_server.set_as_of(NEWS_2020.published - timedelta(days=1))
    assert NEWS_2020.path not in [href for *_, href in listing(replay_http)]
    replay_server.set_as_of(NEWS_2020.published)
    assert listing(replay_http)[0][2] == NEWS_2020.path


def test_listing_mixes_hosts_like_the_english_one(replay_http: httpx.Client) -> None:
    hrefs = [href for *_, href in listing(replay_http)]
    assert any(h.startswith("https://www.arolygiaethgofal.cymru/") for h in hrefs)
    assert any(h.startswith("/") for h in hrefs)


def test_empty_listing_shows_the_empty_view(replay_server: ReplayServer,
                                            replay_http: httpx.Client) -> None:
    replay_server.set_as_of(STEPS["before-any"])
    page = soup(replay_http.get(f"{HOST}/newyddion").text)
    assert page.select("div.views-row") == []
    assert norm(page.select_one("div.view-empty").get_text()) == "Ni chanfuwyd unrhyw newyddion."
    assert page.select_one("nav.pager") is None


def test_listing_page_parameter_like_drupal(replay_http: httpx.Client) -> None:
    assert listing(replay_http, "?page=abc") == listing(replay_http)
    assert listing(replay_http, "?page=9") == []


def test_english_listing_path_is_not_served(replay_http: httpx.Client) -> None:
    assert replay_http.get(f"{HOST}/news").status_code == 404


# --- chrome -----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["arolygiaethgofal.cymru", "www.arolygiaethgofal.cymru"])
def test_chrome_is_welsh_on_both_hosts(replay_http: httpx.Client, host: str) -> None:
    page = soup(replay_http.get(f"/{host}{NEWS_2020.path}").text)
    assert page.html["lang"] == "cy"
    assert norm(page.select_one("a.skip-link").get_text()) == "Neidio i'r prif gynnwys"
    assert norm(page.select_one("form#search-block-form label").get_text()) == (
        "Chwiliad allweddeiriau cyflawn")
    assert page.title.get_text().endswith("| Arolygiaeth Gofal Cymru")
    assert page.find("footer") is not None


# --- news items and report pages: the English skeleton ---------------------------------------


@pytest.mark.parametrize("entry", NEWS, ids=ids(NEWS))
def test_news_item_skeleton(replay_http: httpx.Client, entry: Entry) -> None:
    article = soup(replay_http.get(f"{HOST}{entry.path}").text).select_one(
        "main#main-content > article")
    meta = article.select("ul.meta > li")
    assert meta[0].time["datetime"] == entry.published.isoformat()
    assert norm(meta[0].get_text()) == welsh_date(entry.published)
    assert norm(meta[1].get_text()) == "Newyddion"
    assert norm(article.h1.get_text()) == norm(entry.title)
    internal = [a for a in article.select("div.field--name-body a") if a["href"].startswith("/")]
    if entry.links_to is None:
        assert internal == []
    else:
        target = CATALOGUE.get(entry.links_to)
        assert internal[-1]["href"] == target.path
        assert norm(internal[-1].get_text()) == norm(target.title)


@pytest.mark.parametrize("entry", DOCUMENTS, ids=ids(DOCUMENTS))
def test_report_page_skeleton_has_no_date_and_the_pdf(replay_http: httpx.Client,
                                                      entry: Entry) -> None:
    html = replay_http.get(f"{HOST}{entry.path}").text
    article = soup(html).select_one("main#main-content > article")
    assert article.find("time") is None and article.select_one("ul.meta") is None
    assert welsh_date(entry.published) not in norm(soup(html).get_text())
    link = article.select_one("div.file-attachments a")
    assert re.fullmatch(r"/sites/default/files/\d{4}-\d{2}/[^/]+\.pdf", link["href"])
    assert link["href"] == entry.pdf.path
    assert norm(link.get_text()) == norm(entry.extra["pdf_label"])
    assert re.fullmatch(r"PDF, \d+ KB", norm(article.select_one("span.file-size").get_text()))


@pytest.mark.parametrize("entry", DOCUMENTS, ids=ids(DOCUMENTS))
def test_pdf_is_the_english_twins_file(replay_http: httpx.Client, entry: Entry) -> None:
    twin = CATALOGUE.get(entry.pairs_with)
    welsh = replay_http.get(f"{HOST}{entry.pdf.path}")
    english = replay_http.get(f"/careinspectorate.wales{twin.pdf.path}")
    assert welsh.status_code == 200 and welsh.headers["content-type"] == "application/pdf"
    assert welsh.content == english.content


def test_english_body_under_welsh_chrome(replay_http: httpx.Client) -> None:
    entry = CATALOGUE.get("ciw-cy-2021-wrexham-inspection-report")
    page = soup(replay_http.get(f"{HOST}{entry.path}").text)
    assert page.html["lang"] == "cy" and norm(page.h1.get_text()).startswith("Adroddiad")
    body = norm(page.select_one("div.field--name-body").get_text())
    assert body.startswith("This report summarises the findings of our inspections")


# --- the English twin -------------------------------------------------------------------------


@pytest.mark.parametrize("entry", WELSH, ids=ids(WELSH))
def test_page_links_its_english_twin(replay_http: httpx.Client, entry: Entry) -> None:
    twin = CATALOGUE.get(entry.pairs_with)
    page = soup(replay_http.get(f"{HOST}{entry.path}").text)
    switcher = page.select_one('ul.language-switcher-language-url a[hreflang="en"]')
    assert switcher["href"] == twin.url
    assert page.select_one('link[rel="alternate"][hreflang="en"]')["href"] == twin.url
    assert page.select_one('link[rel="alternate"][hreflang="cy"]')["href"] == entry.url


def test_twin_link_waits_for_the_twin() -> None:
    # Only reachable with a catalogue that breaks the publication-order rule: the Welsh page
    # of a day before its twin links the English home page, and nothing in the head.
    early = replace(NEWS_2020, published=CATALOGUE.get(NEWS_2020.pairs_with).published
                    - timedelta(days=1), links_to=None)
    catalogue = replace(CATALOGUE, entries=tuple(early if e.key == early.key else e
                                                 for e in CATALOGUE.entries))
    site = ReplaySite(as_of=early.published, catalogue=catalogue)
    page = soup(site.get(f"{HOST}{early.path}").body)
    assert page.select_one('ul.language-switcher-language-url a[hreflang="en"]')["href"] == (
        "https://careinspectorate.wales/")
    assert page.select_one('link[rel="alternate"]') is None


# --- publication dates, 404s and robots.txt --------------------------------------------------


@pytest.mark.parametrize("entry", WELSH, ids=ids(WELSH))
def test_page_and_pdf_404_before_publication(replay_server: ReplayServer,
                                             replay_http: httpx.Client, entry: Entry) -> None:
    replay_server.set_as_of(entry.published - timedelta(days=1))
    assert replay_http.get(f"{HOST}{entry.path}").status_code == 404
    if entry.pdf is not None:
        assert replay_http.get(f"{HOST}{entry.pdf.path}").status_code == 404
    replay_server.set_as_of(entry.published)
    assert replay_http.get(f"{HOST}{entry.path}").status_code == 200


def test_robots_txt_disallows_nothing_carewatch_fetches(replay_http: httpx.Client) -> None:
    resp = replay_http.get(f"{HOST}/robots.txt")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    disallowed = [line.split(":", 1)[1].strip() for line in resp.text.splitlines()
                  if line.startswith("Disallow:")]
    assert disallowed
    fetched = ["/newyddion", *(e.path for e in WELSH), *(e.pdf.path for e in DOCUMENTS)]
    assert not [p for p in fetched for d in disallowed if p.startswith(d)]


# --- catalogue rules --------------------------------------------------------------------------


@pytest.mark.parametrize("entry", WELSH, ids=ids(WELSH))
def test_catalogue_twin_is_english_and_published_first(entry: Entry) -> None:
    twin = CATALOGUE.get(entry.pairs_with)
    assert twin.source == CIW and twin.kind == entry.kind
    assert entry.published >= twin.published  # tests/flows/test_timeline.py: 4 transitions
    if entry.links_to:
        assert CATALOGUE.get(entry.links_to).pairs_with == twin.links_to


@pytest.mark.parametrize("entry", DOCUMENTS, ids=ids(DOCUMENTS))
def test_catalogue_shared_pdf_is_built_from_the_same_inputs(entry: Entry) -> None:
    """replay/make_pdfs.py rebuilds every entry's file: the twins must agree on every input,
    or it would overwrite the English letter with different bytes."""
    mine, twin = entry, CATALOGUE.get(entry.pairs_with)
    assert mine.pdf is not None and twin.pdf is not None
    fields = ("path", "file", "text", "title", "masthead", "headings")
    assert [getattr(mine.pdf, f) for f in fields] == [getattr(twin.pdf, f) for f in fields]
    assert (mine.letter_date or mine.published) == (twin.letter_date or twin.published)
