"""A throwaway schema in the PostgreSQL test database, for tests that start processes of
their own (scale-out, concurrency, kill) and so cannot share one connection's transaction."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url

from storage.db import make_engine

POSTGRES_ENV = "CAREWATCH_TEST_POSTGRES_URL"


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A new schema ``<prefix>_<random>`` (dropped afterwards); yields a database URL that
    uses only it.  Skips, saying how to enable it, when ``CAREWATCH_TEST_POSTGRES_URL`` is
    unset."""
    base = os.environ.get(POSTGRES_ENV, "").strip()
    if not base:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV}=postgresql+psycopg://… "
                    "(`source .ci/postgres.sh` starts a throwaway server and sets it)")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
