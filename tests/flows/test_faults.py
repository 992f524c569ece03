"""Source fault injection (issue 6): the real replay server misbehaves on cue, and every poll
must still finish, record a clear error (URL and cause) on the faulty source's run, process the
other source polled with it, lose nothing once the fault is cleared (no 304 and no "already
stored" may hide the item that failed), and raise the operations alert that is due, if any.

The scene: CIW is read on 1 July 2020 (Wrexham children's services at "serious" concern), the
site moves on to 5 August 2020, when CIW's letter of 3 August raises it to "significant", and a
fault is injected into one source.  That source and another (never read before, so it has new
items) are polled together; then the fault is cleared and the next poll must read the letter
and send its one alert, or store the articles that failed.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from flows.demo import AFTER, BEFORE
from flows.poll import PollReport, SourceReport
from flows.poll import poll as poll_flow
from replay.site import ReplaySite
from storage import models, repo
from storage.health import DOCUMENTS_FAILING, EMPTY_LISTING, FAILING, HEALTHY
from storage.status import SIGNIFICANT_CONCERN

CIW, NEWS = "ciw_la_reports", "wrexham_news_rss"
OTHER = {CIW: NEWS, NEWS: CIW}

# Replay paths (``/{host}{path}``) and the real URLs an error must name.
CIW_LISTING = "/careinspectorate.wales/news"
NEWS_FEED = "/news.wrexham.gov.uk/feed/"
LETTER_NEWS = ("/careinspectorate.wales/200804-annual-performance-review-letter-wrexham-county-"
               "borough-council-2019-20")
LETTER_PAGE = ("/careinspectorate.wales/local-authority-performance-review-april-2019-march-"
               "2020-wrexham-county-borough-council")
LETTER_PDF = ("/careinspectorate.wales/sites/default/files/2020-08/200804-wrexham-annual-letter-"
              "2019-20-en.pdf")
NEWS_ARTICLES = 3  # news.wrexham.gov.uk's feed on 5 August 2020
LETTER_SUBJECT = "Wrexham children's services: serious → significant"
# What the letter's report page says, in UTF-8 (the typographic apostrophe is the test).
LETTER_SUMMARY = ("This letter summarises our review of Wrexham County Borough Council’s "
                  "performance")
MOJIBAKE = ("â€", "Ã", "\ufffd")

HTML_TYPE = "text/html; charset=utf-8"
MAINTENANCE = (b"<!DOCTYPE html><html><head><title>Service unavailable</title></head><body>"
               b"<h1>We'll be back soon</h1><p>The site is undergoing maintenance.</p>"
               b"</body></html>")


def real(path: str) -> str:
    return "https://" + path.lstrip("/")


def exactly(path: str) -> str:
    """A fault pattern matching one replay path (no query, no robots.txt)."""
    return "^" + re.escape(path) + "$"


def poll(*names: str) -> PollReport:
    return poll_flow(sources=list(names))


def of(report: PollReport, name: str) -> SourceReport:
    return next(s for s in report.sources if s.source == name)


def recorded_errors(pipeline, name: str) -> str:
    """The errors stored on the source's last run (what `carewatch sources` shows)."""
    with pipeline.sessions()() as session:
        runs = {r.source: r for r in repo.last_runs(session)}
        return runs[name].errors or ""


def health_state(pipeline, name: str) -> str:
    with pipeline.sessions()() as session:
        return repo.get_health(session, name).state


def letter_mails(pipeline) -> list:
    return [m for m in pipeline.smtp.messages if m["Subject"].startswith("Wrexham children's")]


def requested(pipeline, path: str) -> list[int]:
    """Statuses the replay server answered for ``path`` since the log was cleared."""
    return [r.status for r in pipeline.site.requests if r.path == path]


def original(path: str) -> bytes:
    """What the replay site serves at ``path`` on 5 August 2020, fault-free."""
    return ReplaySite(AFTER).route(path).body


@pytest.fixture
def scene(pipeline):
    """CIW read before the letter, so the letter is a change that alerts; site on 5 Aug 2020."""
    pipeline.site.set_as_of(BEFORE)
    assert poll_flow(sources=[CIW], deliver_alerts=False).ok  # a quiet baseline: nothing to send
    pipeline.site.set_as_of(AFTER)
    pipeline.site.clear_requests()
    return pipeline


def faulty_poll(pipeline, faulty: str) -> tuple[PollReport, SourceReport]:
    """Poll the faulty source with the other one: the poll returns, and the other source
    is processed in full in the same poll."""
    report = poll(faulty, OTHER[faulty])
    other = of(report, OTHER[faulty])
    assert other.ok and not other.errors and other.new > 0, other
    return report, of(report, faulty)


def assert_letter_read_once(pipeline, report: PollReport) -> None:
    """Nothing lost: the letter is read after the fault, its change recorded and sent once."""
    ciw = of(report, CIW)
    assert ciw.ok and not ciw.errors, ciw
    assert [(t.old, t.new) for t in report.transitions] == [("serious", SIGNIFICANT_CONCERN)]
    [mail] = letter_mails(pipeline)
    assert mail["Subject"].startswith(LETTER_SUBJECT)
    assert len([h for h in pipeline.hook.received
                if h.payload["type"] == "status.changed"]) == 1


def recover(pipeline) -> PollReport:
    """Clear the fault and poll CIW again, logging its requests afresh."""
    pipeline.site.clear_faults()
    pipeline.site.clear_requests()
    return poll(CIW)


# --- a source that cannot be read at all: failing after N runs, then recovery ---------------

SOURCE_FAULTS = [
    pytest.param(dict(status=500), "HTTP 500 after 2 attempts", 2, id="http-500"),
    pytest.param(dict(status=503, headers={"Retry-After": "1"}), "HTTP 503 after 2 attempts", 2,
                 id="http-503-retry-after"),
    # (answers delayed past the timeout are logged when their delay ends: not counted)
    pytest.param(dict(delay=5), "read timeout after 0.5s (2 attempts)", None, id="read-timeout"),
    pytest.param(dict(reset=True), "connection failed: ReadError", 2, id="connection-reset"),
    pytest.param(dict(cut_after=300), "connection failed: RemoteProtocolError: peer closed "
                 "connection without sending complete message body (received 300 bytes", 2,
                 id="body-cut-short"),
    pytest.param(dict(status=302, headers={"Location": "{replay}/evil.example/news"}),
                 "redirect to https://evil.example/news not allowed (host not in allowlist)", 1,
                 id="redirect-off-allowlist"),
    pytest.param(dict(body=b"<html>" + b" " * 200_000 + b"</html>"),
                 "response too large: Content-Length 200013 exceeds limit 100000 bytes", 1,
                 id="body-over-limit"),
]


@pytest.mark.parametrize(("fault", "cause", "attempts"), SOURCE_FAULTS)
def test_unreadable_listing_fails_the_source_then_alerts_once_and_recovers(
        scene, monkeypatch, fault, cause, attempts):
    monkeypatch.setenv("CAREWATCH_HEALTH_FAILURES", "2")
    monkeypatch.setenv("CAREWATCH_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("CAREWATCH_HTTP_MAX_BYTES", "100000")
    # A redirect goes to the replay server's own form of https://evil.example/news, which
    # would answer: refusing it must not depend on the host being unreachable.
    headers = {k: v.format(replay=scene.site.url) for k, v in fault.pop("headers", {}).items()}
    scene.site.inject(exactly(CIW_LISTING), headers=headers, **fault)

    first, ciw = faulty_poll(scene, CIW)
    [error] = ciw.errors
    assert not ciw.ok and error.startswith(real(CIW_LISTING) + ": ") and cause in error, error
    assert cause in recorded_errors(scene, CIW)
    if attempts is not None:  # retried only what may pass
        assert len(requested(scene, CIW_LISTING)) == attempts
    assert first.health_alerts == [] and first.transitions == []

    [alert] = poll(CIW).health_alerts  # the second failed run in a row
    assert (alert.source, alert.problem, alert.recovered, alert.runs) == (CIW, FAILING, False, 2)
    assert cause in (alert.detail or "")
    assert health_state(scene, CIW) == FAILING

    after = recover(scene)
    [recovered] = after.health_alerts
    assert (recovered.problem, recovered.recovered) == (FAILING, True)
    assert of(after, CIW).new == 3  # Wrexham's letter and two other councils'
    assert_letter_read_once(scene, after)
    assert health_state(scene, CIW) == HEALTHY
    assert not any(r.path.startswith("/evil.example") for r in scene.site.requests)


# --- one document fails in transit: the item is not stored, and is read next poll ----------

TRANSIT_FAULTS = [
    pytest.param(dict(status=503, headers={"Retry-After": "1"}), "HTTP 503 after 2 attempts",
                 id="http-503-retry-after"),
    pytest.param(dict(reset=True), "connection failed: ReadError", id="connection-reset"),
    pytest.param(dict(cut_after=1000), "connection failed: RemoteProtocolError: peer closed "
                 "connection without sending complete message body (received 1000 bytes, "
                 "expected 35182)", id="cut-short"),
]


@pytest.mark.parametrize(("fault", "cause"), TRANSIT_FAULTS)
def test_letter_pdf_failing_in_transit_is_read_next_poll(scene, fault, cause):
    scene.site.inject(exactly(LETTER_PDF), **fault)

    report, ciw = faulty_poll(scene, CIW)
    assert ciw.ok and ciw.new == 2  # the other councils' letters
    [error] = ciw.errors  # the item, then the file and why
    assert error.startswith(f"{real(LETTER_NEWS)}: {real(LETTER_PDF)}: {cause}"), error
    assert cause in recorded_errors(scene, CIW)
    assert report.transitions == [] and letter_mails(scene) == []
    assert report.health_alerts == []  # one item, not the source: a run error, no state

    after = recover(scene)
    assert requested(scene, CIW_LISTING) == [200]  # not a 304: the failed run saved nothing
    assert of(after, CIW).new == 1
    assert_letter_read_once(scene, after)


# --- a PDF that is broken or not a PDF: kept visible, and read again once fixed -------------


def _truncated_pdf() -> bytes:
    pdf = original(LETTER_PDF)
    return pdf[: len(pdf) // 2]  # served whole: its Content-Length says this is all there is


BROKEN_PDFS = [
    pytest.param(_truncated_pdf, "application/pdf",
                 "corrupt PDF: PdfminerException: Unexpected EOF", id="truncated-pdf"),
    pytest.param(lambda: MAINTENANCE, "application/pdf",
                 "not a PDF (starts with b'<!DOCTYPE html><')", id="html-served-as-pdf"),
    pytest.param(lambda: MAINTENANCE, HTML_TYPE,
                 "not a PDF (starts with b'<!DOCTYPE html><')", id="html-page-at-pdf-url"),
]


@pytest.mark.parametrize(("body", "content_type", "cause"), BROKEN_PDFS)
def test_broken_letter_pdf_is_recorded_then_read_once_fixed(scene, body, content_type, cause):
    scene.site.inject(exactly(LETTER_PDF), body=body(), content_type=content_type)

    report, ciw = faulty_poll(scene, CIW)
    assert ciw.ok and ciw.new == 3  # the letter's page is stored, its file marked broken
    [error] = ciw.errors
    assert error.startswith(real(LETTER_PDF) + ": ") and cause in error, error
    assert cause in recorded_errors(scene, CIW)
    with scene.sessions()() as session:
        [broken] = session.scalars(select(models.Attachment).where(
            models.Attachment.error.is_not(None))).all()
        assert broken.url == real(LETTER_PDF) and broken.text == "" and broken.size > 0
    assert report.transitions == [] and report.health_alerts == []

    again = poll(CIW)  # still broken: read again, still recorded, nothing sent
    assert len(of(again, CIW).errors) == 1 and cause in of(again, CIW).errors[0]
    assert again.transitions == [] and letter_mails(scene) == []

    after = recover(scene)
    assert requested(scene, CIW_LISTING) == [200] and requested(scene, LETTER_PDF) == [200]
    assert (of(after, CIW).new, of(after, CIW).changed) == (0, 1)
    assert_letter_read_once(scene, after)
    with scene.sessions()() as session:
        [pdf] = session.scalars(select(models.Attachment).where(
            models.Attachment.url == real(LETTER_PDF))).all()
        assert pdf.error is None and "significant" in pdf.text
    assert poll(CIW).transitions == [] and len(letter_mails(scene)) == 1


def test_a_document_broken_for_three_polls_raises_one_operations_alert(scene):
    """The listing works, so the source is not "failing"; but the letter that changes the
    status is unreadable, and someone must be told before it is forgotten."""
    scene.site.inject(exactly(LETTER_PDF), body=_truncated_pdf(), content_type="application/pdf")
    quiet = [poll(CIW), poll(CIW)]
    assert all(r.health_alerts == [] for r in quiet)
    third = poll(CIW)
    [alert] = third.health_alerts
    assert (alert.problem, alert.recovered, alert.runs) == (DOCUMENTS_FAILING, False, 3)
    assert alert.detail.startswith(real(LETTER_PDF) + ": corrupt PDF")
    assert poll(CIW).health_alerts == []  # the same episode: nothing more
    after = recover(scene)
    [back] = after.health_alerts
    assert (back.problem, back.recovered) == (DOCUMENTS_FAILING, True)
    assert_letter_read_once(scene, after)


# --- a document refused by the HTTP layer: off-allowlist redirect, oversized body -----------

REFUSED = [
    pytest.param(LETTER_NEWS, "redirect", id="redirect-off-allowlist-news-page"),
    pytest.param(LETTER_PDF, "redirect", id="redirect-off-allowlist-pdf"),
    pytest.param(LETTER_PDF, "oversize", id="pdf-over-size-limit"),
]


@pytest.mark.parametrize(("path", "kind"), REFUSED)
def test_refused_document_is_recorded_and_read_once_allowed(scene, monkeypatch, path, kind):
    monkeypatch.setenv("CAREWATCH_HTTP_MAX_BYTES", "100000")
    if kind == "redirect":  # the wire form of https://evil.example/..., which is reachable
        scene.site.inject(exactly(path), status=302,
                          headers={"Location": f"{scene.site.url}/evil.example/letter.pdf"})
        cause = "redirect to https://evil.example/letter.pdf not allowed (host not in allowlist)"
    else:
        scene.site.inject(exactly(path), body=b"%PDF-1.4\n" + b"0" * 150_000,
                          content_type="application/pdf")
        cause = "response too large: Content-Length 150009 exceeds limit 100000 bytes"

    report, ciw = faulty_poll(scene, CIW)
    assert ciw.ok and ciw.errors == [f"{real(path)}: {cause}"], ciw.errors
    assert cause in recorded_errors(scene, CIW)
    assert report.transitions == [] and report.health_alerts == []
    assert not any(r.path.startswith("/evil.example") for r in scene.site.requests)

    after = recover(scene)
    assert requested(scene, CIW_LISTING) == [200]
    assert_letter_read_once(scene, after)


# --- wrong declared charset: the document's own declaration wins ---------------------------


def _recoded(path: str, charset: str | None) -> bytes:
    """The page re-encoded in ``charset`` with its <meta charset> saying so (None: no meta,
    UTF-8 bytes)."""
    page = original(path).decode("utf-8")
    if charset is None:
        return page.replace('<meta charset="utf-8">', "").encode("utf-8")
    return page.replace('<meta charset="utf-8">', f'<meta charset="{charset}">').encode(charset)


CHARSETS = [
    pytest.param(None, "text/html; charset=ISO-8859-1", id="utf8-page-declared-latin1-by-header"),
    pytest.param("utf-8", "text/html; charset=ISO-8859-1",
                 id="utf8-page-with-meta-declared-latin1-by-header"),
    pytest.param("windows-1252", "text/html; charset=UTF-8",
                 id="cp1252-page-with-meta-declared-utf8-by-header"),
]


@pytest.mark.parametrize(("charset", "declared"), CHARSETS)
def test_wrong_declared_charset_never_stores_mojibake(scene, charset, declared):
    """Decision: the HTTP header's charset is not trusted; the document's own <meta charset>
    (or, without one, UTF-8 when the bytes are valid UTF-8) decides.  Nothing is an error."""
    body = original(LETTER_PAGE) if charset == "utf-8" else _recoded(LETTER_PAGE, charset)
    scene.site.inject(exactly(LETTER_PAGE), body=body, content_type=declared)

    report, ciw = faulty_poll(scene, CIW)
    assert ciw.ok and not ciw.errors and ciw.new == 3
    assert_letter_read_once(scene, report)
    with scene.sessions()() as session:
        text = session.scalar(select(models.Publication.text).where(
            models.Publication.url == real(LETTER_PAGE)))
    assert LETTER_SUMMARY in text
    assert not any(marker in text for marker in MOJIBAKE)


def test_feed_declared_in_the_wrong_charset_keeps_its_own(scene):
    scene.site.inject(exactly(NEWS_FEED), content_type="application/rss+xml; charset=ISO-8859-1")
    report, news = faulty_poll(scene, NEWS)
    assert news.ok and not news.errors and news.new == NEWS_ARTICLES
    with scene.sessions()() as session:
        titles = session.scalars(select(models.Publication.title).where(
            models.Publication.source == NEWS)).all()
    assert "Libraries to offer ‘order and collect’ service" in titles
    assert not any(marker in title for title in titles for marker in MOJIBAKE)


# --- a page whose layout changed ------------------------------------------------------------

REDESIGNED = (b"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
              b"<div class='new-theme'><section class='cards'><a href='/x'>Item</a></section>"
              b"</div></body></html>")


def test_redesigned_listing_is_an_empty_listing_at_once_and_recovers(scene):
    scene.site.inject(exactly(CIW_LISTING), body=REDESIGNED, content_type=HTML_TYPE)

    report, ciw = faulty_poll(scene, CIW)
    [error] = ciw.errors
    assert not ciw.ok and error.startswith(f"{real(CIW_LISTING)}: no listing rows")
    assert "selectors" in error and error in recorded_errors(scene, CIW)
    [alert] = report.health_alerts
    assert (alert.source, alert.problem, alert.recovered) == (CIW, EMPTY_LISTING, False)

    after = recover(scene)
    [recovered] = after.health_alerts
    assert (recovered.problem, recovered.recovered) == (EMPTY_LISTING, True)
    assert_letter_read_once(scene, after)


def test_redesigned_document_page_fails_that_item_only_and_is_read_once_back(scene):
    scene.site.inject(exactly(LETTER_PAGE), body=REDESIGNED, content_type=HTML_TYPE)

    report, ciw = faulty_poll(scene, CIW)
    [error] = ciw.errors
    assert ciw.ok and ciw.new == 2
    assert error.startswith(f"{real(LETTER_NEWS)}: {real(LETTER_PAGE)}: no element for content")
    assert error in recorded_errors(scene, CIW)
    # An item's failure is the run's error (`carewatch sources`, exit status 1), not a
    # health state: the listing is still read.
    assert report.health_alerts == [] and health_state(scene, CIW) == HEALTHY

    after = recover(scene)
    assert_letter_read_once(scene, after)


# --- hostile XML: entity expansion is refused, never performed ------------------------------


def _with_dtd(feed: bytes, entities: str, reference: str) -> bytes:
    """``feed`` with an internal DTD declaring ``entities`` and its channel description
    referring to ``reference``."""
    dtd = f"\n<!DOCTYPE rss [\n{entities}\n]>\n".encode()
    feed = feed.replace(b"<rss version", dtd + b"<rss version", 1)
    return feed.replace(b"<description>", f"<description>{reference} ".encode(), 1)


def billion_laughs() -> bytes:
    """Ten levels of ten references: 10**10 "lol"s (30 GB) if expanded."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 11)]
    return _with_dtd(original(NEWS_FEED), "\n".join(levels), "&lol10;")


def quadratic_blowup() -> bytes:
    """One 50 kB entity referred to 5,000 times: 250 MB from a 70 kB feed if expanded (no
    nesting, so a parser that only limits nesting would expand it)."""
    return _with_dtd(original(NEWS_FEED), f'<!ENTITY a "{"x" * 50_000}">', "&a;" * 5_000)


@pytest.mark.parametrize("bomb", [billion_laughs, quadratic_blowup])
def test_feed_with_entity_expansion_bomb_is_refused(scene, monkeypatch, bomb):
    monkeypatch.setenv("CAREWATCH_HEALTH_FAILURES", "1")
    scene.site.inject(exactly(NEWS_FEED), body=bomb(), content_type="application/rss+xml")

    report, news = faulty_poll(scene, NEWS)
    [error] = news.errors
    assert not news.ok and error.startswith(f"{real(NEWS_FEED)}: ")
    assert "entit" in error and "refused" in error, error
    assert error in recorded_errors(scene, NEWS)
    [alert] = report.health_alerts  # hostile, not redesigned: failing, not an empty listing
    assert (alert.source, alert.problem) == (NEWS, FAILING)

    scene.site.clear_faults()
    after = poll(NEWS)
    assert of(after, NEWS).ok and of(after, NEWS).new == NEWS_ARTICLES
    assert [a.recovered for a in after.health_alerts] == [True]


ENTITY_TRICKS = [
    pytest.param(b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>', None,
                 id="external-entity-never-resolved-so-allowed"),
    pytest.param(b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                 b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss/>', None,
                 id="rss-091-doctype-allowed"),
    pytest.param(b"<rss><channel><description><![CDATA[<!ENTITY x 'y'>]]></description>"
                 b"</channel></rss>", None, id="entity-text-in-content-allowed"),
    pytest.param(b'<!DOCTYPE rss [<!-- <c --><!ENTITY x "yyy">]><rss>&x;</rss>', "x",
                 id="declaration-after-a-tag-like-comment"),
    pytest.param(b'<!DOCTYPE rss [\n<!ENTITY % ext SYSTEM "http://x/x.dtd">\n%ext;\n'
                 b'<!ENTITY a "xxxxx">\n]>\n<rss>&a;</rss>', "a",
                 id="declaration-after-unread-parameter-entity"),
    pytest.param('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'
                 .encode("utf-16"), "a", id="utf-16"),
]


@pytest.mark.parametrize(("xml", "entity"), ENTITY_TRICKS)
def test_entity_declarations_are_found_however_they_hide(xml, entity):
    """The refusal rule on its own (``scrapers.text.declared_entity``), for the ways a
    declaration can slip past one of its two looks, and what must not be refused."""
    from scrapers.text import declared_entity

    assert declared_entity(xml) == entity


# --- malformed dates: the item is stored with the date missing, never a crash ---------------


def test_feed_items_with_malformed_dates_are_stored_without_them(scene):
    feed = original(NEWS_FEED).decode("utf-8")
    dates = re.findall(r"<pubDate>(.*?)</pubDate>", feed)
    assert len(dates) == NEWS_ARTICLES
    bad = ["Tuesday, 32 Smarch 2020 25:61:00 GMT", "Fri, 31 Dec 9999 23:00:00 -0500", ""]
    for good, wrong in zip(dates, bad, strict=True):
        feed = feed.replace(f"<pubDate>{good}</pubDate>", f"<pubDate>{wrong}</pubDate>", 1)
    scene.site.inject(exactly(NEWS_FEED), body=feed, content_type="application/rss+xml")

    report, news = faulty_poll(scene, NEWS)
    assert news.ok and not news.errors and news.new == NEWS_ARTICLES
    with scene.sessions()() as session:
        published = session.scalars(select(models.Publication.published).where(
            models.Publication.source == NEWS).order_by(models.Publication.id)).all()
    # An impossible or empty date is missing; one too far out to be moved to Europe/London
    # is kept as written.
    assert sorted(map(str, published)) == ["9999-12-31", "None", "None"]


def test_letter_with_malformed_dates_is_stored_and_alerts(scene):
    listing = original(CIW_LISTING).decode("utf-8").replace(
        '<time datetime="2020-08-04T09:00:00Z">4 August 2020</time>',
        '<time datetime="2020-08-44T99:00:00Z">44 Awst 20200</time>', 1)
    news = original(LETTER_NEWS).decode("utf-8").replace(
        '<time datetime="2020-08-04">4 August 2020</time>',
        '<time datetime="0000-00-00">yesterday</time>', 1)
    assert "2020-08-44" in listing and "0000-00-00" in news
    scene.site.inject(exactly(CIW_LISTING), body=listing, content_type=HTML_TYPE)
    scene.site.inject(exactly(LETTER_NEWS), body=news, content_type=HTML_TYPE)

    report, ciw = faulty_poll(scene, CIW)
    assert ciw.ok and not ciw.errors and ciw.new == 3
    assert_letter_read_once(scene, report)  # the letter's own date comes from the letter
    with scene.sessions()() as session:
        row = repo.publication_by_url(session, real(LETTER_PAGE))
        assert row is not None
        assert (row.published, row.letter_date) == (None, date(2020, 8, 3))


# --- the replay server's connection faults themselves ----------------------------------------


def test_replay_connection_faults_break_the_connection_then_clear(pipeline):
    import httpx

    site = pipeline.site
    site.set_as_of(AFTER)
    site.inject(exactly(CIW_LISTING), reset=True, times=1)
    site.inject(exactly(LETTER_PDF), cut_after=10, times=1)
    with httpx.Client() as client:
        with pytest.raises(httpx.ReadError):
            client.get(site.url + CIW_LISTING)
        with pytest.raises(httpx.RemoteProtocolError, match="received 10 bytes"):
            client.get(site.url + LETTER_PDF)
        assert client.get(site.url + CIW_LISTING).status_code == 200
    assert [r.status for r in site.requests] == [0, 200, 200]
