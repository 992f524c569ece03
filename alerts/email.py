"""Email alerts over SMTP: the only module that talks SMTP.

Modes: ``starttls`` (port 587, upgrade before anything else is sent; never falls back to
plain), ``tls`` (implicit TLS, port 465) and ``plain`` (port 25; for a local relay or the
demo's loopback sink only).  Certificates are verified with ``ssl.create_default_context``;
``cafile`` adds a private CA for a relay with an internal certificate.

A re-send of the same change is recognisably the same message: the Message-ID is derived
from the transition's idempotency key, and the key is repeated in ``X-Carewatch-Key``.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from alerts.channels import DeliveryResult
from alerts.message import Alertable, render_html, render_subject, render_text, utc
from scrapers.http import env_number

MODES = ("starttls", "tls", "plain")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "plain": 25}
DEFAULT_TIMEOUT = 30.0
KEY_HEADER = "X-Carewatch-Key"
# Characters allowed in the left part of a Message-ID (RFC 5322 dot-atom-text).
_MSGID_UNSAFE = re.compile(r"[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    mode: str
    username: str | None
    password: str | None = field(repr=False)
    sender: str
    recipients: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT
    cafile: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """Settings from ``CAREWATCH_SMTP_*``; None when ``CAREWATCH_SMTP_HOST`` is unset.

        Half-configured email is an error, not a silent "no email": every ValueError names
        the variable and says how to fix it.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        host = get("CAREWATCH_SMTP_HOST")
        if host is None:
            return None
        mode = (get("CAREWATCH_SMTP_MODE") or "starttls").lower()
        if mode not in MODES:
            raise ValueError(
                f"CAREWATCH_SMTP_MODE={mode!r} is not valid: use one of {', '.join(MODES)} "
                "(starttls for port 587, tls for port 465, plain only for a local relay)"
            )
        sender = get("CAREWATCH_SMTP_FROM")
        if sender is None or "@" not in sender:
            raise ValueError(
                "CAREWATCH_SMTP_HOST is set but CAREWATCH_SMTP_FROM is missing or not an "
                "address: set it to the sender, e.g. CAREWATCH_SMTP_FROM=carewatch@example.org "
                "(or unset CAREWATCH_SMTP_HOST to turn email alerts off)"
            )
        recipients = tuple(
            r.strip() for r in (get("CAREWATCH_SMTP_TO") or "").split(",") if r.strip()
        )
        bad = [r for r in recipients if "@" not in r]
        if not recipients or bad:
            raise ValueError(
                "CAREWATCH_SMTP_HOST is set but CAREWATCH_SMTP_TO is missing or has an entry "
                f"that is not an address ({', '.join(bad) or 'empty'}): set it to one or more "
                "comma-separated addresses, e.g. CAREWATCH_SMTP_TO=a@example.org,b@example.org"
            )
        username, password = (
            get("CAREWATCH_SMTP_USERNAME"),
            env.get("CAREWATCH_SMTP_PASSWORD") or None,
        )
        if (username is None) != (password is None):
            raise ValueError(
                "set both CAREWATCH_SMTP_USERNAME and CAREWATCH_SMTP_PASSWORD for an "
                "authenticated relay, or neither for one that needs no login"
            )
        return cls(
            host=host,
            port=env_number(env, "CAREWATCH_SMTP_PORT", DEFAULT_PORTS[mode], int),
            mode=mode,
            username=username,
            password=password,
            sender=sender,
            recipients=recipients,
            timeout=env_number(env, "CAREWATCH_SMTP_TIMEOUT", DEFAULT_TIMEOUT, float),
            cafile=get("CAREWATCH_SMTP_CAFILE"),
        )


def build_email(t: Alertable, settings: SmtpSettings, *, now: datetime) -> EmailMessage:
    """multipart/alternative (text, then HTML) with headers that make re-sends recognisable."""
    msg = EmailMessage()
    msg["Subject"] = render_subject(t)
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = format_datetime(utc(now))
    msg["Message-ID"] = message_id(t.key)
    msg[KEY_HEADER] = t.key
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies, please
    msg.set_content(render_text(t))
    msg.add_alternative(render_html(t), subtype="html")
    return msg


def message_id(key: str) -> str:
    """``<key@carewatch>``, with characters a Message-ID cannot hold replaced by ``-``."""
    return f"<{_MSGID_UNSAFE.sub('-', key) or 'alert'}@carewatch>"


def send_email(t: Alertable, settings: SmtpSettings, *, now: datetime) -> DeliveryResult:
    """Send one alert; never raises for delivery problems.

    When the server accepts some recipients and refuses others the result is ok (a retry
    would re-send to everyone who already has it) with the refusals in ``error``.
    """
    msg = build_email(t, settings, now=now)
    try:
        with _connect(settings) as smtp:
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            refused = smtp.send_message(
                msg, from_addr=settings.sender, to_addrs=list(settings.recipients)
            )
    except Exception as exc:  # noqa: BLE001 - any failure is a failed delivery, not a crash
        code = getattr(exc, "smtp_code", None)
        return DeliveryResult(ok=False, response_code=code, error=_describe(exc, settings))
    if refused:
        detail = "; ".join(f"{rcpt} ({_reply(*reply)})" for rcpt, reply in refused.items())
        return DeliveryResult(
            ok=True, response_code=250, error=f"some recipients refused: {detail}"
        )
    return DeliveryResult(ok=True, response_code=250)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.mode == "tls":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=_tls_context(settings)
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.mode == "starttls":
            smtp.ehlo()
            smtp.starttls(context=_tls_context(settings))  # raises if the server lacks STARTTLS
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.cafile)


def _describe(exc: BaseException, settings: SmtpSettings) -> str:
    """``<class>: <message>`` with SMTP replies decoded and the password scrubbed."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{rcpt} ({_reply(*reply)})" for rcpt, reply in exc.recipients.items())
        text = f"{name}: all recipients refused: {detail}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{name}: {_reply(exc.smtp_code, exc.smtp_error)}"
    else:
        text = f"{name}: {exc}"
    if settings.password:
        text = text.replace(settings.password, "***")
    return text


def _reply(code: int, message: bytes | str) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    return f"{code} {' '.join(message.split())}"


@contextmanager
def open_session(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """An SMTP session as a delivery opens it (TLS as configured, logged in), for
    ``carewatch doctor`` to prove the server is reachable without sending anything."""
    with _connect(settings) as smtp:
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        yield smtp
