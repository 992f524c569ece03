"""Hand-built report records for the pure renderers' tests: the Wrexham timeline as CIW
published it (domain.md §1.2-1.3), with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from report.records import Document, Report, Statement, Unconfirmed, with_changes
from storage.notices import ALERT_UNCONFIRMED, PRIORITY_UNCONFIRMED, Notice, unconfirmed_key
from storage.status import CHILDREN, CONCERN_LEVEL, JUDGEMENT, SCHEME_COP_2019

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 25)
CIW = "https://careinspectorate.wales/"
WREXHAM = "Wrexham"
INADEQUATE = "inadequate with early indicators of improvement"
IMPROVING = "continuing to make improvements"


def document(pid: int, *, when: date = date(2020, 8, 3), url: str | None = None,
             title: str | None = None, source: str = "ciw_la_reports",
             kind: str = "annual_letter", authoritative: bool = True,
             published: date | None = None, letter_date: date | None = None,
             fieldwork: tuple[date | None, date | None] = (None, None),
             event_id: int | None = None, text: str = "") -> Document:
    """A stored publication; by default a CIW letter dated ``when``, published a day later."""
    return Document(
        id=pid, url=url or f"{CIW}letter-{pid}", title=title or f"CIW letter number {pid}",
        source=source, kind=kind,
        published=published or when + timedelta(days=1),
        letter_date=letter_date if letter_date is not None else (
            when if authoritative else None),
        fieldwork_start=fieldwork[0], fieldwork_end=fieldwork[1],
        first_seen=datetime.combine(when + timedelta(days=2), datetime.min.time(), UTC),
        authoritative=authoritative, event_id=event_id if event_id is not None else pid,
        text=text or f"Text of document {pid}.",
    )


def statement(oid: int, value: str, when: date, *, dimension: str = CONCERN_LEVEL,
              service: str = CHILDREN, authority: str = WREXHAM,
              doc: Document | None = None, evidence: str | None = None) -> Statement:
    return Statement(
        observation_id=oid, authority=authority, service=service, dimension=dimension,
        value=value, scheme=SCHEME_COP_2019,
        evidence=evidence or f"The sentence stating {value}.", effective_date=when,
        document=doc or document(100 + oid, when=when),
    )


def wrexham_history() -> list[Statement]:
    """Serious (Jul 2019) -> significant (Aug 2020), then three judgements, the last
    restated once; as the regulator published them."""
    return [
        statement(1, "serious", date(2019, 7, 8)),
        statement(2, "significant", date(2020, 8, 3)),
        statement(3, INADEQUATE, date(2021, 1, 26), dimension=JUDGEMENT),
        statement(4, "continuing to make improvements required", date(2021, 6, 4),
                  dimension=JUDGEMENT),
        statement(5, IMPROVING, date(2021, 12, 14), dimension=JUDGEMENT),
        statement(6, IMPROVING, date(2022, 6, 1), dimension=JUDGEMENT),
    ]


def unconfirmed(claimed: str = "serious", *, recorded: str | None = "significant",
                pid: int = 900, when: date = date(2022, 3, 8),
                closed: datetime | None = None, resolution: str | None = None) -> Unconfirmed:
    url = f"https://www.wrexham.com/news/story-{pid}.html"
    recorded_url = f"{CIW}letter-102"
    notice = Notice(
        key=unconfirmed_key(WREXHAM, CHILDREN, CONCERN_LEVEL, claimed, recorded_url),
        authority=WREXHAM, service=CHILDREN, dimension=CONCERN_LEVEL, old=recorded,
        new=claimed, scheme=SCHEME_COP_2019,
        evidence=f"Councillors were told concerns are now {claimed}.", source="wrexham_com",
        kind="news", title=f"Story {pid} about children's services", url=url, published=when,
        old_stated=date(2020, 8, 3), old_url=recorded_url,
        alert_kind=ALERT_UNCONFIRMED, priority=PRIORITY_UNCONFIRMED,
        old_source="ciw_la_reports",
    )
    return Unconfirmed(key=notice.key, notice=notice,
                       created_at=datetime.combine(when, datetime.min.time(), UTC),
                       document_id=pid, closed_at=closed, resolution=resolution)


def report_of(statements: list[Statement], **fields: object) -> Report:
    return Report(authorities=(WREXHAM,), statements=with_changes(statements),
                  **fields)  # type: ignore[arg-type]
