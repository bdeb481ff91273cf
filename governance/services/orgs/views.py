"""What the organisation pages and endpoints show: read-only, authorized, never writing."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select

from governance.rules.statutes import Finding, Statutes, validate_statutes
from governance.services.authz import Actor, get_org, membership, require_member_area, roles_in
from governance.services.orgs.colleges import CollegeView, colleges_in_force
from governance.services.orgs.organisations import is_setup_mode
from governance.services.orgs.statutes import (
    compliance_findings,
    current_version,
    load_statutes,
    statutes_version,
)
from governance.store.tables import Category, College, Member, Organisation, StatutesVersion
from governance.store.uow import UnitOfWork, org_chain


def org_by_ref(uow: UnitOfWork, slug_or_id: str | int) -> Organisation:
    """The organisation a path names (slug or id), or NotFoundError."""
    return get_org(uow.session, slug_or_id)


def list_orgs_for(uow: UnitOfWork, *, actor: Actor) -> list[Organisation]:
    if actor.user_id is None:
        return []
    return list(
        uow.session.execute(
            select(Organisation)
            .join(Member, Member.org_id == Organisation.id)
            .where(Member.user_id == actor.user_id, Member.departed_on.is_(None))
            .order_by(Organisation.name)
        ).scalars()
    )


def actor_member(uow: UnitOfWork, actor: Actor, org: Organisation) -> Member | None:
    return membership(uow.session, actor, org.id)


@dataclass(frozen=True)
class OrgHeader:
    """What every organisation page shows: the viewer's roles and membership, setup mode."""

    org: Organisation
    roles: frozenset[str]
    me: Member | None
    setup_mode: bool

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


def org_header(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> OrgHeader:
    return OrgHeader(
        org=org,
        roles=roles_in(uow.session, actor, org.id),
        me=actor_member(uow, actor, org),
        setup_mode=is_setup_mode(org),
    )


@dataclass(frozen=True)
class StatutesView:
    current: StatutesVersion
    statutes: Statutes
    draft: StatutesVersion | None
    draft_statutes: Statutes | None
    findings: list[Finding]
    draft_findings: list[Finding]
    setup_mode: bool


def view_statutes(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> StatutesView:
    require_member_area(uow.session, actor, org)
    current = current_version(uow, org)
    statutes = load_statutes(current)
    draft = statutes_version(uow, org, "draft")
    draft_statutes = load_statutes(draft) if draft else None
    return StatutesView(
        current=current,
        statutes=statutes,
        draft=draft,
        draft_statutes=draft_statutes,
        findings=validate_statutes(statutes),
        draft_findings=validate_statutes(draft_statutes) if draft_statutes else [],
        setup_mode=is_setup_mode(org),
    )


def college_weight(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, college: College
) -> Fraction:
    """A college's weight: in the statutes in force, else in the draft (0 in neither)."""
    view = view_statutes(uow, actor=actor, org=org)
    weight = view.statutes.weight_of(str(college.id))
    if weight is None and view.draft_statutes is not None:
        weight = view.draft_statutes.weight_of(str(college.id))
    return weight or Fraction(0)


def compliance(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[Finding]:
    """Return the statutes findings and the continuous legal checks (SCIC categories, capital)."""
    require_member_area(uow.session, actor, org)
    return compliance_findings(uow, org)


def list_categories(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[Category]:
    require_member_area(uow.session, actor, org)
    return list(
        uow.session.execute(
            select(Category).where(Category.org_id == org.id).order_by(Category.name)
        ).scalars()
    )


def list_colleges(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[CollegeView]:
    """Colleges of the statutes in force, with weight and number of current associates."""
    require_member_area(uow.session, actor, org)
    return colleges_in_force(uow, org)


@dataclass(frozen=True)
class Dashboard:
    """An organisation's dashboard: the colleges in force and the compliance findings."""

    colleges: list[CollegeView]
    findings: list[Finding]

    @property
    def associates(self) -> int:
        return sum(c.members for c in self.colleges)


def dashboard(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> Dashboard:
    return Dashboard(
        colleges=list_colleges(uow, actor=actor, org=org),
        findings=compliance(uow, actor=actor, org=org),
    )


def audit_chain(org: Organisation) -> str:
    """The name of the organisation's audit chain (``org:<id>``)."""
    return org_chain(org.id)


def audit_chain_slugs(uow: UnitOfWork) -> dict[str, str]:
    """Every organisation's audit chain → its slug (to label the chains an operator verifies)."""
    return {
        org_chain(org.id): org.slug for org in uow.session.execute(select(Organisation)).scalars()
    }
