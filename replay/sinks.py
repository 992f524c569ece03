"""Loopback SMTP and webhook receivers for ``carewatch demo`` and the tests.

Both are real servers bound to 127.0.0.1 on a free port, so alerts travel over real sockets
through smtplib and httpx exactly as in production; nothing leaves the machine.

- ``SmtpSink``: an aiosmtpd server that keeps every message it receives.  The demo runs it
  in ``plain`` mode.  ``starttls`` and ``tls`` need a server ``ssl.SSLContext`` (the tests
  make a throw-away self-signed certificate with ``cryptography``), and ``credentials``
  makes it demand AUTH, so login, STARTTLS and implicit TLS are all exercised for real.
  ``refuse`` makes it answer 421 to MAIL and 451 to DATA, to simulate a relay that is down.
- ``WebhookReceiver``: a ThreadingHTTPServer that verifies every POST with the
  ``standardwebhooks`` reference code, answers 401 on a bad signature, checks every verified
  payload against carewatch's published JSON Schema (``alerts.webhook.payload_errors``) and
  answers 400 to one that breaks it, and otherwise answers the next status from
  ``responses`` (then 204), to simulate failing endpoints.  A schema error also fails the
  ``with`` block that ran the receiver, so every end-to-end test that uses it checks the
  payload contract without asking.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from standardwebhooks.webhooks import Webhook

LOOPBACK = "127.0.0.1"
SMTP_MODES = ("plain", "starttls", "tls")


# --- SMTP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted message with its envelope and how it arrived."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    tls: bool
    login: str | None


class SmtpSink:
    """aiosmtpd on loopback that collects messages (see module docstring)."""

    def __init__(
        self,
        *,
        mode: str = "plain",
        tls_context: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
        refuse: bool = False,
    ) -> None:
        if mode not in SMTP_MODES:
            raise ValueError(f"mode must be one of {SMTP_MODES}, not {mode!r}")
        if mode != "plain" and tls_context is None:
            raise ValueError(f"mode {mode!r} needs a server tls_context")
        self.mode = mode
        self.refuse = refuse
        self.host = LOOPBACK
        self._credentials = credentials
        self._lock = threading.Lock()
        self._received: list[ReceivedMail] = []
        smtp_kwargs: dict[str, Any] = {"server_hostname": "carewatch-sink"}
        if mode == "starttls":
            smtp_kwargs.update(tls_context=tls_context, require_starttls=True)
        if credentials is not None:
            # AUTH over STARTTLS must wait for the upgrade; implicit TLS is already encrypted
            # (aiosmtpd cannot tell), and plain mode allows it so the demo can show a login.
            # MAIL without a login is refused in handle_MAIL rather than with aiosmtpd's
            # auth_required, which warns whenever auth_require_tls is off.
            smtp_kwargs.update(
                authenticator=self._authenticate,
                auth_require_tls=mode == "starttls",
            )
        self._controller = _LoopbackController(
            _Handler(self),
            hostname=LOOPBACK,
            port=0,
            ssl_context=tls_context if mode == "tls" else None,
            **smtp_kwargs,
        )
        self._running = False

    @property
    def port(self) -> int:
        if not self._running:
            raise RuntimeError("SmtpSink is not running; call start() first")
        return self._controller.port

    @property
    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()

    def start(self) -> Self:
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._received.append(mail)

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self._credentials is not None
            and (data.login.decode(), data.password.decode()) == self._credentials
        )
        # handled=False: aiosmtpd then answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=data.login.decode() if ok else None)


class _LoopbackController(Controller):
    """aiosmtpd's Controller, bound to port 0 and closing its connections on stop.

    Port 0 lets the OS pick a free port; the real one is read back before aiosmtpd's
    start-up self-test connects to it.  aiosmtpd's own stop() cancels its tasks but leaves
    open client sockets to the garbage collector (ResourceWarning), so they are closed here.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def factory(self) -> SMTP:
        smtp = super().factory()
        self._sessions.add(smtp)
        return smtp

    def _trigger_server(self) -> None:
        assert self.server is not None
        sockets = getattr(self.server, "sockets", None) or []  # asyncio.Server, typed loosely
        self.port = sockets[0].getsockname()[1]
        super()._trigger_server()

    def stop(self, no_assert: bool = False) -> None:
        if self._thread is not None and self.loop.is_running():
            closed = threading.Event()
            self.loop.call_soon_threadsafe(self._close_sessions, closed)
            closed.wait(2.0)
        super().stop(no_assert)

    def _close_sessions(self, closed: threading.Event) -> None:
        for smtp in list(self._sessions):
            for transport in (getattr(smtp, "_original_transport", None), smtp.transport):
                if transport is not None:
                    transport.close()
        self.loop.call_soon(closed.set)  # after the transports' connection_lost callbacks


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_MAIL(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if self._sink.refuse:
            return "421 4.3.2 carewatch sink is refusing mail (simulated outage)"
        if self._sink._credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self._sink.refuse:
            return "451 4.3.0 carewatch sink is refusing mail (simulated outage)"
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        # SMTP carries CRLF; parse with \n line ends as a mailbox would, so that
        # get_content() gives the text exactly as the sender wrote it.
        message = message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=default_policy)
        assert isinstance(message, EmailMessage)
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        login = session.auth_data if isinstance(session.auth_data, str) else None
        self._sink._record(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
                tls=tls,
                login=login,
            )
        )
        return "250 Message accepted for delivery"


# --- webhooks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedWebhook:
    """One POST as received: ``payload`` is the parsed JSON body ({} when unparseable);
    ``schema_errors`` are the ways a verified payload breaks the published schema."""

    id: str | None
    timestamp: datetime | None
    payload: dict[str, Any]
    verified: bool
    status_sent: int
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    schema_errors: tuple[str, ...] = ()


class SchemaViolation(AssertionError):
    """carewatch sent a webhook payload its own schema does not allow."""


class WebhookReceiver:
    """Standard Webhooks receiver on loopback (see module docstring).

    ``responses`` is a queue of status codes answered to *verified* deliveries, one each,
    before the default 204: ``WebhookReceiver(secret, responses=[500])`` fails the first
    delivery and accepts the retry.  ``delay`` (seconds) holds every answer back, to make a
    sender time out.

    ``check_schema`` (on by default) validates each verified payload against
    ``alerts/schema/webhook-payload.schema.json``: a payload that breaks it is answered 400
    (without spending ``responses``), recorded with its errors in ``schema_errors``, and
    makes leaving the ``with`` block raise ``SchemaViolation``, so no test can pass while
    carewatch sends what it documents it never sends.  Turn it off only to receive payloads
    that are not carewatch's.
    """

    def __init__(self, secret: str, *, responses: Iterable[int] = (), delay: float = 0.0,
                 check_schema: bool = True) -> None:
        self._webhook = Webhook(secret)
        self.responses: deque[int] = deque(responses)
        self.delay = delay
        self.check_schema = check_schema
        self._lock = threading.Lock()
        self._received: list[ReceivedWebhook] = []
        self._server = ThreadingHTTPServer((LOOPBACK, 0), _make_http_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_port}/webhook"

    @property
    def received(self) -> list[ReceivedWebhook]:
        with self._lock:
            return list(self._received)

    @property
    def schema_errors(self) -> list[str]:
        """"<webhook-id>: <path>: <message>" for every schema error in every payload."""
        return [f"{r.id}: {error}" for r in self.received for error in r.schema_errors]

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},  # shutdown() waits up to one poll
                name="webhook-receiver",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.stop()
        problems = self.schema_errors
        if problems and exc_type is None:  # never mask the block's own failure
            raise SchemaViolation(
                "webhook payloads broke alerts/schema/webhook-payload.schema.json:\n  "
                + "\n  ".join(problems))

    def _handle(self, body: bytes, headers: dict[str, str]) -> ReceivedWebhook:
        """Verify, check the schema, pick the status to answer, and record the delivery."""
        error = None
        schema_errors: tuple[str, ...] = ()
        try:
            payload = self._webhook.verify(body, headers)
            verified = True
        except Exception as exc:  # noqa: BLE001 - malformed headers raise ValueError etc.
            verified, error, payload = False, f"{type(exc).__name__}: {exc}", _json(body)
        if verified and self.check_schema:
            from alerts.webhook import payload_errors  # carewatch's contract, loaded on use

            schema_errors = tuple(payload_errors(payload))
        with self._lock:
            if not verified:
                status = 401
            elif schema_errors:
                status = 400
            else:
                status = self.responses.popleft() if self.responses else 204
            record = ReceivedWebhook(
                id=headers.get("webhook-id"),
                timestamp=_timestamp(headers.get("webhook-timestamp")),
                payload=payload if isinstance(payload, dict) else {},
                verified=verified,
                status_sent=status,
                headers=headers,
                error=error,
                schema_errors=schema_errors,
            )
            self._received.append(record)
        return record


def _make_http_handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server hook name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = receiver._handle(body, headers)
            if receiver.delay:
                time.sleep(receiver.delay)
            reply = b"" if record.status_sent == 204 else _reply_body(record)
            try:
                self.send_response(record.status_sent)
                self.send_header("Content-Length", str(len(reply)))
                if reply:
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass  # the sender gave up (timeout test); nothing to answer

        def do_GET(self) -> None:  # noqa: N802 - http.server hook name
            self.send_error(405, "POST only")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test and demo output clean

    return Handler


def _reply_body(record: ReceivedWebhook) -> bytes:
    if not record.verified:
        return f"signature rejected: {record.error}".encode()
    if record.schema_errors:
        return ("payload breaks the schema: " + "; ".join(record.schema_errors)).encode()
    return f"simulated failure {record.status_sent}".encode()


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return {}


def _timestamp(raw: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw or ""), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
