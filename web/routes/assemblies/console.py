"""The secretary's console: agenda, convocation, attendance and paper correspondence forms,
opening and closing the meeting and its votes, the minutes' content and their publication."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from governance.errors import DomainError, NotFoundError, ValidationError
from governance.i18n import M, Message
from governance.rules import assemblies as rules
from governance.rules.statutes import MAJORITY_NAMES
from governance.services import assemblies as ga
from governance.services import orgs
from governance.services.types import Organisation, Resolution
from web import i18n
from web.deps import CurrentActor, UnitOfWork, UowDep, get_links, make_uow
from web.routes.common import FormDep, IdPath, field_errors, find_org, flash, redirect, text
from web.routes.common import page as render_page

from ._shared import context, local_to_iso, refusable

router = APIRouter()
MINUTES_FIELDS = ga.MINUTES_FIELDS


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
        view = ga.console_page(uow, actor=actor, org=org, assembly_id=assembly_id)
        resolutions = [{"resolution": i.resolution, "status": i.status} for i in view.agenda]
        quorum_error = view.quorum.error
        ctx = context(org, view.viewer) | {
            "assembly": view.assembly,
            "resolutions": resolutions,
            "open_resolutions": view.open_resolutions,
            "associates": view.associates,
            "attendance": view.attendance,
            "attendance_totals": Counter(row.mode for row in view.attendance),
            "quorum": view.quorum.quorum,
            "quorum_error": quorum_error.render(i18n.gettext) if quorum_error else None,
            "recorded_quorum": view.assembly.quorum_record,
            "statutes_draft": orgs.view_statutes(uow, actor=actor, org=org).draft,
            "remote_allowed": view.remote_allowed,
            "majorities": MAJORITY_NAMES,
            "resolution_kinds": rules.RESOLUTION_KINDS,
            "attendance_modes": view.attendance_modes,
            "convocation_modes": rules.CONVOCATION_MODES,
            "choices": rules.MEMBER_CHOICES,
            "minutes_fields": MINUTES_FIELDS,
            "errors": errors or {},
            "values": values or {},
        }
        return render_page(request, "assemblies/console.html", ctx, status_code=status_code)


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
        if not refusable(error):
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
    links = get_links(request)

    def action(u: UnitOfWork, org: Organisation) -> Message:
        assembly = ga.convene(
            u, actor=actor, org=org, assembly_id=assembly_id, mode=values["mode"], links=links
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
        return M(
            "Feuille de présence : {name} enregistré·e.",
            name=ga.member_name(u, org, line.member_id) or line.member_id,
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
        try:
            resolution = ga.view_resolution(
                u,
                actor=actor,
                org=org,
                assembly_id=assembly_id,
                resolution_id=int(values["resolution"]),
            )
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
        return M(
            "Vote par correspondance de {name} enregistré (résolution n° {position}).",
            name=receipt.principal_name or receipt.member_id,
            position=resolution.position,
        )

    return _console_action(request, actor, uow, slug, assembly_id, "correspondence", values, action)


@router.post("/orgs/{slug}/assemblies/{assembly_id}/open")
def open_assembly(
    request: Request, slug: str, assembly_id: IdPath, actor: CurrentActor, uow: UowDep
) -> Response:
    def action(u: UnitOfWork, org: Organisation) -> Message:
        view = ga.open_assembly(u, actor=actor, org=org, assembly_id=assembly_id)
        attending = view.attending
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
        deadline = local_to_iso(values["deadline"], org.timezone) if values["deadline"] else None
        opened = ga.open_all_resolutions(
            u,
            actor=actor,
            org=org,
            assembly_id=assembly_id,
            deadline=deadline,
            links=get_links(request),
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
        resolution = ga.view_resolution(
            u, actor=actor, org=org, assembly_id=assembly_id, resolution_id=resolution_id
        )
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
        deadline = local_to_iso(values["deadline"], org.timezone) if values["deadline"] else None
        ga.open_resolution(
            u,
            actor=actor,
            org=org,
            resolution_id=resolution.id,
            deadline=deadline,
            links=get_links(request),
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
