"""API: members — admission, changes, departure, the list and one member's card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from governance.errors import ValidationError
from governance.i18n import M
from governance.services import members, orgs
from governance.services.authz import Actor
from governance.services.types import Organisation
from web.api.common import BEARER, load_org, path_id
from web.api.deps import ApiActor
from web.api.schemas import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    MemberCreate,
    MemberOut,
    MemberPatch,
    member_view,
)
from web.deps import UnitOfWork, get_links, make_uow

router = APIRouter(responses=ERROR_RESPONSES, dependencies=[BEARER])

MEMBERS = "members"


def _member_id(raw: str) -> int:
    return path_id(raw, M("Membre introuvable."))


def _member_out(card: members.MemberCard, org: Organisation) -> MemberOut:
    return member_view(
        card.member,
        org=org,
        category=card.category,
        college=card.college,
        show_email=card.show_email,
    )


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
            links=get_links(request),
        )
        card = members.member_card(uow, actor=actor, org=organisation, member=member)
        result = _member_out(card, organisation)
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
            M(
                "Indiquez au moins un champ à modifier : roles, college, category, shares, "
                "departure."
            ),
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
        card = members.member_card(uow, actor=actor, org=organisation, member=member)
        result = _member_out(card, organisation)
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
    status: Annotated[str | None, Query(description="associate, participant or external.")] = None,
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
        cards = members.member_cards(
            uow,
            actor=actor,
            org=organisation,
            college=_filter_id(uow, actor, organisation, "college", college),
            category=_filter_id(uow, actor, organisation, "category", category),
            status=status,
            query=q,
            include_departed=include_departed,
        )
        return [_member_out(card, organisation) for card in cards]


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
        card = members.member_card_by_id(
            uow, actor=actor, org=organisation, member_id=_member_id(member_id)
        )
        return _member_out(card, organisation)
