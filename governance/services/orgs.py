"""Organisations, categories, colleges and statutes (setup mode, drafts, compliance)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from governance.errors import ConflictError, FieldProblem, PermissionDeniedError, ValidationError
from governance.i18n import M
from governance.rules.audit_chain import canonical_json
from governance.rules.statutes import (
    LEGAL_FORMS,
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
from governance.services.authz import Actor, membership, require_admin, require_member_area
from governance.store.tables import (
    Category,
    College,
    Member,
    MemberRole,
    Organisation,
    StatutesVersion,
)
from governance.store.uow import UnitOfWork

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
CATEGORY_KINDS = ("beneficiaries", "employees", "producers", "public_body", "other")
TIMEZONE_MAX_LENGTH = 64  # the column's length; IANA names are far shorter

# Findings that only say the statutes are not finished yet (weights not yet summing to 100,
# fewer than three colleges so far): saved during setup, shown, and blocking a convocation.
INCOMPLETE_CODES = frozenset({"weights_sum", "scic_min_colleges"})


def create_org(
    uow: UnitOfWork,
    *,
    actor: Actor,
    slug: str,
    name: str,
    legal_form: str,
    timezone: str = "Europe/Paris",
    description: str = "",
) -> Organisation:
    """Create an organisation in setup mode; its creator becomes its admin."""
    if not (actor.system or actor.is_superuser):
        raise PermissionDeniedError(M("Seul un super-administrateur peut créer une organisation."))
    if actor.token_org_id is not None:
        raise PermissionDeniedError(
            M("Ce jeton est limité à une organisation : il ne peut pas en créer une autre.")
        )
    problems: list[FieldProblem] = []
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        problems.append(
            FieldProblem(
                "slug",
                M(
                    "L'identifiant doit faire de 1 à 64 caractères : lettres minuscules, "
                    "chiffres et tirets, sans tiret au début ni à la fin."
                ),
            )
        )
    if not name.strip():
        problems.append(FieldProblem("name", M("Le nom est obligatoire.")))
    if legal_form not in LEGAL_FORMS:
        problems.append(
            FieldProblem(
                "legal_form",
                M(
                    "Forme juridique inconnue ; valeurs possibles : {forms}.",
                    forms=", ".join(LEGAL_FORMS),
                ),
            )
        )
    try:
        # A name the time zone database cannot even look up (too long for the column or the
        # file system, a directory such as "Europe") is unknown too.
        if len(timezone) > TIMEZONE_MAX_LENGTH:
            raise ValueError(timezone)
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        problems.append(FieldProblem("timezone", M("Fuseau horaire inconnu : {tz}.", tz=timezone)))
    if problems:
        raise ValidationError(problems)
    if uow.session.execute(select(Organisation).where(Organisation.slug == slug)).first():
        raise ConflictError(M("L'identifiant {slug} est déjà pris.", slug=slug), field="slug")
    org = Organisation(
        slug=slug,
        name=name.strip(),
        legal_form=legal_form,
        timezone=timezone,
        description=description.strip(),
        created_at=uow.now(),
    )
    uow.session.add(org)
    uow.session.flush()
    statutes = Statutes.default(legal_form)
    uow.session.add(
        StatutesVersion(
            org_id=org.id,
            number=1,
            status="current",
            document=canonical_json(statutes.to_document()),
            created_at=uow.now(),
            created_by=actor.user_id,
            effective_at=uow.now(),
        )
    )
    uow.record(
        actor=actor.label,
        action="organisation.created",
        subject_type="organisation",
        subject_id=org.id,
        org_id=org.id,
        payload={
            "slug": slug,
            "name": org.name,
            "legal_form": legal_form,
            "timezone": timezone,
            "statutes": statutes.to_document(),
        },
    )
    if actor.user_id is not None:
        from governance.store.tables import User

        user = uow.session.get(User, actor.user_id)
        assert user is not None
        creator = Member(
            org_id=org.id,
            user_id=user.id,
            status="external",
            name=user.name,
            shares=0,
            created_at=uow.now(),
        )
        creator.roles = [MemberRole(role="admin")]
        uow.session.add(creator)
        uow.session.flush()
        uow.record(
            actor=actor.label,
            action="member.added",
            subject_type="member",
            subject_id=creator.id,
            org_id=org.id,
            payload={"name": user.name, "status": "external", "roles": ["admin"]},
        )
    return org


def is_setup_mode(org: Organisation) -> bool:
    """Statutes are edited directly until the first assembly is convened."""
    return org.setup_closed_at is None


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


# ---- statutes -------------------------------------------------------------------------------


def _version(uow: UnitOfWork, org: Organisation, status: str) -> StatutesVersion | None:
    return uow.session.execute(
        select(StatutesVersion).where(
            StatutesVersion.org_id == org.id, StatutesVersion.status == status
        )
    ).scalar_one_or_none()


def current_version(uow: UnitOfWork, org: Organisation) -> StatutesVersion:
    row = _version(uow, org, "current")
    if row is None:
        raise ConflictError(M("Cette organisation n'a pas de statuts en vigueur."))
    return row


def load_statutes(row: StatutesVersion) -> Statutes:
    return Statutes.from_document(json.loads(row.document))


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
    draft = _version(uow, org, "draft")
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


def _college_map(uow: UnitOfWork, org: Organisation) -> dict[str, College]:
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
            by_id = _college_map(uow, org)
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
        row.document = canonical_json(new.to_document())
        uow.record(
            actor=actor.label,
            action="statutes.edited",
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
    draft = _version(uow, org, "draft")
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
            document="{}",
            created_at=uow.now(),
            created_by=actor.user_id,
        )
        uow.session.add(draft)
        uow.session.flush()
    draft.document = canonical_json(new.to_document())
    uow.record(
        actor=actor.label,
        action="statutes.draft_saved",
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


def compliance(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[Finding]:
    """Return the statutes findings and the continuous legal checks (SCIC categories, capital)."""
    require_member_area(uow.session, actor, org)
    return compliance_findings(uow, org)


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
        action="compliance.acknowledged",
        subject_type="organisation",
        subject_id=org.id,
        org_id=org.id,
        payload={"findings": [f.code for f in compliance_findings(uow, org)]},
    )


# ---- categories and colleges ---------------------------------------------------------------


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
        action="category.created",
        subject_type="category",
        subject_id=category.id,
        org_id=org.id,
        payload={"name": category.name, "kind": kind},
    )
    return category


def list_categories(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[Category]:
    require_member_area(uow.session, actor, org)
    return list(
        uow.session.execute(
            select(Category).where(Category.org_id == org.id).order_by(Category.name)
        ).scalars()
    )


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
    action = "college.created"
    if college is not None:
        # A college removed from the statutes keeps its row (past votes refer to it): adding it
        # again puts it back into the statutes being edited.
        target = (
            current_version(uow, org)
            if is_setup_mode(org)
            else (_version(uow, org, "draft") or current_version(uow, org))
        )
        if load_statutes(target).weight_of(str(college.id)) is not None:
            raise ConflictError(
                M("Le collège {name} existe déjà.", name=name.strip()), field="name"
            )
        action = "college.restored"
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


def list_colleges(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[CollegeView]:
    """Colleges of the statutes in force, with weight and number of current associates."""
    require_member_area(uow.session, actor, org)
    return colleges_in_force(uow, org)


def colleges_in_force(uow: UnitOfWork, org: Organisation) -> list[CollegeView]:
    statutes = load_statutes(current_version(uow, org))
    by_id = _college_map(uow, org)
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


def actor_member(uow: UnitOfWork, actor: Actor, org: Organisation) -> Member | None:
    return membership(uow.session, actor, org.id)
