"""Engine, schema migration and sessions: the only place that knows how to reach the database.

SQLite is the default (one file under ``CAREWATCH_DATA_DIR``) because carewatch is a small,
single-host watcher; PostgreSQL (``postgresql+psycopg://``) is supported by keeping every
query and the migration portable.  Nothing here, or in ``repo.py``, issues SQLite-only SQL:
the SQLite pragmas are connection settings applied by an event listener, not statements in
queries.

The schema is owned by Alembic (``storage/migrations``).  ``migrate()`` runs ``upgrade head``
programmatically with a script location computed from this file, so it works from an
installed package and from any working directory; there is no ``create_all()`` path that
could drift from the migrations.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_DATA_DIR = "./data"
DB_FILENAME = "carewatch.db"

# Seconds a SQLite writer waits for another writer's lock before "database is locked":
# the poll and deliver flows may write at the same time.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url(environ: Mapping[str, str] = os.environ) -> str:
    """``CAREWATCH_DATABASE_URL`` if set, else a SQLite file in the data directory.

    The data directory (``CAREWATCH_DATA_DIR``, default ``./data``) is created here, because
    SQLite will not create missing parent directories and fails with an unhelpful message.
    """
    url = environ.get("CAREWATCH_DATABASE_URL", "").strip()
    if url:
        return url
    data_dir = Path(environ.get("CAREWATCH_DATA_DIR", "").strip() or DEFAULT_DATA_DIR)
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / DB_FILENAME).as_posix()}"


def redact_url(url: str | URL) -> str:
    """The URL with its password masked, safe to log."""
    return make_url(url).render_as_string(hide_password=True)


def _normalise_url(url: str | URL) -> URL:
    """Send bare ``postgres://``/``postgresql://`` URLs to psycopg 3, the driver we support.

    SQLAlchemy would otherwise pick psycopg2, and ``postgres://`` (common in hosting
    dashboards) is not a dialect name at all.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run while a flow writes; foreign keys are off by default in SQLite."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for ``url``, configured per backend.

    In-memory SQLite gets a single shared connection (``StaticPool``), otherwise every new
    connection would see a different, empty database.  PostgreSQL gets ``pool_pre_ping`` so a
    long-running ``serve`` survives a database restart.  ``kwargs`` go to ``create_engine``.
    """
    parsed = _normalise_url(url)
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if _is_sqlite_memory(parsed):
            options["poolclass"] = StaticPool
            options["connect_args"] = {"check_same_thread": False}
        elif parsed.database:
            # A file URL pointing into a folder that does not exist yet is the commonest
            # first-run mistake; creating the folder is what the user meant.
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    else:
        options["pool_pre_ping"] = True
    options.update(kwargs)
    engine = create_engine(parsed, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations, independent of the cwd."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(url_or_engine: str | URL | Engine) -> None:
    """Bring the database to the newest schema (``alembic upgrade head``); idempotent.

    Given an engine, the migration runs on one of its connections (this is what makes an
    in-memory database usable: the schema lands in the same database the caller then uses).
    Given a URL, a temporary engine is made and disposed of afterwards.
    """
    if isinstance(url_or_engine, Engine):
        _upgrade(url_or_engine)
        return
    engine = make_engine(url_or_engine)
    try:
        _upgrade(engine)
    finally:
        engine.dispose()


def _upgrade(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit.

    ``expire_on_commit=False`` so rows returned by ``repo`` functions stay readable after the
    caller commits (flows pass them on to alert rendering after the transaction ends).
    """
    return sessionmaker(bind=engine, expire_on_commit=False)
