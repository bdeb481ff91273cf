"""Preparing an assembly: its creation in draft, its agenda of resolutions, its convocation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from governance.errors import FieldProblem, ValidationError
from governance.i18n import M
from governance.rules import assemblies as rules
from governance.rules.assemblies.tally import required_quorum
from governance.rules.audit_events import AuditAction
from governance.rules.statutes import Majority
from governance.services.authz import Actor, require
from governance.services.links import Links
from governance.services.orgs import (
    INCOMPLETE_CODES,
    check_draft_complete,
    compliance_findings,
    current_version,
    load_statutes,
)
from governance.store.tables import Assembly, Organisation, Resolution, StatutesVersion
from governance.store.uow import UnitOfWork

from . import notifications
from ._common import ORGANISERS, associates, get_assembly, list_resolutions, parse_when

_A = rules.AssemblyAction


def create_assembly(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    title: str,
    kind: str,
    convocation: int | str,
    scheduled_at: datetime | str,
    place: str = "",
    remote: bool = False,
) -> Assembly:
    """Create an assembly in draft (admin or secretary)."""
    require(uow.session, actor, org, ORGANISERS)
    problems: list[FieldProblem] = []
    if not title.strip():
        problems.append(FieldProblem("title", M("Le titre est obligatoire.")))
    if kind not in rules.ASSEMBLY_KINDS:
        problems.append(
            FieldProblem(
                "kind", M("kind doit valoir {values}.", values=", ".join(rules.ASSEMBLY_KINDS))
            )
        )
    if str(convocation) not in ("1", "2"):
        problems.append(FieldProblem("convocation", M("convocation vaut 1 ou 2.")))
    when = None
    try:
        when = parse_when(scheduled_at, "scheduled_at")
    except ValidationError as error:
        problems.extend(error.problems)
    if problems or when is None:
        raise ValidationError(problems)
    assembly = Assembly(
        org_id=org.id,
        title=title.strip(),
        kind=kind,
        convocation=int(str(convocation)),
        scheduled_at=when,
        place=place.strip(),
        remote=bool(remote),
        status=rules.AssemblyStatus.DRAFT,
        created_at=uow.now(),
    )
    uow.session.add(assembly)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.ASSEMBLY_CREATED,
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={
            "title": assembly.title,
            "kind": kind,
            "convocation": assembly.convocation,
            "scheduled_at": when,
            "place": assembly.place,
            "remote": assembly.remote,
        },
    )
    return assembly


def add_resolution(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    title: str,
    text: str,
    kind: str = "ordinary",
    majority: str | None = None,
    secret: bool = False,
    board_proposed: bool = True,
    adopts_statutes_draft: bool = False,
) -> Resolution:
    """Add a resolution to the agenda (before the assembly closes)."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    rules.ASSEMBLY.apply(rules.AssemblyStatus(assembly.status), _A.EDIT_AGENDA)
    statutes = load_statutes(current_version(uow, org))
    problems: list[FieldProblem] = []
    if not title.strip():
        problems.append(FieldProblem("title", M("Le titre est obligatoire.")))
    if not text.strip():
        problems.append(FieldProblem("text", M("Le texte de la résolution est obligatoire.")))
    if kind not in rules.RESOLUTION_KINDS:
        problems.append(
            FieldProblem(
                "kind", M("kind doit valoir {values}.", values=", ".join(rules.RESOLUTION_KINDS))
            )
        )
    name = majority or rules.default_majority_name(kind, assembly.kind, statutes.majority_defaults)
    try:
        name = Majority.parse(name, "majority").name
        if len(name) > 40:
            raise ValidationError.single(
                "majority", M("Majorité trop longue : écrivez la fraction en plus court.")
            )
    except ValidationError as error:
        problems.extend(error.problems)
    draft_id = None
    if adopts_statutes_draft:
        draft = uow.session.execute(
            select(StatutesVersion).where(
                StatutesVersion.org_id == org.id, StatutesVersion.status == "draft"
            )
        ).scalar_one_or_none()
        if draft is None:
            problems.append(
                FieldProblem(
                    "adopts_statutes_draft",
                    M("Il n'y a pas de projet de statuts à adopter : préparez-le d'abord."),
                )
            )
        else:
            check_draft_complete(draft)
            draft_id = draft.id
    if problems:
        raise ValidationError(problems)
    position = (
        uow.session.execute(
            select(func.max(Resolution.position)).where(Resolution.assembly_id == assembly.id)
        ).scalar_one()
        or 0
    ) + 1
    resolution = Resolution(
        org_id=org.id,
        assembly_id=assembly.id,
        position=position,
        title=title.strip(),
        text=text.strip(),
        kind=kind,
        majority=name,
        secret=bool(secret),
        board_proposed=bool(board_proposed),
        adopts_statutes_id=draft_id,
        status=rules.ResolutionStatus.DRAFT,
    )
    uow.session.add(resolution)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.RESOLUTION_CREATED,
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={
            "assembly": assembly.id,
            "position": position,
            "title": resolution.title,
            "text": resolution.text,
            "kind": kind,
            "majority": name,
            "secret": resolution.secret,
            "board_proposed": resolution.board_proposed,
            "adopts_statutes_version": draft_id,
        },
    )
    return resolution


def _convene_facts(uow: UnitOfWork, org: Organisation) -> rules.ConveneFacts:
    findings = compliance_findings(uow, org)
    errors = [f for f in findings if f.severity == "error"]
    warnings = [
        f
        for f in findings
        if f.severity == "warning" and f.code not in INCOMPLETE_CODES and f.code != "quorum_missing"
    ]
    return rules.ConveneFacts(
        first_error=errors[0].message if errors else None,
        unacknowledged_warning=(
            warnings[0].message if warnings and org.compliance_acknowledged_at is None else None
        ),
    )


def convene(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    mode: str,
    links: Links | None = None,
) -> Assembly:
    """Send the convocation (agenda and link) and record it; ends the statutes' setup mode."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    state = rules.AssemblyStatus(assembly.status)
    rules.ASSEMBLY.apply(state, _A.CONVENE)  # the state first: a wrong phase says so
    if mode not in rules.CONVOCATION_MODES:
        raise ValidationError.single(
            "mode", M("mode vaut {values}.", values=", ".join(rules.CONVOCATION_MODES))
        )
    statutes = load_statutes(current_version(uow, org))
    required_quorum(statutes, org.legal_form, assembly.kind, assembly.convocation)
    assembly.status = rules.ASSEMBLY.apply(state, _A.CONVENE, _convene_facts(uow, org))
    agenda = list_resolutions(uow, assembly)
    recipients = associates(uow, org)
    now = uow.now()
    assembly.convened_at = now
    assembly.convocation_mode = rules.ConvocationMode(mode)
    assembly.convocation_recipients = len(recipients)
    if org.setup_closed_at is None:
        org.setup_closed_at = now
    if mode in ("email", "both"):
        notifications.send_convocations(uow, org, assembly, agenda, recipients, links)
    uow.record(
        actor=actor.label,
        action=AuditAction.ASSEMBLY_CONVENED,
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={
            "mode": mode,
            "recipients": len(recipients),
            "at": now,
            "agenda": [r.id for r in agenda],
            "statutes_version": current_version(uow, org).number,
        },
    )
    return assembly
