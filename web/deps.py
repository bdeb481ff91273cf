"""Typed dependencies: unit of work, current user and actor, organisation, language.

The web layer's one door to ``governance.store`` (checked by import-linter): the engine, the
session factory, the unit of work and the migrations reach the application factory and the
command line from here; routes and endpoints get a unit of work and call services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from governance.services import accounts, assemblies
from governance.services.authz import Actor, get_org
from governance.store.engine import database_url as database_url
from governance.store.engine import make_engine as make_engine
from governance.store.engine import make_session_factory as make_session_factory
from governance.store.migrate import upgrade
from governance.store.tables import Organisation, User
from governance.store.uow import Mailer as Mailer
from governance.store.uow import UnitOfWork as UnitOfWork
from governance.store.uow import utcnow as utcnow
from web.links import WebLinks

if TYPE_CHECKING:
    from web.config import Settings  # web.config imports this module

SESSION_KEY = "sid"

UowFactory = Callable[..., UnitOfWork]
"""``factory(write=True)``: a new unit of work, as the command line and the demo use them."""


# ---- the store, for the application factory and the command line ---------------------------


def uow_factory(
    sessions: sessionmaker[Session],
    *,
    mailer: Mailer | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> UowFactory:
    """Units of work on ``sessions``, all with the same mailer and clock."""

    def factory(write: bool = True) -> UnitOfWork:
        return UnitOfWork(sessions, clock=clock, mailer=mailer, write=write)

    return factory


def open_engine(url: str) -> Engine:
    """An engine on ``url`` (SQLAlchemy's ``ArgumentError`` when it cannot be read)."""
    return make_engine(url)


def migrate_database(url: str) -> None:
    """Create or upgrade the schema of the database at ``url`` (Alembic, to the head)."""
    upgrade(url)


# ---- request dependencies -------------------------------------------------------------------


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def make_uow(request: Request, *, write: bool = True) -> UnitOfWork:
    state = request.app.state
    return UnitOfWork(state.session_factory, clock=state.clock, mailer=state.mailer, write=write)


def get_links(request: Request) -> WebLinks:
    """The addresses emails point to, under the configured base URL."""
    return WebLinks(get_settings(request).base_url)


def record_due_closes(request: Request) -> list[int]:
    """Record the close of every vote found past its deadline (what a write does first)."""
    with make_uow(request, write=False) as uow:  # one indexed read, no write lock, when none is due
        if not assemblies.due_resolutions(uow, uow.now()):
            return []
    return assemblies.record_due_closes(lambda: make_uow(request), get_links(request))


def get_uow(request: Request) -> UnitOfWork:
    """A unit of work for this request; a route opens it with ``with uow:``."""
    return make_uow(request)


def get_current_user(request: Request) -> User | None:
    """The user of the browser session (cookie), or None. Cached on the request."""
    if hasattr(request.state, "user"):
        user: User | None = request.state.user
        return user
    token = request.session.get(SESSION_KEY)
    user = None
    if token:
        with make_uow(request, write=False) as uow:
            user = accounts.resolve_session(uow, token)
            if user is None:
                request.session.pop(SESSION_KEY, None)
            else:
                # Detach it loaded: closing a read-only unit of work rolls back, which would
                # otherwise expire the object and make every attribute access fail.
                uow.session.expunge(user)
    request.state.user = user
    return user


def get_actor(user: Annotated[User | None, Depends(get_current_user)]) -> Actor:
    return accounts.actor_for_user(user)


def get_org_by_slug(request: Request, org: str) -> Organisation:
    with make_uow(request, write=False) as uow:
        found = get_org(uow.session, org)
        uow.session.expunge(found)  # keep its loaded attributes once the session closes
        return found


LinksDep = Annotated[WebLinks, Depends(get_links)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
CurrentUser = Annotated[User | None, Depends(get_current_user)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
OrgDep = Annotated[Organisation, Depends(get_org_by_slug)]
