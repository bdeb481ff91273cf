"""The procès-verbal's content kept by the secretary, and its publication."""

from __future__ import annotations

from governance.errors import ValidationError
from governance.i18n import M
from governance.rules import assemblies as rules
from governance.rules.audit_events import AuditAction
from governance.services.authz import Actor, require
from governance.store.tables import Assembly, Organisation
from governance.store.uow import UnitOfWork

from ._common import get_assembly

MINUTES_FIELDS = ("chair", "secretary_name", "scrutineers", "documents", "debates", "incidents")
MINUTES_EDITORS = frozenset({"secretary", "admin"})


def update_minutes(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    **fields: str,
) -> Assembly:
    """Edit the minutes' content: bureau, documents, summary of debates, incidents (secretary)."""
    require(uow.session, actor, org, MINUTES_EDITORS)
    assembly = get_assembly(uow, org, assembly_id)
    rules.ASSEMBLY.apply(rules.AssemblyStatus(assembly.status), rules.AssemblyAction.EDIT_MINUTES)
    unknown = sorted(set(fields) - set(MINUTES_FIELDS))
    if unknown:
        raise ValidationError.single(unknown[0], M("Champ inconnu : {f}.", f=unknown[0]))
    changed = {}
    for name, value in fields.items():
        value = (value or "").strip()
        if len(value) > 20000:
            raise ValidationError.single(name, M("Texte trop long (20 000 caractères au plus)."))
        if getattr(assembly, name) != value:
            setattr(assembly, name, value)
            changed[name] = value
    if changed:
        uow.record(
            actor=actor.label,
            action=AuditAction.ASSEMBLY_MINUTES_EDITED,
            subject_type="assembly",
            subject_id=assembly.id,
            org_id=org.id,
            payload=changed,
        )
    return assembly


def publish_minutes(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> Assembly:
    """Publish the procès-verbal (secretary); its content no longer changes."""
    require(uow.session, actor, org, MINUTES_EDITORS)
    assembly = get_assembly(uow, org, assembly_id)
    state = rules.AssemblyStatus(assembly.status)
    assembly.status = rules.ASSEMBLY.apply(state, rules.AssemblyAction.PUBLISH)
    assembly.published_at = uow.now()
    uow.record(
        actor=actor.label,
        action=AuditAction.MINUTES_PUBLISHED,
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={"at": assembly.published_at},
    )
    return assembly
