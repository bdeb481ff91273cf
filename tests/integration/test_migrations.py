"""Alembic: models and migrations never drift; upgrade and downgrade work on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from governance.services.demo import seed_demo
from governance.store.engine import make_engine, make_session_factory
from governance.store.migrate import MIGRATIONS_DIR, alembic_config, downgrade, upgrade
from governance.store.tables import Base
from governance.store.uow import UnitOfWork
from tests.conftest import POSTGRES_URL, PostgresSchema, _postgres_unavailable
from web.links import WebLinks


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


STATUS_CHECKS = {
    "ck_assemblies_kind",
    "ck_assemblies_status",
    "ck_assemblies_convocation_mode",
    "ck_resolutions_kind",
    "ck_resolutions_status",
    "ck_attendances_mode",
    "ck_ballots_choice",
    "ck_ballots_channel",
    "ck_emargements_channel",
    "ck_secret_ballots_choice",
    "ck_statutes_versions_status",
    "ck_members_status",
}


def _check_constraints(url: str) -> set[str]:
    engine = make_engine(url)
    inspector = inspect(engine)
    names = {
        check["name"]
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }
    engine.dispose()
    return names


def _rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = {
            table: sorted(
                (tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))), key=repr
            )
            for table in inspect(conn).get_table_names()
            if table != "alembic_version"
        }
    engine.dispose()
    return rows


def _seed_demo(url: str) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    seed_demo(lambda: UnitOfWork(factory), WebLinks("http://testserver"))
    engine.dispose()


def test_revision_0005_adds_the_status_checks_and_its_downgrade_removes_them(
    empty_database: str,
) -> None:
    upgrade(empty_database, "0004")
    triggers = _audit_triggers(empty_database)
    assert _check_constraints(empty_database) == set()
    upgrade(empty_database, "0005")
    assert _check_constraints(empty_database) == STATUS_CHECKS
    assert _audit_triggers(empty_database) == triggers  # audit_events is left as it was
    downgrade(empty_database, "0004")
    assert _check_constraints(empty_database) == set()
    upgrade(empty_database, "0005")
    assert _check_constraints(empty_database) == STATUS_CHECKS


def test_revision_0005_keeps_every_row_on_the_way_up_and_down(empty_database: str) -> None:
    upgrade(empty_database, "0005")
    _seed_demo(empty_database)  # members with roles and circles, an assembly with ballots
    before = _rows(empty_database)
    assert before["member_roles"] and before["circle_members"] and before["secret_ballots"]
    downgrade(empty_database, "0004")
    assert _rows(empty_database) == before
    upgrade(empty_database, "0005")
    assert _rows(empty_database) == before
    if empty_database.startswith("sqlite"):
        engine = make_engine(empty_database)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            schema = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master").all())
        engine.dispose()
        assert "WITHOUT ROWID" in schema["secret_ballots"]  # no rowid to order the ballots by
        assert schema["uq_statutes_one_current"].endswith("WHERE status = 'current'")


def test_revision_0005_names_the_rows_it_cannot_constrain_and_changes_nothing(
    empty_database: str,
) -> None:
    upgrade(empty_database, "0005")
    _seed_demo(empty_database)
    downgrade(empty_database, "0004")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE attendances SET mode = 'carrier pigeon'"))
        # On a connection of the test's own, closed whatever happens (env.py, on an error,
        # leaves its engine to the garbage collector).
        config = alembic_config(empty_database)
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            with pytest.raises(RuntimeError, match="attendances.mode: 'carrier pigeon'"):
                command.upgrade(config, "0005")
    finally:
        engine.dispose()
    assert _check_constraints(empty_database) == set()
