"""API dependencies: the bearer token's actor, and JSON views of exact numbers."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

from fastapi import Depends, Request

from governance.services import accounts
from governance.services.authz import Actor
from web.deps import make_uow


def get_api_actor(request: Request) -> Actor:
    """Resolve ``Authorization: Bearer <token>``; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" else None
    with make_uow(request, write=False) as uow:  # a read: no write lock per API call
        return accounts.actor_for_token(uow, bearer)


ApiActor = Annotated[Actor, Depends(get_api_actor)]


def exact(value: Fraction | int) -> dict[str, str]:
    """An exact number for JSON: the fraction string and a display value rounded to 2 places."""
    value = Fraction(value)
    text = (
        str(value.numerator)
        if value.denominator == 1
        else f"{value.numerator}/{value.denominator}"
    )
    display = f"{float(value):.2f}"
    return {"exact": text, "display": display}
