"""Who is acting, and which roles they hold in an organisation. Checked by every service."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from governance.errors import NotFoundError, PermissionDeniedError
from governance.i18n import M
from governance.store.ids import parse_id
from governance.store.tables import Member, Organisation

ROLES = ("facilitator", "secretary", "jardinier", "auditor", "admin", "funder")
"""Roles granted explicitly; "member" (associate) and "participant" come from the membership."""

MEMBER_AREA = frozenset(
    {"member", "participant", "facilitator", "secretary", "jardinier", "auditor", "admin"}
)
"""Roles that open the members-only pages of an organisation."""


@dataclass(frozen=True)
class Actor:
    """The person (or system) on whose behalf a service runs."""

    user_id: int | None
    is_superuser: bool = False
    token_org_id: int | None = None
    token_roles: frozenset[str] | None = None
    system: bool = False

    @property
    def label(self) -> str:
        if self.system:
            return "system"
        return f"user:{self.user_id}" if self.user_id is not None else "anonymous"

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.system


ANONYMOUS = Actor(user_id=None)
SYSTEM = Actor(user_id=None, system=True)


def membership(session: Session, actor: Actor, org_id: int) -> Member | None:
    """Return the actor's current (not departed) membership of the organisation."""
    if actor.user_id is None:
        return None
    # Cached for the transaction: a use case asks several times (roles, then the member).
    key = ("membership", org_id, actor.user_id)
    cached: Member | None = session.info.get(key)
    if cached is not None and cached.departed_on is None:
        return cached
    found = session.execute(
        select(Member)
        .options(selectinload(Member.roles))
        .where(
            Member.org_id == org_id,
            Member.user_id == actor.user_id,
            Member.departed_on.is_(None),
        )
    ).scalar_one_or_none()
    if found is not None:
        session.info[key] = found
    return found


def member_roles(member: Member) -> frozenset[str]:
    implied = {"associate": {"member", "participant"}, "participant": {"participant"}}
    return frozenset(implied.get(member.status, set())) | {r.role for r in member.roles}


def roles_in(session: Session, actor: Actor, org_id: int) -> frozenset[str]:
    """Roles the actor may use in this organisation (narrowed by an API token's scope)."""
    if actor.system:
        return frozenset({"admin", "auditor", "secretary", "system"})
    if actor.token_org_id is not None and actor.token_org_id != org_id:
        return frozenset()
    member = membership(session, actor, org_id)
    if member is None:
        return frozenset()
    roles = member_roles(member)
    if actor.token_roles is not None:
        roles &= actor.token_roles | {"participant"}
    return roles


def get_org(session: Session, slug_or_id: str | int) -> Organisation:
    """Load an organisation by slug or id, or raise NotFoundError."""
    key = str(slug_or_id)
    # Keys no organisation can have never reach the database (NUL, over-long text).
    if "\x00" in key or len(key) > 64:
        raise NotFoundError(M("Organisation introuvable."))
    org = None
    org_id = parse_id(key)
    if org_id is not None:
        org = session.get(Organisation, org_id)
    if org is None:
        org = session.execute(
            select(Organisation).where(Organisation.slug == key)
        ).scalar_one_or_none()
    if org is None:
        raise NotFoundError(M("Organisation introuvable."))
    return org


def require(
    session: Session, actor: Actor, org: Organisation, allowed: Iterable[str]
) -> frozenset[str]:
    """Raise unless the actor holds one of ``allowed`` in ``org``; return the actor's roles."""
    roles = roles_in(session, actor, org.id)
    if roles & frozenset(allowed):
        return roles
    if not actor.is_authenticated:
        raise PermissionDeniedError(M("Connectez-vous pour accéder à cette page."))
    if not roles:
        raise PermissionDeniedError(
            M("Vous n'êtes pas membre de l'organisation {org}.", org=org.name)
        )
    raise PermissionDeniedError(
        M("Cette action est réservée aux rôles : {roles}.", roles=", ".join(sorted(allowed)))
    )


def require_member_area(session: Session, actor: Actor, org: Organisation) -> frozenset[str]:
    return require(session, actor, org, MEMBER_AREA)


def require_admin(session: Session, actor: Actor, org: Organisation) -> frozenset[str]:
    return require(session, actor, org, {"admin"})
