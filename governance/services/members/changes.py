"""Changing a member: roles, college, category, shares, departure, profile, invitation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from governance.errors import ConflictError, FieldProblem, PermissionDeniedError, ValidationError
from governance.i18n import M
from governance.rules.audit_events import AuditAction
from governance.services import accounts
from governance.services.authz import ROLES, Actor, member_roles, require_admin, require_member_area
from governance.services.links import Links
from governance.services.members.common import Lookup, load_member, member_payload, parse_date
from governance.store.tables import Member, MemberRole, Organisation
from governance.store.uow import UnitOfWork


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
    member = load_member(uow, org, member_id)
    if member.departed_on is not None:
        raise ConflictError(
            M("{name} a quitté l'organisation le {on}.", name=member.name, on=member.departed_on)
        )
    lookup = Lookup(uow, org)
    problems: list[FieldProblem] = []
    before = member_payload(member)
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
    action = AuditAction.MEMBER_UPDATED
    if departure is not None:
        on = parse_date(departure.on, "departure.on", problems)
        if not str(departure.on).strip():
            problems.append(FieldProblem("departure.on", M("Indiquez la date du départ.")))
        elif on is not None and member.admitted_on is not None and on < member.admitted_on:
            problems.append(
                FieldProblem(
                    "departure.on",
                    M(
                        "La date de départ ({on}) ne peut pas précéder l'admission, le {admitted}.",
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
            action = AuditAction.MEMBER_DEPARTED
    if problems:
        raise ValidationError(problems)
    after = member_payload(member)
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
    member = load_member(uow, org, member_id)
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
        action=AuditAction.MEMBER_PROFILE_UPDATED,
        subject_type="member",
        subject_id=member.id,
        org_id=org.id,
        payload={},
    )
    return member


def resend_invitation(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, member_id: int, links: Links
) -> None:
    require_admin(uow.session, actor, org)
    member = load_member(uow, org, member_id)
    if member.user.password_hash is not None:
        raise ConflictError(M("{name} a déjà choisi son mot de passe.", name=member.name))
    accounts.invite(uow, actor=actor, user=member.user, org=org, links=links)
