"""audit events: refuse TRUNCATE too (PostgreSQL)

The row triggers of 0001 refuse UPDATE and DELETE, but TRUNCATE fires no row trigger: on
PostgreSQL a statement-level trigger refuses it. SQLite has no TRUNCATE; its ``DELETE`` without
``WHERE`` runs row by row when the table has a trigger, so ``audit_events_no_delete`` refuses it.
``audit_heads`` changes at every event (no UPDATE or DELETE protection), so it has none either.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    # The function of 0001 raises "audit_events is append-only" whatever the trigger's level.
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION terreau_audit_append_only()"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
