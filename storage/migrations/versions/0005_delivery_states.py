"""Delivery that neither loses nor repeats (issue 6).

- ``delivery_states``: where each alert stands with each channel target (pending with its
  attempt count and next attempt, delivered, dead-lettered), so the ``deliver`` flow sends
  only what the retry schedule says is due, and two runs never send the same thing at once.
- ``disabled_targets``: endpoints that answered 410 Gone, sent nothing until re-enabled.

Existing attempts are carried over: every (alert, channel, target) in ``deliveries`` gets a
state row, ``delivered`` if any attempt succeeded, otherwise ``pending`` with its failed
attempts counted and due at once (it was due under the old every-run retry).

Two new tables only: nothing existing is rebuilt (the lesson of migration 0002).  Written by
hand to match ``storage/models.py`` (``tests/storage/test_db.py`` compares them).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHORT = sa.String(64)
URL = sa.String(2048)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "delivery_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", SHORT, nullable=False),
        sa.Column("target", URL, nullable=False),
        sa.Column("state", SHORT, nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE",
                                name="fk_delivery_states_alert_id_alerts"),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_states"),
        sa.UniqueConstraint("alert_id", "channel", "target",
                            name="uq_delivery_states_alert_id_channel_target"),
    )
    op.create_index("ix_delivery_states_state_next_attempt_at", "delivery_states",
                    ["state", "next_attempt_at"])
    op.create_table(
        "disabled_targets",
        sa.Column("channel", SHORT, nullable=False),
        sa.Column("target", URL, nullable=False),
        sa.Column("disabled_at", WHEN, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("channel", "target", name="pk_disabled_targets"),
    )
    op.execute(
        "INSERT INTO delivery_states "
        "(alert_id, channel, target, state, attempts, next_attempt_at, updated_at) "
        "SELECT alert_id, channel, target, "
        "CASE WHEN SUM(CASE WHEN ok THEN 1 ELSE 0 END) > 0 THEN 'delivered' ELSE 'pending' END, "
        "COUNT(*), "
        "CASE WHEN SUM(CASE WHEN ok THEN 1 ELSE 0 END) > 0 THEN NULL "
        "ELSE MAX(attempted_at) END, "
        "MAX(attempted_at) "
        "FROM deliveries GROUP BY alert_id, channel, target"
    )


def downgrade() -> None:
    op.drop_table("disabled_targets")
    op.drop_index("ix_delivery_states_state_next_attempt_at", table_name="delivery_states")
    op.drop_table("delivery_states")
