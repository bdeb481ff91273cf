"""Organisation pages: my organisations, dashboard, members, member detail, statutes."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from governance.errors import DomainError, PermissionDeniedError
from governance.rules.statutes import (
    ABSTENTION_POLICIES,
    ASSEMBLY_KINDS,
    COLLEGE_POLICIES,
    MAJORITY_NAMES,
    QUORUM_BASES,
    RESOLUTION_KINDS,
    RESULTS_VISIBILITY,
    Statutes,
    fraction_text,
    is_scic,
)
from governance.services import members, orgs
from governance.services.authz import ROLES, member_roles, roles_in
from governance.store.tables import Organisation
from governance.store.uow import UnitOfWork
from web.deps import CurrentActor, CurrentUser, UowDep, get_settings, make_uow
from web.routes.common import (
    FormDep,
    IdPath,
    field_errors,
    find_org,
    flash,
    page,
    parse_id,
    redirect,
    require_user,
    text,
    texts,
)

router = APIRouter()

STATUSES = members.STATUSES
BOOLEAN_POLICIES = ("proxy_holder_must_be_member", "allow_remote", "multi_college_members")
CHART_ROW = 44
CHART_BAR_MAX = 440  # width, in SVG units, of a college holding 100 %


def _org_context(uow: UnitOfWork, actor: CurrentActor, org: Organisation) -> dict[str, Any]:
    """What every organisation page shows: the organisation, the viewer's roles and membership."""
    roles = roles_in(uow.session, actor, org.id)
    return {
        "org": org,
        "roles": roles,
        "is_admin": "admin" in roles,
        "me": orgs.actor_member(uow, actor, org),
        "setup_mode": orgs.is_setup_mode(org),
    }


def _refusable(error: DomainError) -> bool:
    """Errors a form shows inline; permission and not-found errors go to the error page."""
    return not isinstance(error, PermissionDeniedError) and error.status in (409, 422, 400)


# ---- my organisations and dashboard -------------------------------------------------------


@router.get("/orgs")
def my_orgs(request: Request, user: CurrentUser, actor: CurrentActor) -> Response:
    require_user(user)
    with make_uow(request, write=False) as uow:
        return page(request, "orgs/list.html", {"orgs": orgs.list_orgs_for(uow, actor=actor)})


@router.get("/orgs/{slug}")
def dashboard(request: Request, slug: str, actor: CurrentActor) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        colleges = orgs.list_colleges(uow, actor=actor, org=org)
        findings = orgs.compliance(uow, actor=actor, org=org)
        context = _org_context(uow, actor, org) | {
            "active": "dashboard",
            "colleges": colleges,
            "chart": _chart(colleges),
            "associates": sum(c.members for c in colleges),
            "findings": findings,
        }
        return page(request, "orgs/dashboard.html", context)


def _chart(colleges: list[orgs.CollegeView]) -> dict[str, Any]:
    """Geometry of the weights bar chart (display only; exact weights stay in the table)."""
    rows = []
    for index, view in enumerate(colleges):
        weight = Fraction(view.weight)
        rows.append(
            {
                "name": view.college.name,
                "weight": weight,
                "y": index * CHART_ROW,
                "width": round(float(weight) * CHART_BAR_MAX / 100, 2),
            }
        )
    return {"rows": rows, "height": max(len(rows), 1) * CHART_ROW, "bar_max": CHART_BAR_MAX}


@router.post("/orgs/{slug}/compliance/acknowledge")
def acknowledge_compliance(
    request: Request, slug: str, actor: CurrentActor, uow: UowDep
) -> Response:
    with uow:
        org = find_org(uow, slug)
        orgs.acknowledge_compliance(uow, actor=actor, org=org)
        uow.commit()
    flash(request, "Avertissements de conformité pris en compte.")
    return redirect(f"/orgs/{slug}")


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
        found = members.list_members(
            uow,
            actor=actor,
            org=org,
            college=filters["college"],
            category=filters["category"],
            status=filters["status"],
            query=filters["q"] or None,
        )
        colleges = [v.college for v in orgs.list_colleges(uow, actor=actor, org=org)]
        categories = orgs.list_categories(uow, actor=actor, org=org)
        context = _org_context(uow, actor, org) | {
            "active": "members",
            "members": found,
            "filters": filters,
            "filtered": any(filters.values()),
            "colleges": colleges,
            "categories": categories,
            "college_names": {c.id: c.name for c in colleges},
            "category_names": {c.id: c.name for c in categories},
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
                base_url=get_settings(request).base_url,
            )
            invited = member.user.password_hash is None
            member_id, name = member.id, member.name
            uow.commit()  # sends the invitation email
    except DomainError as error:
        if not _refusable(error):
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
        member = members.get_member(uow, actor=actor, org=org, member_id=member_id)
        context = _org_context(uow, actor, org)
        colleges = [v.college for v in orgs.list_colleges(uow, actor=actor, org=org)]
        categories = orgs.list_categories(uow, actor=actor, org=org)
        context |= {
            "active": "members",
            "member": member,
            "is_self": member.user_id == actor.user_id,
            "member_roles": sorted(member_roles(member) - {"member", "participant"}),
            "explicit_roles": [r.role for r in member.roles],
            "college_names": {c.id: c.name for c in colleges},
            "category_names": {c.id: c.name for c in categories},
            "colleges": colleges,
            "categories": categories,
            "all_roles": ROLES,
            "invitation_pending": member.user.password_hash is None,
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
        if not _refusable(error):
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
    base_url = get_settings(request).base_url
    return _member_write(
        request,
        actor,
        uow,
        slug,
        member_id,
        "invitation",
        {},
        lambda u, org: members.resend_invitation(
            u, actor=actor, org=org, member_id=member_id, base_url=base_url
        ),
        "Invitation renvoyée.",
    )


# ---- statutes -----------------------------------------------------------------------------


@router.get("/orgs/{slug}/statutes")
def statutes_page(request: Request, slug: str, actor: CurrentActor) -> Response:
    return _statutes_page(request, actor, slug)


def _statutes_page(
    request: Request,
    actor: CurrentActor,
    slug: str,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        view = orgs.view_statutes(uow, actor=actor, org=org)
        editing = view.draft_statutes or view.statutes
        if view.setup_mode:
            editing = view.statutes
        context = _org_context(uow, actor, org) | {
            "active": "statutes",
            "view": view,
            "scic": is_scic(org.legal_form),
            "editing": editing,
            "policy_values": (values or {}).get("policies") or _policy_values(editing),
            "values": values or {},
            "errors": errors or {},
            "categories": orgs.list_categories(uow, actor=actor, org=org),
            "category_kinds": orgs.CATEGORY_KINDS,
            "abstention_policies": ABSTENTION_POLICIES,
            "college_policies": COLLEGE_POLICIES,
            "quorum_bases": QUORUM_BASES,
            "results_visibilities": RESULTS_VISIBILITY,
            "assembly_kinds": ASSEMBLY_KINDS,
            "resolution_kinds": RESOLUTION_KINDS,
            "majority_names": MAJORITY_NAMES,
            "boolean_policies": BOOLEAN_POLICIES,
            "fraction_text": fraction_text,
        }
        return page(request, "orgs/statutes.html", context, status_code=status_code)


def _policy_values(statutes: Statutes) -> dict[str, Any]:
    """The edit form's initial values: every policy and weight as the text a person types."""
    document = statutes.to_document()
    values: dict[str, Any] = {
        key: document[key]
        for key in (
            "abstention_policy",
            "empty_college_policy",
            "silent_college_policy",
            "quorum_basis",
            "results_visibility",
            "college_weight_min",
            "college_weight_max",
        )
    }
    values["max_proxies_per_holder"] = document["max_proxies_per_holder"] or ""
    values["aggregation"] = document["aggregation"].get("kind", "proportional")
    values["aggregation.threshold"] = document["aggregation"].get("threshold", "1/2")
    values["aggregation.second_round"] = document["aggregation"].get("second_round", "simple")
    for key in BOOLEAN_POLICIES:
        values[key] = bool(document[key])
    for kind in ASSEMBLY_KINDS:
        for conv in ("1", "2"):
            values[f"quorum.{kind}.{conv}"] = document["quorum"].get(kind, {}).get(conv) or ""
    for kind in RESOLUTION_KINDS:
        values[f"majority_defaults.{kind}"] = document["majority_defaults"].get(kind, "")
    for college in document["colleges"]:
        values[f"colleges.{college['id']}"] = college["weight"]
    return values


def _policy_patch(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """The statutes patch a submitted form asks for, and the raw values to re-display."""
    values: dict[str, Any] = {}
    patch: dict[str, Any] = {}
    for key in (
        "abstention_policy",
        "empty_college_policy",
        "silent_college_policy",
        "quorum_basis",
        "results_visibility",
        "max_proxies_per_holder",
        "college_weight_min",
        "college_weight_max",
    ):
        if key in form:
            values[key] = patch[key] = text(form, key).strip()
    for key in BOOLEAN_POLICIES:
        values[key] = bool(text(form, key))
        patch[key] = "true" if values[key] else "false"
    if "aggregation" in form:
        kind = text(form, "aggregation")
        for key in ("aggregation", "aggregation.threshold", "aggregation.second_round"):
            values[key] = text(form, key).strip()
        patch["aggregation"] = (
            {
                "kind": "bloc",
                "threshold": values["aggregation.threshold"] or "1/2",
                "second_round": values["aggregation.second_round"] or "simple",
            }
            if kind == "bloc"
            else kind
        )
    quorum: dict[str, dict[str, str | None]] = {}
    majorities: dict[str, str] = {}
    colleges: dict[str, str] = {}
    for key in form:
        raw = text(form, key).strip()
        parts = key.split(".")
        if parts[0] == "quorum" and len(parts) == 3:
            values[key] = raw
            quorum.setdefault(parts[1], {})[parts[2]] = raw or None
        elif parts[0] == "majority_defaults" and len(parts) == 2:
            values[key] = raw
            majorities[parts[1]] = raw
        elif parts[0] == "colleges" and len(parts) == 2:
            values[key] = raw
            colleges[parts[1]] = raw
    if quorum:
        patch["quorum"] = quorum
    if majorities:
        patch["majority_defaults"] = majorities
    if colleges:
        patch["colleges"] = colleges
    return patch, values


@router.post("/orgs/{slug}/statutes")
def edit_statutes(
    request: Request, slug: str, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    patch, values = _policy_patch(form)
    try:
        with uow:
            org = find_org(uow, slug)
            if orgs.is_setup_mode(org):
                orgs.update_current_statutes(uow, actor=actor, org=org, patch=patch)
                done = "Statuts en vigueur modifiés (mode installation)."
            else:
                orgs.save_draft(uow, actor=actor, org=org, patch=patch)
                done = "Projet de statuts enregistré ; il prendra effet une fois adopté en AGE."
            uow.commit()
    except DomainError as error:
        if not _refusable(error):
            raise
        return _statutes_page(
            request,
            actor,
            slug,
            errors={"policies": field_errors(error)},
            values={"policies": values},
            status_code=error.status,
        )
    flash(request, done)
    return redirect(f"/orgs/{slug}/statutes")


@router.post("/orgs/{slug}/categories")
def add_category(
    request: Request, slug: str, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    values = {"name": text(form, "name"), "kind": text(form, "kind") or "other"}
    try:
        with uow:
            org = find_org(uow, slug)
            orgs.add_category(uow, actor=actor, org=org, name=values["name"], kind=values["kind"])
            uow.commit()
    except DomainError as error:
        if not _refusable(error):
            raise
        return _statutes_page(
            request,
            actor,
            slug,
            errors={"category": field_errors(error, "name")},
            values={"category": values},
            status_code=error.status,
        )
    flash(request, "Catégorie « {name} » ajoutée.", name=values["name"].strip())
    return redirect(f"/orgs/{slug}/statutes")


@router.post("/orgs/{slug}/colleges")
def add_college(
    request: Request, slug: str, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    values = {"name": text(form, "name"), "weight": text(form, "weight").strip()}
    try:
        with uow:
            org = find_org(uow, slug)
            orgs.add_college(
                uow, actor=actor, org=org, name=values["name"], weight=values["weight"]
            )
            uow.commit()
    except DomainError as error:
        if not _refusable(error):
            raise
        return _statutes_page(
            request,
            actor,
            slug,
            errors={"college": field_errors(error, "name")},
            values={"college": values},
            status_code=error.status,
        )
    flash(request, "Collège « {name} » ajouté.", name=values["name"].strip())
    return redirect(f"/orgs/{slug}/statutes")
