"""Delivery channels: one small object per configured destination.

The outbox (flows/deliver.py) only sees ``Channel``: a ``name`` to record, a ``target`` that is
safe to log (never a password or signing secret), and ``send``.  Adding a channel is one
class here plus one line in ``channels_from_env``.

``send_email`` / ``send_webhook`` are imported inside the methods because those modules import
``DeliveryResult`` from here; importing them at the top would be circular.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from alerts.email import SmtpSettings
    from alerts.webhook import WebhookSettings
    from storage.status import Transition



@dataclass(frozen=True)
class DeliveryResult:
    """Outcome of one send attempt.  ``error`` is safe to store and log (no secrets)."""

    ok: bool
    response_code: int | None = None
    error: str | None = None


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def target(self) -> str: ...

    def send(self, t: Transition, *, now: datetime) -> DeliveryResult: ...


@dataclass(frozen=True)
class EmailChannel:
    settings: SmtpSettings

    @property
    def name(self) -> str:
        return "email"

    @property
    def target(self) -> str:
        return ",".join(self.settings.recipients)

    def send(self, t: Transition, *, now: datetime) -> DeliveryResult:
        from alerts.email import send_email

        return send_email(t, self.settings, now=now)


@dataclass(frozen=True)
class WebhookChannel:
    settings: WebhookSettings

    @property
    def name(self) -> str:
        return "webhook"

    @property
    def target(self) -> str:
        return safe_url(self.settings.url)

    def send(self, t: Transition, *, now: datetime) -> DeliveryResult:
        from alerts.webhook import send_webhook

        return send_webhook(t, self.settings, now=now)


def safe_url(url: str) -> str:
    """``url`` without user:password, query string or fragment: tokens often hide there."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def channels_from_env(environ: Mapping[str, str] | None = None) -> list[Channel]:
    """Every channel whose settings are present; ValueError (how to fix) if one is half-set."""
    from alerts.email import SmtpSettings
    from alerts.webhook import WebhookSettings

    env = os.environ if environ is None else environ
    channels: list[Channel] = []
    smtp = SmtpSettings.from_env(env)
    if smtp is not None:
        channels.append(EmailChannel(smtp))
    webhook = WebhookSettings.from_env(env)
    if webhook is not None:
        channels.append(WebhookChannel(webhook))
    return channels
