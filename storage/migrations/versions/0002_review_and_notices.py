"""Status ledger semantics (issue 4): per-observation authority, confidence and review state;
alert priority and the closing of unconfirmed reports; each publication's classification.

Written by hand to match ``storage/models.py`` (``tests/storage/test_db.py`` compares them).
Only ``ADD COLUMN``/``DROP COLUMN`` and indexes are used, never a batch table rebuild: on
SQLite a rebuild drops the old table, and dropping ``alerts`` or ``observations`` with
foreign keys on (they are, see ``storage.db``) cascades the rows that reference them away.
That is also why ``alerts.closed_by_observation_id`` carries no foreign key: SQLite cannot
add one without a rebuild.

Existing rows keep their meaning: every observation was taken as read (``review`` auto,
``confidence`` 1) and was as authoritative as its source (copied from ``publications``);
every alert was a status change of ordinary priority.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHORT = sa.String(64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("publications", sa.Column("classification", sa.JSON(), nullable=True))

    op.add_column(
        "observations",
        sa.Column("confidence", sa.Float(), server_default=sa.text("1.0"), nullable=False),
    )
    op.add_column(
        "observations", sa.Column("review", SHORT, server_default="auto", nullable=False)
    )
    op.add_column(
        "observations",
        sa.Column("authoritative", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column("observations", sa.Column("reviewed_at", WHEN, nullable=True))
    op.add_column("observations", sa.Column("review_note", sa.Text(), nullable=True))
    op.create_index("ix_observations_review", "observations", ["review"])
    op.execute(
        "UPDATE observations SET authoritative = (SELECT publications.authoritative "
        "FROM publications WHERE publications.id = observations.publication_id)"
    )

    op.add_column(
        "alerts",
        sa.Column("priority", sa.Integer(), server_default=sa.text("2"), nullable=False),
    )
    op.add_column("alerts", sa.Column("closed_at", WHEN, nullable=True))
    op.add_column("alerts", sa.Column("closed_by_observation_id", sa.Integer(), nullable=True))
    op.add_column("alerts", sa.Column("resolution", SHORT, nullable=True))


def downgrade() -> None:
    op.drop_column("alerts", "resolution")
    op.drop_column("alerts", "closed_by_observation_id")
    op.drop_column("alerts", "closed_at")
    op.drop_column("alerts", "priority")
    op.drop_index("ix_observations_review", table_name="observations")
    op.drop_column("observations", "review_note")
    op.drop_column("observations", "reviewed_at")
    op.drop_column("observations", "authoritative")
    op.drop_column("observations", "review")
    op.drop_column("observations", "confidence")
    op.drop_column("publications", "classification")
