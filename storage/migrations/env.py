"""Alembic environment for carewatch.

Normally driven by ``storage.db.migrate()``, which hands over an open connection in
``config.attributes["connection"]`` (that is how an in-memory database gets its schema).
When run from the ``alembic`` command line (``alembic -c storage/alembic.ini upgrade head``)
it connects to ``storage.db.database_url()`` itself.

Logging is left alone: calling ``logging.config.fileConfig`` here would reconfigure the
application's loggers every time a flow migrates.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import database_url, make_engine
from storage.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url") or database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or database_url())
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
