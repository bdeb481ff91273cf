"""Statutes pages: the statutes in force or their draft, categories and colleges."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from governance.errors import DomainError
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
from governance.services import orgs
from web.deps import CurrentActor, UowDep, make_uow
from web.routes.common import (
    FormDep,
    field_errors,
    find_org,
    flash,
    org_context,
    page,
    redirect,
    refusable,
    text,
)

router = APIRouter()

BOOLEAN_POLICIES = ("proxy_holder_must_be_member", "allow_remote", "multi_college_members")


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
        context = org_context(uow, actor, org) | {
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
        if not refusable(error):
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
        if not refusable(error):
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
        if not refusable(error):
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
