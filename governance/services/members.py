"""Members: admission, roles, college, departure, profile ("fiche pionnier"), CSV import."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from governance.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from governance.i18n import M, Message
from governance.rules.statutes import is_scic
from governance.services import accounts
from governance.services.authz import ROLES, Actor, member_roles, require_admin, require_member_area
from governance.services.orgs import colleges_in_force
from governance.store.tables import Category, College, Member, MemberRole, Organisation
from governance.store.uow import UnitOfWork

STATUSES = ("associate", "participant", "external")


def local_today(uow: UnitOfWork, org: Organisation) -> date:
    """Today's date where the organisation is (admissions and departures are local dates)."""
    return uow.now().astimezone(ZoneInfo(org.timezone)).date()


@dataclass
class MemberInput:
    """What an admin types (or a CSV row holds) to add a member; raw strings are accepted."""

    name: str
    email: str
    associate: bool = True
    category: str | int | None = None
    college: str | int | None = None
    shares: int | str | None = None
    legal_person: bool = False
    representative_name: str | None = None
    admitted_on: date | str | None = None
    roles: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Resolved:
    name: str
    email: str
    status: str
    category: Category | None
    college: College | None
    shares: int
    legal_person: bool
    representative_name: str | None
    admitted_on: date | None
    roles: tuple[str, ...]


class _Lookup:
    """Categories and colleges of one organisation, by id or (case-insensitive) name."""

    def __init__(self, uow: UnitOfWork, org: Organisation) -> None:
        cats = list(
            uow.session.execute(select(Category).where(Category.org_id == org.id)).scalars()
        )
        self.categories = {str(c.id): c for c in cats} | {c.name.lower(): c for c in cats}
        live = colleges_in_force(uow, org)
        self.colleges = {str(v.college.id): v.college for v in live} | {
            v.college.name.lower(): v.college for v in live
        }
        self.has_colleges = bool(live)
        self.scic = is_scic(org.legal_form)
        self.today = local_today(uow, org)

    def category(self, key: str | int | None) -> Category | None:
        return None if key in (None, "") else self.categories.get(str(key).strip().lower())

    def college(self, key: str | int | None) -> College | None:
        return None if key in (None, "") else self.colleges.get(str(key).strip().lower())


def _parse_date(
    value: date | str | None, field_name: str, problems: list[FieldProblem]
) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(
            FieldProblem(
                field_name, M("Date invalide « {value} » : format AAAA-MM-JJ attendu.", value=value)
            )
        )
        return None


def _resolve(data: MemberInput, lookup: _Lookup) -> _Resolved:
    """Validate one member's data; raise ValidationError listing every problem."""
    problems: list[FieldProblem] = []
    name = (data.name or "").strip()
    if not name:
        problems.append(FieldProblem("name", M("Le nom est obligatoire.")))
    email = ""
    try:
        email = accounts.normalize_email(data.email or "")
    except ValidationError as error:
        problems.extend(error.problems)
    category = lookup.category(data.category)
    if data.category not in (None, "") and category is None:
        problems.append(
            FieldProblem("category", M("Catégorie inconnue : {value}.", value=data.category))
        )
    college = lookup.college(data.college)
    if data.college not in (None, "") and college is None:
        problems.append(
            FieldProblem(
                "college",
                M("Collège inconnu dans les statuts en vigueur : {value}.", value=data.college),
            )
        )
    shares = 0
    if data.shares not in (None, ""):
        try:
            shares = int(str(data.shares).strip())
            if shares < 0:
                raise ValueError
        except ValueError:
            problems.append(
                FieldProblem("shares", M("Le nombre de parts doit être un entier positif ou nul."))
            )
    elif data.associate:
        shares = 1
    if data.associate:
        if data.category in (None, ""):
            problems.append(
                FieldProblem(
                    "category", M("Un associé doit appartenir à une catégorie d'associés.")
                )
            )
        if lookup.has_colleges and data.college in (None, ""):
            problems.append(
                FieldProblem("college", M("Un associé doit appartenir à un collège de vote."))
            )
        if lookup.scic and shares < 1:
            problems.append(
                FieldProblem("shares", M("Un associé de SCIC détient au moins une part sociale."))
            )
    elif college is not None:
        problems.append(
            FieldProblem(
                "college", M("Seuls les associés votent : un participant n'a pas de collège.")
            )
        )
    if data.legal_person and not (data.representative_name or "").strip():
        problems.append(
            FieldProblem(
                "representative_name",
                M("Une personne morale vote par un représentant nommé : indiquez son nom."),
            )
        )
    roles = tuple(sorted(set(data.roles)))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        problems.append(
            FieldProblem("roles", M("Rôle inconnu : {roles}.", roles=", ".join(unknown)))
        )
    admitted_on = _parse_date(data.admitted_on, "admitted_on", problems)
    if admitted_on is not None and admitted_on > lookup.today:
        problems.append(
            FieldProblem(
                "admitted_on",
                M(
                    "La date d'admission ({on}) ne peut pas être dans le futur : au plus tard "
                    "aujourd'hui, {today}.",
                    on=admitted_on,
                    today=lookup.today,
                ),
            )
        )
    if problems:
        raise ValidationError(problems)
    return _Resolved(
        name=name,
        email=email,
        status="associate" if data.associate else "participant",
        category=category,
        college=college,
        shares=shares,
        legal_person=data.legal_person,
        representative_name=(data.representative_name or "").strip() or None,
        admitted_on=admitted_on,
        roles=roles,
    )


def _member_payload(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "status": member.status,
        "category": str(member.category_id) if member.category_id else None,
        "college": str(member.college_id) if member.college_id else None,
        "shares": member.shares,
        "legal_person": member.legal_person,
        "roles": sorted(r.role for r in member.roles),
    }


def _insert(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    data: _Resolved,
    base_url: str,
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
        action="member.added",
        subject_type="member",
        subject_id=member.id,
        org_id=org.id,
        payload=_member_payload(member) | {"admitted_on": member.admitted_on},
    )
    if invite and user.password_hash is None:
        accounts.invite(uow, actor=actor, user=user, org=org, base_url=base_url)
    return member


def _readmit(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, member: Member, data: _Resolved
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
    member.status = data.status
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
        action="member.readmitted",
        subject_type="member",
        subject_id=member.id,
        org_id=org.id,
        payload=_member_payload(member)
        | {"admitted_on": member.admitted_on, "previous_departure": departed},
    )
    return member


def add_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    data: MemberInput,
    base_url: str,
    invite: bool = True,
) -> Member:
    """Admit an associate or add a participant; create or link their account and invite them."""
    require_admin(uow.session, actor, org)
    return _insert(
        uow,
        actor=actor,
        org=org,
        data=_resolve(data, _Lookup(uow, org)),
        base_url=base_url,
        invite=invite,
    )


def get_member(uow: UnitOfWork, *, actor: Actor, org: Organisation, member_id: int) -> Member:
    require_member_area(uow.session, actor, org)
    return _load(uow, org, member_id)


def _load(uow: UnitOfWork, org: Organisation, member_id: int) -> Member:
    member = uow.session.get(Member, member_id)
    if member is None or member.org_id != org.id:
        raise NotFoundError(M("Membre introuvable."))
    return member


def list_members(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    college: int | None = None,
    category: int | None = None,
    status: str | None = None,
    query: str | None = None,
    include_departed: bool = False,
) -> list[Member]:
    """Members of the organisation, filtered by college, category, status or a name search."""
    require_member_area(uow.session, actor, org)
    stmt = select(Member).where(Member.org_id == org.id)
    if college is not None:
        stmt = stmt.where(Member.college_id == college)
    if category is not None:
        stmt = stmt.where(Member.category_id == category)
    if status:
        stmt = stmt.where(Member.status == status)
    if not include_departed:
        stmt = stmt.where(Member.departed_on.is_(None))
    if query:
        escaped = (
            query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        like = f"%{escaped}%"
        from sqlalchemy import func

        stmt = stmt.where(
            or_(
                func.lower(Member.name).like(like, escape="\\"),
                func.lower(Member.skills).like(like, escape="\\"),
            )
        )
    return list(uow.session.execute(stmt.order_by(Member.name, Member.id)).scalars())


@dataclass(frozen=True)
class Departure:
    on: date | str
    reason: str
    shares_returned: int | str | None = None


def update_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    member_id: int,
    roles: Sequence[str] | None = None,
    college: str | int | None = None,
    category: str | int | None = None,
    shares: int | str | None = None,
    departure: Departure | None = None,
) -> Member:
    """Change a member's roles, college, category, shares, or record their departure."""
    require_admin(uow.session, actor, org)
    member = _load(uow, org, member_id)
    if member.departed_on is not None:
        raise ConflictError(
            M("{name} a quitté l'organisation le {on}.", name=member.name, on=member.departed_on)
        )
    lookup = _Lookup(uow, org)
    problems: list[FieldProblem] = []
    before = _member_payload(member)
    if roles is not None:
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            problems.append(
                FieldProblem("roles", M("Rôle inconnu : {roles}.", roles=", ".join(unknown)))
            )
        elif (
            member.user_id == actor.user_id
            and "admin" in member_roles(member)
            and "admin" not in roles
        ):
            problems.append(
                FieldProblem(
                    "roles", M("Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
                )
            )
        else:
            member.roles = [MemberRole(role=r) for r in sorted(set(roles))]
    if college is not None:
        found = lookup.college(college)
        if found is None:
            problems.append(
                FieldProblem(
                    "college",
                    M("Collège inconnu dans les statuts en vigueur : {value}.", value=college),
                )
            )
        elif member.status != "associate":
            problems.append(
                FieldProblem(
                    "college", M("Seuls les associés votent : un participant n'a pas de collège.")
                )
            )
        else:
            member.college_id = found.id
    if category is not None:
        found_cat = lookup.category(category)
        if found_cat is None:
            problems.append(
                FieldProblem("category", M("Catégorie inconnue : {value}.", value=category))
            )
        else:
            member.category_id = found_cat.id
    if shares is not None:
        try:
            value = int(str(shares))
            if value < (1 if member.status == "associate" and lookup.scic else 0):
                raise ValueError
            member.shares = value
        except ValueError:
            problems.append(
                FieldProblem(
                    "shares",
                    M(
                        "Le nombre de parts doit être un entier positif "
                        "(au moins 1 pour un associé de SCIC)."
                    ),
                )
            )
    action = "member.updated"
    if departure is not None:
        on = _parse_date(departure.on, "departure.on", problems)
        if not str(departure.on).strip():
            problems.append(FieldProblem("departure.on", M("Indiquez la date du départ.")))
        elif on is not None and member.admitted_on is not None and on < member.admitted_on:
            problems.append(
                FieldProblem(
                    "departure.on",
                    M(
                        "La date de départ ({on}) ne peut pas précéder l'admission, le "
                        "{admitted}.",
                        on=on,
                        admitted=member.admitted_on,
                    ),
                )
            )
        elif on is not None and on > lookup.today:
            problems.append(
                FieldProblem(
                    "departure.on",
                    M(
                        "La date de départ ({on}) ne peut pas être dans le futur : au plus tard "
                        "aujourd'hui, {today}.",
                        on=on,
                        today=lookup.today,
                    ),
                )
            )
        if not departure.reason.strip():
            problems.append(FieldProblem("departure.reason", M("Indiquez le motif du départ.")))
        returned = None
        if departure.shares_returned not in (None, ""):
            try:
                returned = int(str(departure.shares_returned))
                if returned < 0 or returned > member.shares:
                    raise ValueError
            except ValueError:
                problems.append(
                    FieldProblem(
                        "departure.shares_returned",
                        M("Parts remboursées : un entier entre 0 et {n}.", n=member.shares),
                    )
                )
        if not problems:
            member.departed_on = on
            member.departure_reason = departure.reason.strip()
            member.shares_returned = returned
            action = "member.departed"
    if problems:
        raise ValidationError(problems)
    after = _member_payload(member)
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if departure is not None:
        changes["departure"] = {
            "on": member.departed_on,
            "reason": member.departure_reason,
            "shares_returned": member.shares_returned,
        }
    if not changes:
        return member  # nothing changed: nothing to log
    uow.record(
        actor=actor.label,
        action=action,
        subject_type="member",
        subject_id=member.id,
        org_id=org.id,
        payload={"changes": changes},
    )
    return member


def update_profile(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    member_id: int,
    presentation: str,
    phone: str,
    skills: str,
) -> Member:
    """Update one's own "fiche pionnier" (presentation, contact, skills offered)."""
    require_member_area(uow.session, actor, org)
    member = _load(uow, org, member_id)
    if member.user_id != actor.user_id:
        raise PermissionDeniedError(M("Chacun tient à jour sa propre fiche."))
    problems = []
    if len(presentation) > 5000:
        problems.append(FieldProblem("presentation", M("La présentation dépasse 5000 caractères.")))
    if len(phone) > 50:
        problems.append(FieldProblem("phone", M("Le téléphone dépasse 50 caractères.")))
    if len(skills) > 2000:
        problems.append(FieldProblem("skills", M("Les compétences dépassent 2000 caractères.")))
    if problems:
        raise ValidationError(problems)
    member.presentation, member.phone, member.skills = (
        presentation.strip(),
        phone.strip(),
        skills.strip(),
    )
    uow.record(
        actor=actor.label,
        action="member.profile_updated",
        subject_type="member",
        subject_id=member.id,
        org_id=org.id,
        payload={},
    )
    return member


def resend_invitation(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, member_id: int, base_url: str
) -> None:
    require_admin(uow.session, actor, org)
    member = _load(uow, org, member_id)
    if member.user.password_hash is not None:
        raise ConflictError(M("{name} a déjà choisi son mot de passe.", name=member.name))
    accounts.invite(uow, actor=actor, user=member.user, org=org, base_url=base_url)


# ---- CSV import ------------------------------------------------------------------------------

IMPORT_COLUMNS = (
    "name",
    "email",
    "associate",
    "category",
    "college",
    "shares",
    "legal_person",
    "representative_name",
    "admitted_on",
)
TRUE_WORDS = {"1", "true", "oui", "yes", "vrai", "x"}
FALSE_WORDS = {"0", "false", "non", "no", "faux", ""}


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: Message


@dataclass
class ImportReport:
    imported: list[Member]
    rejected: list[tuple[int, Mapping[str, str], list[RowProblem]]]


def _boolean(raw: str | None, column: str, default: bool, problems: list[FieldProblem]) -> bool:
    value = (raw or "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    problems.append(FieldProblem(column, M("« {value} » : oui ou non attendu.", value=raw)))
    return default


def import_members(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    rows: Iterable[tuple[int, Mapping[str, str]]],
    base_url: str,
    skip_invalid: bool = False,
    invite: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import rows of the registre des associés (line number, column → value).

    Every row is validated first. With any invalid row nothing is imported (ValidationError
    listing every problem with its line) unless ``skip_invalid``: then the valid rows are
    imported and the rejected ones reported.
    """
    require_admin(uow.session, actor, org)
    lookup = _Lookup(uow, org)
    existing = {
        email
        for (email,) in uow.session.execute(
            select(Member.user_id).where(Member.org_id == org.id)
        ).all()
    }
    from governance.store.tables import User

    existing_emails = {
        u.email for u in uow.session.execute(select(User).where(User.id.in_(existing))).scalars()
    }
    valid: list[_Resolved] = []
    rejected: list[tuple[int, Mapping[str, str], list[RowProblem]]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        problems: list[FieldProblem] = []
        unknown = sorted(k for k in row if k and k not in IMPORT_COLUMNS)
        if unknown:
            problems.append(
                FieldProblem(unknown[0], M("Colonne inconnue : {cols}.", cols=", ".join(unknown)))
            )
        associate = _boolean(row.get("associate"), "associate", True, problems)
        legal = _boolean(row.get("legal_person"), "legal_person", False, problems)
        resolved = None
        try:
            resolved = _resolve(
                MemberInput(
                    name=row.get("name") or "",
                    email=row.get("email") or "",
                    associate=associate,
                    category=row.get("category"),
                    college=row.get("college"),
                    shares=row.get("shares"),
                    legal_person=legal,
                    representative_name=row.get("representative_name"),
                    admitted_on=row.get("admitted_on"),
                ),
                lookup,
            )
        except ValidationError as error:
            problems.extend(error.problems)
        if resolved is not None:
            if resolved.email in existing_emails:
                problems.append(
                    FieldProblem("email", M("{email} est déjà membre.", email=resolved.email))
                )
            elif resolved.email in seen:
                problems.append(
                    FieldProblem(
                        "email",
                        M(
                            "{email} figure déjà à la ligne {line}.",
                            email=resolved.email,
                            line=seen[resolved.email],
                        ),
                    )
                )
            else:
                seen[resolved.email] = line
        if problems or resolved is None:
            rejected.append((line, row, [RowProblem(line, p.field, p.message) for p in problems]))
        else:
            valid.append(resolved)
    if rejected and not skip_invalid:
        raise ValidationError(
            [
                FieldProblem(
                    f"line {p.line}: {p.field}",
                    M(
                        "ligne {line}, {field} : {message}",
                        line=p.line,
                        field=p.field,
                        message=p.message,
                    ),
                )
                for _line, _row, row_problems in rejected
                for p in row_problems
            ]
        )
    imported = []
    for index, data in enumerate(valid, start=1):
        imported.append(
            _insert(uow, actor=actor, org=org, data=data, base_url=base_url, invite=invite)
        )
        if progress is not None:
            progress(index)
    uow.record(
        actor=actor.label,
        action="members.imported",
        subject_type="organisation",
        subject_id=org.id,
        org_id=org.id,
        payload={"imported": len(imported), "rejected_lines": [line for line, _r, _p in rejected]},
    )
    return ImportReport(imported=imported, rejected=rejected)
