"""The digest (issue 6): one email per period to CAREWATCH_DIGEST_TO, through the outbox, once
per day or week, never to the status channels or the webhook, each starting where the
previous one ended.  Real replay site, real SMTP server, real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.demo import AFTER
from flows.digest import digest
from flows.poll import poll
from replay.sinks import SmtpSink
from storage import digests, models

DIGEST_TO = "editor@localhost"


def _digests(pipeline):
    return [r for r in pipeline.smtp.received if DIGEST_TO in r.rcpt_tos]


def _escalate(pipeline):
    poll(sources=["ciw_la_reports"])  # quiet baseline
    pipeline.site.set_as_of(AFTER)
    report = poll(sources=["ciw_la_reports"])
    assert len(report.transitions) == 1


def test_weekly_digest_says_what_changed_and_where_services_stand(pipeline, monkeypatch):
    monkeypatch.setenv("CAREWATCH_DIGEST_TO", DIGEST_TO)
    _escalate(pipeline)
    status_mail = [r for r in pipeline.smtp.received if "newsdesk@localhost" in r.rcpt_tos]
    hooks = len(pipeline.hook.received)

    report = digest(period="week")
    assert report.enqueued and report.delivery is not None
    [mail] = _digests(pipeline)
    assert mail.rcpt_tos == (DIGEST_TO,)
    subject = str(mail.message["Subject"]).strip()
    assert subject.startswith("carewatch weekly digest to ") and "1 status change" in subject
    assert len(subject) < 90
    text = mail.message.get_body(("plain",)).get_content()
    change = status_mail[-1].message["Subject"]
    assert change in text  # the change, worded as its own alert was
    assert "Where each service stands" in text and "significant" in text
    assert "last stated 3 Aug 2020" in text
    html = mail.message.get_body(("html",)).get_content()
    assert '<a href="https://careinspectorate.wales/' in html
    # the status channels and the webhook never get a digest
    assert len(pipeline.hook.received) == hooks
    assert all(DIGEST_TO not in r.rcpt_tos for r in status_mail)

    again = digest(period="week")  # same ISO week: nothing more
    assert not again.enqueued and "already sent" in again.reason
    assert len(_digests(pipeline)) == 1


def test_next_digest_starts_where_the_previous_ended(pipeline, monkeypatch):
    monkeypatch.setenv("CAREWATCH_DIGEST_TO", DIGEST_TO)
    _escalate(pipeline)
    first = digest(period="day").digest
    assert first is not None and first.changes
    later = datetime.now(UTC) + timedelta(days=1)
    second = digest(period="day", now=later)
    assert second.enqueued and second.digest is not None
    assert second.digest.start == first.end
    assert second.digest.changes == () and second.digest.total_publications == 0
    assert second.digest.status  # where things stand is always said
    [_, mail] = _digests(pipeline)
    text = mail.message.get_body(("plain",)).get_content()
    assert "Status changes\n  - None in this period." in text
    with pipeline.sessions()() as session:
        rows = session.query(models.Alert).filter_by(kind=digests.ALERT_DIGEST).all()
    assert len(rows) == 2


def test_digest_only_readers_get_no_email_per_event(pipeline, monkeypatch):
    monkeypatch.setenv("CAREWATCH_DIGEST_TO", DIGEST_TO)
    monkeypatch.setenv("CAREWATCH_SMTP_TO", "")
    _escalate(pipeline)
    assert pipeline.smtp.received == []  # the change went by webhook only
    assert digest(period="week").enqueued
    assert [r.rcpt_tos for r in pipeline.smtp.received] == [(DIGEST_TO,)]


def test_without_recipients_nothing_is_queued(pipeline):
    _escalate(pipeline)
    report = digest(period="week")
    assert report.digest is None and "CAREWATCH_DIGEST_TO" in report.reason
    with pipeline.sessions()() as session:
        assert session.query(models.Alert).filter_by(kind=digests.ALERT_DIGEST).count() == 0


def test_a_digest_the_mail_server_refused_is_retried_by_deliver(pipeline, monkeypatch):
    from flows.deliver import deliver

    monkeypatch.setenv("CAREWATCH_DIGEST_TO", DIGEST_TO)
    _escalate(pipeline)
    pipeline.smtp.stop()
    report = digest(period="week")
    assert report.enqueued and report.delivery is not None and report.delivery.failed
    with SmtpSink() as back:  # the server is back (on a new port: a sink cannot restart)
        monkeypatch.setenv("CAREWATCH_SMTP_PORT", str(back.port))
        deliver(now=datetime.now(UTC) + timedelta(minutes=10))
        assert [r.rcpt_tos for r in back.received if DIGEST_TO in r.rcpt_tos] == [(DIGEST_TO,)]
        deliver(now=datetime.now(UTC) + timedelta(hours=10))
        assert len([r for r in back.received if DIGEST_TO in r.rcpt_tos]) == 1
