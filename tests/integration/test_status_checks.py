"""Closed vocabularies on both databases: the database itself refuses a status, kind, mode,
choice or channel outside its enum, and the migrated schema holds the models' CHECK constraints."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import CheckConstraint, Engine, Enum, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from governance.rules.assemblies import AssemblyStatus, ResolutionStatus
from governance.services.demo import seed_demo
from governance.store.tables import Assembly, Ballot, Base, Member, Resolution
from governance.store.uow import UnitOfWork
from web.links import WebLinks

Uow = Callable[[], UnitOfWork]

CONSTRAINED = [
    ("assemblies", "status"),
    ("assemblies", "kind"),
    ("assemblies", "convocation_mode"),
    ("resolutions", "status"),
    ("resolutions", "kind"),
    ("attendances", "mode"),
    ("ballots", "choice"),
    ("ballots", "channel"),
    ("emargements", "channel"),
    ("secret_ballots", "choice"),
    ("statutes_versions", "status"),
    ("members", "status"),
]


@pytest.fixture
def seeded(uow: Uow) -> Uow:
    """The demo organisation: an open assembly with attendances, public and secret ballots."""
    seed_demo(uow, WebLinks("http://testserver"))
    return uow


def test_the_database_refuses_a_value_outside_each_vocabulary(seeded: Uow, engine: Engine) -> None:
    accepted = []
    for table, column in CONSTRAINED:
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0, table
        try:
            with engine.begin() as conn:  # raw SQL, behind the models' back
                conn.execute(text(f"UPDATE {table} SET {column} = 'bogus'"))
        except IntegrityError:
            continue
        accepted.append(f"{table}.{column}")
    assert accepted == []


def test_every_value_of_each_vocabulary_is_accepted(seeded: Uow, engine: Engine) -> None:
    with engine.connect() as conn:
        for table, column in CONSTRAINED:
            vocabulary = Base.metadata.tables[table].c[column].type
            assert isinstance(vocabulary, Enum)
            for value in vocabulary.enums:
                conn.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": value})
        conn.execute(text("UPDATE assemblies SET convocation_mode = NULL"))  # still optional
        conn.rollback()


def test_values_read_back_are_enum_members_equal_to_their_strings(seeded: Uow) -> None:
    with seeded() as u:
        assembly = u.session.execute(select(Assembly)).scalar_one()
        resolution = u.session.execute(select(Resolution).order_by(Resolution.id)).scalars().first()
        ballot = u.session.execute(select(Ballot)).scalars().first()
        assert assembly.status == "open" and assembly.status is AssemblyStatus.OPEN
        assert assembly.kind == "AGO" and f"{assembly.kind}" == "AGO"
        assert resolution is not None and isinstance(resolution.status, ResolutionStatus)
        assert ballot is not None and ballot.channel == "direct"


def test_the_models_refuse_an_unknown_value_before_the_database(seeded: Uow) -> None:
    with seeded() as u, pytest.raises(StatementError):
        member = u.session.execute(select(Member)).scalars().first()
        assert member is not None
        member.status = "bogus"  # type: ignore[assignment]
        u.session.flush()


def _declared_checks() -> dict[str, dict[str, set[str]]]:
    """table -> CHECK name -> the values its Enum column allows, as the models declare them."""
    declared: dict[str, dict[str, set[str]]] = {}
    for table in Base.metadata.sorted_tables:
        names = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        by_name = {
            f"ck_{table.name}_{column.name}": set(column.type.enums)
            for column in table.columns
            if isinstance(column.type, Enum)
        }
        assert set(by_name) == names, table.name  # one CHECK per Enum column, named after it
        declared[table.name] = by_name
    return declared


def test_every_closed_vocabulary_of_the_models_is_a_constrained_column() -> None:
    columns = [
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Enum)
    ]
    assert sorted(columns) == sorted(CONSTRAINED)


def test_the_migrated_schema_has_the_check_constraints_the_models_declare(engine: Engine) -> None:
    inspector = inspect(engine)
    for table, checks in _declared_checks().items():
        found = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        assert set(found) == set(checks), table
        for name, values in checks.items():
            assert set(re.findall(r"'([^']*)'", found[name])) == values, name


def test_recording_an_action_that_is_no_audit_action_is_refused(uow: Uow) -> None:
    with uow() as u, pytest.raises(ValueError, match="forged.kind"):
        u.record(
            actor="system",
            action="forged.kind",  # type: ignore[arg-type]
            subject_type="organisation",
            subject_id=1,
            payload={},
        )
