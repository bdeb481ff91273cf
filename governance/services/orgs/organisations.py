"""Creating an organisation: setup mode, the default statutes of its legal form, its admin."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from governance.errors import ConflictError, FieldProblem, PermissionDeniedError, ValidationError
from governance.i18n import M
from governance.rules.audit_chain import canonical_value
from governance.rules.audit_events import AuditAction
from governance.rules.statutes import LEGAL_FORMS, Statutes
from governance.services.authz import Actor
from governance.store.tables import Member, MemberRole, Organisation, StatutesVersion, User
from governance.store.uow import UnitOfWork

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
TIMEZONE_MAX_LENGTH = 64  # the column's length; IANA names are far shorter


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
            document=canonical_value(statutes.to_document()),
            created_at=uow.now(),
            created_by=actor.user_id,
            effective_at=uow.now(),
        )
    )
    uow.record(
        actor=actor.label,
        action=AuditAction.ORGANISATION_CREATED,
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
            action=AuditAction.MEMBER_ADDED,
            subject_type="member",
            subject_id=creator.id,
            org_id=org.id,
            payload={"name": user.name, "status": "external", "roles": ["admin"]},
        )
    return org


def is_setup_mode(org: Organisation) -> bool:
    """Statutes are edited directly until the first assembly is convened."""
    return org.setup_closed_at is None
