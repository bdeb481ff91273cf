"""API: organisations, categories, colleges, members, statutes, compliance."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from governance.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from governance.i18n import M
from governance.rules.statutes import validate_statutes
from governance.services import members, orgs
from governance.services.authz import Actor, roles_in
from governance.store.tables import Category, College, Member, Organisation
from governance.store.uow import UnitOfWork
from web import i18n
from web.api.common import BEARER, load_org, path_id
from web.api.deps import ApiActor
from web.api.schemas import (
    BODY_RESPONSE,
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    CategoryCreate,
    CategoryOut,
    CollegeCreate,
    CollegeOut,
    FindingOut,
    MemberCreate,
    MemberOut,
    MemberPatch,
    OrgCreate,
    OrgOut,
    StatutesOut,
    StatutesPatch,
    category_view,
    college_view,
    finding_view,
    member_view,
    org_view,
    statutes_view,
)
from web.deps import make_uow

router = APIRouter(responses=ERROR_RESPONSES, dependencies=[BEARER])

ORGS = "organisations"
MEMBERS = "members"
STATUTES = "statutes"

# Roles that see members' email addresses (everyone sees their own).
CONTACT_ROLES = frozenset({"admin", "secretary", "auditor"})


def _base_url(request: Request) -> str:
    base: str = request.app.state.settings.base_url
    return base


def _member_id(raw: str) -> int:
    return path_id(raw, M("Membre introuvable."))


def _current_statutes(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> StatutesOut:
    view = orgs.view_statutes(uow, actor=actor, org=org)
    return statutes_view(
        view.current,
        view.statutes,
        view.findings,
        org=org,
        setup_mode=view.setup_mode,
        draft=view.draft,
    )


def _member_out(uow: UnitOfWork, actor: Actor, org: Organisation, member: Member) -> MemberOut:
    roles = roles_in(uow.session, actor, org.id)
    return member_view(
        member,
        org=org,
        category=uow.session.get(Category, member.category_id) if member.category_id else None,
        college=uow.session.get(College, member.college_id) if member.college_id else None,
        show_email=bool(roles & CONTACT_ROLES) or member.user_id == actor.user_id,
    )


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
            statutes_view(
                row, statutes, validate_statutes(statutes), org=org, setup_mode=True
            ),
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
        return org_view(organisation, _current_statutes(uow, actor=actor, org=organisation))


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
        return [
            category_view(c)
            for c in orgs.list_categories(uow, actor=actor, org=organisation)
        ]


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
def create_college(
    org: str, body: CollegeCreate, request: Request, actor: ApiActor
) -> CollegeOut:
    """Create a college; a weight out of bounds is refused naming the college and the bound."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        college = orgs.add_college(
            uow, actor=actor, org=organisation, name=body.name, weight=body.weight
        )
        # Created in setup mode the weight is in force; afterwards it is in the draft only.
        view = orgs.view_statutes(uow, actor=actor, org=organisation)
        weight = view.statutes.weight_of(str(college.id))
        if weight is None and view.draft_statutes is not None:
            weight = view.draft_statutes.weight_of(str(college.id))
        result = college_view(college, weight or Fraction(0), 0)
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


# ---- members --------------------------------------------------------------------------------


@router.post(
    "/orgs/{org}/members",
    tags=[MEMBERS],
    summary="Admit an associate or add a participant (admin); sends the invitation",
    status_code=201,
    response_model=MemberOut,
    responses=WRITE_RESPONSES,
)
def create_member(org: str, body: MemberCreate, request: Request, actor: ApiActor) -> MemberOut:
    """Create or link the account of the email, add the member and invite them (7-day link)."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        member = members.add_member(
            uow,
            actor=actor,
            org=organisation,
            data=members.MemberInput(
                name=body.name,
                email=body.email,
                associate=body.associate,
                category=body.category,
                college=body.college,
                shares=body.shares,
                legal_person=body.legal_person,
                representative_name=body.representative_name,
                admitted_on=body.admitted_on,
                roles=tuple(body.roles),
            ),
            base_url=_base_url(request),
        )
        result = _member_out(uow, actor, organisation, member)
        uow.commit()
    return result


@router.patch(
    "/orgs/{org}/members/{member_id}",
    tags=[MEMBERS],
    summary="Change a member's roles, college, category, shares, or record a departure (admin)",
    response_model=MemberOut,
    responses=WRITE_RESPONSES,
)
def update_member(
    org: str, member_id: str, body: MemberPatch, request: Request, actor: ApiActor
) -> MemberOut:
    """Apply the fields sent; a departure records its date, reason and shares returned."""
    if not body.model_fields_set:
        raise ValidationError.single(
            "body",
            M("Indiquez au moins un champ à modifier : roles, college, category, shares, "
              "departure."),
        )
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        departure = (
            members.Departure(
                on=body.departure.on,
                reason=body.departure.reason,
                shares_returned=body.departure.shares_returned,
            )
            if body.departure is not None
            else None
        )
        member = members.update_member(
            uow,
            actor=actor,
            org=organisation,
            member_id=_member_id(member_id),
            roles=body.roles,
            college=body.college,
            category=body.category,
            shares=body.shares,
            departure=departure,
        )
        result = _member_out(uow, actor, organisation, member)
        uow.commit()
    return result


def _filter_id(
    uow: UnitOfWork, actor: Actor, org: Organisation, field: str, raw: str | None
) -> int | None:
    """Resolve a list filter given as an id or a name; an unknown one is a 422 naming it."""
    if raw is None or not raw.strip():
        return None
    key = raw.strip().lower()
    if field == "college":
        found = [v.college for v in orgs.list_colleges(uow, actor=actor, org=org)]
        known = {str(c.id): c.id for c in found} | {c.name.lower(): c.id for c in found}
        message = M("Collège inconnu dans les statuts en vigueur : {value}.", value=raw)
    else:
        cats = orgs.list_categories(uow, actor=actor, org=org)
        known = {str(c.id): c.id for c in cats} | {c.name.lower(): c.id for c in cats}
        message = M("Catégorie inconnue : {value}.", value=raw)
    if key not in known:
        raise ValidationError.single(field, message)
    return known[key]


@router.get(
    "/orgs/{org}/members",
    tags=[MEMBERS],
    summary="Members, filtered by college, category, status or a name search",
    response_model=list[MemberOut],
)
def read_members(
    org: str,
    request: Request,
    actor: ApiActor,
    college: Annotated[str | None, Query(description="College id or name.")] = None,
    category: Annotated[str | None, Query(description="Category id or name.")] = None,
    status: Annotated[
        str | None, Query(description="associate, participant or external.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Search in names and skills.")
    ] = None,
    include_departed: bool = False,
) -> list[MemberOut]:
    """List current members (departed ones too with ``include_departed``)."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        if q is not None:
            q = q.replace("\x00", "")
        if status is not None and status not in members.STATUSES:
            raise ValidationError.single(
                "status",
                M("status doit valoir {values}.", values=", ".join(members.STATUSES)),
            )
        rows = members.list_members(
            uow,
            actor=actor,
            org=organisation,
            college=_filter_id(uow, actor, organisation, "college", college),
            category=_filter_id(uow, actor, organisation, "category", category),
            status=status,
            query=q,
            include_departed=include_departed,
        )
        return [_member_out(uow, actor, organisation, m) for m in rows]


@router.get(
    "/orgs/{org}/members/{member_id}",
    tags=[MEMBERS],
    summary="One member",
    response_model=MemberOut,
)
def read_member(org: str, member_id: str, request: Request, actor: ApiActor) -> MemberOut:
    """Return one member of the organisation."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        member = members.get_member(
            uow, actor=actor, org=organisation, member_id=_member_id(member_id)
        )
        return _member_out(uow, actor, organisation, member)


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
        return _current_statutes(uow, actor=actor, org=organisation)


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
        result = _current_statutes(uow, actor=actor, org=organisation)
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
