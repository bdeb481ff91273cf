"""What every command shares: the database, French error messages, progress bars."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from governance.errors import DomainError, ValidationError
from governance.mail import mailer_from_url
from web.deps import UowFactory, database_url, make_session_factory, open_engine, uow_factory

console = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def base_url() -> str:
    return os.environ.get("TERREAU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def fail(message: str) -> NoReturn:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(1)


def fail_domain(error: DomainError) -> NoReturn:
    """Print every problem of a refused use case, then exit with code 1."""
    if isinstance(error, ValidationError):
        for problem in error.problems:
            typer.echo(f"Erreur : {problem.field} : {problem.message.render()}", err=True)
        raise typer.Exit(1)
    fail(error.message.render())


@contextmanager
def database() -> Iterator[UowFactory]:
    """Yield a unit-of-work factory on TERREAU_DATABASE_URL; refusals become French errors."""
    url = database_url()
    try:
        mailer = mailer_from_url(os.environ.get("TERREAU_SMTP_URL"))
    except ValueError as error:
        fail(f"TERREAU_SMTP_URL invalide : {error}")
    engine = engine_on(url)
    factory = uow_factory(make_session_factory(engine), mailer=mailer)
    try:
        yield factory
    except DomainError as error:
        fail_domain(error)
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0] if error.orig else str(error)
        fail(
            f"base de données {safe_url(url)} inaccessible ou non migrée "
            f"(lancez « terreau migrate ») : {reason}"
        )
    finally:
        engine.dispose()


def engine_on(url: str) -> Engine:
    try:
        return open_engine(url)
    except ArgumentError as error:
        fail(f"TERREAU_DATABASE_URL invalide ({safe_url(url)}) : {error}")


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<URL illisible>"


def progress_bar() -> Progress:
    """A progress bar on the terminal's error stream (silent when it is not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )
