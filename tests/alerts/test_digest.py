"""alerts.digest renders a digest record (storage.digests) as an email reader needs it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from alerts.digest import render_html, render_subject, render_text
from alerts.message import from_outbox
from storage.digests import (
    ALERT_DIGEST,
    DAY,
    MAX_LISTED,
    WEEK,
    Digest,
    DigestChange,
    DigestProblem,
    DigestPublication,
    DigestStatus,
    label_for,
)

END = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 08:00 in London (GMT)


def _digest(**overrides):
    base = dict(
        period=WEEK, label="2026-W48", start=datetime(2026, 11, 16, 8, tzinfo=UTC), end=END,
        publications=(DigestPublication(
            title="Letter <script>alert(1)</script>", url="https://careinspectorate.wales/x",
            source="ciw_la_reports", kind="annual_letter", published=date(2026, 11, 18),
            changed_status=True, unconfirmed=False, authoritative=True),
            DigestPublication(
            title="Council says services improved", url="javascript:alert(1)",
            source="wrexham_news_rss", kind="news", published=None,
            changed_status=False, unconfirmed=True, authoritative=False)),
        changes=(DigestChange(kind="status_change",
                              headline="Wrexham children's services: serious → significant "
                              "concern (CIW letter, 3 Aug 2020)",
                              url="https://careinspectorate.wales/x",
                              raised=datetime(2026, 11, 18, 9, tzinfo=UTC)),),
        status=(DigestStatus(authority="Wrexham", service="children", dimension="concern_level",
                             value="significant", stated=date(2020, 8, 3), title="CIW letter",
                             url="https://careinspectorate.wales/x"),),
        problems=(DigestProblem(source="wrexham_com", state="not_polled",
                                since=datetime(2026, 11, 20, tzinfo=UTC), detail="last polled"),),
        total_publications=2,
    )
    return Digest(**{**base, **overrides})


def test_round_trips_through_the_outbox_payload():
    d = _digest()
    assert from_outbox(ALERT_DIGEST, d.to_dict()) == d
    assert d.key == _digest(publications=()).key  # one per period label, whatever it says
    assert d.key != _digest(label="2026-W49").key != _digest(period=DAY).key


def test_subject_counts_and_stays_short():
    subject = render_subject(_digest())
    assert subject == ("carewatch weekly digest to 23 Nov 2026: 1 status change, "
                       "2 publications, 1 source problem")
    assert len(subject) < 90


def test_the_longest_subject_fits_in_90_characters():
    many = _digest(period=DAY, label="30 Sep 2026", changes=_digest().changes * 99,
                   problems=_digest().problems * 8, total_publications=9999)
    assert len(render_subject(many)) < 90, render_subject(many)


def test_text_says_changes_status_publications_and_problems():
    text = render_text(_digest())
    assert "serious → significant concern" in text
    assert ("Wrexham children's services, concern level: significant — last stated "
            "3 Aug 2020 (CIW letter)") in text
    assert "changed the recorded status" in text
    assert "unconfirmed claim (not the regulator's)" in text
    assert "wrexham_com: not polled since 20 Nov 2026" in text


def test_html_escapes_and_links_only_http():
    html = render_html(_digest())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert '<a href="https://careinspectorate.wales/x">' in html


def test_a_long_period_lists_the_newest_and_says_how_many_more():
    pubs = _digest().publications[:1] * MAX_LISTED
    text = render_text(_digest(publications=pubs, total_publications=MAX_LISTED + 7))
    assert "… and 7 more" in text


@pytest.mark.parametrize(("period", "end", "label"), [
    (DAY, datetime(2026, 11, 25, 23, 30, tzinfo=UTC), "25 Nov 2026"),
    (DAY, datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "1 Jul 2026"),  # BST: already tomorrow
    (WEEK, datetime(2026, 11, 23, 8, tzinfo=UTC), "2026-W48"),
    (WEEK, datetime(2027, 1, 1, 8, tzinfo=UTC), "2026-W53"),
])
def test_labels_are_uk_days_and_iso_weeks(period, end, label):
    assert label_for(period, end) == label


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError, match="day, week"):
        label_for("month", END)
