"""What the member pages and endpoints show: read-only, authorized, never writing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from governance.services.authz import Actor, member_roles, require_member_area, roles_in
from governance.services.members.common import load_member
from governance.services.orgs import list_categories, list_colleges
from governance.store.tables import Category, College, Member, MemberRole, Organisation
from governance.store.uow import UnitOfWork

CONTACT_ROLES = frozenset({"admin", "secretary", "auditor"})
"""Roles that see members' email addresses (everyone sees their own)."""


def get_member(uow: UnitOfWork, *, actor: Actor, org: Organisation, member_id: int) -> Member:
    require_member_area(uow.session, actor, org)
    return load_member(uow, org, member_id)


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
        stmt = stmt.where(
            or_(
                func.lower(Member.name).like(like, escape="\\"),
                func.lower(Member.skills).like(like, escape="\\"),
            )
        )
    return list(uow.session.execute(stmt.order_by(Member.name, Member.id)).scalars())


@dataclass(frozen=True)
class MemberCard:
    """One member as a list or a card shows them: their category, college, and whether the
    viewer may see their email address."""

    member: Member
    category: Category | None
    college: College | None
    show_email: bool


def _cards(
    uow: UnitOfWork, actor: Actor, org: Organisation, found: list[Member]
) -> list[MemberCard]:
    roles = roles_in(uow.session, actor, org.id)
    contact = bool(roles & CONTACT_ROLES)
    wanted_categories = {m.category_id for m in found if m.category_id is not None}
    wanted_colleges = {m.college_id for m in found if m.college_id is not None}
    categories = (
        {
            c.id: c
            for c in uow.session.execute(
                select(Category).where(Category.id.in_(wanted_categories))
            ).scalars()
        }
        if wanted_categories
        else {}
    )
    colleges = (
        {
            c.id: c
            for c in uow.session.execute(
                select(College).where(College.id.in_(wanted_colleges))
            ).scalars()
        }
        if wanted_colleges
        else {}
    )
    return [
        MemberCard(
            member=m,
            category=categories.get(m.category_id) if m.category_id is not None else None,
            college=colleges.get(m.college_id) if m.college_id is not None else None,
            show_email=contact or m.user_id == actor.user_id,
        )
        for m in found
    ]


def member_card(uow: UnitOfWork, *, actor: Actor, org: Organisation, member: Member) -> MemberCard:
    """The card of a member already loaded by a use case (after admitting or changing them)."""
    require_member_area(uow.session, actor, org)
    return _cards(uow, actor, org, [member])[0]


def member_card_by_id(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, member_id: int
) -> MemberCard:
    """One member's card (404 for a member of another organisation)."""
    return member_card(
        uow, actor=actor, org=org, member=get_member(uow, actor=actor, org=org, member_id=member_id)
    )


def member_cards(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    college: int | None = None,
    category: int | None = None,
    status: str | None = None,
    query: str | None = None,
    include_departed: bool = False,
) -> list[MemberCard]:
    """The cards of :func:`list_members`, with the same filters."""
    found = list_members(
        uow,
        actor=actor,
        org=org,
        college=college,
        category=category,
        status=status,
        query=query,
        include_departed=include_departed,
    )
    return _cards(uow, actor, org, found)


@dataclass(frozen=True)
class MemberDetail:
    """A member's page: the card, their roles, and what the admin's forms offer."""

    card: MemberCard
    is_self: bool
    roles: list[str]
    explicit_roles: list[str]
    invitation_pending: bool
    colleges: list[College]
    categories: list[Category]
    college_names: dict[int, str]
    category_names: dict[int, str]

    @property
    def member(self) -> Member:
        return self.card.member


def member_detail(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, member_id: int
) -> MemberDetail:
    member = get_member(uow, actor=actor, org=org, member_id=member_id)
    colleges = [v.college for v in list_colleges(uow, actor=actor, org=org)]
    categories = list_categories(uow, actor=actor, org=org)
    return MemberDetail(
        card=_cards(uow, actor, org, [member])[0],
        is_self=member.user_id == actor.user_id,
        roles=sorted(member_roles(member) - {"member", "participant"}),
        explicit_roles=[r.role for r in member.roles],
        invitation_pending=member.user.password_hash is None,
        colleges=colleges,
        categories=categories,
        college_names={c.id: c.name for c in colleges},
        category_names={c.id: c.name for c in categories},
    )


def first_admin_user_id(uow: UnitOfWork, org: Organisation) -> int | None:
    """The account of the organisation's first current admin (the command line acts as them)."""
    return uow.session.execute(
        select(Member.user_id)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(Member.org_id == org.id, MemberRole.role == "admin", Member.departed_on.is_(None))
        .order_by(Member.id)
        .limit(1)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class MemberDirectory:
    """The members page: the members found and the colleges and categories to filter by."""

    members: list[Member]
    colleges: list[College]
    categories: list[Category]
    college_names: dict[int, str]
    category_names: dict[int, str]


def member_directory(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    college: int | None = None,
    category: int | None = None,
    status: str | None = None,
    query: str | None = None,
) -> MemberDirectory:
    """Current members with the filters of :func:`list_members`, and what the filters offer."""
    found = list_members(
        uow,
        actor=actor,
        org=org,
        college=college,
        category=category,
        status=status,
        query=query,
    )
    colleges = [v.college for v in list_colleges(uow, actor=actor, org=org)]
    categories = list_categories(uow, actor=actor, org=org)
    return MemberDirectory(
        members=found,
        colleges=colleges,
        categories=categories,
        college_names={c.id: c.name for c in colleges},
        category_names={c.id: c.name for c in categories},
    )
