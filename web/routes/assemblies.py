"""General assembly pages: the list and its creation form, the assembly with its voting panels,
results with per-college charts, the procès-verbal and feuille de présence exports, and the
secretary's console. Every rule and permission check lives in ``governance.services``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from governance.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from governance.exports import minutes as exports
from governance.i18n import M, Message
from governance.rules import assemblies as rules
from governance.rules.statutes import MAJORITY_NAMES, Statutes
from governance.services import assemblies as ga
from governance.services import orgs
from governance.services.authz import require, roles_in
from governance.store.tables import Assembly, Member, Organisation, Resolution
from governance.store.uow import UnitOfWork
from web import i18n
from web.deps import CurrentActor, UowDep, get_settings, make_uow
from web.routes.common import (
    FormDep,
    IdPath,
    field_errors,
    find_org,
    flash,
    message_of,
    page,
    redirect,
    safe_next,
    text,
)
from web.templating import is_htmx

router = APIRouter()

STYLESHEET_URL = "/orgs/-/exports/minutes.css"
FRAGMENT_HEADER = "X-Terreau-Fragment"
"""Marks an htmx fragment that may be swapped in even with a 4xx status (a refusal to show)."""

CHOICE_LABELS = {
    "for": M("pour"),
    "against": M("contre"),
    "abstain": M("abstention"),
    "blank": M("blanc"),
    "null": M("nul"),
}
CHART_ROW = 48
CHART_BAR_MAX = 340  # width, in SVG units, of a share of 100 %
CHART_LABEL_WIDTH = 150
MINUTES_FIELDS = ("chair", "secretary_name", "scrutineers", "documents", "debates", "incidents")


# ---- context shared by the pages ---------------------------------------------------------


def _context(uow: UnitOfWork, actor: CurrentActor, org: Organisation) -> dict[str, Any]:
    """What every assembly page shows: the organisation and the viewer's roles and membership."""
    roles = roles_in(uow.session, actor, org.id)
    return {
        "org": org,
        "roles": roles,
        "is_admin": "admin" in roles,
        "is_organiser": bool(roles & ga.ORGANISERS),
        "can_read_records": bool(roles & {"secretary", "admin", "auditor"}),
        "me": orgs.actor_member(uow, actor, org),
        "setup_mode": orgs.is_setup_mode(org),
        "active": "assemblies",
    }


def _statutes(uow: UnitOfWork, org: Organisation) -> Statutes:
    return orgs.load_statutes(orgs.current_version(uow, org))


def _resolution_of(uow: UnitOfWork, org: Organisation, assembly: Assembly, rid: int) -> Resolution:
    """A resolution of this assembly (one of another assembly is not found here)."""
    resolution = ga.get_resolution(uow, org, rid)
    if resolution.assembly_id != assembly.id:
        raise NotFoundError(M("Résolution introuvable."))
    return resolution


def _refusable(error: DomainError) -> bool:
    """Errors a form shows inline; permission and not-found errors go to the error page."""
    return not isinstance(error, PermissionDeniedError) and error.status in (400, 409, 422)


def _local_to_iso(raw: str, timezone: str) -> str:
    """Read a ``datetime-local`` value as a time in the organisation's timezone (ISO 8601).

    A value that is not a date and time goes to the service as typed, which explains the refusal.
    """
    raw = raw.strip()
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return when.isoformat()


def _choice_label(choice: str) -> str:
    label = CHOICE_LABELS.get(choice)
    return label.render(i18n.gettext) if label else choice


def _current_path(request: Request) -> str:
    """The page a fragment lives in (htmx tells it), so its forms come back there without JS."""
    if is_htmx(request):
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        if parts.path:
            return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), "")
    return request.url.path


# ---- list and creation --------------------------------------------------------------------


@router.get("/orgs/{slug}/assemblies")
def assemblies_list(request: Request, slug: str, actor: CurrentActor) -> Response:
    return _list_page(request, actor, slug)


def _list_page(
    request: Request,
    actor: CurrentActor,
    slug: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        found = ga.list_assemblies(uow, actor=actor, org=org)
        context = _context(uow, actor, org) | {
            "assemblies": found,
            "kinds": rules.ASSEMBLY_KINDS,
            "values": values or {"kind": "AGO", "convocation": "1"},
            "errors": errors or {},
        }
        return page(request, "assemblies/list.html", context, status_code=status_code)


@router.post("/orgs/{slug}/assemblies")
def create_assembly(
    request: Request, slug: str, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    values: dict[str, Any] = {
        key: text(form, key) for key in ("title", "kind", "convocation", "scheduled_at", "place")
    }
    values["remote"] = bool(text(form, "remote"))
    try:
        with uow:
            org = find_org(uow, slug)
            assembly = ga.create_assembly(
                uow,
                actor=actor,
                org=org,
                title=values["title"],
                kind=values["kind"],
                convocation=values["convocation"],
                scheduled_at=_local_to_iso(values["scheduled_at"], org.timezone),
                place=values["place"],
                remote=values["remote"],
            )
            assembly_id, title = assembly.id, assembly.title
            uow.commit()
    except DomainError as error:
        if not _refusable(error):
            raise
        return _list_page(
            request,
            actor,
            slug,
            values=values,
            errors=field_errors(error),
            status_code=error.status,
        )
    flash(request, "Assemblée « {title} » créée (brouillon).", title=title)
    return redirect(f"/orgs/{slug}/assemblies/{assembly_id}/console")


# ---- the assembly page --------------------------------------------------------------------


@dataclass
class PanelState:
    """What one voting panel shows besides the service's view: the outcome of the last action."""

    message: str | None = None
    error: str | None = None
    receipt: ga.BallotReceipt | None = None


def _panel(
    uow: UnitOfWork,
    actor: CurrentActor,
    org: Organisation,
    resolution: Resolution,
    *,
    next_url: str,
    state: PanelState | None = None,
) -> dict[str, Any]:
    """The voting panel of one resolution: the member's slots, and messages to show once."""
    view = ga.voting_panel(uow, actor=actor, org=org, resolution_id=resolution.id)
    state = state or PanelState()
    return {
        "view": view,
        "resolution": resolution,
        "status": view.status,
        "reason": view.reason.render(i18n.gettext) if view.reason else None,
        "message": state.message,
        "error": state.error,
        "receipt": state.receipt,
        "next": next_url,
        # Refresh an open panel now and then (a closed vote drops its buttons), but never while
        # it shows something to read once: a receipt or a refusal.
        "poll": view.status == "open" and state.receipt is None and state.error is None,
    }


def _attendance_rows(
    uow: UnitOfWork, actor: CurrentActor, org: Organisation, assembly: Assembly
) -> list[dict[str, Any]]:
    """The feuille de présence as rows with names, sorted by college then name."""
    lines = ga.attendance_of(uow, assembly)
    names = ga.member_names(
        uow, [line.member_id for line in lines] + [h for line in lines if (h := line.holder_id)]
    )
    colleges = {v.college.id: v.college.name for v in orgs.list_colleges(uow, actor=actor, org=org)}
    rows = [
        {
            "member_id": line.member_id,
            "name": names.get(line.member_id, str(line.member_id)),
            "college": colleges.get(line.college_id or 0, ""),
            "mode": line.mode,
            "holder": names.get(line.holder_id, "") if line.holder_id else "",
            "at": line.at,
            "before_meeting": line.before_meeting,
        }
        for line in lines
    ]
    return sorted(rows, key=lambda row: (row["college"], row["name"]))


def _quorum(
    uow: UnitOfWork, actor: CurrentActor, org: Organisation, assembly: Assembly
) -> tuple[ga.QuorumView | None, str | None]:
    """The live quorum, or why it cannot be computed (statutes without a quorum, say)."""
    try:
        return ga.quorum(uow, actor=actor, org=org, assembly_id=assembly.id), None
    except ConflictError as error:
        return None, message_of(error)


def _has_voted(uow: UnitOfWork, member: Member, assembly: Assembly) -> bool:
    return any(r.assembly_id == assembly.id for r, _choice in ga.my_history(uow, member))


@router.get("/orgs/{slug}/assemblies/{assembly_id}")
def assembly_page(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor
) -> Response:
    return _assembly_page(request, actor, slug, assembly_id)


def _assembly_page(
    request: Request,
    actor: CurrentActor,
    slug: str,
    assembly_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        assembly = ga.view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
        context = _context(uow, actor, org)
        now = uow.now()
        here = f"/orgs/{slug}/assemblies/{assembly.id}"
        agenda = []
        for resolution in ga.list_resolutions(uow, assembly):
            status = ga.effective_status(resolution, now)
            agenda.append(
                {
                    "resolution": resolution,
                    "status": status,
                    "panel": (
                        _panel(
                            uow,
                            actor,
                            org,
                            resolution,
                            next_url=f"{here}#resolution-{resolution.id}",
                        )
                        if status == "open"
                        else None
                    ),
                }
            )
        me: Member | None = context["me"]
        statutes = _statutes(uow, org)
        attendance = _attendance_rows(uow, actor, org, assembly)
        mine = next((row for row in attendance if me and row["member_id"] == me.id), None)
        quorum, quorum_error = _quorum(uow, actor, org, assembly)
        context |= {
            "assembly": assembly,
            "agenda": agenda,
            "quorum": quorum,
            "quorum_error": quorum_error,
            "recorded_quorum": (
                json.loads(assembly.quorum_record) if assembly.quorum_record else None
            ),
            "attendance": attendance,
            "mine": mine,
            "is_associate": ga.is_voter(me),
            "has_voted": me is not None and _has_voted(uow, me, assembly),
            "holders": [m for m in ga.associates(uow, org) if me is None or m.id != me.id],
            "remote_allowed": statutes.allow_remote and assembly.remote,
            "records_open": context["can_read_records"] or assembly.status == "published",
            "values": values or {},
            "errors": errors or {},
        }
        return page(request, "assemblies/assembly.html", context, status_code=status_code)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/participation")
def declare_participation(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    """An associate says how they take part: present, remote, or by giving a proxy."""
    values = {"mode": text(form, "mode"), "holder": text(form, "holder")}
    try:
        with uow:
            org = find_org(uow, slug)
            ga.view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
            me = orgs.actor_member(uow, actor, org)
            if me is None:
                raise PermissionDeniedError(
                    M("Seuls les associés déclarent leur participation à l'assemblée.")
                )
            line = ga.record_attendance(
                uow,
                actor=actor,
                org=org,
                assembly_id=assembly_id,
                member_id=me.id,
                mode=values["mode"],
                holder_id=values["holder"] if values["mode"] == "proxy" else None,
            )
            holder = uow.session.get(Member, line.holder_id) if line.holder_id else None
            mode, holder_name = line.mode, holder.name if holder else None
            uow.commit()
    except DomainError as error:
        if not _refusable(error):
            raise
        return _assembly_page(
            request,
            actor,
            slug,
            assembly_id,
            values=values,
            errors=field_errors(error, "mode"),
            status_code=error.status,
        )
    if mode == "proxy" and holder_name:
        flash(
            request, "Pouvoir donné à {name} : cette personne votera pour vous.", name=holder_name
        )
    elif mode == "proxy":
        flash(
            request,
            "Pouvoir en blanc enregistré : il vote pour les résolutions du conseil et contre "
            "les autres.",
        )
    elif mode == "remote":
        flash(request, "Participation à distance enregistrée.")
    else:
        flash(request, "Présence enregistrée.")
    return redirect(f"/orgs/{slug}/assemblies/{assembly_id}")


# ---- a resolution: its page, its voting panel, ballots ------------------------------------


@router.get("/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}")
def resolution_page(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    resolution_id: IdPath,
    actor: CurrentActor,
) -> Response:
    """The resolution and its voting panel (htmx asks for the panel alone to refresh it)."""
    return _resolution_page(request, actor, slug, assembly_id, resolution_id)


def _resolution_page(
    request: Request,
    actor: CurrentActor,
    slug: str,
    assembly_id: int,
    resolution_id: int,
    *,
    state: PanelState | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        assembly = ga.view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
        resolution = _resolution_of(uow, org, assembly, resolution_id)
        context = _context(uow, actor, org) | {
            "assembly": assembly,
            "resolution": resolution,
            "status": ga.effective_status(resolution, uow.now()),
            "panel": _panel(
                uow, actor, org, resolution, next_url=_current_path(request), state=state
            ),
        }
        response = page(
            request, "assemblies/resolution.html", context, block="panel", status_code=status_code
        )
    if state is not None and state.receipt is not None:
        response.headers["Cache-Control"] = "no-store"  # the receipt is shown once, never cached
    if is_htmx(request):
        response.headers[FRAGMENT_HEADER] = "panel"
    return response


@router.post("/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}/ballots")
def cast_ballot(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    resolution_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    """Cast (or change) a ballot for oneself or a principal; htmx gets the panel back."""
    choice = text(form, "choice")
    on_behalf_of = text(form, "on_behalf_of") or None
    try:
        with uow:
            org = find_org(uow, slug)
            assembly = ga.view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
            _resolution_of(uow, org, assembly, resolution_id)
            receipt = ga.cast_ballot(
                uow,
                actor=actor,
                org=org,
                resolution_id=resolution_id,
                choice=choice,
                on_behalf_of=on_behalf_of,
            )
            me = orgs.actor_member(uow, actor, org)
            principal = uow.session.get(Member, receipt.member_id)
            for_someone_else = me is None or receipt.member_id != me.id
            principal_name = principal.name if principal else ""
            uow.commit()
    except DomainError as error:
        if isinstance(error, NotFoundError):
            raise
        return _resolution_page(
            request,
            actor,
            slug,
            assembly_id,
            resolution_id,
            state=PanelState(error=message_of(error)),
            status_code=error.status,
        )
    done = _ballot_message(receipt, choice, principal_name, for_someone_else)
    if receipt.code is None and not is_htmx(request):
        flash(request, done.msgid, **done.params)
        return redirect(safe_next(text(form, "next"), f"/orgs/{slug}/assemblies/{assembly_id}"))
    # A secret ballot's receipt is shown once, in this response (never stored for a redirect).
    return _resolution_page(
        request,
        actor,
        slug,
        assembly_id,
        resolution_id,
        state=PanelState(
            message=done.render(i18n.gettext),
            receipt=receipt if receipt.code else None,
        ),
    )


def _ballot_message(
    receipt: ga.BallotReceipt, choice: str, principal: str, for_someone_else: bool
) -> Message:
    """The confirmation of a ballot (for a flash message or the panel)."""
    label = _choice_label(choice)
    if receipt.code is not None:
        if for_someone_else:
            return M("Le bulletin secret de {name} est déposé ; il est définitif.", name=principal)
        return M("Votre bulletin secret est déposé ; il est définitif.")
    if for_someone_else:
        if receipt.changed:
            return M(
                "Le vote de {name} est modifié : « {choice} » (par pouvoir).",
                name=principal,
                choice=label,
            )
        return M(
            "Le vote « {choice} » de {name} est enregistré (par pouvoir).",
            name=principal,
            choice=label,
        )
    if receipt.changed:
        return M("Votre vote est modifié : « {choice} ».", choice=label)
    return M("Votre vote « {choice} » est enregistré.", choice=label)


# ---- results ------------------------------------------------------------------------------


@router.get("/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}/results")
def results_page(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    resolution_id: IdPath,
    actor: CurrentActor,
) -> Response:
    check = (request.query_params.get("hash") or "").strip().lower()[:128]
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        assembly = ga.view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
        resolution = _resolution_of(uow, org, assembly, resolution_id)
        if not ga.close_is_due(resolution, uow.now()):
            return _results_response(request, uow, actor, org, assembly, resolution, check)
    # Past its deadline and not yet recorded: record the close now, as tick would, then read.
    ga.settle_deadline(
        lambda: make_uow(request),
        org_key=slug,
        resolution_id=resolution_id,
        base_url=get_settings(request).base_url,
    )
    return results_page(request, slug, assembly_id, resolution_id, actor)


def _results_response(
    request: Request,
    uow: UnitOfWork,
    actor: CurrentActor,
    org: Organisation,
    assembly: Any,
    resolution: Resolution,
    check: str,
) -> Response:
    """Render the results page of ``resolution`` inside the reading unit of work."""
    result = ga.result_view(uow, actor=actor, org=org, resolution_id=resolution.id)
    visible = result.get("visible", True)
    # The public list is final once the close is recorded (blank proxies vote at that moment).
    hashes_public = resolution.secret and resolution.status == "closed"
    hashes = ga.ballot_hashes(uow, resolution) if hashes_public else []
    context = _context(uow, actor, org) | {
        "assembly": assembly,
        "resolution": resolution,
        "result": result,
        "visible": visible,
        "chart": _result_chart(result) if visible else None,
        "colleges": _college_rows(result) if visible else [],
        "for_total": _percent_of(result.get("for_total")) if visible else None,
        "ratio": _fraction(result.get("for_ratio")) if visible else None,
        "threshold": _fraction(result["majority"]["threshold"]) if visible else None,
        "hashes_public": hashes_public,
        "hashes": hashes,
        "check": check,
        "check_found": check in hashes if check else None,
    }
    return page(request, "assemblies/results.html", context)


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


# ---- the secretary's console --------------------------------------------------------------


@router.get("/orgs/{slug}/assemblies/{assembly_id}/console")
def console_page(request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor) -> Response:
    return _console_page(request, actor, slug, assembly_id)


def _console_page(
    request: Request,
    actor: CurrentActor,
    slug: str,
    assembly_id: int,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        org = find_org(uow, slug)
        require(uow.session, actor, org, ga.ORGANISERS)
        assembly = ga.view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
        now = uow.now()
        statutes = _statutes(uow, org)
        resolutions = [
            {"resolution": r, "status": ga.effective_status(r, now)}
            for r in ga.list_resolutions(uow, assembly)
        ]
        quorum, quorum_error = _quorum(uow, actor, org, assembly)
        attendance = _attendance_rows(uow, actor, org, assembly)
        associates = ga.associates(uow, org)
        context = _context(uow, actor, org) | {
            "assembly": assembly,
            "resolutions": resolutions,
            "open_resolutions": [r["resolution"] for r in resolutions if r["status"] == "open"],
            "associates": associates,
            "attendance": attendance,
            "attendance_totals": Counter(row["mode"] for row in attendance),
            "quorum": quorum,
            "quorum_error": quorum_error,
            "recorded_quorum": (
                json.loads(assembly.quorum_record) if assembly.quorum_record else None
            ),
            "statutes_draft": orgs.view_statutes(uow, actor=actor, org=org).draft,
            "remote_allowed": statutes.allow_remote and assembly.remote,
            "majorities": MAJORITY_NAMES,
            "resolution_kinds": rules.RESOLUTION_KINDS,
            "attendance_modes": [
                m
                for m in rules.ATTENDANCE_MODES
                if m != "remote" or (statutes.allow_remote and assembly.remote)
            ],
            "convocation_modes": rules.CONVOCATION_MODES,
            "choices": rules.MEMBER_CHOICES,
            "minutes_fields": MINUTES_FIELDS,
            "errors": errors or {},
            "values": values or {},
        }
        return page(request, "assemblies/console.html", context, status_code=status_code)


def _console_action(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWork,
    slug: str,
    assembly_id: int,
    form_name: str,
    values: dict[str, Any],
    action: Callable[[UnitOfWork, Organisation], Message],
    *,
    default_field: str = "__all__",
) -> Response:
    """Run one organiser action in a transaction; a refusal re-renders the console with the
    form's messages inline, success flashes what happened and goes back to the console."""
    try:
        with uow:
            org = find_org(uow, slug)
            ga.view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
            done = action(uow, org)
            uow.commit()
    except DomainError as error:
        if not _refusable(error):
            raise
        return _console_page(
            request,
            actor,
            slug,
            assembly_id,
            errors={form_name: field_errors(error, default_field)},
            values={form_name: values},
            status_code=error.status,
        )
    flash(request, done.msgid, **done.params)
    return redirect(f"/orgs/{slug}/assemblies/{assembly_id}/console")


@router.post("/orgs/{slug}/assemblies/{assembly_id}/resolutions")
def add_resolution(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    values: dict[str, Any] = {key: text(form, key) for key in ("title", "text", "kind", "majority")}
    for flag in ("secret", "board_proposed", "adopts_statutes_draft"):
        values[flag] = bool(text(form, flag))

    def action(u: UnitOfWork, org: Organisation) -> Message:
        resolution = ga.add_resolution(
            u,
            actor=actor,
            org=org,
            assembly_id=assembly_id,
            title=values["title"],
            text=values["text"],
            kind=values["kind"] or "ordinary",
            majority=values["majority"] or None,
            secret=values["secret"],
            board_proposed=values["board_proposed"],
            adopts_statutes_draft=values["adopts_statutes_draft"],
        )
        return M(
            "Résolution n° {position} ajoutée à l'ordre du jour.", position=resolution.position
        )

    return _console_action(
        request, actor, uow, slug, assembly_id, "resolution", values, action, default_field="title"
    )


@router.post("/orgs/{slug}/assemblies/{assembly_id}/convene")
def convene(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    values = {"mode": text(form, "mode")}
    base_url = get_settings(request).base_url

    def action(u: UnitOfWork, org: Organisation) -> Message:
        assembly = ga.convene(
            u, actor=actor, org=org, assembly_id=assembly_id, mode=values["mode"], base_url=base_url
        )
        return M("Convocation envoyée à {n} associé(s).", n=assembly.convocation_recipients)

    return _console_action(request, actor, uow, slug, assembly_id, "convene", values, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/attendance")
def record_attendance(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    values = {key: text(form, key) for key in ("member", "mode", "holder")}

    def action(u: UnitOfWork, org: Organisation) -> Message:
        line = ga.record_attendance(
            u,
            actor=actor,
            org=org,
            assembly_id=assembly_id,
            member_id=values["member"],
            mode=values["mode"],
            holder_id=values["holder"] or None,
        )
        member = u.session.get(Member, line.member_id)
        return M(
            "Feuille de présence : {name} enregistré·e.",
            name=member.name if member else line.member_id,
        )

    return _console_action(
        request, actor, uow, slug, assembly_id, "attendance", values, action, default_field="member"
    )


@router.post("/orgs/{slug}/assemblies/{assembly_id}/correspondence")
def record_correspondence(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    """A paper correspondence form, typed in by the secretary."""
    values = {key: text(form, key) for key in ("resolution", "member", "choice")}

    def action(u: UnitOfWork, org: Organisation) -> Message:
        assembly = ga.get_assembly(u, org, assembly_id)
        try:
            resolution = _resolution_of(u, org, assembly, int(values["resolution"]))
        except (ValueError, NotFoundError):
            raise ValidationError.single(
                "resolution", M("Choisissez une résolution ouverte au vote.")
            ) from None
        receipt = ga.cast_ballot(
            u,
            actor=actor,
            org=org,
            resolution_id=resolution.id,
            choice=values["choice"],
            member_id=values["member"],
            channel="correspondence",
        )
        member = u.session.get(Member, receipt.member_id)
        return M(
            "Vote par correspondance de {name} enregistré (résolution n° {position}).",
            name=member.name if member else receipt.member_id,
            position=resolution.position,
        )

    return _console_action(request, actor, uow, slug, assembly_id, "correspondence", values, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/open")
def open_assembly(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor, uow: UowDep
) -> Response:
    def action(u: UnitOfWork, org: Organisation) -> Message:
        view = ga.open_assembly(u, actor=actor, org=org, assembly_id=assembly_id)
        attending = view.present + view.remote + view.represented + view.correspondence
        if view.reached:
            return M(
                "Assemblée ouverte : quorum atteint ({n} associés sur {eligible}).",
                n=attending,
                eligible=view.eligible,
            )
        return M(
            "Assemblée ouverte sans quorum ({n} associés sur {eligible}) : elle peut débattre, "
            "aucune résolution ne peut être adoptée.",
            n=attending,
            eligible=view.eligible,
        )

    return _console_action(request, actor, uow, slug, assembly_id, "lifecycle", {}, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/close")
def close_assembly(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor, uow: UowDep
) -> Response:
    def action(u: UnitOfWork, org: Organisation) -> Message:
        ga.close_assembly(u, actor=actor, org=org, assembly_id=assembly_id)
        return M("Assemblée close ; les votes encore ouverts sont clos.")

    return _console_action(request, actor, uow, slug, assembly_id, "lifecycle", {}, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/votes/open")
def open_all_votes(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    values = {"deadline": text(form, "deadline")}

    def action(u: UnitOfWork, org: Organisation) -> Message:
        deadline = _local_to_iso(values["deadline"], org.timezone) if values["deadline"] else None
        opened = ga.open_all_resolutions(
            u,
            actor=actor,
            org=org,
            assembly_id=assembly_id,
            deadline=deadline,
            base_url=get_settings(request).base_url,
        )
        return M("Vote ouvert sur {n} résolution(s).", n=len(opened))

    return _console_action(request, actor, uow, slug, assembly_id, "votes", values, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/votes/close")
def close_all_votes(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor, uow: UowDep
) -> Response:
    def action(u: UnitOfWork, org: Organisation) -> Message:
        closed = ga.close_all_resolutions(u, actor=actor, org=org, assembly_id=assembly_id)
        adopted = sum(1 for r in closed if r.adopted)
        return M(
            "Votes clos sur {n} résolution(s) : {adopted} adoptée(s).",
            n=len(closed),
            adopted=adopted,
        )

    return _console_action(request, actor, uow, slug, assembly_id, "votes", {}, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/minutes")
def edit_minutes(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    values = {key: text(form, key) for key in MINUTES_FIELDS}

    def action(u: UnitOfWork, org: Organisation) -> Message:
        ga.update_minutes(u, actor=actor, org=org, assembly_id=assembly_id, **values)
        return M("Contenu du procès-verbal enregistré.")

    return _console_action(request, actor, uow, slug, assembly_id, "minutes", values, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/publish")
def publish_minutes(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor, uow: UowDep
) -> Response:
    def action(u: UnitOfWork, org: Organisation) -> Message:
        ga.publish_minutes(u, actor=actor, org=org, assembly_id=assembly_id)
        return M("Procès-verbal publié : les membres peuvent le consulter.")

    return _console_action(request, actor, uow, slug, assembly_id, "lifecycle", {}, action)


def _resolution_action(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWork,
    slug: str,
    assembly_id: int,
    resolution_id: int,
    values: dict[str, Any],
    run: Callable[[UnitOfWork, Organisation, Resolution], Message],
) -> Response:
    """An organiser action on one resolution of this assembly (its form is keyed by its id)."""

    def action(u: UnitOfWork, org: Organisation) -> Message:
        resolution = _resolution_of(u, org, ga.get_assembly(u, org, assembly_id), resolution_id)
        return run(u, org, resolution)

    return _console_action(
        request, actor, uow, slug, assembly_id, f"resolution-{resolution_id}", values, action
    )


@router.post("/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}/open")
def open_resolution(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    resolution_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    values = {"deadline": text(form, "deadline")}

    def run(u: UnitOfWork, org: Organisation, resolution: Resolution) -> Message:
        deadline = _local_to_iso(values["deadline"], org.timezone) if values["deadline"] else None
        ga.open_resolution(
            u,
            actor=actor,
            org=org,
            resolution_id=resolution.id,
            deadline=deadline,
            base_url=get_settings(request).base_url,
        )
        return M("Vote ouvert sur la résolution n° {position}.", position=resolution.position)

    return _resolution_action(request, actor, uow, slug, assembly_id, resolution_id, values, run)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}/close")
def close_resolution(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    resolution_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
) -> Response:
    def run(u: UnitOfWork, org: Organisation, resolution: Resolution) -> Message:
        closed = ga.close_resolution(u, actor=actor, org=org, resolution_id=resolution.id)
        if closed.adopted:
            return M(
                "Vote clos sur la résolution n° {position} : adoptée.", position=closed.position
            )
        return M(
            "Vote clos sur la résolution n° {position} : non adoptée.", position=closed.position
        )

    return _resolution_action(request, actor, uow, slug, assembly_id, resolution_id, {}, run)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}/cancel")
def cancel_resolution(
    request: Request,
    slug: str,
    assembly_id: IdPath,
    resolution_id: IdPath,
    actor: CurrentActor,
    uow: UowDep,
    form: FormDep,
) -> Response:
    values = {"reason": text(form, "reason")}

    def run(u: UnitOfWork, org: Organisation, resolution: Resolution) -> Message:
        ga.cancel_resolution(
            u, actor=actor, org=org, resolution_id=resolution.id, reason=values["reason"]
        )
        return M("Résolution n° {position} retirée, sans résultat.", position=resolution.position)

    return _resolution_action(request, actor, uow, slug, assembly_id, resolution_id, values, run)
