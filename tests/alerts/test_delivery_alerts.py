"""Operations alerts about delivery itself (issue 6): an endpoint disabled by 410 Gone, an
alert dead-lettered.  Their wording on every channel, and that they go to the operations
targets."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alerts.channels import OPS_ALERT_KINDS, channels_from_env
from alerts.email import build_email
from alerts.message import from_outbox, render_html, render_payload, render_subject, render_text
from storage.outbox import ALERT_DELIVERY, DEAD_LETTER, ENDPOINT_DISABLED, DeliveryProblem

SINCE = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
DEAD = DeliveryProblem(
    problem=DEAD_LETTER, channel="webhook", target="https://hooks.example.org/cw",
    since=SINCE, alert_id=12, alert_key="cw_abc",
    about="Wrexham children's services: serious → significant concern (CIW letter, 3 Aug 2020)",
    attempts=8, detail="HTTP 500: <b>oops</b>",
)
GONE = DeliveryProblem(**{**DEAD.__dict__, "problem": ENDPOINT_DISABLED, "attempts": 1,
                          "detail": "HTTP 410: gone"})


def test_subjects():
    # The dead letter's target is in the body: with it, the subject of the alert it is
    # about would not fit.
    assert render_subject(DEAD) == (
        "carewatch: alert #12 not delivered (webhook, 8 attempts): Wrexham children's services…")
    assert render_subject(GONE) == (
        "carewatch: webhook endpoint https://hooks.example.org/cw disabled: it answered "
        "410 Gone")


def test_subject_of_a_long_endpoint_names_its_host():
    gone = DeliveryProblem(**{**GONE.__dict__,
                              "target": "https://hooks.example.org/" + "carewatch/" * 8})
    assert render_subject(gone) == (
        "carewatch: webhook endpoint hooks.example.org disabled: it answered 410 Gone")
    assert gone.target in render_text(gone)


def test_bodies_say_what_to_do_and_escape(now):
    dead, gone = render_text(DEAD), render_text(GONE)
    assert "carewatch alerts replay 12" in dead and "Attempts: 8, the last at 1 Dec 2026" in dead
    assert "Target: https://hooks.example.org/cw" in dead and f"Alert: #12 {DEAD.about}" in dead
    assert "carewatch alerts enable https://hooks.example.org/cw" in gone
    assert DEAD.key in dead and GONE.key in gone
    page = render_html(DEAD)
    assert "&lt;b&gt;oops&lt;/b&gt;" in page and "<b>oops" not in page


def test_payload_round_trips_through_the_outbox(now):
    payload = render_payload(DEAD, now=now)
    assert payload["type"] == "delivery.problem"
    data = json.loads(json.dumps(payload["data"]))
    assert (data["problem"], data["alert_id"], data["alert_kind"]) == (
        DEAD_LETTER, 12, ALERT_DELIVERY)
    assert data["subject"] == render_subject(DEAD)
    assert from_outbox(ALERT_DELIVERY, DEAD.to_dict()) == DEAD


def test_delivery_alerts_go_to_the_operations_targets(secret, now):
    env = {"CAREWATCH_SMTP_HOST": "smtp.example.org", "CAREWATCH_SMTP_FROM": "cw@example.org",
           "CAREWATCH_SMTP_TO": "news@example.org", "CAREWATCH_OPS_EMAIL_TO": "ops@example.org"}
    status, ops = channels_from_env(env)
    assert ALERT_DELIVERY in OPS_ALERT_KINDS
    assert ops.kinds is not None and ALERT_DELIVERY in ops.kinds
    assert status.kinds is not None and ALERT_DELIVERY not in status.kinds
    msg = build_email(GONE, ops.settings, now=now)  # type: ignore[attr-defined]
    assert msg["X-Carewatch-Key"] == GONE.key and msg["To"] == "ops@example.org"
