"""alerts.retry: the Standard Webhooks schedule, jitter, Retry-After, giving up; and what a
webhook receiver's answer tells the retry (Retry-After, 410 Gone), from a real receiver."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from alerts.retry import SCHEDULE, RetryPolicy, parse_retry_after
from alerts.webhook import WebhookSettings, send_webhook
from replay.sinks import WebhookReceiver

NOW = datetime(2020, 8, 5, 9, 0, tzinfo=UTC)
SPEC = [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
        timedelta(hours=5), timedelta(hours=10), timedelta(hours=10)]


class At:
    """A random source fixed at one point of every range (0 low, 1 high)."""

    def __init__(self, where: float) -> None:
        self.where = where

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.where


def test_the_schedule_is_the_standard_webhooks_one():
    policy = RetryPolicy()
    assert policy.max_attempts == 8 and SCHEDULE[0] == timedelta(0)
    assert [policy.delay_after(n, At(0.5)) for n in range(1, 8)] == SPEC
    assert policy.delay_after(8, At(0.5)) is None  # the eighth failure is the last
    assert policy.describe() == (
        "8 attempts: at once, then 5 s, then 5 min, then 30 min, then 2 h, then 5 h, "
        "then 10 h, then 10 h")


def test_jitter_is_twenty_percent_either_way():
    policy = RetryPolicy()
    assert policy.delay_after(2, At(0.0)) == timedelta(minutes=4)
    assert policy.delay_after(2, At(1.0)) == timedelta(minutes=6)
    rng = random.Random(6)
    delays = {policy.delay_after(3, rng) for _ in range(200)}
    assert len(delays) > 100  # spread out, not one value
    assert all(timedelta(minutes=24) <= d <= timedelta(minutes=36) for d in delays)


def test_retry_after_waits_longer_never_shorter_and_is_capped():
    policy = RetryPolicy()
    mid = At(0.5)
    assert policy.delay_after(1, mid, retry_after=timedelta(minutes=2)) == timedelta(minutes=2)
    assert policy.delay_after(3, mid, retry_after=timedelta(seconds=1)) == timedelta(minutes=30)
    assert policy.delay_after(1, mid, retry_after=timedelta(days=30)) == timedelta(hours=10)
    assert policy.delay_after(8, mid, retry_after=timedelta(seconds=1)) is None


def test_max_attempts_from_env():
    assert RetryPolicy.from_env({}).max_attempts == 8
    three = RetryPolicy.from_env({"CAREWATCH_DELIVERY_MAX_ATTEMPTS": "3"})
    assert three.delay_after(2, At(0.5)) == timedelta(minutes=5)
    assert three.delay_after(3, At(0.5)) is None
    longer = RetryPolicy.from_env({"CAREWATCH_DELIVERY_MAX_ATTEMPTS": "10"})
    assert longer.delay_after(9, At(0.5)) == timedelta(hours=10)  # the last step repeats
    for bad in ("0", "-1", "eight", "2.5"):
        with pytest.raises(ValueError, match="CAREWATCH_DELIVERY_MAX_ATTEMPTS"):
            RetryPolicy.from_env({"CAREWATCH_DELIVERY_MAX_ATTEMPTS": bad})


@pytest.mark.parametrize(("header", "delay"), [
    ("120", timedelta(seconds=120)),
    (" 0 ", timedelta(0)),
    ("Wed, 05 Aug 2020 09:10:00 GMT", timedelta(minutes=10)),
    ("Wed, 05 Aug 2020 08:00:00 GMT", timedelta(0)),  # a date in the past: no wait
    ("soon", None),
    ("", None),
    (None, None),
])
def test_parse_retry_after(header, delay):
    assert parse_retry_after(header, NOW) == delay


# --- what a receiver's answer says ---------------------------------------------------------


def test_410_from_a_real_receiver_is_gone(escalation, secret):
    with WebhookReceiver(secret, responses=[410, 500]) as receiver:
        settings = WebhookSettings(receiver.url, secret)
        gone = send_webhook(escalation, settings, now=datetime.now(UTC))
        error = send_webhook(escalation, settings, now=datetime.now(UTC))
    assert (gone.ok, gone.response_code, gone.gone) == (False, 410, True)
    assert (error.ok, error.response_code, error.gone, error.retry_after) == (
        False, 500, False, None)


def test_retry_after_is_read_from_the_answer(escalation, secret, now):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "Wed, 05 Aug 2020 10:30:00 GMT"})

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        result = send_webhook(escalation, WebhookSettings("https://hooks.example.org/x", secret),
                              now=now, client=client)
    assert result.response_code == 503 and not result.gone
    assert result.retry_after == timedelta(hours=1)  # now is 09:30 UTC
