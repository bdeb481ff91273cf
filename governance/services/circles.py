"""Circles (minimal): create a circle in the organisation's tree and link members to it.

Enough for the demo's circle tree; the consent spec's full circle management builds on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from governance.errors import ConflictError, FieldProblem, NotFoundError, ValidationError
from governance.i18n import M
from governance.rules.audit_events import AuditAction
from governance.services.authz import Actor, require_admin
from governance.store.tables import Circle, CircleMember, Member, Organisation
from governance.store.uow import UnitOfWork

LINKS = ("member", "leader", "delegate")
CIRCLE_ROLES = ("facilitator", "secretary")


def _circle(uow: UnitOfWork, org: Organisation, circle: Circle | int, field: str) -> Circle:
    row = circle if isinstance(circle, Circle) else uow.session.get(Circle, circle)
    if row is None or row.org_id != org.id:
        raise NotFoundError(M("Cercle introuvable."), field=field)
    return row


def create_circle(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    name: str,
    aim: str,
    parent: Circle | int | None = None,
) -> Circle:
    """Create a circle with its aim (raison d'être), under ``parent`` or at the root."""
    require_admin(uow.session, actor, org)
    problems: list[FieldProblem] = []
    name = name.strip()
    if not name:
        problems.append(FieldProblem("name", M("Le nom est obligatoire.")))
    elif len(name) > 200:
        problems.append(FieldProblem("name", M("Le nom dépasse 200 caractères.")))
    if not aim.strip():
        problems.append(FieldProblem("aim", M("Indiquez la raison d'être du cercle.")))
    if problems:
        raise ValidationError(problems)
    parent_row = _circle(uow, org, parent, "parent") if parent is not None else None
    if uow.session.execute(
        select(Circle.id).where(Circle.org_id == org.id, Circle.name == name)
    ).first():
        raise ConflictError(M("Le cercle {name} existe déjà.", name=name), field="name")
    circle = Circle(
        org_id=org.id,
        parent_id=parent_row.id if parent_row is not None else None,
        name=name,
        aim=aim.strip(),
        created_at=uow.now(),
    )
    uow.session.add(circle)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.CIRCLE_CREATED,
        subject_type="circle",
        subject_id=circle.id,
        org_id=org.id,
        payload={
            "name": circle.name,
            "aim": circle.aim,
            "parent": str(circle.parent_id) if circle.parent_id is not None else None,
        },
    )
    return circle


def add_circle_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    circle: Circle | int,
    member: Member | int,
    link: str = "member",
    roles: Sequence[str] = (),
) -> CircleMember:
    """Link a current member of the organisation to a circle, with their circle roles."""
    require_admin(uow.session, actor, org)
    row = _circle(uow, org, circle, "circle")
    person = member if isinstance(member, Member) else uow.session.get(Member, member)
    if person is None or person.org_id != org.id:
        raise NotFoundError(M("Membre introuvable."), field="member")
    problems: list[FieldProblem] = []
    if person.departed_on is not None:
        problems.append(
            FieldProblem("member", M("{name} a quitté l'organisation.", name=person.name))
        )
    if link not in LINKS:
        problems.append(FieldProblem("link", M("link doit valoir {v}.", v=", ".join(LINKS))))
    unknown = sorted(set(roles) - set(CIRCLE_ROLES))
    if unknown:
        problems.append(
            FieldProblem("roles", M("Rôle de cercle inconnu : {roles}.", roles=", ".join(unknown)))
        )
    if problems:
        raise ValidationError(problems)
    if uow.session.get(CircleMember, (row.id, person.id)) is not None:
        raise ConflictError(
            M("{name} fait déjà partie du cercle {circle}.", name=person.name, circle=row.name),
            field="member",
        )
    link_row = CircleMember(
        circle_id=row.id, member_id=person.id, link=link, roles=",".join(sorted(set(roles)))
    )
    uow.session.add(link_row)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.CIRCLE_MEMBER_ADDED,
        subject_type="circle",
        subject_id=row.id,
        org_id=org.id,
        payload={"member": str(person.id), "link": link, "roles": sorted(set(roles))},
    )
    return link_row
