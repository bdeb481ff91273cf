"""Organisation pages: my organisations, the dashboard (colleges' weights, compliance)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from governance.services import orgs
from web.deps import CurrentActor, CurrentUser, UowDep, make_uow
from web.routes.common import find_org, flash, org_context, page, redirect, require_user

router = APIRouter()

CHART_ROW = 44
CHART_BAR_MAX = 440  # width, in SVG units, of a college holding 100 %


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
        view = orgs.dashboard(uow, actor=actor, org=org)
        context = org_context(uow, actor, org) | {
            "active": "dashboard",
            "colleges": view.colleges,
            "chart": _chart(view.colleges),
            "associates": view.associates,
            "findings": view.findings,
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
