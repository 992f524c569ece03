"""Webhook alerts signed per the Standard Webhooks spec (https://www.standardwebhooks.com/).

Receivers verify ``webhook-signature`` (HMAC-SHA256 over ``id.timestamp.body``) with the shared
``whsec_`` secret, reject timestamps more than five minutes from their clock, and de-duplicate
on ``webhook-id``.  carewatch therefore uses the transition's idempotency key as the id (the
same on every retry, so a receiver drops repeats) and a fresh timestamp per attempt (so a retry
an hour later is not rejected as stale).

The body's shape is a published contract: ``alerts/schema/webhook-payload.schema.json`` (JSON
Schema 2020-12, shipped in the package).  ``payload_errors`` checks a payload against it; the
tests and the test receiver (``replay.sinks.WebhookReceiver``) run it on every payload sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from alerts.channels import DeliveryResult, safe_url
from alerts.message import Alertable, render_payload, utc
from alerts.retry import parse_retry_after
from scrapers.http import env_number

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24  # the Standard Webhooks spec asks for 24 to 64 random bytes
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "carewatch-alerts/0.1"
GENERATE_SECRET = (
    "python -c \"import base64,os;print('whsec_'+base64.b64encode(os.urandom(24)).decode())\""
)


@dataclass(frozen=True, repr=False)
class WebhookSettings:
    url: str
    secret: str
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:
        """Never shows the secret, nor credentials or tokens carried in the URL."""
        return f"WebhookSettings(url={safe_url(self.url)!r}, secret=***, timeout={self.timeout})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebhookSettings | None:
        """Settings from ``CAREWATCH_WEBHOOK_*``; None when ``CAREWATCH_WEBHOOK_URL`` is unset.

        An unsigned webhook is never sent: a URL without a valid secret is a ValueError that
        says how to generate one.
        """
        env = os.environ if environ is None else environ
        url = env.get("CAREWATCH_WEBHOOK_URL", "").strip()
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "CAREWATCH_WEBHOOK_URL must be an absolute http(s) URL, "
                "e.g. https://hooks.example.org/carewatch"
            )
        secret = env.get("CAREWATCH_WEBHOOK_SECRET", "").strip()
        check_secret(secret)
        timeout = env_number(env, "CAREWATCH_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT, float)
        return cls(url=url, secret=secret, timeout=timeout)


def check_secret(secret: str) -> None:
    """ValueError (with the command to make a good one) unless ``secret`` is a usable
    ``whsec_<base64>`` secret.  The message never echoes the secret."""
    how = f"generate one with: {GENERATE_SECRET} and give the same value to the receiver"
    if not secret:
        raise ValueError(f"CAREWATCH_WEBHOOK_URL is set but CAREWATCH_WEBHOOK_SECRET is not; {how}")
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"CAREWATCH_WEBHOOK_SECRET must start with {SECRET_PREFIX!r}; {how}")
    body = secret[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            f"CAREWATCH_WEBHOOK_SECRET is not valid base64 after {SECRET_PREFIX!r}; {how}"
        ) from None
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(
            f"CAREWATCH_WEBHOOK_SECRET is too short ({len(key)} bytes, need at least "
            f"{MIN_SECRET_BYTES}); {how}"
        )


def sign(body: bytes, secret: str, msg_id: str, timestamp: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` (pure; ``timestamp`` must be aware)."""
    when = utc(timestamp)
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=when, data=body.decode("utf-8"))
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(when.timestamp())),
        "webhook-signature": signature,
    }


def encode_payload(payload: Mapping[str, object]) -> bytes:
    """The exact bytes that are signed and sent (compact JSON, UTF-8)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def send_webhook(
    t: Alertable,
    settings: WebhookSettings,
    *,
    now: datetime,
    client: httpx.Client | None = None,
) -> DeliveryResult:
    """POST one signed event; never raises for delivery problems.

    ``now`` is the attempt time and becomes both the signed timestamp and the payload's
    ``timestamp``, so pass the current time on every attempt.  2xx is success; redirects are
    not followed (a moved endpoint should be reconfigured, not guessed).  A failure carries
    the receiver's ``Retry-After`` and, for 410 Gone, ``gone`` (the endpoint is disabled).
    """
    body = encode_payload(render_payload(t, now=now))
    headers = sign(body, settings.secret, t.key, now)
    headers.update({"content-type": "application/json", "user-agent": USER_AGENT})
    own = client is None
    http = client if client is not None else httpx.Client()
    try:
        response = http.post(settings.url, content=body, headers=headers, timeout=settings.timeout)
    except Exception as exc:  # noqa: BLE001 - any failure is a failed delivery, not a crash
        return DeliveryResult(ok=False, error=_scrub(f"{type(exc).__name__}: {exc}", settings))
    finally:
        if own:
            http.close()
    if 200 <= response.status_code < 300:
        return DeliveryResult(ok=True, response_code=response.status_code)
    snippet = " ".join(response.text.split())[:200]
    code = response.status_code
    error = f"HTTP {code}: {snippet}" if snippet else f"HTTP {code}"
    return DeliveryResult(
        ok=False, response_code=code, error=_scrub(error, settings),
        retry_after=parse_retry_after(response.headers.get("retry-after"), utc(now)),
        gone=code == 410,
    )


def _scrub(text: str, settings: WebhookSettings) -> str:
    """Remove the secret (whole, or its base64 part) in case a receiver or library echoes it."""
    for needle in (settings.secret, settings.secret.removeprefix(SECRET_PREFIX)):
        if needle:
            text = text.replace(needle, "***")
    return text


# --- the payload's JSON Schema -------------------------------------------------------------

PAYLOAD_SCHEMA = "schema/webhook-payload.schema.json"  # inside the alerts package
# The schema's definition for each payload type: validating against the one that ``type``
# names gives "$.data.new: 'x' is not one of [...]" rather than oneOf's "not valid under
# any of the given schemas".
PAYLOAD_DEFINITIONS = {
    "status.changed": "statusChanged",
    "status.unconfirmed_report": "unconfirmedReport",
    "source.health": "sourceHealth",
    "delivery.problem": "deliveryProblem",
}
# RFC 3986 absolute URI: a scheme, then no character a URI never carries unescaped.
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


@cache
def payload_schema() -> dict[str, Any]:
    """The webhook payload's JSON Schema, as shipped (see README, Alerts)."""
    text = resources.files("alerts").joinpath(PAYLOAD_SCHEMA).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def payload_validator(payload_type: str | None = None) -> Validator:
    """A Draft 2020-12 validator for the whole schema, or for one payload type's definition,
    that also checks ``date``, ``date-time`` and ``uri`` formats.

    jsonschema is imported here rather than at the top: the sender never validates what it
    renders, only the tests and the test receiver do.  (It is always installed all the
    same: Prefect depends on it.)
    """
    from jsonschema import Draft202012Validator, FormatChecker

    schema = payload_schema()
    if payload_type is not None:
        schema = {key: value for key, value in schema.items() if key != "oneOf"}
        schema["$ref"] = f"#/$defs/{PAYLOAD_DEFINITIONS[payload_type]}"
    formats = FormatChecker()
    # jsonschema checks "uri" only when the rfc3987 package is installed; this is enough to
    # catch a relative or space-containing URL, and http(s) ones must name a host.
    formats.checks("uri")(_is_absolute_uri)
    return Draft202012Validator(schema, format_checker=formats)


def payload_errors(payload: object) -> list[str]:
    """Every way ``payload`` breaks the schema, one line each ("$.data.new: 'serios' is not
    one of ['serious', 'significant']"); empty for a valid payload."""
    payload_type = payload.get("type") if isinstance(payload, dict) else None
    known = payload_type if payload_type in PAYLOAD_DEFINITIONS else None
    errors = sorted(payload_validator(known).iter_errors(payload), key=lambda e: e.json_path)
    return [f"{error.json_path}: {_clip(error.message)}" for error in errors]


def _is_absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True  # "format" constrains strings only; "type" speaks for the rest
    if not _ABSOLUTE_URI.match(value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() not in ("http", "https") or bool(parts.hostname)


def _clip(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
