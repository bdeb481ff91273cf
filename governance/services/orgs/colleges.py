"""Categories of associates and voting colleges (whose weights live in the statutes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from governance.errors import ConflictError, FieldProblem, ValidationError
from governance.i18n import M
from governance.rules.audit_events import AuditAction
from governance.rules.statutes import parse_exact
from governance.services.authz import Actor, require_admin
from governance.services.orgs.organisations import is_setup_mode
from governance.services.orgs.statutes import (
    college_map,
    current_version,
    load_statutes,
    save_draft,
    statutes_version,
    update_current_statutes,
)
from governance.store.tables import Category, College, Member, Organisation
from governance.store.uow import UnitOfWork

CATEGORY_KINDS = ("beneficiaries", "employees", "producers", "public_body", "other")


def add_category(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, name: str, kind: str = "other"
) -> Category:
    require_admin(uow.session, actor, org)
    problems = []
    if not name.strip():
        problems.append(FieldProblem("name", M("Le nom est obligatoire.")))
    if kind not in CATEGORY_KINDS:
        problems.append(
            FieldProblem("kind", M("kind doit valoir {kinds}.", kinds=", ".join(CATEGORY_KINDS)))
        )
    if problems:
        raise ValidationError(problems)
    if uow.session.execute(
        select(Category).where(Category.org_id == org.id, Category.name == name.strip())
    ).first():
        raise ConflictError(M("La catégorie {name} existe déjà.", name=name.strip()), field="name")
    category = Category(org_id=org.id, name=name.strip(), kind=kind)
    uow.session.add(category)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.CATEGORY_CREATED,
        subject_type="category",
        subject_id=category.id,
        org_id=org.id,
        payload={"name": category.name, "kind": kind},
    )
    return category


def add_college(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, name: str, weight: Any
) -> College:
    """Create a college and its weight: in the statutes in force during setup, else the draft."""
    require_admin(uow.session, actor, org)
    if not name.strip():
        raise ValidationError.single("name", M("Le nom est obligatoire."))
    parse_exact(weight, "weight")
    college = uow.session.execute(
        select(College).where(College.org_id == org.id, College.name == name.strip())
    ).scalar_one_or_none()
    action = AuditAction.COLLEGE_CREATED
    if college is not None:
        # A college removed from the statutes keeps its row (past votes refer to it): adding it
        # again puts it back into the statutes being edited.
        target = (
            current_version(uow, org)
            if is_setup_mode(org)
            else (statutes_version(uow, org, "draft") or current_version(uow, org))
        )
        if load_statutes(target).weight_of(str(college.id)) is not None:
            raise ConflictError(
                M("Le collège {name} existe déjà.", name=name.strip()), field="name"
            )
        action = AuditAction.COLLEGE_RESTORED
    else:
        college = College(org_id=org.id, name=name.strip())
        uow.session.add(college)
        uow.session.flush()
    uow.record(
        actor=actor.label,
        action=action,
        subject_type="college",
        subject_id=college.id,
        org_id=org.id,
        payload={"name": college.name, "weight": str(weight)},
    )
    patch = {"colleges": {str(college.id): weight}}
    try:
        if is_setup_mode(org):
            update_current_statutes(uow, actor=actor, org=org, patch=patch)
        else:
            save_draft(uow, actor=actor, org=org, patch=patch)
    except ValidationError as error:
        raise ValidationError(
            [
                FieldProblem("weight" if p.field.startswith("colleges") else p.field, p.message)
                for p in error.problems
            ]
        ) from None
    return college


@dataclass(frozen=True)
class CollegeView:
    college: College
    weight: Any
    members: int


def colleges_in_force(uow: UnitOfWork, org: Organisation) -> list[CollegeView]:
    statutes = load_statutes(current_version(uow, org))
    by_id = college_map(uow, org)
    counts: dict[int, int] = {}
    for college_id in uow.session.execute(
        select(Member.college_id).where(
            Member.org_id == org.id, Member.status == "associate", Member.departed_on.is_(None)
        )
    ).scalars():
        if college_id is not None:
            counts[college_id] = counts.get(college_id, 0) + 1
    views = []
    for cw in statutes.colleges:
        college = by_id.get(cw.college_id)
        if college is not None:
            views.append(CollegeView(college, cw.weight, counts.get(college.id, 0)))
    return views
