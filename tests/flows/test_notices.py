"""An unconfirmed report travels the same outbox as a status change (issue 4): recorded by
the pipeline's own functions from a press story, delivered by the `deliver` flow to the real
SMTP server and webhook receiver, rendered as an unconfirmed report on both, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flows.deliver import deliver
from flows.demo import AFTER
from flows.poll import poll
from scrapers.base import Publication
from storage import ledger, repo

PRESS = """Councillors told children's services concerns have eased

Posted: Tue 8th Mar 2022

Care Inspectorate Wales (CIW) has reduced its concerns from significant to serious in relation \
to Wrexham County Borough Council's children's services, councillors on the safeguarding \
scrutiny committee were told this week.

The lead member said the department had worked hard since 2020, and that more remained to be \
done.
"""


def _story(n: int) -> Publication:
    return Publication(
        source="wrexham_com", kind="news", text=PRESS, published=date(2022, 3, 8 + n),
        url=f"https://www.wrexham.com/news/councillors-told-concerns-eased-21234{n}.html",
        title="Councillors told children's services concerns have eased",
    )


def _record(pipeline, pub: Publication) -> list:
    now = datetime(2022, 3, 9, 9, 0, tzinfo=UTC)
    with pipeline.sessions().begin() as session:
        row, _ = repo.upsert_publication(session, pub, authoritative=False, now=now)
        return ledger.record_status(session, row, pub, watches=lambda a: a == "Wrexham",
                                    quiet=False, now=now)


def test_unconfirmed_report_is_delivered_once_as_such(pipeline):
    pipeline.site.set_as_of(AFTER)
    assert poll().ok  # quiet baseline: CIW's "significant" (3 Aug 2020) is recorded

    (notice,) = _record(pipeline, _story(0))
    assert (notice.alert_kind, notice.old, notice.new) == (
        "unconfirmed_report", "significant", "serious")
    assert _record(pipeline, _story(1)) == []  # a second story with the same claim

    report = deliver()
    assert sorted(channel for _, channel in report.sent) == ["email", "webhook"]
    [mail] = pipeline.smtp.messages
    assert mail["Subject"] == (
        "Unconfirmed: Wrexham children's services: significant → serious concern, says "
        "wrexham.com"
    )
    text = mail.get_body(("plain",)).get_content()
    assert "This is not a change of status." in text
    [hook] = pipeline.hook.received
    assert hook.verified and hook.id == notice.key
    assert hook.payload["type"] == "status.unconfirmed_report"
    assert (hook.payload["data"]["alert_kind"], hook.payload["data"]["priority"]) == (
        "unconfirmed_report", 1)

    assert deliver().sent == []
    with pipeline.sessions()() as session:
        (still_open,) = repo.open_unconfirmed(session)
        assert [r.value for r in repo.current_status(session, "Wrexham")
                if r.dimension == "concern_level"] == ["significant"]
    assert still_open.key == notice.key
