"""Storage fixtures: a migrated database per test, on every backend we support.

``engine`` is parametrized over a SQLite file, in-memory SQLite and PostgreSQL.  The
PostgreSQL case runs when ``CAREWATCH_TEST_POSTGRES_URL`` names a database the tests may
create schemas in (each test gets its own schema, dropped afterwards); otherwise it is
skipped with that reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scrapers.base import Attachment, Publication
from storage.db import make_engine, make_session_factory, migrate
from storage.status import CHILDREN, CONCERN_LEVEL, SCHEME_COP_2019, WREXHAM, Reading

POSTGRES_ENV = "CAREWATCH_TEST_POSTGRES_URL"
# The seed documents, byte for byte (one committed copy, shared by every test package).
SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
NOW = datetime(2020, 8, 5, 9, 0, tzinfo=UTC)
LETTER_URL = "https://careinspectorate.wales/wrexham-annual-letter-2019-20"


def _postgres_engine(schema: str) -> tuple[Engine, Callable[[], None]]:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} to run these against it")
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})

    def drop() -> None:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    return engine, drop


@pytest.fixture(params=["sqlite-file", "sqlite-memory", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database."""
    cleanup: Callable[[], None]
    if request.param == "sqlite-file":
        engine = make_engine(f"sqlite:///{tmp_path / 'carewatch.db'}")
        cleanup = engine.dispose
    elif request.param == "sqlite-memory":
        engine = make_engine("sqlite://")
        cleanup = engine.dispose
    else:
        engine, cleanup = _postgres_engine(f"cw_test_{uuid.uuid4().hex[:12]}")
    try:
        migrate(engine)
        yield engine
    finally:
        cleanup()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


@pytest.fixture
def now() -> datetime:
    return NOW


def _publication(
    url: str = LETTER_URL,
    *,
    text: str = "Letter text.",
    title: str = "Local authority performance review letter: Wrexham County Borough Council",
    aliases: tuple[str, ...] = (),
    attachments: tuple[Attachment, ...] = (),
    source: str = "ciw_la_reports",
    kind: str = "letter",
    published: date | None = date(2020, 8, 4),
    letter_date: date | None = date(2020, 8, 3),
    errors: tuple[str, ...] = (),
) -> Publication:
    return Publication(
        source=source,
        url=url,
        kind=kind,
        title=title,
        text=text,
        published=published,
        letter_date=letter_date,
        attachments=attachments,
        aliases=aliases,
        errors=errors,
    )


def _attachment(url: str, text: str = "PDF text", sha256: str = "a" * 64) -> Attachment:
    return Attachment(
        url=url, content_type="application/pdf", sha256=sha256, size=len(text), text=text
    )


def _reading(
    value: str,
    effective_date: date | None,
    *,
    service: str = CHILDREN,
    dimension: str = CONCERN_LEVEL,
    authority: str = WREXHAM,
) -> Reading:
    return Reading(
        authority=authority,
        service=service,
        dimension=dimension,
        value=value,
        scheme=SCHEME_COP_2019,
        evidence=f"Evidence for {value}.",
        effective_date=effective_date,
    )


@pytest.fixture
def make_publication() -> Callable[..., Publication]:
    """``scrapers.base.Publication`` with sensible defaults (a CIW letter to Wrexham)."""
    return _publication


@pytest.fixture
def make_attachment() -> Callable[..., Attachment]:
    return _attachment


@pytest.fixture
def make_reading() -> Callable[..., Reading]:
    """A Wrexham children's-services concern-level reading unless told otherwise."""
    return _reading


@pytest.fixture
def fixture_text() -> Callable[[str], str]:
    """Text of a seed document by its number prefix ("004")."""

    def load(number: str) -> str:
        return next(SEEDS.glob(f"{number}_*.txt")).read_text(encoding="utf-8")

    return load
