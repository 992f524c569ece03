"""Delivery channels: one small object per configured destination.

The outbox (flows/deliver.py) only sees ``Channel``: a ``name`` to record, a ``target`` that is
safe to log (never a password or signing secret), and ``send``.  Adding a channel is one
class here plus one line in ``channels_from_env``.

Each channel also says which alert ``kinds`` it takes (None: every kind).  Operations alerts
(``storage.health``: a source is failing, empty or stale; ``storage.outbox``: an endpoint
disabled by 410 Gone, an alert dead-lettered) go to the operations targets
``CAREWATCH_OPS_EMAIL_TO`` (same SMTP server) and/or ``CAREWATCH_OPS_WEBHOOK_URL`` (same
signing secret) when either is set, and then never to the status channels, which in turn
take only status alerts; with neither set, the status channels take every status and
operations alert.  Digests (``storage.digests``) go only to ``CAREWATCH_DIGEST_TO`` (same SMTP
server, channel "digest_email"), never to the status channels or a webhook.

``send_email`` / ``send_webhook`` are imported inside the methods because those modules import
``DeliveryResult`` from here; importing them at the top would be circular.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit, urlunsplit

from storage.digests import ALERT_DIGEST
from storage.health import ALERT_SOURCE_HEALTH
from storage.notices import ALERT_KINDS as STATUS_ALERT_KINDS
from storage.outbox import ALERT_DELIVERY

if TYPE_CHECKING:
    from alerts.email import SmtpSettings
    from alerts.message import Alertable
    from alerts.webhook import WebhookSettings

OPS_ALERT_KINDS = frozenset({ALERT_SOURCE_HEALTH, ALERT_DELIVERY})
DIGEST_KINDS = frozenset({ALERT_DIGEST})


@dataclass(frozen=True)
class DeliveryResult:
    """Outcome of one send attempt.  ``error`` is safe to store and log (no secrets).

    ``retry_after`` is how long the receiver asked to be left alone (its ``Retry-After``);
    ``gone`` says the endpoint answered 410 Gone: it no longer wants anything from us.
    """

    ok: bool
    response_code: int | None = None
    error: str | None = None
    retry_after: timedelta | None = None
    gone: bool = False


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def kinds(self) -> frozenset[str] | None: ...

    def send(self, t: Alertable, *, now: datetime) -> DeliveryResult: ...


@dataclass(frozen=True)
class EmailChannel:
    settings: SmtpSettings
    kinds: frozenset[str] | None = None
    # "ops" or "digest" for those recipients (recorded as channel "ops_email", ...)
    role: str = ""

    @property
    def name(self) -> str:
        return f"{self.role}_email" if self.role else "email"

    @property
    def target(self) -> str:
        return ",".join(self.settings.recipients)

    def send(self, t: Alertable, *, now: datetime) -> DeliveryResult:
        from alerts.email import send_email

        return send_email(t, self.settings, now=now)


@dataclass(frozen=True)
class WebhookChannel:
    settings: WebhookSettings
    kinds: frozenset[str] | None = None
    role: str = ""  # "ops" for the operations endpoint (recorded as channel "ops_webhook")

    @property
    def name(self) -> str:
        return f"{self.role}_webhook" if self.role else "webhook"

    @property
    def target(self) -> str:
        return safe_url(self.settings.url)

    def send(self, t: Alertable, *, now: datetime) -> DeliveryResult:
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
    """Every channel whose settings are present; ValueError (how to fix) if one is half-set.

    With operations targets set, the status channels take status alerts only and the
    operations ones source-health alerts only; status email may then be left unset
    (``CAREWATCH_SMTP_TO`` empty) to send only operations email.
    """
    from alerts.email import SmtpSettings
    from alerts.webhook import WebhookSettings

    env = os.environ if environ is None else environ
    ops = _ops_channels(env)
    status_kinds = frozenset(STATUS_ALERT_KINDS) | (frozenset() if ops else OPS_ALERT_KINDS)
    channels: list[Channel] = []
    # With operations or digest recipients set, an empty CAREWATCH_SMTP_TO means "no email
    # per event": a digest reader need not also take every alert.
    other_mail = ops or env.get("CAREWATCH_DIGEST_TO", "").strip()
    status_email = not (other_mail and not env.get("CAREWATCH_SMTP_TO", "").strip())
    smtp = SmtpSettings.from_env(env) if status_email else None
    if smtp is not None:
        channels.append(EmailChannel(smtp, kinds=status_kinds))
    webhook = WebhookSettings.from_env(env)
    if webhook is not None:
        channels.append(WebhookChannel(webhook, kinds=status_kinds))
    return channels + ops + _digest_channels(env)


def _digest_channels(env: Mapping[str, str]) -> list[Channel]:
    """``CAREWATCH_DIGEST_TO`` over the status SMTP server: the digest recipients."""
    from alerts.email import SmtpSettings

    to = env.get("CAREWATCH_DIGEST_TO", "").strip()
    if not to:
        return []
    if not env.get("CAREWATCH_SMTP_HOST", "").strip():
        raise ValueError("CAREWATCH_DIGEST_TO is set but CAREWATCH_SMTP_HOST is not: "
                         "digests use the same SMTP server settings")
    smtp = SmtpSettings.from_env({**env, "CAREWATCH_SMTP_TO": to})
    return [EmailChannel(smtp, kinds=DIGEST_KINDS, role="digest")] if smtp is not None else []


def _ops_channels(env: Mapping[str, str]) -> list[Channel]:
    """The operations targets: ``CAREWATCH_OPS_EMAIL_TO`` over the status SMTP server,
    ``CAREWATCH_OPS_WEBHOOK_URL`` signed with ``CAREWATCH_WEBHOOK_SECRET``."""
    from alerts.email import SmtpSettings
    from alerts.webhook import WebhookSettings

    channels: list[Channel] = []
    to = env.get("CAREWATCH_OPS_EMAIL_TO", "").strip()
    if to:
        if not env.get("CAREWATCH_SMTP_HOST", "").strip():
            raise ValueError("CAREWATCH_OPS_EMAIL_TO is set but CAREWATCH_SMTP_HOST is not: "
                             "operations email uses the same SMTP server settings")
        smtp = SmtpSettings.from_env({**env, "CAREWATCH_SMTP_TO": to})
        if smtp is not None:
            channels.append(EmailChannel(smtp, kinds=OPS_ALERT_KINDS, role="ops"))
    url = env.get("CAREWATCH_OPS_WEBHOOK_URL", "").strip()
    if url:
        webhook = WebhookSettings.from_env({**env, "CAREWATCH_WEBHOOK_URL": url})
        if webhook is not None:
            channels.append(WebhookChannel(webhook, kinds=OPS_ALERT_KINDS, role="ops"))
    return channels
