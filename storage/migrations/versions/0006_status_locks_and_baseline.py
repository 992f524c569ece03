"""Concurrent and interrupted polls (issue 6): ``status_locks`` and ``baseline``.

- ``status_locks``: one row per (authority, service, dimension).  The ledger updates the
  row before it reads the recorded status and writes what follows from it, so two
  transactions changing one status take turns (``models.StatusLock`` says why a unique
  constraint cannot do this).  Rows are created on first use; the table starts empty.
- ``baseline``: whether the quiet first-run baseline is still going on (``models.Baseline``),
  so that a poll running alongside the first one, or after it was killed, is quiet too.  A
  database that already holds publications has had its baseline: it gets a finished row.

Every other concurrent write is already guarded by a unique constraint (checked for this
issue): publications and their URLs, observations per (publication, authority, service,
dimension), alert keys, delivery states per (alert, channel, target), event keys per
publication, the HTTP cache, source health and disabled targets by primary key.

Two new tables only: nothing existing is rebuilt.  Written by hand to match
``storage/models.py`` (``tests/storage/test_db.py`` compares them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHORT = sa.String(64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_locks",
        sa.Column("authority", sa.String(255), nullable=False),
        sa.Column("service", SHORT, nullable=False),
        sa.Column("dimension", SHORT, nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("authority", "service", "dimension", name="pk_status_locks"),
    )
    op.create_table(
        "baseline",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_baseline"),
    )
    # first_seen is stored as UTC on both backends (``models.UtcDateTime``).
    op.execute(
        "INSERT INTO baseline (id, started_at, finished_at) "
        "SELECT 1, MIN(first_seen), MIN(first_seen) FROM publications "
        "HAVING COUNT(*) > 0"
    )


def downgrade() -> None:
    op.drop_table("baseline")
    op.drop_table("status_locks")
