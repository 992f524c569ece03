"""Fixtures for the report tests: a real migrated SQLite database filled through the
pipeline's own write path (``repo.upsert_publication``, ``events.link``,
``ledger.record_classification``), with classifications built by hand so that what is
under test is the report, not the classifier."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from scrapers.base import Attachment, Publication
from storage import events, ledger, models, repo
from storage.classify import Classification, DocumentDates, ServiceStatus
from storage.db import make_engine, make_session_factory, migrate
from storage.status import (
    CHILDREN,
    KIND_ANNUAL_LETTER,
    KIND_MONITORING_LETTER,
    KIND_NEWS,
    KIND_OTHER,
    KIND_WARNING_NOTICE,
    SCHEME_PART_8,
    WHOLE,
)

CIW = "https://careinspectorate.wales/"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'carewatch.db'}")
    migrate(engine)
    yield make_session_factory(engine)
    engine.dispose()


def said(*, concern: str | None = None, judgement: str | None = None,
         intervention: str | None = None, confidence: float = 1.0,
         service: str = CHILDREN) -> ServiceStatus:
    stated = concern or judgement or intervention
    return ServiceStatus(service=service, concern_level=concern, judgement=judgement,
                         intervention=intervention, evidence=f"The sentence stating {stated}.",
                         confidence=confidence,
                         scheme=SCHEME_PART_8 if intervention else "cop_2019")


@dataclass
class Ledger:
    """Stores publications and records what they state, as a poll would."""

    session: Session
    rows: dict[str, models.Publication] = field(default_factory=dict)

    def add(self, name: str, url: str, *statuses: ServiceStatus, when: date,
            authority: str | None = "Wrexham", kind: str = KIND_ANNUAL_LETTER,
            authoritative: bool = True, relevant: bool = True, source: str | None = None,
            same_event_as: str | None = None, text: str = "",
            attachment: str | None = None) -> models.Publication:
        pub = Publication(
            source=source or ("ciw_la_reports" if authoritative else "wrexham_com"),
            url=url, kind=kind if authoritative else "article", title=f"{name} title",
            text=text or f"Text of {name}.", published=when + timedelta(days=1),
            letter_date=when if authoritative else None,
            attachments=(Attachment(url=url + ".pdf", content_type="application/pdf",
                                    sha256="a" * 64, size=len(attachment), text=attachment),)
            if attachment else (),
        )
        row, _ = repo.upsert_publication(self.session, pub, authoritative=authoritative,
                                         now=NOW)
        keys = {"url:" + (self.rows[same_event_as].url if same_event_as else url)}
        events.link(self.session, row, keys)
        found = Classification(
            relevant=relevant, authority=authority, authoritative=authoritative, kind=kind,
            statuses={s.service: s for s in statuses},
            dates=DocumentDates(letter=pub.letter_date), confidence=min(
                (s.confidence for s in statuses), default=1.0), reasons=("by hand",))
        ledger.record_classification(self.session, row, found,
                                     watches=lambda a: a == "Wrexham", quiet=False, now=NOW)
        self.rows[name] = row
        return row


INADEQUATE = "inadequate with early indicators of improvement"
IMPROVING = "continuing to make improvements"


@pytest.fixture
def recorded(sessions: sessionmaker[Session]) -> Iterator[Ledger]:
    """Wrexham 2019-2022 as the regulator, the council and the press published it, plus a
    Powys warning notice and an irrelevant Audit Wales item; committed, so other
    connections (the CLI) see it.  A test that adds more commits it itself."""
    with sessions() as session:
        book = Ledger(session)
        book.add("audit", "https://audit.wales/news/leisure", when=date(2018, 5, 10),
                 relevant=False, authority=None, kind=KIND_OTHER, source="audit_wales")
        book.add("letter2019", CIW + "letter-2019", said(concern="serious"),
                 when=date(2019, 7, 8))
        book.add("letter2020", CIW + "letter-2020", said(concern="significant"),
                 when=date(2020, 8, 3), text="Dear Director, concerns have escalated.",
                 attachment="PDF: escalated from serious to significant.")
        book.add("welsh2020", "https://arolygiaethgofal.cymru/llythyr-2020",
                 said(concern="significant"), when=date(2020, 8, 3), source="ciw_welsh",
                 same_event_as="letter2020")
        book.add("monitoring2021", CIW + "monitoring-2021", said(judgement=IMPROVING),
                 when=date(2021, 12, 14), kind=KIND_MONITORING_LETTER)
        book.add("press2022", "https://wrexham.com/news/eased-1.html",
                 said(concern="serious"), when=date(2022, 3, 8), authoritative=False,
                 kind=KIND_NEWS)
        book.add("hedged2022", "https://news.wrexham.gov.uk/hedged",
                 said(concern="serious", confidence=0.5), when=date(2022, 6, 1),
                 authoritative=False, kind=KIND_NEWS, source="wrexham_news_rss")
        book.add("monitoring2022", CIW + "monitoring-2022", said(judgement=IMPROVING),
                 when=date(2022, 9, 1), kind=KIND_MONITORING_LETTER)
        book.add("powys2017", "https://gov.wales/written-statement-powys",
                 said(intervention="warning_notice", service=WHOLE), when=date(2017, 10, 17),
                 authority="Powys", kind=KIND_WARNING_NOTICE, source="gov_wales_statements")
        session.commit()
        yield book


# --- the whole replay timeline, really polled (browser tests) ------------------------------

PRESS_STORY = """Concerns about children's services have eased, councillors told

Posted: Tue 8th Mar 2022

Care Inspectorate Wales (CIW) has reduced its concerns from significant to serious in \
relation to Wrexham County Borough Council's children's services, members of the \
safeguarding scrutiny committee heard this week.

The lead member said the department had worked hard since 2020, and that more remained to \
be done.
"""
PRESS_URL = "https://wrexham.com/news/concerns-eased-councillors-told-214001.html"


@dataclass
class Replayed:
    """A database built by polling the bundled replay site through its whole timeline
    (2019-2024, as ``tests/flows/test_timeline.py`` does), plus one press story whose claim
    the regulator never made (an unconfirmed report)."""

    url: str  # the database
    sessions: sessionmaker[Session]
    workdir: Path
    seconds: float


@pytest.fixture(scope="session")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replayed]:
    import time

    from prefect.testing.utilities import prefect_test_harness

    from flows.database import close_databases, open_database
    from flows.demo import BEFORE, demo_environment, new_webhook_secret
    from flows.poll import poll
    from replay.server import ReplayServer
    from replay.sinks import SmtpSink, WebhookReceiver
    from replay.timeline import STEPS

    workdir = tmp_path_factory.mktemp("replayed")
    secret = new_webhook_secret()
    started = time.perf_counter()
    with (prefect_test_harness(server_startup_timeout=120), ReplayServer(as_of=BEFORE) as site,
          SmtpSink() as smtp, WebhookReceiver(secret) as hook, pytest.MonkeyPatch.context() as mp):
        for key, value in demo_environment(workdir, site.url, smtp, hook, secret).items():
            mp.setenv(key, value)
        for name, when in sorted(STEPS.items(), key=lambda item: item[1]):
            site.set_as_of(when)
            report = poll()
            assert report.ok, (name, report.sources)
        url = f"sqlite:///{workdir / 'carewatch.db'}"
        sessions = open_database(url)
        story = Publication(source="wrexham_com", kind="news", url=PRESS_URL,
                            title="Concerns about children's services have eased, councillors "
                            "told", text=PRESS_STORY, published=date(2022, 3, 8))
        with sessions.begin() as session:
            row, _ = repo.upsert_publication(session, story, authoritative=False, now=NOW)
            notices = ledger.record_status(session, row, story, watches=lambda a: a == "Wrexham",
                                           quiet=False, now=NOW)
        assert [(n.alert_kind, n.new) for n in notices] == [("unconfirmed_report", "serious")]
        seconds = time.perf_counter() - started
    yield Replayed(url, sessions, workdir, seconds)
    close_databases()
