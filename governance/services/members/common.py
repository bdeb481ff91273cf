"""What every member use case shares: the input, its validation, lookups and the audit payload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from governance.errors import FieldProblem, NotFoundError, ValidationError
from governance.i18n import M
from governance.rules.statutes import is_scic
from governance.services import accounts
from governance.services.authz import ROLES
from governance.services.orgs import colleges_in_force
from governance.store.tables import Category, College, Member, Organisation
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
class Resolved:
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


class Lookup:
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


def parse_date(
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


def resolve(data: MemberInput, lookup: Lookup) -> Resolved:
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
    admitted_on = parse_date(data.admitted_on, "admitted_on", problems)
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
    return Resolved(
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


def member_payload(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "status": member.status,
        "category": str(member.category_id) if member.category_id else None,
        "college": str(member.college_id) if member.college_id else None,
        "shares": member.shares,
        "legal_person": member.legal_person,
        "roles": sorted(r.role for r in member.roles),
    }


def load_member(uow: UnitOfWork, org: Organisation, member_id: int) -> Member:
    member = uow.session.get(Member, member_id)
    if member is None or member.org_id != org.id:
        raise NotFoundError(M("Membre introuvable."))
    return member
