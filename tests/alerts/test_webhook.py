"""alerts.webhook: settings, Standard Webhooks signing, and delivery to a real receiver.

The receiver checks timestamps against the real clock (five minutes' tolerance), so tests that
deliver over a socket pass ``now=datetime.now(UTC)``; pure tests use the fixed clock.
"""

from __future__ import annotations

import base64
import json
import os
import socket
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from alerts.message import render_payload
from alerts.webhook import WebhookSettings, encode_payload, send_webhook, sign
from replay.sinks import WebhookReceiver

OTHER_SECRET = "whsec_" + base64.b64encode(b"another-secret-another-secret!!").decode()


def fresh_headers(secret: str, body: bytes, msg_id: str = "msg_1") -> dict[str, str]:
    return sign(body, secret, msg_id, datetime.now(UTC))


# --- settings ----------------------------------------------------------------------------


def test_from_env_unset_url_is_none(secret):
    assert WebhookSettings.from_env({}) is None
    assert WebhookSettings.from_env({"CAREWATCH_WEBHOOK_SECRET": secret}) is None


def test_from_env_values(secret):
    env = {
        "CAREWATCH_WEBHOOK_URL": "https://hooks.example.org/carewatch",
        "CAREWATCH_WEBHOOK_SECRET": secret,
        "CAREWATCH_WEBHOOK_TIMEOUT": "2.5",
    }
    assert WebhookSettings.from_env(env) == WebhookSettings(
        url="https://hooks.example.org/carewatch", secret=secret, timeout=2.5
    )


def test_from_env_default_timeout(secret):
    env = {"CAREWATCH_WEBHOOK_URL": "http://127.0.0.1:9/x", "CAREWATCH_WEBHOOK_SECRET": secret}
    settings = WebhookSettings.from_env(env)
    assert settings is not None
    assert settings.timeout == 10.0


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "CAREWATCH_WEBHOOK_SECRET is not"),
        ("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "must start with 'whsec_'"),
        ("whsec_not*base64!", "not valid base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "too short"),
    ],
)
def test_from_env_bad_secret_says_how_to_generate(secret, message):
    env = {
        "CAREWATCH_WEBHOOK_URL": "https://hooks.example.org/x",
        "CAREWATCH_WEBHOOK_SECRET": secret,
    }
    with pytest.raises(ValueError, match=message) as caught:
        WebhookSettings.from_env(env)
    assert "base64.b64encode(os.urandom(24))" in str(caught.value)
    if secret:
        assert secret not in str(caught.value)


def test_generated_secret_is_accepted():
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    env = {
        "CAREWATCH_WEBHOOK_URL": "https://hooks.example.org/x",
        "CAREWATCH_WEBHOOK_SECRET": secret,
    }
    assert WebhookSettings.from_env(env) is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"CAREWATCH_WEBHOOK_URL": "hooks.example.org/x"}, "absolute http"),
        ({"CAREWATCH_WEBHOOK_URL": "ftp://hooks.example.org/x"}, "absolute http"),
        ({"CAREWATCH_WEBHOOK_TIMEOUT": "soon"}, "CAREWATCH_WEBHOOK_TIMEOUT"),
    ],
)
def test_from_env_invalid(secret, changes, message):
    env = {
        "CAREWATCH_WEBHOOK_URL": "https://hooks.example.org/x",
        "CAREWATCH_WEBHOOK_SECRET": secret,
        **changes,
    }
    with pytest.raises(ValueError, match=message):
        WebhookSettings.from_env(env)


def test_settings_repr_hides_secret(secret):
    assert secret not in repr(WebhookSettings(url="https://x.example/", secret=secret))


# --- signing -----------------------------------------------------------------------------


def test_sign_headers(secret, now):
    headers = sign(b'{"a":1}', secret, "msg_1", now)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert sign(b'{"a":1}', secret, "msg_1", now) == headers


def test_sign_verify_round_trip(secret):
    body = b'{"type":"status.changed","data":{"new":"significant"}}'
    headers = fresh_headers(secret, body)
    assert Webhook(secret).verify(body, headers) == json.loads(body)


def test_sign_tampered_body_fails(secret):
    body = b'{"type":"status.changed","data":{"new":"significant"}}'
    headers = fresh_headers(secret, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"significant", b"serious"), headers)


def test_sign_other_secret_fails(secret):
    body = b"{}"
    with pytest.raises(WebhookVerificationError):
        Webhook(OTHER_SECRET).verify(body, fresh_headers(secret, body))


def test_sign_non_utc_timestamp_is_the_same_instant(secret, now):
    # standardwebhooks' own sign() does timestamp.replace(tzinfo=UTC), which would shift an
    # aware non-UTC time by its offset; sign() converts first.
    bst = now.astimezone(timezone(timedelta(hours=1)))
    assert sign(b"{}", secret, "m", bst) == sign(b"{}", secret, "m", now)


def test_sign_rejects_naive_timestamp(secret):
    with pytest.raises(ValueError, match="timezone-aware"):
        sign(b"{}", secret, "m", datetime(2020, 8, 5, 9, 30))


# --- delivery ----------------------------------------------------------------------------


def test_send_webhook_to_real_receiver(escalation, secret):
    now = datetime.now(UTC)
    with WebhookReceiver(secret) as receiver:
        result = send_webhook(escalation, WebhookSettings(receiver.url, secret), now=now)
        (got,) = receiver.received
    assert result.ok, result.error
    assert result.response_code == 204
    assert got.verified
    assert got.id == escalation.key
    assert got.timestamp == now.replace(microsecond=0)
    assert got.payload == json.loads(json.dumps(render_payload(escalation, now=now)))
    assert got.headers["content-type"] == "application/json"


def test_send_webhook_retry_reuses_id_with_fresh_timestamp(escalation, secret):
    first_try = datetime.now(UTC) - timedelta(minutes=2)
    with WebhookReceiver(secret, responses=[500]) as receiver:
        settings = WebhookSettings(receiver.url, secret)
        failed = send_webhook(escalation, settings, now=first_try)
        retried = send_webhook(escalation, settings, now=datetime.now(UTC))
        first, second = receiver.received
    assert not failed.ok
    assert failed.response_code == 500
    assert failed.error == "HTTP 500: simulated failure 500"
    assert retried.ok
    assert first.verified and second.verified
    assert first.id == second.id == escalation.key
    assert first.timestamp is not None and second.timestamp is not None
    assert second.timestamp > first.timestamp


def test_send_webhook_wrong_secret_is_rejected(escalation, secret):
    with WebhookReceiver(secret) as receiver:
        settings = WebhookSettings(receiver.url, OTHER_SECRET)
        result = send_webhook(escalation, settings, now=datetime.now(UTC))
        (got,) = receiver.received
    assert not got.verified
    assert not result.ok
    assert result.response_code == 401
    assert result.error is not None
    assert result.error.startswith("HTTP 401: signature rejected")
    assert OTHER_SECRET.removeprefix("whsec_") not in result.error


def test_send_webhook_timeout(escalation, secret):
    with WebhookReceiver(secret, delay=1.0) as receiver:
        settings = WebhookSettings(receiver.url, secret, timeout=0.2)
        result = send_webhook(escalation, settings, now=datetime.now(UTC))
    assert not result.ok
    assert result.response_code is None
    assert result.error is not None
    assert result.error.startswith("ReadTimeout: ")


def test_send_webhook_connection_refused(escalation, secret):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = WebhookSettings(f"http://127.0.0.1:{port}/hook", secret, timeout=2.0)
    result = send_webhook(escalation, settings, now=datetime.now(UTC))
    assert not result.ok
    assert result.error is not None
    assert result.error.startswith("ConnectError: ")


def test_send_webhook_with_given_client_and_long_error_body(escalation, secret, now):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, text=f"bad gateway {secret} " + "x" * 500)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        settings = WebhookSettings("https://hooks.example.org/carewatch?token=t", secret)
        result = send_webhook(escalation, settings, now=now, client=client)
    (request,) = seen
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == escalation.key
    assert request.content == encode_payload(render_payload(escalation, now=now))
    assert (
        sign(request.content, secret, escalation.key, now)["webhook-signature"]
        == (request.headers["webhook-signature"])
    )
    assert not result.ok
    assert result.response_code == 502
    assert result.error is not None
    assert result.error.startswith("HTTP 502: bad gateway *** xxx")  # secret echoed, scrubbed
    assert result.error.endswith("x" * 100)
    assert len(result.error) < len("HTTP 502: ") + 200
