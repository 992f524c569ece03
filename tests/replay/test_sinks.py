"""replay.sinks: the loopback SMTP sink and webhook receiver, driven by plain clients
(smtplib, httpx, the standardwebhooks reference signer) rather than carewatch's senders.  The
webhook bodies are carewatch payloads all the same, because the receiver holds every payload
to the published schema."""

from __future__ import annotations

import base64
import json
import smtplib
import socket
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from alerts.message import render_payload
from replay.sinks import SchemaViolation, SmtpSink, WebhookReceiver
from storage.status import Transition

SECRET = "whsec_" + base64.b64encode(b"sink-test-secret-sink-test-secret").decode()
LETTER = Transition(
    key="cw_sink_test", authority="Wrexham", service="children", dimension="concern_level",
    old="serious", new="significant", scheme="cop_2019",
    evidence="Our concerns have escalated from serious to significant.",
    source="ciw_la_reports", kind="annual_letter", title="Annual letter",
    url="https://careinspectorate.wales/letter.pdf",
)
PAYLOAD = render_payload(LETTER, now=datetime(2020, 8, 5, 9, 30, tzinfo=UTC))
BODY = json.dumps(PAYLOAD).encode()


def message(subject: str = "hello") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "sender@example.org"
    msg["To"] = "rcpt@example.org"
    msg["Subject"] = subject
    msg.set_content("body text\n")
    return msg


def signed(body: bytes, msg_id: str = "msg_1", when: datetime | None = None) -> dict[str, str]:
    when = when or datetime.now(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(msg_id, when, body.decode()),
        "content-type": "application/json",
    }


def port_is_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


# --- SmtpSink ----------------------------------------------------------------------------


def test_smtp_sink_collects_parsed_messages():
    with SmtpSink() as sink:
        assert sink.host == "127.0.0.1"
        with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
            client.send_message(message("first"), to_addrs=["a@example.org", "b@example.org"])
            client.send_message(message("second"))
        received = sink.received
        messages = sink.messages
    assert [m["Subject"] for m in messages] == ["first", "second"]
    assert all(isinstance(m, EmailMessage) for m in messages)
    assert messages[0].get_content() == "body text\n"
    assert received[0].rcpt_tos == ("a@example.org", "b@example.org")
    assert received[0].mail_from == "sender@example.org"
    assert received[0].tls is False
    assert received[0].login is None


def test_smtp_sink_refuse_toggle():
    with SmtpSink(refuse=True) as sink:
        client = smtplib.SMTP(sink.host, sink.port, timeout=5)
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.send_message(message())  # smtplib closes the connection after a 421
        assert refused.value.smtp_code == 421
        assert b"simulated outage" in refused.value.smtp_error
        assert sink.messages == []
        sink.refuse = False
        with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
            client.send_message(message("after"))
        assert [m["Subject"] for m in sink.messages] == ["after"]


def test_smtp_sink_refuses_data_with_451():
    with SmtpSink() as sink, smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
        client.ehlo()
        assert client.mail("sender@example.org")[0] == 250
        assert client.rcpt("rcpt@example.org")[0] == 250
        sink.refuse = True  # goes down mid-transaction
        code, reply = client.data(message().as_bytes())
        assert (code, reply[:5]) == (451, b"4.3.0")
        assert sink.messages == []


def test_smtp_sink_credentials_required():
    with SmtpSink(credentials=("user", "pass")) as sink:
        with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.send_message(message())
            assert refused.value.smtp_code == 530
        with (
            smtplib.SMTP(sink.host, sink.port, timeout=5) as client,
            pytest.raises(smtplib.SMTPAuthenticationError),
        ):
            client.login("user", "wrong")
        with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
            client.login("user", "pass")
            client.send_message(message())
        assert [r.login for r in sink.received] == ["user"]


def test_smtp_sink_lifecycle():
    sink = SmtpSink()
    with pytest.raises(RuntimeError, match="start"):
        _ = sink.port
    sink.start()
    port = sink.port
    assert port_is_open(port)
    sink.stop()
    assert not port_is_open(port)
    sink.stop()  # idempotent


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"mode": "ssl"}, "mode must be"), ({"mode": "starttls"}, "needs a server tls_context")],
)
def test_smtp_sink_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SmtpSink(**kwargs)


# --- WebhookReceiver ---------------------------------------------------------------------


def test_webhook_receiver_accepts_verified_post():
    with WebhookReceiver(SECRET) as receiver:
        assert receiver.url.startswith("http://127.0.0.1:")
        response = httpx.post(receiver.url, content=BODY, headers=signed(BODY, "msg_42"))
        (got,) = receiver.received
    assert response.status_code == 204
    assert got.verified
    assert got.status_sent == 204
    assert got.id == "msg_42"
    assert got.payload == json.loads(BODY)
    assert got.timestamp is not None
    assert abs(got.timestamp - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda h: {**h, "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()},
        lambda h: {k: v for k, v in h.items() if k != "webhook-signature"},
        lambda h: {**h, "webhook-signature": "garbage"},
        lambda h: {**h, "webhook-id": "another-id"},
    ],
    ids=["wrong-signature", "missing-header", "malformed-header", "changed-id"],
)
def test_webhook_receiver_rejects_bad_signature(spoil):
    with WebhookReceiver(SECRET) as receiver:
        response = httpx.post(receiver.url, content=BODY, headers=spoil(signed(BODY)))
        (got,) = receiver.received
    assert response.status_code == 401
    assert "signature rejected" in response.text
    assert not got.verified
    assert got.status_sent == 401
    assert got.payload == json.loads(BODY)  # kept for inspection even when rejected


def test_webhook_receiver_rejects_tampered_body_and_stale_timestamp():
    with WebhookReceiver(SECRET) as receiver:
        tampered = httpx.post(receiver.url, content=BODY + b" ", headers=signed(BODY))
        stale_time = datetime.now(UTC) - timedelta(minutes=10)
        stale = httpx.post(receiver.url, content=BODY, headers=signed(BODY, when=stale_time))
    assert (tampered.status_code, stale.status_code) == (401, 401)


def test_webhook_receiver_response_queue_then_default():
    with WebhookReceiver(SECRET, responses=[500, 503]) as receiver:
        codes = [
            httpx.post(receiver.url, content=BODY, headers=signed(BODY)).status_code
            for _ in range(3)
        ]
        receiver.responses.append(429)
        codes.append(httpx.post(receiver.url, content=BODY, headers=signed(BODY)).status_code)
        statuses = [r.status_sent for r in receiver.received]
    assert codes == [500, 503, 204, 429]
    assert statuses == codes


def test_webhook_receiver_queue_is_not_spent_on_bad_signatures():
    with WebhookReceiver(SECRET, responses=[500]) as receiver:
        bad = httpx.post(receiver.url, content=BODY, headers={"webhook-id": "x"})
        good = httpx.post(receiver.url, content=BODY, headers=signed(BODY))
    assert (bad.status_code, good.status_code) == (401, 500)


def test_webhook_receiver_delay_makes_client_time_out():
    with WebhookReceiver(SECRET, delay=1.0) as receiver, pytest.raises(httpx.ReadTimeout):
        httpx.post(receiver.url, content=BODY, headers=signed(BODY), timeout=0.2)


def test_webhook_receiver_get_is_405_and_stop_closes_port():
    receiver = WebhookReceiver(SECRET).start()
    port = int(receiver.url.split(":")[2].split("/")[0])
    assert httpx.get(receiver.url).status_code == 405
    receiver.stop()
    assert not port_is_open(port)


# --- the payload schema ------------------------------------------------------------------

BROKEN = {**PAYLOAD, "data": {**PAYLOAD["data"], "new": "grave", "rating": "good"}}
BROKEN_BODY = json.dumps(BROKEN).encode()


def test_webhook_receiver_records_no_schema_error_for_a_valid_payload():
    with WebhookReceiver(SECRET) as receiver:
        httpx.post(receiver.url, content=BODY, headers=signed(BODY))
    assert receiver.schema_errors == [] and receiver.received[0].schema_errors == ()


def test_webhook_receiver_answers_400_to_a_payload_that_breaks_the_schema():
    # SchemaViolation is raised on leaving the receiver's block, inside pytest.raises.
    with pytest.raises(SchemaViolation) as violation, \
            WebhookReceiver(SECRET, responses=[500]) as receiver:
        bad = httpx.post(receiver.url, content=BROKEN_BODY, headers=signed(BROKEN_BODY, "msg_bad"))
        good = httpx.post(receiver.url, content=BODY, headers=signed(BODY))
    assert (bad.status_code, good.status_code) == (400, 500)  # the queue is not spent on it
    assert "payload breaks the schema" in bad.text and "$.data.new" in bad.text
    (record, _) = receiver.received
    assert record.verified and record.status_sent == 400
    assert any(e.startswith("$.data.new: 'grave' is not one of") for e in record.schema_errors)
    assert any("'rating'" in e for e in record.schema_errors)
    assert receiver.schema_errors == [f"msg_bad: {e}" for e in record.schema_errors]
    assert "msg_bad: $.data.new" in str(violation.value)


def test_webhook_receiver_never_masks_the_blocks_own_failure():
    with pytest.raises(KeyError), WebhookReceiver(SECRET) as receiver:
        httpx.post(receiver.url, content=BROKEN_BODY, headers=signed(BROKEN_BODY))
        raise KeyError("the test's own failure")
    assert receiver.schema_errors


def test_webhook_receiver_checks_the_schema_of_verified_payloads_only():
    with WebhookReceiver(SECRET) as receiver:
        response = httpx.post(receiver.url, content=BROKEN_BODY, headers={"webhook-id": "x"})
    assert response.status_code == 401 and receiver.schema_errors == []


def test_webhook_receiver_schema_check_can_be_turned_off():
    with WebhookReceiver(SECRET, check_schema=False) as receiver:
        response = httpx.post(receiver.url, content=BROKEN_BODY, headers=signed(BROKEN_BODY))
    assert response.status_code == 204 and receiver.schema_errors == []
