"""Alembic: models and migrations never drift; upgrade and downgrade work on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from governance.store.engine import make_engine
from governance.store.migrate import MIGRATIONS_DIR, alembic_config, downgrade, upgrade
from governance.store.tables import Base
from tests.conftest import POSTGRES_URL, PostgresSchema, _postgres_unavailable


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty database of each kind (a fresh schema on PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = PostgresSchema(f"mig_{abs(hash(request.node.name)) % 10**8}")
    try:
        with schema.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 — any connection failure means unreachable
        schema.admin.dispose()
        _postgres_unavailable(str(error).splitlines()[0])
    with schema.admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema.name}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema.name}"'))
    yield schema.url
    schema.drop()


def test_there_is_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config(POSTGRES_URL))
    assert len(script.get_heads()) == 1
    assert (MIGRATIONS_DIR / "env.py").exists()


def test_models_and_migrations_do_not_drift(empty_database: str) -> None:
    upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "target_metadata": Base.metadata}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_from_empty_and_downgrade_to_base(empty_database: str) -> None:
    upgrade(empty_database)
    engine = make_engine(empty_database)
    tables = set(inspect(engine).get_table_names())
    assert {"users", "organisations", "members", "statutes_versions", "audit_events"} <= tables
    engine.dispose()
    downgrade(empty_database, "base")
    engine = make_engine(empty_database)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(empty_database)  # and back up again: the downgrade left nothing behind


def _audit_triggers(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            query = (
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgrelid = 'audit_events'::regclass"
            )
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        names = set(conn.execute(text(query)).scalars())
    engine.dispose()
    return names


def test_revision_0004_adds_the_truncate_trigger_on_postgresql_only(empty_database: str) -> None:
    upgrade(empty_database, "0003")
    before = _audit_triggers(empty_database)
    upgrade(empty_database)
    after = _audit_triggers(empty_database)
    if empty_database.startswith("postgresql"):
        assert after - before == {"audit_events_no_truncate"}
    else:
        assert after == before == {"audit_events_no_update", "audit_events_no_delete"}
    downgrade(empty_database, "0003")
    assert _audit_triggers(empty_database) == before
