"""Shared pieces of the API routers: the documented bearer scheme and safe path lookups."""

from __future__ import annotations

from fastapi import Depends
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPBearer

from governance.errors import NotFoundError
from governance.i18n import Message
from governance.services import orgs
from governance.services.types import Organisation, parse_id
from web.deps import UnitOfWork

# Declares the bearer scheme in the OpenAPI document only; ApiActor does the checking (401).
BEARER: DependsParam = Depends(
    HTTPBearer(
        auto_error=False,
        scheme_name="ApiToken",
        description="A personal API token: `terreau token create --email E [--org SLUG]`.",
    )
)


def load_org(uow: UnitOfWork, org: str) -> Organisation:
    """Load the organisation of a path (slug or id); anything a database would choke on is 404."""
    return orgs.org_by_ref(uow, org)


def path_id(raw: str, message: Message) -> int:
    """Parse an id from a path; a malformed or out-of-range one is a 404 with ``message``."""
    key = parse_id(raw)
    if key is None:
        raise NotFoundError(message)
    return key
