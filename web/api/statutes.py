"""API: the statutes in force, their draft, and the compliance findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from governance.errors import ConflictError, NotFoundError
from governance.i18n import M
from governance.services import orgs
from governance.services.authz import Actor
from governance.services.types import Organisation
from web import i18n
from web.api.common import BEARER, load_org
from web.api.deps import ApiActor
from web.api.schemas import (
    BODY_RESPONSE,
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    FindingOut,
    StatutesOut,
    StatutesPatch,
    finding_view,
    statutes_view,
)
from web.deps import UnitOfWork, make_uow

router = APIRouter(responses=ERROR_RESPONSES, dependencies=[BEARER])

STATUTES = "statutes"


def current_statutes(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> StatutesOut:
    """The statutes in force as the API shows them (with their findings and draft pointer)."""
    view = orgs.view_statutes(uow, actor=actor, org=org)
    return statutes_view(
        view.current,
        view.statutes,
        view.findings,
        org=org,
        setup_mode=view.setup_mode,
        draft=view.draft,
    )


# ---- statutes and compliance ----------------------------------------------------------------


@router.get(
    "/orgs/{org}/statutes",
    tags=[STATUTES],
    summary="The statutes in force: colleges, weights and every policy",
    response_model=StatutesOut,
)
def read_statutes(org: str, request: Request, actor: ApiActor) -> StatutesOut:
    """Return the current statutes version, its findings and a pointer to the draft, if any."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        return current_statutes(uow, actor=actor, org=organisation)


@router.put(
    "/orgs/{org}/statutes",
    tags=[STATUTES],
    summary="Edit the statutes in force (admin, setup mode only)",
    description="Only before the first assembly is convened. Afterwards the answer is 409 "
    "with `draft_url`: edit the draft, which an adopted resolution brings into force.",
    response_model=StatutesOut,
    responses=WRITE_RESPONSES,
)
def update_statutes(
    org: str, body: StatutesPatch, request: Request, actor: ApiActor
) -> StatutesOut | JSONResponse:
    """Apply partial policies to the statutes in force; each edit is an audit event."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        try:
            orgs.update_current_statutes(
                uow, actor=actor, org=organisation, patch=body.model_dump(exclude_unset=True)
            )
        except ConflictError as error:
            if orgs.is_setup_mode(organisation):
                raise
            return JSONResponse(
                {
                    "detail": error.message.render(i18n.gettext),
                    "draft_url": f"/api/v1/orgs/{organisation.slug}/statutes/draft",
                },
                status_code=409,
            )
        result = current_statutes(uow, actor=actor, org=organisation)
        uow.commit()
    return result


@router.get(
    "/orgs/{org}/statutes/draft",
    tags=[STATUTES],
    summary="The pending statutes draft, with its findings",
    description="Readable by whoever may read the statutes in force. 404 when there is no draft "
    "(`PUT` here creates one from the statutes in force).",
    response_model=StatutesOut,
)
def read_draft(org: str, request: Request, actor: ApiActor) -> StatutesOut:
    """Return the draft as `PUT /statutes/draft` does: its policies, colleges and findings."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        view = orgs.view_statutes(uow, actor=actor, org=organisation)
        if view.draft is None or view.draft_statutes is None:
            raise NotFoundError(
                M(
                    "Aucun projet de statuts en cours pour {org} : créez-le avec "
                    "PUT /api/v1/orgs/{slug}/statutes/draft.",
                    org=organisation.name,
                    slug=organisation.slug,
                )
            )
        return statutes_view(
            view.draft,
            view.draft_statutes,
            view.draft_findings,
            org=organisation,
            setup_mode=view.setup_mode,
        )


@router.put(
    "/orgs/{org}/statutes/draft",
    tags=[STATUTES],
    summary="Create or amend the statutes draft (admin)",
    description="Every value is validated (422 naming the field); the draft may stay incomplete "
    "while it is worked on (weights not yet summing to 100: listed in `findings`), but it can be "
    "put to the vote only once it has no error left. It takes effect only through an adopted "
    "resolution that references it.",
    response_model=StatutesOut,
    responses=BODY_RESPONSE,
)
def update_draft(org: str, body: StatutesPatch, request: Request, actor: ApiActor) -> StatutesOut:
    """Apply partial policies to the draft (created from the statutes in force if needed)."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        orgs.save_draft(
            uow, actor=actor, org=organisation, patch=body.model_dump(exclude_unset=True)
        )
        view = orgs.view_statutes(uow, actor=actor, org=organisation)
        assert view.draft is not None and view.draft_statutes is not None
        result = statutes_view(
            view.draft,
            view.draft_statutes,
            view.draft_findings,
            org=organisation,
            setup_mode=view.setup_mode,
        )
        uow.commit()
    return result


@router.get(
    "/orgs/{org}/compliance",
    tags=[STATUTES],
    summary="Compliance findings (SCIC categories, public capital, colleges); empty if compliant",
    response_model=list[FindingOut],
)
def read_compliance(org: str, request: Request, actor: ApiActor) -> list[FindingOut]:
    """Return the statutes findings and the continuous legal checks on the membership."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        return [finding_view(f) for f in orgs.compliance(uow, actor=actor, org=organisation)]
