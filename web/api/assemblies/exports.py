"""API: the procès-verbal and the feuille de présence (HTML, PDF, CSV) and their stylesheet."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from governance.errors import ValidationError
from governance.exports import minutes as exports
from governance.i18n import M
from web.api.common import load_org
from web.api.deps import ApiActor
from web.deps import make_uow

from ._shared import (
    CSV,
    EXPORTS,
    HTML,
    PDF,
    STYLESHEET_URL,
    _assembly_id,
    _attachment,
    _file_name,
    _format,
    public_router,
    router,
)

# ---- procès-verbal and feuille de présence ---------------------------------------------------


@router.get(
    "/orgs/{org}/assemblies/{assembly_id}/minutes",
    tags=[EXPORTS],
    summary="The procès-verbal, as HTML or PDF",
    description="Secretaries, admins and auditors read it at any time; members once published. "
    "It carries the quorum computation, each result per college with the rule applied, and the "
    "head hash of the audit log.",
    response_class=Response,
    responses={200: {"content": {HTML: {}, PDF: {}}}},
)
def read_minutes(
    org: str,
    assembly_id: str,
    request: Request,
    actor: ApiActor,
    output: Annotated[str, Query(alias="format", description="html or pdf.")] = "html",
) -> Response:
    """Render the procès-verbal."""
    output = _format(output, ("html", "pdf"))
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        data = exports.minutes_data(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        if output == "html":
            return HTMLResponse(exports.render_minutes_html(data, stylesheet=STYLESHEET_URL))
        html = exports.render_minutes_html(data)
        name = _file_name("procès-verbal", data, "pdf")
    return Response(
        exports.html_to_pdf(html),
        media_type=PDF,
        headers={"Content-Disposition": _attachment(name)},
    )


@router.get(
    "/orgs/{org}/assemblies/{assembly_id}/attendance-sheet",
    tags=[EXPORTS],
    summary="The feuille de présence, as HTML, PDF or CSV",
    description="CSV is UTF-8 with a BOM, `;`-separated by default (`separator=,` otherwise), "
    "times in ISO 8601: it opens as is in French spreadsheets.",
    response_class=Response,
    responses={200: {"content": {HTML: {}, PDF: {}, CSV: {}}}},
)
def read_attendance_sheet(
    org: str,
    assembly_id: str,
    request: Request,
    actor: ApiActor,
    output: Annotated[str, Query(alias="format", description="html, pdf or csv.")] = "html",
    separator: Annotated[str, Query(description="CSV separator: ; or ,")] = ";",
) -> Response:
    """Render the attendance sheet."""
    output = _format(output, ("html", "pdf", "csv"))
    if separator not in (";", ","):
        raise ValidationError.single("separator", M("separator vaut « ; » ou « , »."))
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        data = exports.minutes_data(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        if output == "html":
            return HTMLResponse(exports.render_attendance_html(data, stylesheet=STYLESHEET_URL))
        if output == "csv":
            return Response(
                exports.attendance_csv(data, separator=separator),
                media_type=f"{CSV}; charset=utf-8",
                headers={
                    "Content-Disposition": _attachment(
                        _file_name("feuille-de-présence", data, "csv")
                    )
                },
            )
        html = exports.render_attendance_html(data)
        name = _file_name("feuille-de-présence", data, "pdf")
    return Response(
        exports.html_to_pdf(html),
        media_type=PDF,
        headers={"Content-Disposition": _attachment(name)},
    )


@public_router.get(
    "/exports/minutes.css",
    tags=[EXPORTS],
    summary="The stylesheet of the procès-verbal and the feuille de présence (public)",
    response_class=FileResponse,
    responses={200: {"content": {"text/css": {}}}},
)
def minutes_stylesheet() -> FileResponse:
    """Serve the stylesheet the HTML exports link to."""
    return FileResponse(
        exports.STYLESHEET,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
