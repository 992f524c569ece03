"""Operations alerts (source health, issue 5): their wording on every channel, and the
routing of alert kinds to status and operations targets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.channels import DIGEST_KINDS, OPS_ALERT_KINDS, channels_from_env
from alerts.email import build_email
from alerts.message import render_html, render_payload, render_subject, render_text
from storage.health import FAILING, HealthAlert
from storage.notices import ALERT_KINDS

SINCE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
FAILED = HealthAlert(
    source="ciw_la_reports", title="Care Inspectorate Wales: local authority reports",
    url="https://careinspectorate.wales", problem=FAILING, since=SINCE,
    detail="https://careinspectorate.wales/news: HTTP 500 after 3 attempts", runs=3,
    recovered=False,
)
RECOVERED = HealthAlert(**{**FAILED.__dict__, "recovered": True})
SMTP_ENV = {
    "CAREWATCH_SMTP_HOST": "smtp.example.org",
    "CAREWATCH_SMTP_FROM": "carewatch@example.org",
    "CAREWATCH_SMTP_TO": "news@example.org",
}


def test_render_subject_health():
    # The error without its URL (the source is named, the URL is in the body), cut at a
    # word rather than losing the run count, and the time of day gives way first.
    assert render_subject(FAILED) == (
        "carewatch: source ciw_la_reports failing since 25 Nov 2026 (3 runs): HTTP 500 after 3…"
    )
    brief = HealthAlert(**{**FAILED.__dict__, "detail": "HTTP 500"})
    assert render_subject(brief) == (
        "carewatch: source ciw_la_reports failing since 25 Nov 2026 09:00 UTC (3 runs): HTTP 500"
    )
    assert render_subject(RECOVERED) == (
        "carewatch: source ciw_la_reports recovered (failing since 25 Nov 2026 09:00 UTC)"
    )


def test_render_subject_health_keeps_the_http_status_of_a_long_error():
    # What a failing council feed really reports (tests/flows/test_health.py).
    robots = HealthAlert(**{**FAILED.__dict__, "source": "wrexham_news_rss", "detail": (
        "https://news.wrexham.gov.uk/feed/: robots.txt of news.wrexham.gov.uk could not be "
        "read (HTTP 500 after 2 attempts); RFC 9309 treats that as disallow-all, so nothing "
        "is fetched from this host this run")})
    assert render_subject(robots) == (
        "carewatch: source wrexham_news_rss failing since 25 Nov 2026 09:00 UTC (3 runs): HTTP 500")
    assert robots.detail in render_text(robots)


def test_render_bodies_and_payload_health(now):
    text, page = render_text(FAILED), render_html(FAILED)
    assert "HTTP 500 after 3 attempts" in text and FAILED.key in text
    assert "HTTP 500 after 3 attempts" in page and "<script" not in page
    payload = render_payload(RECOVERED, now=now)
    assert payload["type"] == "source.health"
    data = payload["data"]
    assert (data["source"], data["problem"], data["recovered"]) == ("ciw_la_reports",
                                                                     FAILING, True)
    assert data["since"] == SINCE.isoformat() and data["alert_kind"] == "source_health"
    assert data["subject"] == render_subject(RECOVERED)


def test_health_email_headers(now):
    (email,) = channels_from_env(SMTP_ENV)
    msg = build_email(FAILED, email.settings, now=now)  # type: ignore[attr-defined]
    assert msg["X-Carewatch-Key"] == FAILED.key and msg["Subject"] == render_subject(FAILED)


def test_without_ops_targets_status_channels_take_every_kind_but_digests(secret):
    channels = channels_from_env({**SMTP_ENV, "CAREWATCH_WEBHOOK_URL": "https://h.example.org/",
                                  "CAREWATCH_WEBHOOK_SECRET": secret,
                                  "CAREWATCH_DIGEST_TO": "editor@example.org"})
    every = frozenset(ALERT_KINDS) | OPS_ALERT_KINDS
    assert [(c.name, c.kinds) for c in channels] == [
        ("email", every), ("webhook", every), ("digest_email", DIGEST_KINDS)]
    assert channels[2].target == "editor@example.org"


def test_digest_recipients_need_an_smtp_server():
    with pytest.raises(ValueError, match="CAREWATCH_DIGEST_TO is set but CAREWATCH_SMTP_HOST"):
        channels_from_env({"CAREWATCH_DIGEST_TO": "editor@example.org"})


def test_ops_targets_split_the_kinds(secret):
    env = {**SMTP_ENV, "CAREWATCH_WEBHOOK_URL": "https://h.example.org/status",
           "CAREWATCH_WEBHOOK_SECRET": secret,
           "CAREWATCH_OPS_EMAIL_TO": "ops@example.org, oncall@example.org",
           "CAREWATCH_OPS_WEBHOOK_URL": "https://h.example.org/ops"}
    channels = {c.name: c for c in channels_from_env(env)}
    assert sorted(channels) == ["email", "ops_email", "ops_webhook", "webhook"]
    assert channels["email"].kinds == channels["webhook"].kinds == frozenset(ALERT_KINDS)
    assert channels["ops_email"].kinds == channels["ops_webhook"].kinds == OPS_ALERT_KINDS
    assert channels["ops_email"].target == "ops@example.org,oncall@example.org"
    assert channels["email"].target == "news@example.org"
    assert channels["ops_webhook"].target == "https://h.example.org/ops"


def test_ops_email_only_needs_no_status_recipients():
    env = {**SMTP_ENV, "CAREWATCH_SMTP_TO": "", "CAREWATCH_OPS_EMAIL_TO": "ops@example.org"}
    (channel,) = channels_from_env(env)
    assert channel.name == "ops_email"


def test_ops_email_without_smtp_host_says_what_to_set():
    with pytest.raises(ValueError, match="CAREWATCH_SMTP_HOST"):
        channels_from_env({"CAREWATCH_OPS_EMAIL_TO": "ops@example.org"})


def test_ops_webhook_needs_the_secret():
    with pytest.raises(ValueError, match="CAREWATCH_WEBHOOK_SECRET"):
        channels_from_env({"CAREWATCH_OPS_WEBHOOK_URL": "https://h.example.org/ops"})
