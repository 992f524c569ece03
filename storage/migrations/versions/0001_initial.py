"""Initial schema: publications, their URLs and attachments, observations, the alert outbox,
delivery attempts and source runs.

Written by hand to match ``storage/models.py`` exactly (constraint names follow the models'
naming convention); ``tests/storage/test_db.py`` checks that the two agree.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

URL = sa.String(2048)
SHORT = sa.String(64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", SHORT, nullable=False),
        sa.Column("url", URL, nullable=False),
        sa.Column("kind", SHORT, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", SHORT, nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("fieldwork_start", sa.Date(), nullable=True),
        sa.Column("fieldwork_end", sa.Date(), nullable=True),
        sa.Column("authoritative", sa.Boolean(), nullable=False),
        sa.Column("first_seen", WHEN, nullable=False),
        sa.Column("last_seen", WHEN, nullable=False),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_publications"),
        sa.UniqueConstraint("url", name="uq_publications_url"),
    )
    op.create_index("ix_publications_source", "publications", ["source"])

    op.create_table(
        "publication_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", URL, nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name="fk_publication_urls_publication_id_publications",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_publication_urls"),
        sa.UniqueConstraint("url", name="uq_publication_urls_url"),
    )
    op.create_index(
        "ix_publication_urls_publication_id", "publication_urls", ["publication_id"]
    )

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("url", URL, nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("sha256", SHORT, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name="fk_attachments_publication_id_publications",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.UniqueConstraint("publication_id", "url", name="uq_attachments_publication_id_url"),
    )

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("authority", sa.String(255), nullable=False),
        sa.Column("service", SHORT, nullable=False),
        sa.Column("dimension", SHORT, nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("scheme", SHORT, nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("observed_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name="fk_observations_publication_id_publications",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_observations"),
        sa.UniqueConstraint(
            "publication_id",
            "authority",
            "service",
            "dimension",
            name="uq_observations_publication_id_authority_service_dimension",
        ),
    )
    op.create_index(
        "ix_observations_authority_service_dimension",
        "observations",
        ["authority", "service", "dimension"],
    )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", SHORT, nullable=False),
        sa.Column("kind", SHORT, nullable=False),
        sa.Column("authority", sa.String(255), nullable=False),
        sa.Column("service", SHORT, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name="fk_alerts_observation_id_observations",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("key", name="uq_alerts_key"),
    )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", SHORT, nullable=False),
        sa.Column("target", URL, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempted_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name="fk_deliveries_alert_id_alerts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
    )
    op.create_index(
        "ix_deliveries_alert_id_channel_target", "deliveries", ["alert_id", "channel", "target"]
    )

    op.create_table(
        "source_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", SHORT, nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("found", sa.Integer(), nullable=True),
        sa.Column("new", sa.Integer(), nullable=True),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_source_runs"),
    )
    op.create_index("ix_source_runs_source", "source_runs", ["source"])


def downgrade() -> None:
    op.drop_index("ix_source_runs_source", table_name="source_runs")
    op.drop_table("source_runs")
    op.drop_index("ix_deliveries_alert_id_channel_target", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("alerts")
    op.drop_index("ix_observations_authority_service_dimension", table_name="observations")
    op.drop_table("observations")
    op.drop_table("attachments")
    op.drop_index("ix_publication_urls_publication_id", table_name="publication_urls")
    op.drop_table("publication_urls")
    op.drop_index("ix_publications_source", table_name="publications")
    op.drop_table("publications")
