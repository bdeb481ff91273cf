"""Results pages (outcome, exact ratio, per-college table and chart, the public list of secret
ballot hashes and a receipt check) and the procès-verbal and feuille de présence exports."""

from __future__ import annotations

from fractions import Fraction
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from governance.errors import ValidationError
from governance.exports import minutes as exports
from governance.i18n import M
from governance.services import assemblies as ga
from web.deps import CurrentActor, make_uow
from web.routes.common import IdPath, find_org, page

from ._shared import context

router = APIRouter()

STYLESHEET_URL = "/orgs/-/exports/minutes.css"
CHART_ROW = 48
CHART_BAR_MAX = 340  # width, in SVG units, of a share of 100 %
CHART_LABEL_WIDTH = 150


@router.get("/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}/results")
def results_page(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    resolution_id: IdPath,
    actor: CurrentActor,
) -> Response:
    """The result as the viewer may see it; past its deadline, the result the close will record
    (the page reads, it never records the close: tick or the next write does)."""
    check = (request.query_params.get("hash") or "").strip().lower()[:128]
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        view = ga.results_page(
            uow, actor=actor, org=org, assembly_id=assembly_id, resolution_id=resolution_id
        )
        result, visible = view.result, view.visible
        ctx = context(org, view.viewer) | {
            "assembly": view.assembly,
            "resolution": view.resolution,
            "result": result,
            "visible": visible,
            "recorded": view.recorded,
            "chart": _result_chart(result) if visible else None,
            "colleges": _college_rows(result) if visible else [],
            "for_total": _percent_of(result.get("for_total")) if visible else None,
            "ratio": _fraction(result.get("for_ratio")) if visible else None,
            "threshold": _fraction(result["majority"]["threshold"]) if visible else None,
            "hashes_public": view.hashes_public,
            "hashes": view.hashes,
            "check": check,
            "check_found": check in view.hashes if check else None,
        }
        return page(request, "assemblies/results.html", ctx)


def _fraction(value: Any) -> Fraction | None:
    return None if value in (None, "") else Fraction(str(value))


def _percent_of(value: Any) -> Fraction | None:
    """An exact share (``"8/13"``) as an exact percentage, for the ``percent`` filter."""
    share = _fraction(value)
    return None if share is None else share * 100


def _college_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each college of a result with its shares as exact percentages (rounded only on display)."""
    return [
        college
        | {
            "weight_used_pct": _percent_of(college.get("weight_used")),
            "share_for_pct": _percent_of(college.get("share_for")),
            "contribution_pct": _percent_of(college.get("contribution_for")),
        }
        for college in result.get("colleges", [])
    ]


def _result_chart(result: dict[str, Any]) -> dict[str, Any]:
    """Geometry of the per-college chart: shares for and against of each college's expressed
    votes (display only; the exact fractions stay in the table)."""
    rows = []
    for index, college in enumerate(result.get("colleges", [])):
        share_for = _fraction(college.get("share_for"))
        share_against = _fraction(college.get("share_against"))
        rows.append(
            {
                "name": college["name"],
                "y": index * CHART_ROW,
                "share_for": share_for,
                "share_against": share_against,
                "for_width": round(float(share_for or 0) * CHART_BAR_MAX, 2),
                "against_width": round(float(share_against or 0) * CHART_BAR_MAX, 2),
                "hidden": bool(college.get("hidden")),
                "counted": share_for is not None,
            }
        )
    height = max(len(rows), 1) * CHART_ROW
    threshold = _fraction(result.get("majority", {}).get("threshold"))
    # Room for the longest college name (about 8 units a character at the label's size).
    longest = max((len(str(row["name"])) for row in rows), default=0)
    label_width = max(CHART_LABEL_WIDTH, min(300, 8 * longest + 12))
    return {
        "rows": rows,
        "height": height,
        "label_width": label_width,
        "bar_max": CHART_BAR_MAX,
        "width": label_width + CHART_BAR_MAX + 200,
        "threshold_x": (
            round(label_width + float(threshold) * CHART_BAR_MAX, 2) if threshold else None
        ),
    }


# ---- exports ------------------------------------------------------------------------------


@router.get("/orgs/-/exports/minutes.css")
def minutes_stylesheet() -> FileResponse:
    """The stylesheet the HTML procès-verbal and feuille de présence link to."""
    return FileResponse(
        exports.STYLESHEET,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _export_format(request: Request, allowed: tuple[str, ...]) -> str:
    chosen = request.query_params.get("format", "html")
    if chosen not in allowed:
        raise ValidationError.single(
            "format", M("format vaut {values}.", values=", ".join(allowed))
        )
    return chosen


def _attachment(prefix: str, data: exports.MinutesData, extension: str) -> dict[str, str]:
    day = data.assembly.scheduled_at.astimezone(data.tz).date().isoformat()
    name = f"{prefix}-{data.org.slug}-{data.assembly.id}-{day}.{extension}"
    ascii_name = name.encode("ascii", "ignore").decode()
    return {
        "Content-Disposition": f'attachment; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(name)}"
    }


@router.get("/orgs/{slug}/assemblies/{assembly_id}/minutes")
def minutes_export(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor
) -> Response:
    """The procès-verbal (HTML or PDF): organisers and auditors at any time, members once
    published."""
    output = _export_format(request, ("html", "pdf"))
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        data = exports.minutes_data(uow, actor=actor, org=org, assembly_id=assembly_id)
        if output == "html":
            return HTMLResponse(exports.render_minutes_html(data, stylesheet=STYLESHEET_URL))
        html = exports.render_minutes_html(data)
        headers = _attachment("proces-verbal", data, "pdf")
    return Response(exports.html_to_pdf(html), media_type="application/pdf", headers=headers)


@router.get("/orgs/{slug}/assemblies/{assembly_id}/attendance-sheet")
def attendance_export(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor
) -> Response:
    """The feuille de présence (HTML, PDF or CSV with a BOM for French spreadsheets)."""
    output = _export_format(request, ("html", "pdf", "csv"))
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        data = exports.minutes_data(uow, actor=actor, org=org, assembly_id=assembly_id)
        if output == "html":
            return HTMLResponse(exports.render_attendance_html(data, stylesheet=STYLESHEET_URL))
        if output == "csv":
            return Response(
                exports.attendance_csv(data),
                media_type="text/csv; charset=utf-8",
                headers=_attachment("feuille-de-presence", data, "csv"),
            )
        html = exports.render_attendance_html(data)
        headers = _attachment("feuille-de-presence", data, "pdf")
    return Response(exports.html_to_pdf(html), media_type="application/pdf", headers=headers)
