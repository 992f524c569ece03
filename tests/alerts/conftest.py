"""Fixtures for the alerts tests: real transitions from the Wrexham timeline, a fixed clock,
and a throw-away self-signed certificate so STARTTLS and implicit TLS run for real."""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import ssl
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from storage.status import (
    CHILDREN,
    CONCERN_LEVEL,
    SCHEME_COP_2019,
    SERIOUS_CONCERN,
    SIGNIFICANT_CONCERN,
    Transition,
)

NOW = datetime(2020, 8, 5, 9, 30, tzinfo=UTC)
SECRET = "whsec_" + base64.b64encode(b"carewatch-test-secret-0123456789").decode()

# The 3 Aug 2020 annual letter: Wrexham children's services escalated from serious to
# significant concern (domain.md §1.2, §6.1).
ESCALATION = Transition(
    key="cw-2020-children-concern-3f9a1c",
    authority="Wrexham County Borough Council",
    service=CHILDREN,
    dimension=CONCERN_LEVEL,
    old=SERIOUS_CONCERN,
    new=SIGNIFICANT_CONCERN,
    scheme=SCHEME_COP_2019,
    evidence=(
        "Our concerns in relation to children's services have escalated from serious "
        "to significant."
    ),
    source="ciw_la_reports",
    kind="annual_letter",
    title="Local Authority Performance Review April 2019 - March 2020: Wrexham",
    url="https://careinspectorate.wales/sites/default/files/2020-08/200803-wrexham-la-letter-en.pdf",
    published=date(2020, 8, 4),
    letter_date=date(2020, 8, 3),
    old_stated=date(2019, 7, 26),
    old_url="https://careinspectorate.wales/sites/default/files/2019-07/wrexham-letter-en.pdf",
    detected_at=datetime(2020, 8, 5, 9, 0, tzinfo=UTC),
)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def secret() -> str:
    return SECRET


@pytest.fixture
def escalation() -> Transition:
    return ESCALATION


@pytest.fixture
def make_transition() -> Callable[..., Transition]:
    """The 2020 escalation with any fields replaced."""

    def make(**changes: object) -> Transition:
        return dataclasses.replace(ESCALATION, **changes)

    return make


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1 / localhost, valid for one day."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "carewatch test sink")])
    issued = datetime.now(UTC) - timedelta(minutes=5)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(issued)
        .not_valid_after(issued + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TlsFiles(cert=cert_path, key=key_path)
