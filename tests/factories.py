"""Builders for domain objects, going through the real services (the only writers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from governance.services import accounts, members, orgs
from governance.services.authz import SYSTEM, Actor
from governance.store.tables import Category, College, Member, Organisation, User
from governance.store.uow import UnitOfWork
from web.links import WebLinks

PASSWORD = "mot-de-passe-solide"
BASE_URL = "http://testserver"
LINKS = WebLinks(BASE_URL)  # the addresses emails point to, as the web application gives them

SCIC_COLLEGES: Sequence[tuple[str, str]] = (
    ("Fondateurs", "40"),
    ("Partenaires", "25"),
    ("Bénéficiaires", "25"),
    ("Salariés", "10"),
)
SCIC_CATEGORIES: Sequence[tuple[str, str]] = (
    ("Fondateurs", "other"),
    ("Bénéficiaires", "beneficiaries"),
    ("Salariés", "employees"),
    ("Collectivités", "public_body"),
)


def make_user(
    uow: Callable[[], UnitOfWork],
    email: str,
    name: str | None = None,
    *,
    password: str | None = PASSWORD,
    superuser: bool = False,
) -> User:
    with uow() as u:
        user = accounts.create_user(
            u,
            actor=SYSTEM,
            email=email,
            name=name or email.split("@")[0].title(),
            password=password,
            superuser=superuser,
        )
        u.commit()
    return user


def actor_of(user: User) -> Actor:
    return accounts.actor_for_user(user)


@dataclass
class OrgFixture:
    org: Organisation
    admin: User
    colleges: dict[str, College] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)

    @property
    def admin_actor(self) -> Actor:
        return actor_of(self.admin)


def make_org(
    uow: Callable[[], UnitOfWork],
    *,
    slug: str = "coop",
    name: str = "Coop du Terreau",
    legal_form: str = "SCIC_SAS",
    colleges: Sequence[tuple[str, str]] = SCIC_COLLEGES,
    categories: Sequence[tuple[str, str]] = SCIC_CATEGORIES,
    admin_email: str | None = None,
) -> OrgFixture:
    """An organisation with colleges and categories, administered by a fresh superuser."""
    admin = make_user(uow, admin_email or f"admin@{slug}.example", "Admin", superuser=True)
    with uow() as u:
        org = orgs.create_org(u, actor=actor_of(admin), slug=slug, name=name, legal_form=legal_form)
        fixture = OrgFixture(org=org, admin=admin)
        for cat_name, kind in categories:
            fixture.categories[cat_name] = orgs.add_category(
                u, actor=actor_of(admin), org=org, name=cat_name, kind=kind
            )
        for col_name, weight in colleges:
            fixture.colleges[col_name] = orgs.add_college(
                u, actor=actor_of(admin), org=org, name=col_name, weight=weight
            )
        u.commit()
    return fixture


def add_member(
    uow: Callable[[], UnitOfWork],
    fx: OrgFixture,
    name: str,
    *,
    email: str | None = None,
    category: str | None = "Bénéficiaires",
    college: str | None = "Bénéficiaires",
    associate: bool = True,
    roles: Sequence[str] = (),
    password: str | None = PASSWORD,
    shares: int | None = None,
) -> Member:
    """Admit a member; with ``password`` their account is ready to log in (no invitation)."""
    email = email or f"{name.lower().replace(' ', '.')}@{fx.org.slug}.example"
    if password is not None:
        make_user(uow, email, name, password=password)
    with uow() as u:
        member = members.add_member(
            u,
            actor=fx.admin_actor,
            org=u.session.merge(fx.org),
            data=members.MemberInput(
                name=name,
                email=email,
                associate=associate,
                category=fx.categories[category].id if category and associate else None,
                college=fx.colleges[college].id if college and associate and fx.colleges else None,
                shares=shares,
                roles=tuple(roles),
            ),
            links=LINKS,
        )
        _ = member.user  # loaded now, so tests can read it once the session is closed
        u.commit()
    return member


def set_statutes(uow: Callable[[], UnitOfWork], fx: OrgFixture, **patch: object) -> None:
    """Edit the statutes in force (setup mode) as the organisation's admin."""
    with uow() as u:
        orgs.update_current_statutes(
            u, actor=fx.admin_actor, org=u.session.merge(fx.org), patch=patch
        )
        u.commit()


def make_assembly_org(
    uow: Callable[[], UnitOfWork],
    *,
    per_college: dict[str, int] | None = None,
    slug: str = "coop",
    legal_form: str = "SCIC_SAS",
    **statutes: object,
) -> tuple[OrgFixture, dict[str, list[Member]]]:
    """A SCIC with four colleges and associates in each (a SAS gets a quorum in its statutes)."""
    fx = make_org(uow, slug=slug, legal_form=legal_form)
    patch: dict[str, object] = {}
    if legal_form in ("SCIC_SAS", "ASSOCIATION", "OTHER"):  # no legal default: the statutes fix it
        patch["quorum"] = {
            "AGO": {"1": "1/5", "2": "0"},
            "AGE": {"1": "1/4", "2": "1/5"},
            "AGO_EXTRA": {"1": "1/4", "2": "1/5"},
        }
    patch.update(statutes)
    set_statutes(uow, fx, **patch)
    people: dict[str, list[Member]] = {}
    short = {
        "Fondateurs": "Fond",
        "Partenaires": "Part",
        "Bénéficiaires": "Bene",
        "Salariés": "Sala",
    }
    category_of = {
        "Fondateurs": "Fondateurs",
        "Partenaires": "Fondateurs",
        "Bénéficiaires": "Bénéficiaires",
        "Salariés": "Salariés",
    }
    for college, n in (
        per_college or {"Fondateurs": 2, "Partenaires": 2, "Bénéficiaires": 3, "Salariés": 2}
    ).items():
        people[college] = [
            add_member(
                uow, fx, f"{short[college]} {i}", category=category_of[college], college=college
            )
            for i in range(1, n + 1)
        ]
    return fx, people
