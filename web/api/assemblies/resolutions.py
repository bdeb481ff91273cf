"""API: resolutions — reading one, opening and closing votes (one by one or together), and
withdrawal."""

from __future__ import annotations

from fastapi import Request

from governance.services import assemblies as ga
from web.api.common import load_org
from web.api.deps import ApiActor
from web.api.schemas import (
    CONFLICT_RESPONSE,
    WRITE_RESPONSES,
    ResolutionCancel,
    ResolutionOpen,
    ResolutionOut,
)
from web.deps import get_links, make_uow

from ._shared import (
    ASSEMBLIES,
    _assembly_id,
    _resolution_id,
    _resolutions_out,
    _visible_resolution,
    router,
)

# ---- resolutions ----------------------------------------------------------------------------


@router.get(
    "/orgs/{org}/resolutions/{resolution_id}",
    tags=[ASSEMBLIES],
    summary="One resolution, with the status a member sees",
    response_model=ResolutionOut,
)
def read_resolution(
    org: str, resolution_id: str, request: Request, actor: ApiActor
) -> ResolutionOut:
    """Return the resolution (past its deadline an open vote shows closed)."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        resolution = _visible_resolution(uow, actor, organisation, resolution_id)
        (result,) = _resolutions_out(uow, organisation, [resolution])
        return result


@router.post(
    "/orgs/{org}/resolutions/{resolution_id}/open",
    tags=[ASSEMBLIES],
    summary="Open the vote (admin, secretary); idempotent",
    description="Text, majority, secrecy and statutes version are frozen from now on. An "
    "optional `deadline` closes the vote automatically; without one the secretary closes it.",
    response_model=ResolutionOut,
    responses=WRITE_RESPONSES,
)
def open_resolution(
    org: str,
    resolution_id: str,
    request: Request,
    actor: ApiActor,
    body: ResolutionOpen | None = None,
) -> ResolutionOut:
    """Open the vote on one resolution of an open assembly."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        resolution = ga.open_resolution(
            uow,
            actor=actor,
            org=organisation,
            resolution_id=_resolution_id(resolution_id),
            deadline=body.deadline if body is not None else None,
            links=get_links(request),
        )
        (result,) = _resolutions_out(uow, organisation, [resolution])
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/resolutions/{resolution_id}/close",
    tags=[ASSEMBLIES],
    summary="Close the vote and store its result (admin, secretary); idempotent",
    description="Blank proxies are counted now. No ballot is accepted afterwards.",
    response_model=ResolutionOut,
    responses=CONFLICT_RESPONSE,
)
def close_resolution(
    org: str, resolution_id: str, request: Request, actor: ApiActor
) -> ResolutionOut:
    """Close the vote (a second call changes nothing)."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        resolution = ga.close_resolution(
            uow, actor=actor, org=organisation, resolution_id=_resolution_id(resolution_id)
        )
        (result,) = _resolutions_out(uow, organisation, [resolution])
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/votes/open",
    tags=[ASSEMBLIES],
    summary="Open together every resolution of the agenda still in draft (admin, secretary)",
    description="In agenda order, in one transaction: if one cannot open, none does (409 or "
    "422). The optional `deadline` applies to each. Returns the resolutions opened.",
    response_model=list[ResolutionOut],
    responses=WRITE_RESPONSES,
)
def open_all_votes(
    org: str,
    assembly_id: str,
    request: Request,
    actor: ApiActor,
    body: ResolutionOpen | None = None,
) -> list[ResolutionOut]:
    """Open the vote on every draft resolution of an open assembly."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        opened = ga.open_all_resolutions(
            uow,
            actor=actor,
            org=organisation,
            assembly_id=_assembly_id(assembly_id),
            deadline=body.deadline if body is not None else None,
            links=get_links(request),
        )
        result = _resolutions_out(uow, organisation, opened)
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/votes/close",
    tags=[ASSEMBLIES],
    summary="Close together every open vote of the assembly (admin, secretary)",
    description="Each result is stored as by closing the votes one by one; the assembly stays "
    "open. 409 when no vote is open. Returns the resolutions closed.",
    response_model=list[ResolutionOut],
    responses=CONFLICT_RESPONSE,
)
def close_all_votes(
    org: str, assembly_id: str, request: Request, actor: ApiActor
) -> list[ResolutionOut]:
    """Close every open vote of the assembly."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        closed = ga.close_all_resolutions(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        result = _resolutions_out(uow, organisation, closed)
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/resolutions/{resolution_id}/cancel",
    tags=[ASSEMBLIES],
    summary="Withdraw a resolution without result (admin, secretary)",
    description="To change a resolution whose vote is open, withdraw it and add a new one.",
    response_model=ResolutionOut,
    responses=WRITE_RESPONSES,
)
def cancel_resolution(
    org: str, resolution_id: str, body: ResolutionCancel, request: Request, actor: ApiActor
) -> ResolutionOut:
    """Close the resolution without result, recording why."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        resolution = ga.cancel_resolution(
            uow,
            actor=actor,
            org=organisation,
            resolution_id=_resolution_id(resolution_id),
            reason=body.reason,
        )
        (result,) = _resolutions_out(uow, organisation, [resolution])
        uow.commit()
    return result
