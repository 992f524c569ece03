"""Source health (issue 5): the health state last recorded per source, so an operations
alert is sent once when a source enters a problem state and once when it recovers.

Written by hand to match ``storage/models.py`` (``tests/storage/test_db.py`` compares them).
A new table only: existing rows are untouched, and every source starts healthy.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHORT = sa.String(64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "source_health",
        sa.Column("source", SHORT, nullable=False),
        sa.Column("state", SHORT, nullable=False),
        sa.Column("since", WHEN, nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("runs", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("checked_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_source_health"),
    )


def downgrade() -> None:
    op.drop_table("source_health")
