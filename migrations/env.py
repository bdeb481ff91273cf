"""Alembic environment: runs against TERREAU_DATABASE_URL (or the URL set on the config)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from governance.store.engine import database_url, make_engine
from governance.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return (
        config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or database_url()
    )


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()  # a failed revision must not leave a connection open


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
