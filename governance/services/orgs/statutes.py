"""The statutes of an organisation: the version in force, the draft, edits and compliance."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from governance.errors import ConflictError, FieldProblem, ValidationError
from governance.i18n import M
from governance.rules.audit_chain import canonical_value
from governance.rules.audit_events import AuditAction
from governance.rules.statutes import (
    AssociateFacts,
    CategoryFacts,
    CollegeWeight,
    Finding,
    Statutes,
    check_compliance,
    diff_statutes,
    parse_exact,
    validate_statutes,
)
from governance.services.authz import Actor, require_admin
from governance.services.orgs.organisations import is_setup_mode
from governance.store.tables import Category, College, Member, Organisation, StatutesVersion
from governance.store.uow import UnitOfWork

# Findings that only say the statutes are not finished yet (weights not yet summing to 100,
# fewer than three colleges so far): saved during setup, shown, and blocking a convocation.
INCOMPLETE_CODES = frozenset({"weights_sum", "scic_min_colleges"})


def statutes_version(uow: UnitOfWork, org: Organisation, status: str) -> StatutesVersion | None:
    return uow.session.execute(
        select(StatutesVersion).where(
            StatutesVersion.org_id == org.id, StatutesVersion.status == status
        )
    ).scalar_one_or_none()


def current_version(uow: UnitOfWork, org: Organisation) -> StatutesVersion:
    row = statutes_version(uow, org, "current")
    if row is None:
        raise ConflictError(M("Cette organisation n'a pas de statuts en vigueur."))
    return row


def load_statutes(row: StatutesVersion) -> Statutes:
    return Statutes.from_document(row.document)


def college_map(uow: UnitOfWork, org: Organisation) -> dict[str, College]:
    colleges = uow.session.execute(select(College).where(College.org_id == org.id)).scalars()
    return {str(c.id): c for c in colleges}


def _apply_patch(
    uow: UnitOfWork, org: Organisation, statutes: Statutes, patch: Mapping[str, Any]
) -> Statutes:
    """Apply a partial patch; ``colleges`` maps a college id or name to its weight."""
    patch = dict(patch)
    weights = patch.pop("colleges", None)
    problems: list[FieldProblem] = []
    new = statutes
    if patch:
        try:
            new = statutes.with_changes(patch)
        except ValidationError as error:
            problems.extend(error.problems)
    if weights is not None:
        if not isinstance(weights, Mapping):
            problems.append(
                FieldProblem("colleges", M("colleges doit associer chaque collège à son poids."))
            )
        else:
            by_id = college_map(uow, org)
            by_name = {c.name.lower(): c for c in by_id.values()}
            merged = {cw.college_id: cw for cw in new.colleges}
            for key, raw in weights.items():
                college = by_id.get(str(key)) or by_name.get(str(key).strip().lower())
                if college is None:
                    problems.append(
                        FieldProblem("colleges", M("Collège inconnu : {name}.", name=str(key)))
                    )
                    continue
                field = f"colleges.{college.id}"
                if raw is None or raw == "":
                    merged.pop(str(college.id), None)
                    continue
                try:
                    weight = parse_exact(raw, field)
                except ValidationError as error:
                    problems.extend(error.problems)
                    continue
                merged[str(college.id)] = CollegeWeight(str(college.id), college.name, weight)
            new = dataclasses.replace(new, colleges=tuple(merged.values()))
    if problems:
        raise ValidationError(problems)
    return new


def _refuse_errors(findings: list[Finding], *, allow_incomplete: bool) -> None:
    blocking = [
        f
        for f in findings
        if f.severity == "error" and not (allow_incomplete and f.code in INCOMPLETE_CODES)
    ]
    if blocking:
        raise ValidationError([FieldProblem(f.field, f.message) for f in blocking])


def update_current_statutes(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, patch: Mapping[str, Any]
) -> Statutes:
    """Edit the statutes in force directly (setup mode only: transcribing the paper statutes)."""
    require_admin(uow.session, actor, org)
    if not is_setup_mode(org):
        raise ConflictError(
            M(
                "Les statuts ne se modifient plus directement depuis la première convocation : "
                "préparez un projet de statuts, qui sera adopté ensuite par l'assemblée."
            )
        )
    row = current_version(uow, org)
    old = load_statutes(row)
    new = _apply_patch(uow, org, old, patch)
    _refuse_errors(validate_statutes(new), allow_incomplete=True)
    diff = diff_statutes(old, new)
    if diff:
        row.document = canonical_value(new.to_document())
        uow.record(
            actor=actor.label,
            action=AuditAction.STATUTES_EDITED,
            subject_type="statutes_version",
            subject_id=row.id,
            org_id=org.id,
            payload={"version": row.number, "diff": diff},
        )
    return new


def save_draft(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, patch: Mapping[str, Any]
) -> Statutes:
    """Create or amend the statutes draft; it takes effect only through an adopted resolution.

    A draft may be incomplete while it is worked on (weights not yet summing to 100, a college
    just added); it can be put to the vote only once it has no error left.
    """
    require_admin(uow.session, actor, org)
    current = current_version(uow, org)
    draft = statutes_version(uow, org, "draft")
    base = load_statutes(draft) if draft else load_statutes(current)
    new = _apply_patch(uow, org, base, patch)
    _refuse_errors(validate_statutes(new), allow_incomplete=True)
    if draft is None:
        number = (
            max(
                uow.session.execute(
                    select(StatutesVersion.number).where(StatutesVersion.org_id == org.id)
                ).scalars()
            )
            + 1
        )
        draft = StatutesVersion(
            org_id=org.id,
            number=number,
            status="draft",
            document={},
            created_at=uow.now(),
            created_by=actor.user_id,
        )
        uow.session.add(draft)
        uow.session.flush()
    draft.document = canonical_value(new.to_document())
    uow.record(
        actor=actor.label,
        action=AuditAction.STATUTES_DRAFT_SAVED,
        subject_type="statutes_version",
        subject_id=draft.id,
        org_id=org.id,
        payload={
            "version": draft.number,
            "diff_from_current": diff_statutes(load_statutes(current), new),
        },
    )
    return new


def check_draft_complete(draft: StatutesVersion) -> None:
    """Refuse to put an incomplete or invalid statutes draft to the vote (409, naming the rule)."""
    errors = [f for f in validate_statutes(load_statutes(draft)) if f.severity == "error"]
    if errors:
        raise ConflictError(
            M(
                "Le projet de statuts n'est pas prêt à être voté : {problem}",
                problem=errors[0].message,
            ),
            field="adopts_statutes_draft",
        )


def compliance_findings(uow: UnitOfWork, org: Organisation) -> list[Finding]:
    statutes = load_statutes(current_version(uow, org))
    categories = [
        CategoryFacts(category_id=str(c.id), name=c.name, kind=c.kind)
        for c in uow.session.execute(select(Category).where(Category.org_id == org.id)).scalars()
    ]
    associates = [
        AssociateFacts(
            member_id=str(m.id),
            name=m.name,
            category_id=str(m.category_id) if m.category_id is not None else None,
            college_ids=(str(m.college_id),) if m.college_id is not None else (),
            shares=m.shares,
        )
        for m in uow.session.execute(
            select(Member).where(
                Member.org_id == org.id, Member.status == "associate", Member.departed_on.is_(None)
            )
        ).scalars()
    ]
    return validate_statutes(statutes) + check_compliance(statutes, categories, associates)


def acknowledge_compliance(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> None:
    """Record that an admin knows of the compliance warnings (the law allows regularisation)."""
    require_admin(uow.session, actor, org)
    org.compliance_acknowledged_at = uow.now()
    uow.record(
        actor=actor.label,
        action=AuditAction.COMPLIANCE_ACKNOWLEDGED,
        subject_type="organisation",
        subject_id=org.id,
        org_id=org.id,
        payload={"findings": [f.code for f in compliance_findings(uow, org)]},
    )
