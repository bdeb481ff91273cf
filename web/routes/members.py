"""Member pages: the members list and admission, a member's page, their changes and departure."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from governance.errors import DomainError
from governance.services import members
from governance.services.authz import ROLES
from web.deps import CurrentActor, UnitOfWork, UowDep, get_links, make_uow
from web.routes.common import (
    FormDep,
    IdPath,
    field_errors,
    find_org,
    flash,
    org_context,
    page,
    parse_id,
    redirect,
    refusable,
    text,
    texts,
)

router = APIRouter()

STATUSES = members.STATUSES


# ---- members list and admission ----------------------------------------------------------


def _member_filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    status = params.get("status", "")
    return {
        "college": parse_id(params.get("college")),
        "category": parse_id(params.get("category")),
        "status": status if status in STATUSES else None,
        "q": (params.get("q") or "").strip()[:100],
    }


@router.get("/orgs/{slug}/members")
def members_list(request: Request, slug: str, actor: CurrentActor) -> Response:
    return _members_page(request, actor, slug, filters=_member_filters(request))


def _members_page(
    request: Request,
    actor: CurrentActor,
    slug: str,
    *,
    filters: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        view = members.member_directory(
            uow,
            actor=actor,
            org=org,
            college=filters["college"],
            category=filters["category"],
            status=filters["status"],
            query=filters["q"] or None,
        )
        context = org_context(uow, actor, org) | {
            "active": "members",
            "members": view.members,
            "filters": filters,
            "filtered": any(filters.values()),
            "colleges": view.colleges,
            "categories": view.categories,
            "college_names": view.college_names,
            "category_names": view.category_names,
            "statuses": STATUSES,
            "all_roles": ROLES,
            "values": values or {"associate": "associate", "roles": []},
            "errors": errors or {},
        }
        return page(
            request, "orgs/members.html", context, block="member_list", status_code=status_code
        )


@router.post("/orgs/{slug}/members")
def add_member(
    request: Request, slug: str, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    values: dict[str, Any] = {
        key: text(form, key)
        for key in (
            "name",
            "email",
            "associate",
            "category",
            "college",
            "shares",
            "representative_name",
            "admitted_on",
        )
    }
    values["legal_person"] = bool(text(form, "legal_person"))
    values["roles"] = texts(form, "roles")
    data = members.MemberInput(
        name=values["name"],
        email=values["email"],
        associate=values["associate"] != "participant",
        category=values["category"] or None,
        college=values["college"] or None,
        shares=values["shares"] or None,
        legal_person=values["legal_person"],
        representative_name=values["representative_name"] or None,
        admitted_on=values["admitted_on"] or None,
        roles=tuple(values["roles"]),
    )
    try:
        with uow:
            org = find_org(uow, slug)
            member = members.add_member(
                uow,
                actor=actor,
                org=org,
                data=data,
                links=get_links(request),
            )
            invited = member.user.password_hash is None
            member_id, name = member.id, member.name
            uow.commit()  # sends the invitation email
    except DomainError as error:
        if not refusable(error):
            raise
        return _members_page(
            request,
            actor,
            slug,
            filters=_member_filters(request),
            values=values,
            errors=field_errors(error),
            status_code=error.status,
        )
    if invited:
        flash(request, "{name} est ajouté·e ; une invitation lui a été envoyée.", name=name)
    else:
        flash(request, "{name} est ajouté·e (son compte existait déjà).", name=name)
    return redirect(f"/orgs/{slug}/members/{member_id}")


# ---- member detail ------------------------------------------------------------------------


@router.get("/orgs/{slug}/members/{member_id}")
def member_detail(request: Request, slug: str, member_id: IdPath, actor: CurrentActor) -> Response:
    return _member_page(request, actor, slug, member_id)


def _member_page(
    request: Request,
    actor: CurrentActor,
    slug: str,
    member_id: int,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        view = members.member_detail(uow, actor=actor, org=org, member_id=member_id)
        context = org_context(uow, actor, org) | {
            "active": "members",
            "member": view.member,
            "is_self": view.is_self,
            "member_roles": view.roles,
            "explicit_roles": view.explicit_roles,
            "college_names": view.college_names,
            "category_names": view.category_names,
            "colleges": view.colleges,
            "categories": view.categories,
            "all_roles": ROLES,
            "invitation_pending": view.invitation_pending,
            "errors": errors or {},
            "values": values or {},
        }
        return page(request, "orgs/member.html", context, status_code=status_code)


def _member_write(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWork,
    slug: str,
    member_id: int,
    form_name: str,
    values: dict[str, Any],
    action: Any,
    done: str,
) -> Response:
    """Run one member service in a transaction; refusals re-render the page with the form's
    messages inline, success redirects back with a flash message."""
    try:
        with uow:
            org = find_org(uow, slug)
            action(uow, org)
            uow.commit()
    except DomainError as error:
        if not refusable(error):
            raise
        return _member_page(
            request,
            actor,
            slug,
            member_id,
            errors={form_name: field_errors(error)},
            values={form_name: values},
            status_code=error.status,
        )
    flash(request, done)
    return redirect(f"/orgs/{slug}/members/{member_id}")


@router.post("/orgs/{slug}/members/{member_id}/profile")
def update_profile(
    request: Request, slug: str, member_id: IdPath, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    values = {key: text(form, key) for key in ("presentation", "phone", "skills")}
    return _member_write(
        request,
        actor,
        uow,
        slug,
        member_id,
        "profile",
        values,
        lambda u, org: members.update_profile(
            u, actor=actor, org=org, member_id=member_id, **values
        ),
        "Votre fiche est à jour.",
    )


@router.post("/orgs/{slug}/members/{member_id}")
def update_member(
    request: Request, slug: str, member_id: IdPath, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    values: dict[str, Any] = {
        "roles": texts(form, "roles"),
        "college": text(form, "college"),
        "category": text(form, "category"),
        "shares": text(form, "shares"),
    }
    return _member_write(
        request,
        actor,
        uow,
        slug,
        member_id,
        "admin",
        values,
        lambda u, org: members.update_member(
            u,
            actor=actor,
            org=org,
            member_id=member_id,
            roles=values["roles"],
            college=values["college"] or None,
            category=values["category"] or None,
            shares=values["shares"] or None,
        ),
        "Fiche du membre enregistrée.",
    )


@router.post("/orgs/{slug}/members/{member_id}/departure")
def record_departure(
    request: Request, slug: str, member_id: IdPath, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    values = {key: text(form, key) for key in ("on", "reason", "shares_returned")}
    departure = members.Departure(
        on=values["on"], reason=values["reason"], shares_returned=values["shares_returned"] or None
    )
    return _member_write(
        request,
        actor,
        uow,
        slug,
        member_id,
        "departure",
        values,
        lambda u, org: members.update_member(
            u, actor=actor, org=org, member_id=member_id, departure=departure
        ),
        "Départ enregistré.",
    )


@router.post("/orgs/{slug}/members/{member_id}/invitation")
def resend_invitation(
    request: Request, slug: str, member_id: IdPath, actor: CurrentActor, uow: UowDep
) -> Response:
    links = get_links(request)
    return _member_write(
        request,
        actor,
        uow,
        slug,
        member_id,
        "invitation",
        {},
        lambda u, org: members.resend_invitation(
            u, actor=actor, org=org, member_id=member_id, links=links
        ),
        "Invitation renvoyée.",
    )
