"""API: organisations, their categories of associates and their voting colleges."""

from __future__ import annotations

from fastapi import APIRouter, Request

from governance.errors import PermissionDeniedError
from governance.i18n import M
from governance.rules.statutes import validate_statutes
from governance.services import orgs
from web.api.common import BEARER, load_org
from web.api.deps import ApiActor
from web.api.schemas import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    CategoryCreate,
    CategoryOut,
    CollegeCreate,
    CollegeOut,
    OrgCreate,
    OrgOut,
    category_view,
    college_view,
    org_view,
    statutes_view,
)
from web.api.statutes import current_statutes
from web.deps import make_uow

router = APIRouter(responses=ERROR_RESPONSES, dependencies=[BEARER])

ORGS = "organisations"


# ---- organisations --------------------------------------------------------------------------


@router.post(
    "/orgs",
    tags=[ORGS],
    summary="Create an organisation (superusers); its creator becomes its admin",
    status_code=201,
    response_model=OrgOut,
    responses=WRITE_RESPONSES,
)
def create_org(body: OrgCreate, request: Request, actor: ApiActor) -> OrgOut:
    """Create an organisation in setup mode with the default statutes of its legal form."""
    if actor.token_org_id is not None:
        raise PermissionDeniedError(
            M("Ce jeton est limité à une organisation : il ne peut pas en créer une autre.")
        )
    with make_uow(request) as uow:
        org = orgs.create_org(
            uow,
            actor=actor,
            slug=body.slug,
            name=body.name,
            legal_form=body.legal_form,
            timezone=body.timezone,
            description=body.description,
        )
        row = orgs.current_version(uow, org)
        statutes = orgs.load_statutes(row)
        result = org_view(
            org,
            statutes_view(row, statutes, validate_statutes(statutes), org=org, setup_mode=True),
        )
        uow.commit()
    return result


@router.get(
    "/orgs/{org}",
    tags=[ORGS],
    summary="An organisation with its current statutes version",
    response_model=OrgOut,
)
def read_org(org: str, request: Request, actor: ApiActor) -> OrgOut:
    """Return the organisation (by slug or id) and the statutes in force."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        return org_view(organisation, current_statutes(uow, actor=actor, org=organisation))


# ---- categories and colleges ----------------------------------------------------------------


@router.post(
    "/orgs/{org}/categories",
    tags=[ORGS],
    summary="Declare a category of associates (admin)",
    status_code=201,
    response_model=CategoryOut,
    responses=WRITE_RESPONSES,
)
def create_category(
    org: str, body: CategoryCreate, request: Request, actor: ApiActor
) -> CategoryOut:
    """Declare a category (bénéficiaires, salariés…) with its kind for the SCIC checks."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        category = orgs.add_category(
            uow, actor=actor, org=organisation, name=body.name, kind=body.kind
        )
        result = category_view(category)
        uow.commit()
    return result


@router.get(
    "/orgs/{org}/categories",
    tags=[ORGS],
    summary="Categories of associates",
    response_model=list[CategoryOut],
)
def read_categories(org: str, request: Request, actor: ApiActor) -> list[CategoryOut]:
    """List the organisation's categories of associates."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        return [category_view(c) for c in orgs.list_categories(uow, actor=actor, org=organisation)]


@router.post(
    "/orgs/{org}/colleges",
    tags=[ORGS],
    summary="Create a voting college and its weight (admin)",
    description="In setup mode the weight goes into the statutes in force; afterwards into "
    "the statutes draft, which takes effect only through an adopted resolution. Weights are "
    "exact percentages; a SCIC college weighs between 10 % and 50 %.",
    status_code=201,
    response_model=CollegeOut,
    responses=WRITE_RESPONSES,
)
def create_college(org: str, body: CollegeCreate, request: Request, actor: ApiActor) -> CollegeOut:
    """Create a college; a weight out of bounds is refused naming the college and the bound."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        college = orgs.add_college(
            uow, actor=actor, org=organisation, name=body.name, weight=body.weight
        )
        # Created in setup mode the weight is in force; afterwards it is in the draft only.
        weight = orgs.college_weight(uow, actor=actor, org=organisation, college=college)
        result = college_view(college, weight, 0)
        uow.commit()
    return result


@router.get(
    "/orgs/{org}/colleges",
    tags=[ORGS],
    summary="Colleges of the statutes in force, with weights and member counts",
    response_model=list[CollegeOut],
)
def read_colleges(org: str, request: Request, actor: ApiActor) -> list[CollegeOut]:
    """List the colleges in force."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        return [
            college_view(v.college, v.weight, v.members)
            for v in orgs.list_colleges(uow, actor=actor, org=organisation)
        ]
