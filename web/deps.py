"""Typed dependencies: unit of work, current user and actor, organisation, language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from governance.services import accounts
from governance.services.authz import Actor, get_org
from governance.store.tables import Organisation, User
from governance.store.uow import UnitOfWork
from web.config import Settings

SESSION_KEY = "sid"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def make_uow(request: Request, *, write: bool = True) -> UnitOfWork:
    state = request.app.state
    return UnitOfWork(state.session_factory, clock=state.clock, mailer=state.mailer, write=write)


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


SettingsDep = Annotated[Settings, Depends(get_settings)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
CurrentUser = Annotated[User | None, Depends(get_current_user)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
OrgDep = Annotated[Organisation, Depends(get_org_by_slug)]
