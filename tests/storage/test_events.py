"""One publication event seen in several places counts once and cites its best source.

The documents are the replay site's real letter text (the 3 Aug 2020 Wrexham letter) carried
by the routes issue 5 names: the CIW page, a council committee paper with the identical PDF,
the Welsh twin, and press stories.  Classification is the real classifier's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scrapers.base import Attachment, Publication
from storage import events, ledger, models, repo
from storage.status import CHILDREN, CONCERN_LEVEL, WREXHAM

LETTERS = Path(__file__).resolve().parents[2] / "replay" / "content" / "letters"
LETTER = (LETTERS / "wrexham-annual-letter-2019-20.txt").read_text(encoding="utf-8")
CIW_PAGE = "https://careinspectorate.wales/annual-performance-review-letter-wrexham-2019-20"
CIW_NEWS = "https://careinspectorate.wales/200804-annual-performance-review-letter-wrexham"
CIW_PDF = "https://careinspectorate.wales/sites/default/files/2020-08/wrexham-letter-en.pdf"
PAPER = "https://moderngov.wrexham.gov.uk/mgAi.aspx?ID=9001"
PAPER_PDF = "https://moderngov.wrexham.gov.uk/documents/s9001/CIW%20letter.pdf"
WELSH = "https://arolygiaethgofal.cymru/llythyr-adolygu-perfformiad-blynyddol-wrecsam"
STORY = "https://wrexham.com/news/inspectors-raise-significant-concerns-190667.html"
PDF_SHA = "5" * 64
RANKS = {"ciw_la_reports": 0, "ciw_welsh": 0, "wrexham_moderngov": 3, "wrexham_com": 5}
SERIOUS_2019 = (
    "Date: 8 July 2019\nDear Director,\nAnnual performance review letter 2018-19: Wrexham "
    "County Borough Council.\nCare Inspectorate Wales (CIW) has serious concerns about "
    "children's services.  The level of concern is serious.  Our inspection found delays.\n"
    "Yours sincerely, Lou Bushell-Bauers, Head of Local Authority Inspection, CIW"
)


def _pdf(url: str, text: str = LETTER, sha: str = PDF_SHA) -> Attachment:
    return Attachment(url=url, content_type="application/pdf", sha256=sha, size=len(text),
                      text=text)


def ciw_letter(**changes: object) -> Publication:
    base = Publication(
        source="ciw_la_reports", url=CIW_PAGE, kind="letter",
        title="Annual performance review letter 2019-20: Wrexham County Borough Council",
        text="Our annual performance review letter for Wrexham County Borough Council.",
        published=date(2020, 8, 4), aliases=(CIW_NEWS,), attachments=(_pdf(CIW_PDF),),
    )
    return _with(base, changes)


def council_paper(**changes: object) -> Publication:
    base = Publication(
        source="wrexham_moderngov", url=PAPER, kind="agenda_item",
        title="Care Inspectorate Wales - Annual Performance Review Letter 2019-20",
        text="Lifelong Learning Scrutiny Committee, 14 September 2020.  To note the letter.",
        published=date(2020, 9, 14), attachments=(_pdf(PAPER_PDF),),
    )
    return _with(base, changes)


def welsh_twin(**changes: object) -> Publication:
    base = Publication(
        source="ciw_welsh", url=WELSH, kind="letter", language="cy",
        title="Llythyr adolygu perfformiad blynyddol 2019-20: Cyngor Bwrdeistref Sirol Wrecsam",
        text="Ein llythyr adolygu perfformiad blynyddol ar gyfer Cyngor Wrecsam.",
        published=date(2020, 8, 6), related=(CIW_PAGE,),
    )
    return _with(base, changes)


def story(url: str = STORY, published: date = date(2020, 8, 4)) -> Publication:
    return Publication(
        source="wrexham_com", url=url, kind="article",
        title="Inspectors raise significant concerns over children's social services",
        text=("Care Inspectorate Wales has raised significant concerns about the performance "
              "of Wrexham Council's children's social services in its annual letter to the "
              "council.\n\nThe watchdog previously said it had 'serious' reservations about "
              "the service, but has now escalated that status. In a letter dated 3 August 2020 "
              "the inspectorate says its concerns about children's services have escalated "
              "from serious to significant."),
        published=published,
    )


def _with(pub: Publication, changes: dict[str, object]) -> Publication:
    from dataclasses import replace

    return replace(pub, **changes)  # type: ignore[arg-type]


@pytest.fixture
def store(session: Session, now: datetime):
    """Store a publication as the poll flow does; returns (row, notices)."""
    clock = [now]

    def run(pub: Publication, *, authoritative: bool, quiet: bool = False):
        clock[0] += timedelta(minutes=1)
        row, _ = repo.upsert_publication(session, pub, authoritative=authoritative,
                                         now=clock[0])
        found = ledger.record_status(session, row, pub, watches=lambda a: a == WREXHAM,
                                     quiet=quiet, now=clock[0], rank=RANKS.__getitem__)
        session.flush()
        return row, found

    return run


def _concern_observations(session: Session) -> int:
    o = models.Observation
    return session.scalar(select(func.count()).select_from(o).where(
        o.authority == WREXHAM, o.service == CHILDREN, o.dimension == CONCERN_LEVEL)) or 0


def _alerts(session: Session) -> list[models.Alert]:
    return list(session.scalars(select(models.Alert).order_by(models.Alert.id)))


def _baseline_serious(store) -> None:
    store(Publication(source="ciw_la_reports", url="https://careinspectorate.wales/letter-2019",
                      kind="letter", title="Annual performance review letter 2018-19",
                      text=SERIOUS_2019, published=date(2019, 7, 10)),
          authoritative=True, quiet=True)


# --- pure keys -------------------------------------------------------------------------------


def test_event_keys_cover_urls_related_files_and_the_letter() -> None:
    pub = welsh_twin(attachments=(_pdf(CIW_PDF),), aliases=("https://arolygiaethgofal.cymru/n",))
    keys = events.event_keys(pub, {"authoritative": True, "authority": WREXHAM,
                                   "kind": "annual_letter", "dates": {"letter": "2020-08-03"}})
    assert keys == {
        f"url:{WELSH}", "url:https://arolygiaethgofal.cymru/n", f"url:{CIW_PAGE}",
        f"sha256:{PDF_SHA}", "letter:Wrexham|annual_letter|2020-08-03",
    }


def test_a_failed_or_empty_attachment_joins_nothing() -> None:
    broken = Attachment(url=CIW_PDF, content_type="application/pdf", sha256=PDF_SHA, size=10,
                        text="", error="not a PDF")
    empty = Attachment(url=PAPER_PDF, content_type="application/pdf", sha256="0" * 64, size=0,
                       text="")
    keys = events.event_keys(council_paper(attachments=(broken, empty)), None)
    assert keys == {f"url:{PAPER}"}


@pytest.mark.parametrize("found", [
    {"authoritative": False, "authority": WREXHAM, "kind": "annual_letter",
     "dates": {"letter": "2020-08-03"}},  # a paraphrase is not the letter
    {"authoritative": True, "authority": WREXHAM, "kind": "news",
     "dates": {"letter": "2020-08-03"}},
    {"authoritative": True, "authority": None, "kind": "annual_letter",
     "dates": {"letter": "2020-08-03"}},
    {"authoritative": True, "authority": WREXHAM, "kind": "annual_letter",
     "dates": {"letter": None}},
    None,
])
def test_letter_key_only_for_a_dated_regulator_letter(found) -> None:
    assert events.letter_key(found) is None


def test_report_window() -> None:
    letter = date(2020, 8, 4)
    assert events.is_report_of(letter, letter)
    assert events.is_report_of(letter + events.REPORT_WINDOW, letter)
    assert not events.is_report_of(letter + events.REPORT_WINDOW + timedelta(days=1), letter)
    assert not events.is_report_of(letter - timedelta(days=1), letter)
    assert not events.is_report_of(None, letter)


# --- one event, counted once ------------------------------------------------------------------


def test_council_paper_with_the_same_pdf_joins_the_letter_and_adds_nothing(session, store):
    _baseline_serious(store)
    letter, first = store(ciw_letter(), authoritative=True)
    paper, second = store(council_paper(), authoritative=False)
    assert [(n.old, n.new) for n in first] == [("serious", "significant")]
    assert second == []
    assert paper.event_id == letter.event_id == letter.id
    assert _concern_observations(session) == 2  # 2019's serious, and the letter once
    assert len(_alerts(session)) == 1


def test_council_paper_first_alerts_once_and_the_regulator_page_joins_later(session, store):
    """ModernGov often carries the first public copy of a letter: it alerts (the text is
    the regulator's), and the CIW page published later is the same event, never a second
    alert."""
    _baseline_serious(store)
    paper, first = store(council_paper(published=date(2020, 8, 3)), authoritative=False)
    letter, second = store(ciw_letter(), authoritative=True)
    assert [(n.old, n.new, n.url) for n in first] == [("serious", "significant", PAPER)]
    assert second == []
    assert letter.event_id == paper.event_id
    assert events.best(session, paper, RANKS.__getitem__).url == CIW_PAGE
    assert len(_alerts(session)) == 1


def test_alert_cites_the_regulator_page_when_another_member_carries_the_words(session, store):
    """The CIW page was stored first but its PDF failed to extract; the council paper with
    the same letter (joined by the letter's own key: same authority, kind and date) gives
    the reading, and the alert cites the regulator's page."""
    _baseline_serious(store)
    broken = Attachment(url=CIW_PDF, content_type="application/pdf", sha256="b" * 64,
                        size=9, text="", error="corrupt PDF")
    letter, nothing = store(ciw_letter(attachments=(broken,),
                                       related=(PAPER,)), authoritative=True)
    assert nothing == []
    paper, found = store(council_paper(), authoritative=False)
    assert paper.event_id == letter.event_id
    assert [(n.new, n.url, n.source) for n in found] == [
        ("significant", CIW_PAGE, "ciw_la_reports")]


def test_welsh_twin_is_the_same_event_whichever_comes_first(session, store):
    _baseline_serious(store)
    twin, first = store(welsh_twin(attachments=(_pdf(CIW_PDF),)), authoritative=True)
    letter, second = store(ciw_letter(), authoritative=True)
    assert twin.event_id == letter.event_id
    assert len(first) + len(second) == 1  # the (bilingual) letter counted once
    assert _concern_observations(session) == 2


def test_welsh_twin_joins_by_its_language_link_alone(session, store):
    letter, _ = store(ciw_letter(), authoritative=True, quiet=True)
    twin, _ = store(welsh_twin(), authoritative=True)
    assert twin.event_id == letter.id
    assert twin.language == "cy"
    assert {m.url for m in events.members(session, letter.event_id)} == {CIW_PAGE, WELSH}


def test_press_story_reporting_the_letter_joins_its_event(session, store):
    _baseline_serious(store)
    letter, _ = store(ciw_letter(), authoritative=True)
    same_day, notices = store(story(), authoritative=False)
    assert notices == []
    assert same_day.event_id == letter.event_id
    assert _concern_observations(session) == 2  # the story's claim is the letter's: once


def test_press_recap_a_year_later_is_its_own_event(session, store):
    _baseline_serious(store)
    letter, _ = store(ciw_letter(), authoritative=True)
    recap, _ = store(story("https://wrexham.com/news/recap-200001.html", date(2021, 9, 1)),
                     authoritative=False)
    assert recap.event_id == recap.id != letter.event_id


def test_a_page_linking_two_events_merges_them_into_the_older(session, store):
    letter, _ = store(ciw_letter(), authoritative=True, quiet=True)
    paper, _ = store(council_paper(attachments=()), authoritative=False, quiet=True)
    assert paper.event_id == paper.id  # nothing shared yet
    twin, _ = store(welsh_twin(related=(CIW_PAGE, PAPER)), authoritative=True, quiet=True)
    session.refresh(paper)
    assert letter.event_id == paper.event_id == twin.event_id == letter.id


def test_unrelated_letters_stay_apart(session, store):
    letter, _ = store(ciw_letter(), authoritative=True, quiet=True)
    other, _ = store(Publication(
        source="ciw_la_reports", url="https://careinspectorate.wales/bridgend-letter",
        kind="letter", title="Annual performance review letter 2019-20: Bridgend",
        text="Bridgend County Borough Council annual letter.", published=date(2020, 8, 3),
        attachments=(_pdf("https://careinspectorate.wales/b.pdf", "Bridgend letter",
                          "c" * 64),)), authoritative=True, quiet=True)
    assert other.event_id == other.id != letter.event_id


def test_history_shows_one_event_with_its_other_places(session, store):
    _baseline_serious(store)
    store(ciw_letter(), authoritative=True)
    store(council_paper(), authoritative=False)
    store(welsh_twin(), authoritative=True)
    entries = [e for e in repo.history(session, WREXHAM) if e.date and e.date.year == 2020]
    assert [(e.url, e.observation is not None) for e in entries] == [(CIW_PAGE, True)]
    assert set(entries[0].also) == {f"wrexham_moderngov {PAPER}", f"ciw_welsh {WELSH}"}
