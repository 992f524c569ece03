"""Source health end to end (issue 5): a failing source alerts operations once, a repeat
failure sends nothing, recovery alerts once, a redesigned listing alerts at once, and with
operations targets configured the two kinds of alert never cross."""

from __future__ import annotations

import re

import pytest

from flows.demo import AFTER
from flows.poll import poll as poll_all
from replay.sinks import WebhookReceiver
from replay.timeline import STEPS
from scrapers.registry import SOURCES
from storage import repo
from storage.health import EMPTY_LISTING, FAILING, HEALTHY

COUNCIL_FEED = r"^/news\.wrexham\.gov\.uk/"
CIW_NEWS = r"^/careinspectorate\.wales/news"
REDESIGNED = (b"<!DOCTYPE html><html><body><main id='main-content'><h1>News</h1>"
              b"<div class='redesigned-list'><a href='/x'>Item</a></div></main></body></html>")


def poll(**options):
    """Poll the two original sources only: sources being added alongside (issue 5) must not
    change these counts."""
    return poll_all(sources=["ciw_la_reports", "wrexham_news_rss"], **options)


def _health_mail(pipeline):
    return [m for m in pipeline.smtp.messages if m["Subject"].startswith("carewatch: source")]


def _health_hooks(receiver):
    return [h for h in receiver.received if h.payload.get("type") == "source.health"]


def _state(pipeline, source):
    with pipeline.sessions()() as session:
        return repo.get_health(session, source)


def test_failing_source_alerts_once_then_recovers_once(pipeline):
    pipeline.site.inject(COUNCIL_FEED, status=500)
    for _ in range(2):
        report = poll()
        assert report.health_alerts == []
    assert _health_mail(pipeline) == [] and _health_hooks(pipeline.hook) == []

    third = poll()  # the third failure in a row (the first was the quiet baseline)
    [alert] = third.health_alerts
    assert (alert.source, alert.problem, alert.recovered, alert.runs) == (
        "wrexham_news_rss", FAILING, False, 3)
    [mail] = _health_mail(pipeline)
    assert mail["Subject"].startswith("carewatch: source wrexham_news_rss failing since ")
    assert "(3 runs)" in mail["Subject"] and "500" in mail["Subject"]
    [hook] = _health_hooks(pipeline.hook)
    assert hook.verified and hook.id == alert.key
    assert hook.payload["data"]["problem"] == FAILING
    assert _state(pipeline, "wrexham_news_rss").state == FAILING

    fourth = poll()
    assert fourth.health_alerts == []
    assert len(_health_mail(pipeline)) == 1 and len(_health_hooks(pipeline.hook)) == 1

    pipeline.site.clear_faults()
    fifth = poll()
    [recovery] = fifth.health_alerts
    assert (recovery.problem, recovery.recovered, recovery.since) == (
        FAILING, True, alert.since)
    mails = _health_mail(pipeline)
    assert len(mails) == 2 and "recovered" in mails[1]["Subject"]
    assert [h.payload["data"]["recovered"] for h in _health_hooks(pipeline.hook)] == [
        False, True]
    assert poll().health_alerts == []
    assert len(_health_mail(pipeline)) == 2
    assert _state(pipeline, "wrexham_news_rss").state == HEALTHY


def test_redesigned_listing_alerts_at_once(pipeline):
    poll()
    pipeline.site.inject(CIW_NEWS, body=REDESIGNED, content_type="text/html; charset=utf-8")
    report = poll()
    [alert] = report.health_alerts
    assert (alert.source, alert.problem) == ("ciw_la_reports", EMPTY_LISTING)
    assert "careinspectorate.wales/news" in (alert.detail or "")
    [mail] = _health_mail(pipeline)
    assert "ciw_la_reports listing empty since" in mail["Subject"]
    assert poll().health_alerts == []
    assert len(_health_mail(pipeline)) == 1


def test_dry_run_writes_no_health_state(pipeline):
    pipeline.site.inject(COUNCIL_FEED, status=500)
    for _ in range(3):
        assert poll(dry_run=True).health_alerts == []
    with pipeline.sessions()() as session:
        assert repo.recent_runs(session, "wrexham_news_rss") == []
    assert _state(pipeline, "wrexham_news_rss").state == HEALTHY


def test_ops_targets_get_only_ops_alerts(pipeline, monkeypatch):
    with WebhookReceiver(pipeline.secret) as ops_hook:
        monkeypatch.setenv("CAREWATCH_OPS_EMAIL_TO", "ops@localhost")
        monkeypatch.setenv("CAREWATCH_OPS_WEBHOOK_URL", ops_hook.url)
        monkeypatch.setenv("CAREWATCH_HEALTH_FAILURES", "1")
        poll()  # quiet baseline
        pipeline.site.set_as_of(AFTER)
        pipeline.site.inject(COUNCIL_FEED, status=500)
        report = poll()
        assert len(report.transitions) == 1 and len(report.health_alerts) == 1

        status_mail = [r for r in pipeline.smtp.received if "newsdesk@localhost" in r.rcpt_tos]
        ops_mail = [r for r in pipeline.smtp.received if "ops@localhost" in r.rcpt_tos]
        assert [r.message["Subject"].startswith("Wrexham children's") for r in status_mail] == [
            True]
        assert [r.message["Subject"].startswith("carewatch: source wrexham_news_rss") for r in
                ops_mail] == [True]
        assert [h.payload["type"] for h in pipeline.hook.received] == ["status.changed"]
        assert [h.payload["type"] for h in ops_hook.received] == ["source.health"]
        assert all(h.verified for h in ops_hook.received)


def test_sources_command_prints_the_health_table(pipeline):
    from typer.testing import CliRunner

    from flows.cli import app

    pipeline.site.inject(COUNCIL_FEED, status=500)
    poll()
    result = CliRunner().invoke(app, ["sources"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ciw_la_reports" in result.output and "wrexham_news_rss" in result.output
    assert "healthy" in result.output and "last error" in result.output
    assert "HTTP 500" in result.output or "500" in result.output


REDESIGNED_FEED = (b"<!DOCTYPE html><html><head><title>Page moved</title></head><body>"
                   b"<main><h1>Our news has moved</h1><p>Visit our new newsroom.</p></main>"
                   b"</body></html>")


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_redesign_of_any_source_alerts_once_and_its_recovery_once(pipeline, name):
    """Every source, its first listing or feed page redesigned so its selectors find nothing
    (for a feed: the URL now answers an HTML page): one operations alert at once, none on the
    next run, one when the page is back."""
    pipeline.site.set_as_of(STEPS["latest"])
    pipeline.site.clear_requests()
    assert poll_all(sources=[name]).ok
    first = next(r.path for r in pipeline.site.requests if not r.path.endswith("/robots.txt"))
    page = REDESIGNED_FEED if SOURCES[name].kind == "rss" else REDESIGNED
    pipeline.site.inject("^" + re.escape(first) + "$", body=page,
                         content_type="text/html; charset=utf-8")

    broken = poll_all(sources=[name])
    [alert] = broken.health_alerts
    assert (alert.source, alert.problem, alert.recovered) == (name, EMPTY_LISTING, False)
    assert poll_all(sources=[name]).health_alerts == []

    pipeline.site.clear_faults()
    [recovered] = poll_all(sources=[name]).health_alerts
    assert (recovered.problem, recovered.recovered) == (EMPTY_LISTING, True)
    subjects = [m["Subject"] for m in _health_mail(pipeline)]
    assert len(subjects) == 2 and f"{name} listing empty since" in subjects[0]
    assert "recovered" in subjects[1]
