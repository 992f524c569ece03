"""Engine, schema migration and sessions: the only place that knows how to reach the database.

SQLite is the default (one file under ``CAREWATCH_DATA_DIR``) because carewatch is a small,
single-host watcher; PostgreSQL (``postgresql+psycopg://``) is supported by keeping every
query and the migration portable.  Nothing here, or in ``repo.py``, issues SQLite-only SQL
in a query: the SQLite pragmas are connection settings applied by an event listener, and the
two statements that differ by backend are chosen by dialect (the migration lock here;
``INSERT … ON CONFLICT DO NOTHING`` in ``repo.insert_if_absent``).

Concurrent runs (two polls, a poll and a delivery, several workers) are safe by the
database's own guarantees, never by timing: unique constraints refuse a second copy of
anything, a transaction refused that way is run again from the start
(``run_transaction``), migrations take turns, and SQLite writers wait for each other
(``SQLITE_BUSY_TIMEOUT_MS``) rather than fail.

The schema is owned by Alembic (``storage/migrations``).  ``migrate()`` runs ``upgrade head``
programmatically with a script location computed from this file, so it works from an
installed package and from any working directory; there is no ``create_all()`` path that
could drift from the migrations.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_DATA_DIR = "./data"
DB_FILENAME = "carewatch.db"

# Seconds a SQLite writer waits for another writer's lock before "database is locked":
# the poll and deliver flows may write at the same time.
SQLITE_BUSY_TIMEOUT_MS = 30_000

LOG = logging.getLogger(__name__)
T = TypeVar("T")

# Errors that mean "a concurrent transaction got there first", after which the same work,
# run again from the start, sees what the other one committed and decides differently.
# PostgreSQL SQLSTATEs: unique_violation, serialization_failure, deadlock_detected.
_RACE_SQLSTATES = frozenset({"23505", "40001", "40P01"})
# SQLite extended result codes: SQLITE_BUSY (the busy timeout ran out), SQLITE_BUSY_SNAPSHOT,
# SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE.
_SQLITE_BUSY = 5
_RACE_SQLITE_CODES = frozenset({_SQLITE_BUSY, 517, 1555, 2067})
# How many times a transaction that lost a race is run: one retry settles a unique
# violation (the winner's row is then visible); the rest absorb deadlocks between runs.
TRANSACTION_ATTEMPTS = 4
# pg_advisory_xact_lock key held while migrating: any constant, chosen once ("carewatch").
_MIGRATION_LOCK = 0x6361726577617463


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
    """WAL lets readers run while a flow writes; foreign keys are off by default in SQLite.

    The busy timeout comes first: switching a new file to WAL needs a lock that another
    process opening it at the same moment may hold, and without the timeout that is an
    immediate "database is locked" instead of a short wait.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _enable_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, waiting its turn like any other writer.

    Turning a new file to WAL needs an exclusive lock, and SQLite answers "database is
    locked" at once, busy timeout or not, while another process opening the same new file
    holds a lock on it (two workers' first runs).  Once a file is in WAL mode (it stays so)
    the pragma changes nothing and takes no such lock.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != _SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


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
        _lock_for_migration(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _lock_for_migration(connection: Connection) -> None:
    """Make concurrent migrations of one database take turns.

    Several workers (or two ``carewatch run``) starting on a new database would otherwise
    all see it unmigrated and all create the tables; all but one would crash.  Holding the
    lock until the migration commits, the next one then finds the schema at head and does
    nothing.  PostgreSQL: a transaction-scoped advisory lock.  SQLite: ``BEGIN IMMEDIATE``
    takes the write lock up front (pysqlite would otherwise run the DDL outside any
    transaction), waiting up to the busy timeout for another writer.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lost_race(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing a transaction because a concurrent one got
    there first (a unique key taken, a serialization failure or deadlock, SQLite's lock
    held past the busy timeout), so that the same work run again will succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in _RACE_SQLSTATES:
        return True
    return getattr(original, "sqlite_errorcode", None) in _RACE_SQLITE_CODES


def run_transaction(
    sessions: sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    attempts: int = TRANSACTION_ATTEMPTS,
) -> T:
    """``work(session)`` in a transaction of its own, committed; run again from the start
    when it lost a race with a concurrent transaction (``lost_race``).

    Every write path reads before it writes ("is this URL stored?", "is this alert
    queued?"), and two runs can both read "no".  The unique constraints make the second
    writer fail rather than duplicate; this turns that failure into a retry that reads the
    winner's rows and writes nothing twice, so a concurrent run waits or redoes a little
    work instead of crashing.  ``work`` must therefore be safe to run twice (it is given a
    fresh session each time, and nothing of the failed attempt was committed).
    """
    for attempt in range(1, attempts + 1):
        try:
            with sessions.begin() as session:
                return work(session)
        except DBAPIError as exc:
            if attempt == attempts or not lost_race(exc):
                raise
            LOG.info("transaction lost a race with a concurrent run (%s); retrying (%d/%d)",
                     type(exc.orig).__name__, attempt + 1, attempts)
    raise AssertionError("unreachable")  # the loop returns or raises


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit.

    ``expire_on_commit=False`` so rows returned by ``repo`` functions stay readable after the
    caller commits (flows pass them on to alert rendering after the transaction ends).
    """
    return sessionmaker(bind=engine, expire_on_commit=False)
