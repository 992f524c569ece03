"""Publication events and the HTTP cache (issue 5).

- ``publications.event_id`` and ``event_keys``: one publication event seen in several places
  (CIW page, Welsh twin, council paper, press story) is grouped, so its status counts once
  and its alert cites the most authoritative source.  Existing rows get no event until they
  are next linked; ``language`` defaults to English, which every earlier source was.
- ``http_cache``: validators (ETag, Last-Modified) and body hash per URL, saved only after a
  successful run, for conditional GET; and each host's robots.txt text, reused for a day.

Written by hand to match ``storage/models.py`` (``tests/storage/test_db.py`` compares them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHORT = sa.String(64)
URL = sa.String(2048)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ALTERs, no batch: rebuilding ``publications`` on SQLite would cascade its
    # observations away (the lesson of migration 0002).
    op.add_column("publications", sa.Column("event_id", sa.Integer(), nullable=True))
    op.add_column("publications", sa.Column("language", sa.String(8), server_default="en",
                                            nullable=False))
    op.create_index("ix_publications_event_id", "publications", ["event_id"])
    op.create_table(
        "event_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("key", URL, nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"], ondelete="CASCADE",
                                name="fk_event_keys_publication_id_publications"),
        sa.PrimaryKeyConstraint("id", name="pk_event_keys"),
        sa.UniqueConstraint("publication_id", "key", name="uq_event_keys_publication_id_key"),
    )
    op.create_index("ix_event_keys_key", "event_keys", ["key"])
    op.create_table(
        "http_cache",
        sa.Column("url", URL, nullable=False),
        sa.Column("etag", sa.String(255), nullable=True),
        sa.Column("last_modified", SHORT, nullable=True),
        sa.Column("sha256", SHORT, nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("checked_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_http_cache"),
    )


def downgrade() -> None:
    op.drop_table("http_cache")
    op.drop_index("ix_event_keys_key", table_name="event_keys")
    op.drop_table("event_keys")
    op.drop_index("ix_publications_event_id", table_name="publications")
    op.drop_column("publications", "language")
    op.drop_column("publications", "event_id")
