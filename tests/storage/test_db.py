"""db.py: URLs, engines, migrations, and that the migration builds exactly the models' schema."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, Integer, MetaData, delete, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from storage import models, repo
from storage.db import (
    MIGRATIONS_DIR,
    _normalise_url,
    alembic_config,
    database_url,
    make_engine,
    make_session_factory,
    migrate,
    redact_url,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


# --- database_url / redact_url / make_engine ----------------------------------------------


def test_database_url_from_environment() -> None:
    url = "postgresql+psycopg://cw:secret@db.example/carewatch"
    assert database_url({"CAREWATCH_DATABASE_URL": url}) == url


def test_database_url_default_sqlite_file_in_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    url = database_url({"CAREWATCH_DATA_DIR": str(data_dir)})
    assert url == f"sqlite:///{data_dir / 'carewatch.db'}"
    assert data_dir.is_dir()


def test_database_url_default_is_data_under_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url({}) == f"sqlite:///{tmp_path / 'data' / 'carewatch.db'}"
    assert (tmp_path / "data").is_dir()


def test_redact_url_hides_password() -> None:
    redacted = redact_url("postgresql+psycopg://cw:s3cret@db.example:5432/carewatch")
    assert "s3cret" not in redacted
    assert redacted == "postgresql+psycopg://cw:***@db.example:5432/carewatch"


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgres://cw@db/carewatch", "postgresql+psycopg"),
        ("postgresql://cw@db/carewatch", "postgresql+psycopg"),
        ("postgresql+psycopg://cw@db/carewatch", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_normalise_url_uses_psycopg_for_postgresql(given: str, driver: str) -> None:
    assert _normalise_url(given).drivername == driver


def test_make_engine_sqlite_file_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_make_engine_in_memory_shares_one_database() -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    with engine.connect() as first, engine.connect() as second:
        assert "publications" in inspect(first).get_table_names()
        assert "publications" in inspect(second).get_table_names()
    engine.dispose()


# --- migrate ------------------------------------------------------------------------------


def test_migrate_from_url_any_cwd_and_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    migrate(url)
    migrate(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            ("0006",)
        ]
    engine.dispose()


def test_migrations_have_one_head_and_live_in_the_package() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == ["0006"]
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0002_review_and_notices.py").is_file()


def _schema_diffs(engine: Engine, metadata: MetaData) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migration_matches_models(engine: Engine) -> None:
    assert _schema_diffs(engine, models.Base.metadata) == []


def test_schema_comparison_notices_a_difference(engine: Engine) -> None:
    """The comparison above can fail: a model column the migration lacks is reported."""
    metadata = MetaData(naming_convention=models.NAMING_CONVENTION)
    for table in models.Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables["alerts"].append_column(Column("attempts", Integer, nullable=True))
    diffs = _schema_diffs(engine, metadata)
    assert [d[0] for d in diffs if isinstance(d, tuple)] == ["add_column"]


def test_migration_constraints_by_name(engine: Engine) -> None:
    inspector = inspect(engine)
    assert {tuple(u["column_names"]) for u in inspector.get_unique_constraints("observations")} == {
        ("publication_id", "authority", "service", "dimension")
    }
    assert [u["name"] for u in inspector.get_unique_constraints("alerts")] == ["uq_alerts_key"]
    assert {i["name"] for i in inspector.get_indexes("deliveries")} == {
        "ix_deliveries_alert_id_channel_target"
    }
    fks = {fk["name"]: fk["options"].get("ondelete") for fk in inspector.get_foreign_keys("alerts")}
    assert fks == {"fk_alerts_observation_id_observations": "SET NULL"}


def test_alembic_command_line_uses_ini(tmp_path: Path) -> None:
    """``alembic -c storage/alembic.ini upgrade head`` (how new migrations are written)."""
    env = {**os.environ, "CAREWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "storage" / "alembic.ini"),
         "upgrade", "head"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(env["CAREWATCH_DATABASE_URL"])
    assert "observations" in inspect(engine).get_table_names()
    engine.dispose()


# --- types and constraints ----------------------------------------------------------------


def _run(session: Session, started_at: datetime) -> models.SourceRun:
    run = models.SourceRun(source="ciw_la_reports", started_at=started_at)
    session.add(run)
    session.flush()
    session.expire_all()
    return session.get_one(models.SourceRun, run.id)


def test_datetimes_round_trip_as_aware_utc(engine: Engine) -> None:
    bst = timezone(timedelta(hours=1))
    with make_session_factory(engine)() as session:
        run = _run(session, datetime(2020, 8, 5, 10, 0, tzinfo=bst))
        assert run.started_at == datetime(2020, 8, 5, 9, 0, tzinfo=UTC)
        assert run.started_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(engine: Engine) -> None:
    with make_session_factory(engine)() as session, pytest.raises(StatementError, match="naive"):
        _run(session, datetime(2020, 8, 5, 9, 0))


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        session.add(
            models.PublicationUrl(url="https://careinspectorate.wales/x", publication_id=999)
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_deleting_a_publication_cascades_in_the_database(engine: Engine) -> None:
    now = datetime(2020, 8, 5, tzinfo=UTC)
    with make_session_factory(engine)() as session:
        publication = models.Publication(
            source="s", url="https://careinspectorate.wales/x", kind="letter", title="t",
            text="x", content_hash="h", authoritative=True, first_seen=now, last_seen=now,
        )
        publication.urls.append(models.PublicationUrl(url=publication.url))
        session.add(publication)
        session.commit()
        # A bulk delete bypasses the ORM's cascades: only the foreign key can do this.
        session.execute(
            delete(models.Publication).where(models.Publication.id == publication.id),
            execution_options={"synchronize_session": False},
        )
        assert session.scalars(select(models.PublicationUrl)).all() == []


# --- migration 0002 (issue 4): up and down with data in place -----------------------------


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


_ROWS_0001 = (
    "INSERT INTO publications (id, source, url, kind, title, text, content_hash, "
    "authoritative, first_seen, last_seen) VALUES "
    "(1, 'ciw_la_reports', 'https://careinspectorate.wales/l', 'letter', 't', 'x', 'h', "
    ":true, :now, :now), "
    "(2, 'wrexham_news_rss', 'https://news.wrexham.gov.uk/n/', 'news', 't', 'x', 'h', "
    ":false, :now, :now)",
    "INSERT INTO observations (id, publication_id, authority, service, dimension, value, "
    "scheme, evidence, observed_at) VALUES "
    "(1, 1, 'Wrexham', 'children', 'concern_level', 'significant', 'cop_2019', 'e', :now), "
    "(2, 2, 'Wrexham', 'children', 'concern_level', 'significant', 'cop_2019', 'e', :now)",
    "INSERT INTO alerts (id, key, kind, authority, service, payload, created_at, "
    "observation_id) VALUES (1, 'cw_1', 'status_change', 'Wrexham', 'children', '{}', :now, 1)",
    "INSERT INTO deliveries (alert_id, channel, target, ok, attempted_at) "
    "VALUES (1, 'email', 'a@example.org', :true, :now)",
)


def test_migration_0002_up_and_down_keeps_every_row(engine: Engine) -> None:
    """0002 only adds columns: existing rows get their old meaning (observations as
    authoritative as their source, taken as read; alerts of ordinary priority), and
    nothing cascades away on the way up or down (issue 4)."""
    _alembic(engine, "downgrade", "0001")
    assert "review" not in _columns(engine, "observations")
    now = datetime(2020, 8, 5, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for statement in _ROWS_0001:
            connection.execute(text(statement), {"now": now, "true": True, "false": False})

    _alembic(engine, "upgrade", "head")  # 0002, then 0003 (a new table only)
    with engine.connect() as connection:
        observations = connection.execute(text(
            "SELECT id, authoritative, review, confidence, reviewed_at FROM observations "
            "ORDER BY id")).all()
        alerts = connection.execute(text(
            "SELECT priority, closed_at, closed_by_observation_id, resolution FROM alerts")).all()
        deliveries = connection.execute(text("SELECT count(*) FROM deliveries")).scalar()
    assert [(i, bool(a), r, c, at) for i, a, r, c, at in observations] == [
        (1, True, "auto", 1.0, None), (2, False, "auto", 1.0, None)
    ]
    assert alerts == [(2, None, None, None)]
    assert deliveries == 1
    assert _schema_diffs(engine, models.Base.metadata) == []

    _alembic(engine, "downgrade", "0001")
    assert not {"confidence", "review", "authoritative", "reviewed_at", "review_note"} & (
        _columns(engine, "observations"))
    assert not {"priority", "closed_at", "closed_by_observation_id", "resolution"} & (
        _columns(engine, "alerts"))
    assert "classification" not in _columns(engine, "publications")
    with engine.connect() as connection:
        counts = [connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("publications", "observations", "alerts", "deliveries")]
    assert counts == [2, 2, 1, 1]
    _alembic(engine, "upgrade", "head")
    assert _schema_diffs(engine, models.Base.metadata) == []


# --- migration 0006 (issue 6): a database in use has had its baseline ----------------------


def test_migration_0006_a_database_in_use_is_past_its_baseline(engine: Engine) -> None:
    """Upgrading a database that already holds publications must not make the next poll a
    quiet baseline (it would swallow real changes); an empty one starts its baseline at
    the first poll as before."""
    _alembic(engine, "downgrade", "0005")
    now = datetime(2020, 8, 5, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(text(_ROWS_0001[0]), {"now": now, "true": True, "false": False})
    _alembic(engine, "upgrade", "head")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, started_at, finished_at FROM baseline")).all()
    assert [(i, started is not None, finished is not None) for i, started, finished in rows] == [
        (1, True, True)]
    with make_session_factory(engine)() as session:
        assert not repo.in_baseline(session)
    assert _schema_diffs(engine, models.Base.metadata) == []

    _alembic(engine, "downgrade", "0005")
    assert "baseline" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM publications"))
    _alembic(engine, "upgrade", "head")
    with make_session_factory(engine)() as session:
        assert repo.in_baseline(session)
        assert session.scalar(select(models.Baseline)) is None




# --- concurrent migrations (issue 6) -----------------------------------------------------

_MIGRATE_WHEN_TOLD = """
import sys, time
from pathlib import Path
from storage.db import make_engine, migrate
url, schema, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
options = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
engine = make_engine(url, **options)
while not go.exists():
    time.sleep(0.001)
migrate(engine)
"""


@pytest.mark.parametrize("backend", ["sqlite-file", "postgresql"])
def test_processes_migrating_a_new_database_at_once_take_turns(
        backend: str, tmp_path: Path) -> None:
    """Several workers started on a new database all find it unmigrated: without the
    migration lock all but one crash (or wait on each other for ever) creating tables
    another has just created.  Four processes are released together."""
    from tests.storage.conftest import POSTGRES_ENV, _postgres_engine

    if backend == "sqlite-file":
        url, schema, cleanup = f"sqlite:///{tmp_path / 'new.db'}", "", None
    else:
        schema = f"cw_migrate_{uuid.uuid4().hex[:12]}"
        engine, cleanup = _postgres_engine(schema)
        engine.dispose()
        url = os.environ[POSTGRES_ENV]
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", _MIGRATE_WHEN_TOLD, url, schema, str(go)],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(4)]
    try:
        time.sleep(2)  # let every worker import and connect
        go.touch()
        outcomes = [worker.communicate(timeout=90) for worker in workers]
        assert [worker.returncode for worker in workers] == [0] * 4, outcomes
        engine = make_engine(url, **({"connect_args": {"options": f"-csearch_path={schema}"}}
                                     if schema else {}))
        try:
            assert _schema_diffs(engine, models.Base.metadata) == []
        finally:
            engine.dispose()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        if cleanup is not None:
            cleanup()
