"""resolution reminders: when the "closing in 24 h" reminder was sent

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import governance.store.tables  # noqa: F401 — custom column types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminded_at", governance.store.tables.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
