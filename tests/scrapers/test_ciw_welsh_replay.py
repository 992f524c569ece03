"""ciw_welsh against the replay site: crawl() over HTTP along the timeline, the records paired
with the English twins the catalogue names, and the Welsh records never reading differently
from their twins (so the timeline's four status changes stay the English pages' own).

Expectations come from the catalogue (titles, dates, twins, body language), not from the
parser under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from replay.server import ReplayServer, ReplaySite
from replay.timeline import CIW, CIW_CY, STEPS, Entry, default_catalogue
from scrapers import ciw_la_reports as ciw
from scrapers import ciw_welsh as cy
from scrapers.base import Fetched, Publication
from storage.classify import classify_document

BASE = "https://arolygiaethgofal.cymru"
CATALOGUE = default_catalogue()
LATEST = STEPS["latest"]


def expected(as_of: date) -> dict[str, tuple]:
    """url -> (title, published, letter date, fieldwork, aliases, related, language)."""
    out = {}
    for news in CATALOGUE.visible(as_of, source=CIW_CY, kinds=["news"]):
        twin_news = CATALOGUE.get(news.pairs_with).url
        if news.links_to is None:
            out[news.url] = (news.title, news.published, None, (None, None), (), (twin_news,),
                             news.extra.get("body_language", "cy"))
            continue
        doc = CATALOGUE.get(news.links_to)
        out[doc.url] = (doc.title, news.published, doc.letter_date,
                        (doc.fieldwork_start, doc.fieldwork_end), (news.url,),
                        (CATALOGUE.get(doc.pairs_with).url, twin_news),
                        doc.extra.get("body_language", "cy"))
    return out


def summary(p: Publication) -> tuple:
    return (p.title, p.published, p.letter_date, (p.fieldwork_start, p.fieldwork_end), p.aliases,
            p.related, p.language)


def test_replay_crawl_follows_the_timeline(replay_client, memory_store) -> None:
    before = STEPS["after-2023-improvement-check"]  # the English letter is out, the Welsh not
    with ReplayServer(as_of=before) as server:
        client = replay_client(server)
        first = cy.crawl(client.fetch, memory_store.is_known, base_url=BASE)
        assert first.errors == ()
        assert {p.url: summary(p) for p in first.publications} == expected(before)
        assert [p.published for p in first.publications] == sorted(
            p.published for p in first.publications)  # oldest first
        assert all(p.source == "ciw_welsh" for p in first.publications)
        assert all(a.error is None and a.text for p in first.publications for a in p.attachments)
        listings = [r.path for r in server.requests if "/newyddion" in r.path]
        assert listings == ["/arolygiaethgofal.cymru/newyddion",
                            "/arolygiaethgofal.cymru/newyddion?page=1"]
        memory_store.add(first)

        # a routine poll with nothing new: one listing page, no document
        server.clear_requests()
        assert cy.crawl(client.fetch, memory_store.is_known, base_url=BASE).publications == ()
        assert [r.path for r in server.requests] == ["/arolygiaethgofal.cymru/newyddion"]

        # the next step publishes the improvement check letter's Welsh twin, 5 days after it
        server.set_as_of(STEPS["after-director-report"])
        server.clear_requests()
        (letter,) = cy.crawl(client.fetch, memory_store.is_known, base_url=BASE).publications
        assert letter.url == (f"{BASE}/llythyr-gwiriad-gwella-awdurdod-lleol-cyngor-bwrdeistref-"
                              "sirol-wrecsam-gwasanaethau-oedolion-phlant")
        assert letter.kind == "improvement_check" and letter.language == "cy"
        assert letter.published == date(2024, 1, 15)
        assert (letter.letter_date, letter.fieldwork_start, letter.fieldwork_end) == (
            date(2024, 1, 8), date(2023, 10, 24), date(2023, 11, 2))
        assert letter.related == (
            "https://careinspectorate.wales/local-authority-improvement-check-letter-wrexham-"
            "county-borough-council-adult-and-childrens",
            "https://careinspectorate.wales/240110-improvements-found-further-action-needed-"
            "improve-wrexham-county-borough-council-adult-and-childrens")
        # page 0 had a new entry, so page 1 was read too; it was all known: stop there
        assert [r.path for r in server.requests if "/newyddion" in r.path] == [
            "/arolygiaethgofal.cymru/newyddion", "/arolygiaethgofal.cymru/newyddion?page=1"]


def test_replay_crawl_backfills_the_whole_listing(replay_client, memory_store) -> None:
    with ReplayServer(as_of=LATEST) as server:
        result = cy.crawl(replay_client(server).fetch, memory_store.is_known, base_url=BASE)
    assert result.errors == ()
    assert result.found == len(CATALOGUE.visible(LATEST, source=CIW_CY, kinds=["news"]))
    assert {p.url: summary(p) for p in result.publications} == expected(LATEST)


# --- the twins, read by the same code as the pipeline -------------------------------------


def site_fetch(site: ReplaySite):
    def fetch(url: str) -> Fetched:
        response = site.get(f"/{url.split('://', 1)[1]}")
        assert response.status == 200, url
        return Fetched(url, 200, response.body, response.content_type)
    return fetch


@pytest.fixture(scope="module")
def both() -> tuple[tuple[Publication, ...], dict[str, Publication]]:
    """Every Welsh publication at the end of the timeline, and the English ones by URL."""
    fetch = site_fetch(ReplaySite(as_of=LATEST))
    welsh = cy.crawl(fetch, lambda url: False, base_url=BASE)
    english = ciw.crawl(fetch, lambda url: False, base_url="https://careinspectorate.wales")
    assert welsh.errors == english.errors == ()
    return welsh.publications, {p.url: p for p in english.publications}


def test_replay_every_welsh_record_names_an_english_record(both) -> None:
    welsh, english = both
    for publication in welsh:
        assert publication.related and publication.related[0] in english, publication.url


def test_replay_welsh_pdf_is_the_english_twins_file(both) -> None:
    welsh, english = both
    with_pdf = [p for p in welsh if p.attachments]
    assert len(with_pdf) == sum(1 for e in CATALOGUE.entries if e.source == CIW_CY and e.pdf)
    for publication in with_pdf:
        twin = english[publication.related[0]]
        assert [a.sha256 for a in publication.attachments] == [a.sha256 for a in twin.attachments]
        assert publication.letter_date == twin.letter_date
        assert (publication.fieldwork_start, publication.fieldwork_end) == (
            twin.fieldwork_start, twin.fieldwork_end)


def readings(publication: Publication) -> set[tuple[str, str, str, str]]:
    """What the ledger would record from ``publication`` (storage.ledger.record_status)."""
    classification = classify_document(
        publication.full_text, title=publication.title, url=publication.url,
        source_authoritative=True, published=publication.published,
    )
    return {(r.authority, r.service, r.dimension, r.value) for r in classification.readings()}


def test_replay_welsh_records_read_as_their_twins_or_not_at_all(both) -> None:
    """The timeline's guard: a Welsh page states nothing its English twin does not, and one
    carrying the twin's PDF states exactly what the twin does (a restatement, never an alert)."""
    welsh, english = both
    for publication in welsh:
        mine, theirs = readings(publication), readings(english[publication.related[0]])
        assert mine <= theirs, publication.url
        if publication.attachments:
            assert mine == theirs, publication.url
    assert any(readings(p) for p in welsh)  # the letters do state something


@pytest.mark.parametrize("entry", [e for e in CATALOGUE.entries
                                   if e.source == CIW_CY and e.pairs_with],
                         ids=lambda e: e.key)
def test_catalogue_welsh_twin_is_never_published_first(entry: Entry) -> None:
    twin = CATALOGUE.get(entry.pairs_with)
    assert twin.source == CIW
    assert entry.published >= twin.published
