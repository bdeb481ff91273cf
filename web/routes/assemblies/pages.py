"""The assembly pages a member uses: the list and its creation form, the assembly with its
voting panels and the participation form, one resolution's panel, and casting a ballot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from governance.errors import DomainError, NotFoundError, PermissionDeniedError
from governance.i18n import M, Message
from governance.rules import assemblies as rules
from governance.services import assemblies as ga
from web import i18n
from web.deps import CurrentActor, UowDep, make_uow
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

from ._shared import (
    FRAGMENT_HEADER,
    choice_label,
    context,
    current_path,
    local_to_iso,
    refusable,
)

router = APIRouter()


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
        values = values or {"kind": "AGO", "convocation": "1"}
        ctx = context(org, ga.viewer(uow, actor, org)) | {
            "assemblies": found,
            "kinds": rules.ASSEMBLY_KINDS,
            "values": values,
            "errors": errors or {},
        }
        return page(request, "assemblies/list.html", ctx, status_code=status_code)


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
                scheduled_at=local_to_iso(values["scheduled_at"], org.timezone),
                place=values["place"],
                remote=values["remote"],
            )
            assembly_id, title = assembly.id, assembly.title
            uow.commit()
    except DomainError as error:
        if not refusable(error):
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
    """What one voting panel shows besides the view: the outcome of the last action."""

    message: str | None = None
    error: str | None = None
    receipt: ga.BallotReceipt | None = None


def panel_context(
    view: ga.VotingPanel, *, next_url: str, state: PanelState | None = None
) -> dict[str, Any]:
    """The voting panel of one resolution: the member's slots, and messages to show once."""
    state = state or PanelState()
    return {
        "view": view,
        "resolution": view.resolution,
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
        view = ga.assembly_page(uow, actor=actor, org=org, assembly_id=assembly_id)
        here = f"/orgs/{slug}/assemblies/{view.assembly.id}"
        agenda = [
            {
                "resolution": item.resolution,
                "status": item.status,
                "panel": (
                    panel_context(item.panel, next_url=f"{here}#resolution-{item.resolution.id}")
                    if item.panel is not None
                    else None
                ),
            }
            for item in view.agenda
        ]
        ctx = context(org, view.viewer) | {
            "assembly": view.assembly,
            "agenda": agenda,
            "quorum": view.quorum.quorum,
            "quorum_error": _rendered(view.quorum.error),
            "recorded_quorum": view.assembly.quorum_record,
            "attendance": view.attendance,
            "mine": view.mine,
            "is_associate": view.is_associate,
            "has_voted": view.has_voted,
            "holders": view.holders,
            "remote_allowed": view.remote_allowed,
            "records_open": view.records_open,
            "values": values or {},
            "errors": errors or {},
        }
        return page(request, "assemblies/assembly.html", ctx, status_code=status_code)


def _rendered(message: Message | None) -> str | None:
    return message.render(i18n.gettext) if message is not None else None


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
            me = ga.viewer(uow, actor, org).me
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
            mode, holder_name = line.mode, ga.member_name(uow, org, line.holder_id)
            uow.commit()
    except DomainError as error:
        if not refusable(error):
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
        view = ga.resolution_page(
            uow, actor=actor, org=org, assembly_id=assembly_id, resolution_id=resolution_id
        )
        ctx = context(org, view.viewer) | {
            "assembly": view.assembly,
            "resolution": view.resolution,
            "status": view.status,
            "panel": panel_context(view.panel, next_url=current_path(request), state=state),
        }
        response = page(
            request, "assemblies/resolution.html", ctx, block="panel", status_code=status_code
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
    try:
        with uow:
            org = find_org(uow, slug)
            receipt = ga.cast_ballot(
                uow,
                actor=actor,
                org=org,
                assembly_id=assembly_id,
                resolution_id=resolution_id,
                choice=choice,
                on_behalf_of=text(form, "on_behalf_of") or None,
            )
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
    done = ballot_message(receipt, choice)
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
            message=done.render(i18n.gettext), receipt=receipt if receipt.code else None
        ),
    )


def ballot_message(receipt: ga.BallotReceipt, choice: str) -> Message:
    """The confirmation of a ballot (for a flash message or the panel)."""
    label = choice_label(choice)
    principal = receipt.principal_name
    if receipt.code is not None:
        if receipt.for_someone_else:
            return M("Le bulletin secret de {name} est déposé ; il est définitif.", name=principal)
        return M("Votre bulletin secret est déposé ; il est définitif.")
    if receipt.for_someone_else:
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
