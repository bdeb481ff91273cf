"""status checks: every status, kind, mode, choice and channel column takes only its vocabulary

One CHECK constraint per column, named by the naming convention (``ck_<table>_<column>``) as the
ORM's ``vocabulary()`` columns name theirs. The values are written out as they stand at this
revision (a later vocabulary change is a later revision). Rows holding a value outside the
vocabulary stop the upgrade with their table, column and values, before anything changes.

PostgreSQL adds the constraints in place. SQLite cannot add a constraint to a table: batch mode
rebuilds it (create, copy, drop, rename) with foreign keys unenforced meanwhile, since dropping
``members`` would otherwise delete its roles and circle links (ON DELETE CASCADE) and dropping
``assemblies`` would fail on its resolutions; the foreign keys are checked before the rebuild
commits. ``audit_events`` (and its append-only triggers) is not touched.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSEMBLY_STATUSES = ("draft", "convened", "open", "closed", "published")
RESOLUTION_STATUSES = ("draft", "open", "closed", "cancelled")
CHOICES = ("for", "against", "abstain", "blank", "null")
CHANNELS = ("direct", "proxy", "correspondence", "blank_proxy")

# table -> column -> allowed values (NULL passes a CHECK: convocation_mode stays optional)
CHECKS: dict[str, dict[str, tuple[str, ...]]] = {
    "statutes_versions": {"status": ("draft", "current", "superseded")},
    "members": {"status": ("associate", "participant", "external")},
    "assemblies": {
        "kind": ("AGO", "AGE", "AGO_EXTRA"),
        "status": ASSEMBLY_STATUSES,
        "convocation_mode": ("email", "post", "both"),
    },
    "resolutions": {
        "kind": ("ordinary", "extraordinary", "statutes_change", "election"),
        "status": RESOLUTION_STATUSES,
    },
    "attendances": {"mode": ("present", "remote", "correspondence", "proxy")},
    "ballots": {"choice": CHOICES, "channel": CHANNELS},
    "emargements": {"channel": CHANNELS},
    "secret_ballots": {"choice": CHOICES},
}
# Batch mode carries reflected table options over; named here too, so that a rebuilt
# secret_ballots can never get back the rowid that would give away the order of the ballots.
TABLE_KWARGS: dict[str, dict[str, object]] = {"secret_ballots": {"sqlite_with_rowid": False}}


def _name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


def _condition(column: str, values: tuple[str, ...]) -> str:
    # The same text as the CHECK that SQLAlchemy's Enum writes for the ORM's columns.
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _refuse_unknown_values() -> None:
    if op.get_context().as_sql:
        return  # an offline script has no rows to look at
    bind = op.get_bind()
    problems = []
    for table, columns in CHECKS.items():
        for column, values in columns.items():
            found = bind.execute(
                sa.select(sa.column(column))
                .select_from(sa.table(table))
                .where(sa.column(column).is_not(None), sa.column(column).not_in(values))
                .distinct()
            ).scalars()
            unknown = sorted(str(value) for value in found)
            if unknown:
                problems.append(f"{table}.{column}: {', '.join(map(repr, unknown))}")
    if problems:
        raise RuntimeError(
            "values outside their vocabulary; correct these rows, then upgrade again: "
            + "; ".join(problems)
        )


@contextmanager
def _sqlite_foreign_keys_unenforced() -> Iterator[None]:
    """Run the block in a transaction of its own with foreign keys off, then check them.

    ``PRAGMA foreign_keys`` is a no-op inside a transaction, so the one Alembic opened for this
    revision (nothing written in it yet) is committed first, and a new one opened after, at the
    driver level: SQLAlchemy's view of the connection stays as Alembic left it.
    """
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    enforced = driver.execute("PRAGMA foreign_keys").fetchone()[0]
    reopen = driver.in_transaction
    if reopen:
        driver.execute("COMMIT")
    driver.execute("PRAGMA foreign_keys=OFF")
    driver.execute("BEGIN")
    try:
        yield
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken}")
        driver.execute("COMMIT")
    except BaseException:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
        raise
    finally:
        driver.execute(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
        if reopen:
            driver.execute("BEGIN")


def _existing_checks(table: str) -> set[str]:
    return {
        check["name"]
        for check in sa.inspect(op.get_bind()).get_check_constraints(table)
        if check["name"]
    }


def upgrade() -> None:
    _refuse_unknown_values()
    if op.get_context().dialect.name != "sqlite":
        for table, columns in CHECKS.items():
            for column, values in columns.items():
                op.create_check_constraint(
                    op.f(_name(table, column)), table, _condition(column, values)
                )
        return
    with _sqlite_foreign_keys_unenforced():
        for table, columns in CHECKS.items():
            # A table that has its checks already is skipped: the rebuild commits just before
            # Alembic records the revision, so an interrupted upgrade can simply be run again.
            existing = _existing_checks(table)
            missing = {c: v for c, v in columns.items() if _name(table, c) not in existing}
            if not missing:
                continue
            with op.batch_alter_table(table, table_kwargs=TABLE_KWARGS.get(table, {})) as batch:
                for column, values in missing.items():
                    batch.create_check_constraint(
                        op.f(_name(table, column)), _condition(column, values)
                    )


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        for table, columns in CHECKS.items():
            for column in columns:
                op.drop_constraint(op.f(_name(table, column)), table, type_="check")
        return
    with _sqlite_foreign_keys_unenforced():
        for table, columns in CHECKS.items():
            existing = _existing_checks(table)
            present = [c for c in columns if _name(table, c) in existing]
            if not present:
                continue
            with op.batch_alter_table(table, table_kwargs=TABLE_KWARGS.get(table, {})) as batch:
                for column in present:
                    batch.drop_constraint(op.f(_name(table, column)), type_="check")
