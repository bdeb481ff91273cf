"""Fixtures shared by every level: databases (SQLite and PostgreSQL), units of work, a clock.

Every test that asks for ``db`` (or anything built on it) runs once on SQLite and once on
PostgreSQL. PostgreSQL tests use a schema of their own per pytest process, so concurrent runs
don't collide; when ``CI`` is set an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("TERREAU_ARGON2_PROFILE", "test")

from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from governance.store.engine import make_engine, make_session_factory  # noqa: E402
from governance.store.migrate import upgrade  # noqa: E402
from governance.store.uow import UnitOfWork  # noqa: E402

POSTGRES_URL = os.environ.get(
    "TERREAU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = bool(os.environ.get("CI"))


def postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def _postgres_unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"PostgreSQL is required in CI and unreachable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unreachable: {reason}")


class PostgresSchema:
    """A throwaway schema in the test database, migrated to head once per pytest process."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.admin = make_engine(POSTGRES_URL)
        self.url = postgres_schema_url(name)
        self.tables: list[str] = []

    def create(self) -> None:
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        upgrade(self.url)
        engine = make_engine(self.url)
        with engine.connect() as conn:
            self.tables = [
                row[0]
                for row in conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = :s "
                        "AND tablename <> 'alembic_version'"
                    ),
                    {"s": self.name},
                )
            ]
        engine.dispose()

    def truncate(self, engine: Engine) -> None:
        with engine.begin() as conn:
            # audit_events refuses TRUNCATE through a trigger (revision 0004); a superuser's
            # replica mode skips ordinary triggers for this transaction only.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(
                text(
                    "TRUNCATE "
                    + ", ".join(f'"{self.name}"."{t}"' for t in self.tables)
                    + " RESTART IDENTITY CASCADE"
                )
            )

    def drop(self) -> None:
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[PostgresSchema]:
    schema = PostgresSchema(f"t_{os.getpid()}")
    try:
        with schema.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 — any connection failure means "unreachable"
        schema.admin.dispose()
        _postgres_unavailable(str(error).splitlines()[0])
    schema.create()
    yield schema
    schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    if request.param == "sqlite":
        target = tmp_path / "terreau.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    schema: PostgresSchema = request.getfixturevalue("postgres_schema")
    return schema.url


@pytest.fixture
def engine(database_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if database_url.startswith("postgresql"):
        request.getfixturevalue("postgres_schema").truncate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


class Clock:
    """Injected time: starts at a fixed instant, moves only when a test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 15, 9, 0, 0, tzinfo=UTC))


@dataclass
class Outbox:
    """A mailer that keeps what it was given (unit tests; SMTP tests use a real server)."""

    messages: list

    def send(self, messages: list) -> None:
        self.messages.extend(messages)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox([])


@pytest.fixture
def uow(
    session_factory: sessionmaker[Session], clock: Clock, outbox: Outbox
) -> Callable[[], UnitOfWork]:
    """Build a fresh unit of work (one per use case), sharing the test's clock and outbox."""

    def make() -> UnitOfWork:
        return UnitOfWork(session_factory, clock=clock, mailer=outbox)

    return make
