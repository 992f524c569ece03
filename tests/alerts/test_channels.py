"""alerts.channels: configuration from the environment and end-to-end sends."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from alerts.channels import (
    DeliveryResult,
    EmailChannel,
    WebhookChannel,
    channels_from_env,
    safe_url,
)
from alerts.email import SmtpSettings
from alerts.webhook import WebhookSettings
from replay.sinks import SmtpSink, WebhookReceiver

SMTP_ENV = {
    "CAREWATCH_SMTP_HOST": "smtp.example.org",
    "CAREWATCH_SMTP_FROM": "carewatch@example.org",
    "CAREWATCH_SMTP_TO": "alice@example.org,bob@example.org",
    "CAREWATCH_SMTP_USERNAME": "alerts",
    "CAREWATCH_SMTP_PASSWORD": "hunter2-hunter2",
}


def webhook_env(secret: str) -> dict[str, str]:
    return {
        "CAREWATCH_WEBHOOK_URL": "https://user:pw@hooks.example.org:8443/cw?token=abc#frag",
        "CAREWATCH_WEBHOOK_SECRET": secret,
    }


def test_channels_from_env_none_configured():
    assert channels_from_env({}) == []


def test_channels_from_env_both(secret):
    email, webhook = channels_from_env({**SMTP_ENV, **webhook_env(secret)})
    assert (email.name, webhook.name) == ("email", "webhook")
    assert email.target == "alice@example.org,bob@example.org"
    assert webhook.target == "https://hooks.example.org:8443/cw"


def test_channels_from_env_webhook_only(secret):
    (channel,) = channels_from_env(webhook_env(secret))
    assert isinstance(channel, WebhookChannel)


def test_channels_from_env_half_configured_raises():
    with pytest.raises(ValueError, match="CAREWATCH_WEBHOOK_SECRET"):
        channels_from_env({"CAREWATCH_WEBHOOK_URL": "https://hooks.example.org/x"})


def test_channel_targets_and_reprs_hold_no_secrets(secret):
    channels = channels_from_env({**SMTP_ENV, **webhook_env(secret)})
    for channel in channels:
        for text in (channel.target, repr(channel)):
            assert secret not in text
            assert "hunter2" not in text
            assert "token" not in text


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://hooks.example.org/cw", "https://hooks.example.org/cw"),
        ("http://a:b@127.0.0.1:8080/x?y=1", "http://127.0.0.1:8080/x"),
        ("https://[::1]:9000/hook?k=v", "https://[::1]:9000/hook"),
    ],
)
def test_safe_url(url, safe):
    assert safe_url(url) == safe


def test_delivery_result_is_frozen():
    result = DeliveryResult(ok=True, response_code=204)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.ok = False  # type: ignore[misc]
    assert DeliveryResult(ok=False).error is None


def test_email_channel_send(escalation, now):
    with SmtpSink() as sink:
        settings = SmtpSettings(
            host=sink.host,
            port=sink.port,
            mode="plain",
            username=None,
            password=None,
            sender="carewatch@example.org",
            recipients=("alice@example.org",),
            timeout=5.0,
        )
        assert EmailChannel(settings).send(escalation, now=now) == DeliveryResult(
            ok=True, response_code=250
        )
        assert [m["X-Carewatch-Key"] for m in sink.messages] == [escalation.key]


def test_webhook_channel_send(escalation, secret):
    with WebhookReceiver(secret) as receiver:
        channel = WebhookChannel(WebhookSettings(receiver.url, secret))
        result = channel.send(escalation, now=datetime.now(UTC))
        assert result == DeliveryResult(ok=True, response_code=204)
        assert [r.id for r in receiver.received] == [escalation.key]
