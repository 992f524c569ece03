"""The demo's path as tests: baseline, one published letter, exactly one alert on each
channel, nothing on a re-run; failed deliveries retried once; bad input contained."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from flows.deliver import deliver
from flows.demo import AFTER
from flows.poll import poll
from storage import models, repo
from storage.status import CHILDREN, CONCERN_LEVEL, SIGNIFICANT_CONCERN

EVIDENCE = (
    "CIW's concerns have escalated from serious to significant in relation to children's services"
)


def _count(pipeline, model) -> int:
    with pipeline.sessions()() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_poll_baseline_then_letter_alerts_once(pipeline):
    first = poll()
    assert first.baseline and first.ok, first.sources
    assert first.transitions == []
    assert pipeline.smtp.messages == [] and pipeline.hook.received == []
    assert _count(pipeline, models.Publication) > 0
    with pipeline.sessions()() as session:
        rows = repo.current_status(session, "Wrexham")
        before = {(r.service, r.dimension): r.value for r in rows}
    assert before == {(CHILDREN, CONCERN_LEVEL): "serious"}

    pipeline.site.set_as_of(AFTER)
    second = poll()
    assert not second.baseline and second.ok, second.sources
    assert [(t.service, t.dimension, t.old, t.new) for t in second.transitions] == [
        (CHILDREN, CONCERN_LEVEL, "serious", SIGNIFICANT_CONCERN)
    ]
    change = second.transitions[0]
    assert change.url.startswith("https://careinspectorate.wales/")
    assert change.letter_date.isoformat() == "2020-08-03"

    [mail] = pipeline.smtp.messages
    assert mail["Subject"].startswith("Wrexham children's services: serious → significant")
    assert "3 Aug 2020" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert EVIDENCE in text.replace("’", "'")
    assert change.url in text
    html = mail.get_body(("html",)).get_content()
    assert change.url in html

    [hook] = pipeline.hook.received
    assert hook.verified and hook.status_sent < 300
    assert hook.id == change.key
    assert hook.payload["type"] == "status.changed"
    assert hook.payload["data"]["new"] == SIGNIFICANT_CONCERN
    assert hook.payload["data"]["old"] == "serious"

    publications = _count(pipeline, models.Publication)
    third = poll()
    assert third.transitions == [] and third.ok
    assert len(pipeline.smtp.messages) == 1 and len(pipeline.hook.received) == 1
    assert _count(pipeline, models.Publication) == publications
    assert _count(pipeline, models.Alert) == 1


def test_failed_webhook_is_retried_next_run_and_delivered_once(pipeline):
    poll()
    pipeline.hook.responses.append(500)
    pipeline.site.set_as_of(AFTER)
    second = poll()
    assert len(second.transitions) == 1
    assert [c for _, c in second.delivery.sent] == ["email"]
    assert [c for _, c, _ in second.delivery.failed] == ["webhook"]
    assert "500" in second.delivery.failed[0][2]

    retry = deliver(now=datetime.now(UTC) + timedelta(seconds=10))  # the schedule's 5 s ±20%
    assert [c for _, c in retry.sent] == ["webhook"] and retry.failed == []
    ids = [h.id for h in pipeline.hook.received]
    assert ids == [second.transitions[0].key] * 2  # same webhook-id on the retry
    assert [h.status_sent for h in pipeline.hook.received][0] == 500
    assert len(pipeline.smtp.messages) == 1  # the email was not sent again

    again = poll()
    assert again.delivery.sent == [] and again.delivery.failed == []
    assert len(pipeline.hook.received) == 2
    with pipeline.sessions()() as session:
        attempts = session.scalars(select(models.Delivery)).all()
    assert sorted((a.channel, a.ok) for a in attempts) == [
        ("email", True), ("webhook", False), ("webhook", True)]


def test_dry_run_writes_and_sends_nothing(pipeline):
    poll()
    pipeline.site.set_as_of(AFTER)
    publications = _count(pipeline, models.Publication)
    runs = _count(pipeline, models.SourceRun)
    dry = poll(dry_run=True)
    assert [(t.old, t.new) for t in dry.transitions] == [("serious", SIGNIFICANT_CONCERN)]
    assert dry.delivery is None
    assert _count(pipeline, models.Publication) == publications
    assert _count(pipeline, models.SourceRun) == runs
    assert _count(pipeline, models.Alert) == 0
    assert pipeline.smtp.messages == [] and pipeline.hook.received == []
    real = poll()
    assert len(real.transitions) == 1  # the dry run did not consume the change


def test_corrupt_pdf_is_recorded_and_nothing_else_lost(pipeline):
    pipeline.site.set_as_of(AFTER)
    pipeline.site.inject(r"/sites/default/files/2020-08/.*\.pdf$", body=b"%PDF-1.7\n garbage",
                         content_type="application/pdf")
    report = poll()
    ciw = next(s for s in report.sources if s.source == "ciw_la_reports")
    council = next(s for s in report.sources if s.source == "wrexham_news_rss")
    assert any("pdf" in e.lower() for e in ciw.errors), ciw.errors
    assert council.ok and council.new > 0
    with pipeline.sessions()() as session:
        broken = session.scalars(
            select(models.Attachment).where(models.Attachment.error.is_not(None))).all()
        runs = {r.source: r for r in repo.last_runs(session)}
    assert broken and all(a.size > 0 and a.text == "" for a in broken)
    assert runs["ciw_la_reports"].errors


def test_source_500_is_recorded_and_other_source_processed(pipeline):
    pipeline.site.inject(r"^/news\.wrexham\.gov\.uk/", status=500)
    report = poll()
    council = next(s for s in report.sources if s.source == "wrexham_news_rss")
    ciw = next(s for s in report.sources if s.source == "ciw_la_reports")
    assert not council.ok
    assert "500" in council.errors[0] and "news.wrexham.gov.uk" in council.errors[0]
    assert ciw.ok and ciw.new > 0
    with pipeline.sessions()() as session:
        runs = {r.source: r for r in repo.last_runs(session)}
    assert runs["wrexham_news_rss"].ok is False and "500" in runs["wrexham_news_rss"].errors
    assert runs["ciw_la_reports"].ok is True

    pipeline.site.clear_faults()
    recovered = poll()
    council = next(s for s in recovered.sources if s.source == "wrexham_news_rss")
    assert council.ok and council.new > 0


def test_listing_selector_missing_is_a_clear_source_error(pipeline):
    pipeline.site.inject(r"^/careinspectorate\.wales/news", body=(
        b"<!DOCTYPE html><html><body><main id='main-content'><h1>News</h1>"
        b"<div class='redesigned-list'><a href='/x'>Item</a></div></main></body></html>"),
        content_type="text/html; charset=utf-8")
    report = poll()
    ciw = next(s for s in report.sources if s.source == "ciw_la_reports")
    council = next(s for s in report.sources if s.source == "wrexham_news_rss")
    assert not ciw.ok and "careinspectorate.wales/news" in ciw.errors[0]
    assert council.ok and council.new > 0


def test_poll_reads_regulator_sources_before_secondary_ones():
    from dataclasses import replace

    from flows.poll import poll_order
    from scrapers.registry import SOURCES

    ciw, council = SOURCES["ciw_la_reports"], SOURCES["wrexham_news_rss"]
    press = replace(council, name="press")
    wg = replace(ciw, name="wg")
    assert [s.name for s in poll_order([council, ciw, press, wg])] == [
        "ciw_la_reports", "wg", "wrexham_news_rss", "press"]


# --- conditional GET: validators are saved only after a fully successful run (issue 5) ---------

PRESS = "wrexham_com"
PRESS_LISTING = "/wrexham.com/news/"
FRIENDLIES = "wrexham-afc-pre-season-friendlies-191230.html"


def _cached_urls(pipeline) -> set[str]:
    """Listing pages with validators (robots.txt copies are kept whatever the outcome)."""
    with pipeline.sessions()() as session:
        return {url for url in session.scalars(select(models.HttpCache.url))
                if not url.endswith("/robots.txt")}


def _fetched(pipeline) -> list[tuple[str, int]]:
    """(path, status) of every request but robots.txt, in order."""
    return [(r.path, r.status) for r in pipeline.site.requests
            if not r.path.endswith("/robots.txt")]


def test_failed_item_leaves_the_listing_uncached_and_is_fetched_next_poll(pipeline):
    from replay.render import HTML_TYPE
    from replay.timeline import STEPS

    site = pipeline.site
    site.set_as_of(STEPS["after-council-2020-response"])
    site.inject(FRIENDLIES, body="<html><body><p>Under maintenance</p></body></html>",
                content_type=HTML_TYPE)
    [first] = poll(sources=[PRESS]).sources
    assert first.ok and first.new == 2
    assert len(first.errors) == 1 and FRIENDLIES in first.errors[0]
    assert _cached_urls(pipeline) == set()  # a 304 next time would hide the failed item

    site.clear_faults()
    site.clear_requests()
    [second] = poll(sources=[PRESS]).sources
    assert second.ok and second.new == 1 and not second.errors
    fetched = _fetched(pipeline)
    # the listing is unchanged, yet answered 200: no validators were sent
    assert fetched[0] == (PRESS_LISTING, 200)
    assert any(path.endswith(FRIENDLIES) and status == 200 for path, status in fetched)
    assert _cached_urls(pipeline) == {"https://wrexham.com/news/"}


def test_clean_poll_caches_the_listing_and_the_next_poll_gets_a_304(pipeline):
    from replay.timeline import STEPS

    site = pipeline.site
    site.set_as_of(STEPS["after-council-2020-response"])
    [first] = poll(sources=[PRESS]).sources
    assert first.ok and first.new == 3 and not first.errors
    assert _cached_urls(pipeline) == {"https://wrexham.com/news/"}

    for _ in range(2):  # twice: unchanged runs must not look like an emptied listing
        site.clear_requests()
        [again] = poll(sources=[PRESS]).sources
        assert again.ok and again.unchanged and again.new == 0 and not again.errors
        assert _fetched(pipeline) == [(PRESS_LISTING, 304)]  # no document downloaded
        # robots.txt was remembered from the first poll: the listing is the only request
        assert [r.path for r in site.requests] == [PRESS_LISTING]
    with pipeline.sessions()() as session:
        runs = repo.recent_runs(session, PRESS)
        assert [r.found for r in runs] == [3, None, None]
        assert repo.get_health(session, PRESS).state == "healthy"

    site.set_as_of(STEPS["after-oct-2020-inspection"])  # two new articles: listing changed
    site.clear_requests()
    [later] = poll(sources=[PRESS]).sources
    assert later.ok and not later.unchanged and later.new == 2
    assert _fetched(pipeline)[0] == (PRESS_LISTING, 200)


def test_dry_run_saves_no_validators(pipeline):
    from replay.timeline import STEPS

    pipeline.site.set_as_of(STEPS["after-council-2020-response"])
    [dry] = poll(sources=[PRESS], dry_run=True).sources
    assert dry.ok and dry.new == 3
    assert _cached_urls(pipeline) == set()
