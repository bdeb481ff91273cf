"""Admitting a member: a new associate or participant, or the readmission of one who left."""

from __future__ import annotations

from sqlalchemy import select

from governance.errors import ConflictError, ValidationError
from governance.i18n import M
from governance.rules.audit_events import AuditAction
from governance.rules.orgs import MemberStatus
from governance.services import accounts
from governance.services.authz import Actor, require_admin
from governance.services.links import Links
from governance.services.members.common import (
    Lookup,
    MemberInput,
    Resolved,
    local_today,
    member_payload,
    resolve,
)
from governance.store.tables import Member, MemberRole, Organisation
from governance.store.uow import UnitOfWork


def insert_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    data: Resolved,
    links: Links | None,
    invite: bool,
) -> Member:
    user, _created = accounts.ensure_user(uow, actor=actor, email=data.email, name=data.name)
    previous = uow.session.execute(
        select(Member).where(Member.org_id == org.id, Member.user_id == user.id)
    ).scalar_one_or_none()
    if previous is not None and previous.departed_on is None:
        raise ConflictError(
            M("{email} est déjà membre de {org}.", email=data.email, org=org.name), field="email"
        )
    if previous is not None:
        return _readmit(uow, actor=actor, org=org, member=previous, data=data)
    member = Member(
        org_id=org.id,
        user_id=user.id,
        status=data.status,
        name=data.name,
        legal_person=data.legal_person,
        representative_name=data.representative_name,
        category_id=data.category.id if data.category else None,
        college_id=data.college.id if data.college else None,
        shares=data.shares,
        admitted_on=data.admitted_on
        or (local_today(uow, org) if data.status == "associate" else None),
        created_at=uow.now(),
    )
    member.roles = [MemberRole(role=r) for r in data.roles]
    uow.session.add(member)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.MEMBER_ADDED,
        subject_type="member",
        subject_id=member.id,
        org_id=org.id,
        payload=member_payload(member) | {"admitted_on": member.admitted_on},
    )
    if invite and user.password_hash is None:
        if links is None:
            raise ValueError("an invitation needs the links its email points to")
        accounts.invite(uow, actor=actor, user=user, org=org, links=links)
    return member


def _readmit(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, member: Member, data: Resolved
) -> Member:
    """Admit again someone who left: same record (their history stays theirs), new admission."""
    departed = {"on": member.departed_on, "reason": member.departure_reason}
    if (
        data.admitted_on is not None
        and member.departed_on is not None
        and data.admitted_on < member.departed_on
    ):
        raise ValidationError.single(
            "admitted_on",
            M(
                "La nouvelle admission ({on}) ne peut pas précéder le départ du {departed}.",
                on=data.admitted_on,
                departed=member.departed_on,
            ),
        )
    member.status = MemberStatus(data.status)
    member.name = data.name
    member.legal_person = data.legal_person
    member.representative_name = data.representative_name
    member.category_id = data.category.id if data.category else None
    member.college_id = data.college.id if data.college else None
    member.shares = data.shares
    member.admitted_on = data.admitted_on or (
        local_today(uow, org) if data.status == "associate" else None
    )
    member.departed_on = None
    member.departure_reason = None
    member.shares_returned = None
    member.roles = [MemberRole(role=r) for r in data.roles]
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.MEMBER_READMITTED,
        subject_type="member",
        subject_id=member.id,
        org_id=org.id,
        payload=member_payload(member)
        | {"admitted_on": member.admitted_on, "previous_departure": departed},
    )
    return member


def add_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    data: MemberInput,
    links: Links | None = None,
    invite: bool = True,
) -> Member:
    """Admit an associate or add a participant; create or link their account and invite them."""
    require_admin(uow.session, actor, org)
    return insert_member(
        uow,
        actor=actor,
        org=org,
        data=resolve(data, Lookup(uow, org)),
        links=links,
        invite=invite,
    )
