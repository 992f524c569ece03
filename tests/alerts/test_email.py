"""alerts.email: settings from the environment, the message, and delivery to a real SMTP sink.

STARTTLS and implicit TLS run for real against aiosmtpd with a self-signed certificate made at
test time (conftest.tls_files); the client verifies it through ``SmtpSettings.cafile``.
"""

from __future__ import annotations

import dataclasses
import smtplib
import socket
from email.utils import parsedate_to_datetime

import pytest

from alerts.email import SmtpSettings, build_email, message_id, send_email
from alerts.message import render_subject
from replay.sinks import SmtpSink

PASSWORD = "correct-horse-battery-staple"
BASE_ENV = {
    "CAREWATCH_SMTP_HOST": "smtp.example.org",
    "CAREWATCH_SMTP_FROM": "carewatch@example.org",
    "CAREWATCH_SMTP_TO": "alice@example.org, bob@example.org",
}


def settings_for(sink: SmtpSink, **changes: object) -> SmtpSettings:
    base = SmtpSettings(
        host=sink.host,
        port=sink.port,
        mode=sink.mode,
        username=None,
        password=None,
        sender="carewatch@example.org",
        recipients=("alice@example.org", "bob@example.org"),
        timeout=5.0,
    )
    return dataclasses.replace(base, **changes)


# --- settings ----------------------------------------------------------------------------


def test_from_env_unset_host_is_none():
    assert SmtpSettings.from_env({}) is None
    assert SmtpSettings.from_env({"CAREWATCH_SMTP_HOST": "  "}) is None


def test_from_env_defaults():
    settings = SmtpSettings.from_env(BASE_ENV)
    assert settings == SmtpSettings(
        host="smtp.example.org",
        port=587,
        mode="starttls",
        username=None,
        password=None,
        sender="carewatch@example.org",
        recipients=("alice@example.org", "bob@example.org"),
    )


@pytest.mark.parametrize(("mode", "port"), [("starttls", 587), ("tls", 465), ("plain", 25)])
def test_from_env_default_port_per_mode(mode, port):
    settings = SmtpSettings.from_env({**BASE_ENV, "CAREWATCH_SMTP_MODE": mode})
    assert settings is not None
    assert (settings.mode, settings.port) == (mode, port)


def test_from_env_all_values():
    env = {
        **BASE_ENV,
        "CAREWATCH_SMTP_PORT": "2525",
        "CAREWATCH_SMTP_MODE": "TLS",
        "CAREWATCH_SMTP_USERNAME": "alerts",
        "CAREWATCH_SMTP_PASSWORD": PASSWORD,
        "CAREWATCH_SMTP_TIMEOUT": "12.5",
        "CAREWATCH_SMTP_CAFILE": "/etc/ssl/private-ca.pem",
    }
    settings = SmtpSettings.from_env(env)
    assert settings is not None
    assert (settings.port, settings.mode, settings.timeout) == (2525, "tls", 12.5)
    assert (settings.username, settings.password) == ("alerts", PASSWORD)
    assert settings.cafile == "/etc/ssl/private-ca.pem"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"CAREWATCH_SMTP_FROM": ""}, "CAREWATCH_SMTP_FROM"),
        ({"CAREWATCH_SMTP_FROM": "carewatch"}, "CAREWATCH_SMTP_FROM"),
        ({"CAREWATCH_SMTP_TO": ""}, "CAREWATCH_SMTP_TO"),
        ({"CAREWATCH_SMTP_TO": "alice@example.org,bob"}, "bob"),
        ({"CAREWATCH_SMTP_MODE": "ssl"}, "starttls, tls, plain"),
        ({"CAREWATCH_SMTP_PORT": "smtp"}, "CAREWATCH_SMTP_PORT"),
        ({"CAREWATCH_SMTP_TIMEOUT": "0"}, "CAREWATCH_SMTP_TIMEOUT"),
        ({"CAREWATCH_SMTP_USERNAME": "alerts"}, "CAREWATCH_SMTP_PASSWORD"),
    ],
)
def test_from_env_invalid_says_how_to_fix(changes, message):
    env = {k: v for k, v in {**BASE_ENV, **changes}.items() if v}
    with pytest.raises(ValueError, match=message):
        SmtpSettings.from_env(env)


def test_settings_repr_hides_password():
    env = {**BASE_ENV, "CAREWATCH_SMTP_USERNAME": "alerts", "CAREWATCH_SMTP_PASSWORD": PASSWORD}
    assert PASSWORD not in repr(SmtpSettings.from_env(env))


# --- the message -------------------------------------------------------------------------


def test_build_email_structure_and_headers(escalation, now):
    settings = SmtpSettings.from_env(BASE_ENV)
    assert settings is not None
    msg = build_email(escalation, settings, now=now)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Subject"] == render_subject(escalation)
    assert msg["From"] == "carewatch@example.org"
    assert msg["To"] == "alice@example.org, bob@example.org"
    assert msg["Message-ID"] == f"<{escalation.key}@carewatch>"
    assert msg["X-Carewatch-Key"] == escalation.key
    assert parsedate_to_datetime(msg["Date"]) == now


def test_build_email_resend_has_same_message_id(escalation, now):
    settings = SmtpSettings.from_env(BASE_ENV)
    assert settings is not None
    first = build_email(escalation, settings, now=now)
    later = build_email(escalation, settings, now=now.replace(hour=18))
    assert first["Message-ID"] == later["Message-ID"]
    assert first["Date"] != later["Date"]


def test_message_id_replaces_unsafe_characters():
    assert message_id("a b<c>@d") == "<a-b-c--d@carewatch>"


# --- delivery to a real loopback SMTP server ------------------------------------------------


def test_send_email_delivers_text_and_html(escalation, now):
    with SmtpSink() as sink:
        result = send_email(escalation, settings_for(sink), now=now)
        assert result.ok, result.error
        assert result.response_code == 250
        (mail,) = sink.received
    assert mail.mail_from == "carewatch@example.org"
    assert mail.rcpt_tos == ("alice@example.org", "bob@example.org")
    assert not mail.tls
    msg = mail.message
    assert msg["Subject"] == render_subject(escalation)
    assert msg["Message-ID"] == f"<{escalation.key}@carewatch>"
    assert msg["X-Carewatch-Key"] == escalation.key
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "'serious concern' → 'significant concern'" in text.get_content()
    assert "<blockquote" in html.get_content()
    assert escalation.evidence.replace("'", "&#x27;") in html.get_content()


def test_send_email_starttls_with_login(escalation, now, tls_files):
    sink = SmtpSink(
        mode="starttls",
        tls_context=tls_files.server_context(),
        credentials=("alerts", PASSWORD),
    )
    with sink:
        settings = settings_for(
            sink, username="alerts", password=PASSWORD, cafile=str(tls_files.cert)
        )
        result = send_email(escalation, settings, now=now)
        assert result.ok, result.error
        (mail,) = sink.received
    assert mail.tls
    assert mail.login == "alerts"


def test_send_email_implicit_tls_with_login(escalation, now, tls_files):
    sink = SmtpSink(mode="tls", tls_context=tls_files.server_context(), credentials=("a", "b"))
    with sink:
        settings = settings_for(sink, username="a", password="b", cafile=str(tls_files.cert))
        result = send_email(escalation, settings, now=now)
        assert result.ok, result.error
        (mail,) = sink.received
    assert mail.tls
    assert mail.login == "a"


def test_send_email_untrusted_certificate_fails(escalation, now, tls_files):
    with SmtpSink(mode="starttls", tls_context=tls_files.server_context()) as sink:
        result = send_email(escalation, settings_for(sink), now=now)
        assert sink.received == []
    assert not result.ok
    assert result.error is not None
    assert result.error.startswith("SSLCertVerificationError: ")


def test_send_email_starttls_never_falls_back_to_plain(escalation, now):
    with SmtpSink() as sink:  # plain server: no STARTTLS offered
        result = send_email(escalation, settings_for(sink, mode="starttls"), now=now)
        assert sink.received == []
    assert not result.ok
    assert result.error is not None
    assert result.error.startswith("SMTPNotSupportedError: ")


def test_send_email_wrong_password_does_not_leak_it(escalation, now, tls_files):
    sink = SmtpSink(mode="tls", tls_context=tls_files.server_context(), credentials=("a", "b"))
    with sink:
        settings = settings_for(sink, username="a", password=PASSWORD, cafile=str(tls_files.cert))
        result = send_email(escalation, settings, now=now)
    assert not result.ok
    assert result.response_code == 535
    assert result.error is not None
    assert result.error.startswith("SMTPAuthenticationError: 535")
    assert PASSWORD not in result.error


def test_send_email_refused_then_accepted(escalation, now):
    with SmtpSink(refuse=True) as sink:
        refused = send_email(escalation, settings_for(sink), now=now)
        assert sink.received == []
        sink.refuse = False
        accepted = send_email(escalation, settings_for(sink), now=now)
        assert len(sink.received) == 1
    assert not refused.ok
    assert refused.response_code == 421
    assert refused.error is not None
    assert refused.error.startswith("SMTPSenderRefused: 421 4.3.2")
    assert "simulated outage" in refused.error
    assert accepted.ok


def test_send_email_connection_refused(escalation, now):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = SmtpSettings(
        host="127.0.0.1",
        port=port,
        mode="plain",
        username=None,
        password=None,
        sender="carewatch@example.org",
        recipients=("alice@example.org",),
        timeout=2.0,
    )
    result = send_email(escalation, settings, now=now)
    assert not result.ok
    assert result.error is not None
    assert result.error.startswith("ConnectionRefusedError: ")


def test_send_email_timeout(escalation, now):
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings = SmtpSettings(
            host="127.0.0.1",
            port=silent.getsockname()[1],
            mode="plain",
            username=None,
            password=None,
            sender="carewatch@example.org",
            recipients=("alice@example.org",),
            timeout=0.3,
        )
        result = send_email(escalation, settings, now=now)
    assert not result.ok
    assert result.error is not None
    # smtplib reports a greeting that never comes as a disconnect caused by the timeout.
    assert result.error == "SMTPServerDisconnected: Connection unexpectedly closed: timed out"


def test_send_email_scrubs_password_echoed_by_server(escalation, now, monkeypatch):
    def echoing_login(self, user, password, **kwargs):
        raise smtplib.SMTPAuthenticationError(535, f"bad credentials {user}:{password}".encode())

    monkeypatch.setattr(smtplib.SMTP, "login", echoing_login)
    with SmtpSink() as sink:
        settings = settings_for(sink, username="alerts", password=PASSWORD)
        result = send_email(escalation, settings, now=now)
    assert not result.ok
    assert result.response_code == 535
    assert result.error == "SMTPAuthenticationError: 535 bad credentials alerts:***"
