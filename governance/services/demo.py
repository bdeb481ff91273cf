"""The demo SCIC "Terreau Commun": colleges, members, roles, statutes and circles, via the services.

Idempotent: when the organisation already exists nothing is written (and no audit event added).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from governance.services import accounts, circles, members, orgs
from governance.services.authz import SYSTEM, Actor
from governance.store.tables import Member, Organisation
from governance.store.uow import UnitOfWork

DEMO_SLUG = "terreau-commun"
DEMO_NAME = "Terreau Commun"
DEMO_PASSWORD = "demo-terreau-2026"
DEMO_DOMAIN = "terreau-commun.example"
DEMO_DESCRIPTION = (
    "SCIC SAS au service d'une communauté citoyenne : ses pionniers, ses partenaires, ses "
    "fournisseurs, les collectivités et les salariés cultivent ensemble un terreau commun "
    "où germent les projets du territoire."
)

# (key, college name, weight in %, category name, category kind)
COLLEGES: tuple[tuple[str, str, str, str, str], ...] = (
    ("fondateurs", "Fondateurs", "20", "Fondateurs", "other"),
    ("partenaires", "Partenaires historiques", "15", "Partenaires", "other"),
    ("beneficiaires", "Bénéficiaires / pionniers", "25", "Bénéficiaires", "beneficiaries"),
    ("fournisseurs", "Fournisseurs", "10", "Fournisseurs", "producers"),
    ("collectivites", "Collectivités", "10", "Collectivités publiques", "public_body"),
    ("salaries", "Salariés", "20", "Salariés", "employees"),
)

# The SAS statutes fix the quorum themselves (no legal default for a SAS).
STATUTES_POLICIES = {
    "quorum": {
        "AGO": {"1": "1/5", "2": "0"},
        "AGE": {"1": "1/4", "2": "1/5"},
        "AGO_EXTRA": {"1": "1/4", "2": "1/5"},
    },
    "max_proxies_per_holder": 2,
    "proxy_holder_must_be_member": True,
    "allow_remote": True,
}

SHARES = {
    "fondateurs": 10,
    "partenaires": 5,
    "beneficiaires": 1,
    "fournisseurs": 3,
    "collectivites": 10,
    "salaries": 2,
}


@dataclass(frozen=True)
class DemoPerson:
    """One member of the demo: college key (None for a participant), roles, login label."""

    name: str
    college: str | None
    roles: tuple[str, ...] = ()
    login: str | None = None  # what the person shows in the demo, if they have a login
    representative: str | None = None  # legal persons vote through a named representative


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("Camille Martin", "fondateurs", ("admin",), "administratrice"),
    DemoPerson("Hélène Rousseau", "fondateurs", ("secretary",), "secrétaire"),
    DemoPerson("Bernard Lemaire", "fondateurs"),
    DemoPerson("Sylvie Garnier", "fondateurs"),
    DemoPerson("Ahmed Haddad", "fondateurs"),
    DemoPerson("Nadia Benali", "partenaires", (), "associée, partenaires historiques"),
    DemoPerson("Inès Moreau", "partenaires"),
    DemoPerson("Paul Girard", "partenaires"),
    DemoPerson("Les Jardins Partagés du Val", "partenaires", representative="Martine Caron"),
    DemoPerson("Foncière Solidaire du Val", "partenaires", representative="Olivier Brun"),
    DemoPerson("Léa Fontaine", "beneficiaires", ("facilitator",), "facilitatrice des cercles"),
    DemoPerson("Julie Mercier", "beneficiaires", (), "associée, bénéficiaires / pionniers"),
    DemoPerson("Yanis Belkacem", "beneficiaires"),
    DemoPerson("Chloé Fabre", "beneficiaires"),
    DemoPerson("Mathieu Perrin", "beneficiaires"),
    DemoPerson("Sarah Cohen", "beneficiaires"),
    DemoPerson("Lucas Bonnet", "beneficiaires"),
    DemoPerson("Emma Chevalier", "beneficiaires"),
    DemoPerson("Hugo Lambert", "beneficiaires"),
    DemoPerson("Manon Robin", "beneficiaires"),
    DemoPerson("Théo Gauthier", "beneficiaires"),
    DemoPerson("Zoé Marchand", "beneficiaires"),
    DemoPerson("Karim Mansouri", "beneficiaires"),
    DemoPerson("Louise Aubert", "beneficiaires"),
    DemoPerson("Marc Dubois", "fournisseurs", (), "associé, fournisseurs (maraîcher)"),
    DemoPerson("Élodie Renard", "fournisseurs"),
    DemoPerson("Ferme des Quatre Vents", "fournisseurs", representative="Pierre Vidal"),
    DemoPerson("Boulangerie du Lavoir", "fournisseurs", representative="Antoine Leroy"),
    DemoPerson(
        "Commune de Saint-Aubin-du-Terreau", "collectivites", representative="Françoise Delmas"
    ),
    DemoPerson(
        "Communauté de communes du Val Commun",
        "collectivites",
        representative="Jean-Michel Arnaud",
    ),
    DemoPerson("Thomas Lefèvre", "salaries", ("jardinier",), "jardinier (coordinateur)"),
    DemoPerson("Sofia Almeida", "salaries"),
    DemoPerson("Nicolas Morel", "salaries"),
    DemoPerson("Amandine Picard", "salaries"),
    DemoPerson("Rachid Ziani", "salaries"),
    DemoPerson("Jeanne Collin", None),
    DemoPerson("Maxime Royer", None),
    DemoPerson("Aïcha Traoré", None),
    DemoPerson("Baptiste Lucas", None),
    DemoPerson("Gérard Pons", None, ("auditor",), "réviseur coopératif (auditeur)"),
)

GENERAL_CIRCLE = (
    "Cercle général",
    "Veiller à la raison d'être de Terreau Commun et relier ses cercles.",
)
LAUNCHERS_CIRCLE = (
    "Lanceurs d'avenir",
    "Faire germer les projets des pionniers et les accompagner jusqu'à leur financement.",
)
# (circle, person, link, circle roles)
CIRCLE_LINKS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (GENERAL_CIRCLE[0], "Camille Martin", "leader", ()),
    (GENERAL_CIRCLE[0], "Hélène Rousseau", "member", ("secretary",)),
    (GENERAL_CIRCLE[0], "Léa Fontaine", "member", ("facilitator",)),
    (GENERAL_CIRCLE[0], "Nadia Benali", "member", ()),
    (GENERAL_CIRCLE[0], "Thomas Lefèvre", "delegate", ()),
    (LAUNCHERS_CIRCLE[0], "Thomas Lefèvre", "leader", ()),
    (LAUNCHERS_CIRCLE[0], "Léa Fontaine", "member", ("facilitator",)),
    (LAUNCHERS_CIRCLE[0], "Julie Mercier", "member", ()),
    (LAUNCHERS_CIRCLE[0], "Yanis Belkacem", "member", ()),
    (LAUNCHERS_CIRCLE[0], "Chloé Fabre", "member", ("secretary",)),
    (LAUNCHERS_CIRCLE[0], "Marc Dubois", "member", ()),
    (LAUNCHERS_CIRCLE[0], "Jeanne Collin", "member", ()),
    (LAUNCHERS_CIRCLE[0], "Maxime Royer", "member", ()),
)


@dataclass(frozen=True)
class DemoLogin:
    name: str
    email: str
    password: str
    role: str


@dataclass(frozen=True)
class DemoReport:
    """What the seed did (``created`` is False when the demo was already there)."""

    created: bool
    slug: str
    name: str
    members: int
    logins: tuple[DemoLogin, ...]
    login_url: str


def demo_email(name: str) -> str:
    """``Hélène Rousseau`` → ``helene.rousseau@terreau-commun.example``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = re.sub(r"[^a-z0-9]+", ".", ascii_name.lower()).strip(".")
    return f"{local}@{DEMO_DOMAIN}"


def demo_logins() -> tuple[DemoLogin, ...]:
    """The demo accounts that can log in, all with the same known password."""
    return tuple(
        DemoLogin(p.name, demo_email(p.name), DEMO_PASSWORD, p.login)
        for p in PEOPLE
        if p.login is not None
    )


def _admitted_on(index: int, college: str) -> date:
    # Founders on the day of the constitution; the others spread over the following years.
    if college == "fondateurs":
        return date(2019, 3, 21)
    return date(2019 + index % 6, 1 + (index * 5) % 12, 1 + (index * 7) % 28)


def _member_count(uow: UnitOfWork, org: Organisation) -> int:
    return int(
        uow.session.execute(
            select(func.count()).select_from(Member).where(Member.org_id == org.id)
        ).scalar_one()
    )


def seed_demo(
    uow_factory: Callable[[], UnitOfWork],
    base_url: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Create the demo SCIC in one transaction, unless it exists; report its logins.

    ``progress(done, total)`` is called after each step, for a progress bar.
    """
    total = len(PEOPLE) + 3
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    login_url = f"{base_url.rstrip('/')}/login"
    with uow_factory() as uow:
        existing = uow.session.execute(
            select(Organisation).where(Organisation.slug == DEMO_SLUG)
        ).scalar_one_or_none()
        if existing is not None:
            if progress is not None:
                progress(total, total)
            return DemoReport(
                False,
                existing.slug,
                existing.name,
                _member_count(uow, existing),
                demo_logins(),
                login_url,
            )
        for login in demo_logins():
            accounts.create_user(
                uow, actor=SYSTEM, email=login.email, name=login.name, password=login.password
            )
        org = orgs.create_org(
            uow,
            actor=SYSTEM,
            slug=DEMO_SLUG,
            name=DEMO_NAME,
            legal_form="SCIC_SAS",
            description=DEMO_DESCRIPTION,
        )
        colleges = {}
        for key, college_name, weight, category_name, kind in COLLEGES:
            orgs.add_category(uow, actor=SYSTEM, org=org, name=category_name, kind=kind)
            colleges[key] = (
                orgs.add_college(uow, actor=SYSTEM, org=org, name=college_name, weight=weight),
                category_name,
            )
        step()
        admin: Actor = SYSTEM  # until the admin is a member; then the admin acts
        people: dict[str, Member] = {}
        for index, person in enumerate(PEOPLE):
            college, category = colleges[person.college] if person.college else (None, None)
            member = members.add_member(
                uow,
                actor=admin,
                org=org,
                data=members.MemberInput(
                    name=person.name,
                    email=demo_email(person.name),
                    associate=college is not None,
                    category=category,
                    college=college.id if college is not None else None,
                    shares=SHARES[person.college] if person.college else 0,
                    legal_person=person.representative is not None,
                    representative_name=person.representative,
                    admitted_on=_admitted_on(index, person.college) if person.college else None,
                    roles=person.roles,
                ),
                base_url=base_url,
                invite=False,
            )
            people[person.name] = member
            if "admin" in person.roles and admin is SYSTEM:
                admin = Actor(user_id=member.user_id)
            step()
        orgs.update_current_statutes(uow, actor=admin, org=org, patch=STATUTES_POLICIES)
        step()
        general = circles.create_circle(
            uow, actor=admin, org=org, name=GENERAL_CIRCLE[0], aim=GENERAL_CIRCLE[1]
        )
        launchers = circles.create_circle(
            uow,
            actor=admin,
            org=org,
            name=LAUNCHERS_CIRCLE[0],
            aim=LAUNCHERS_CIRCLE[1],
            parent=general,
        )
        by_name = {general.name: general, launchers.name: launchers}
        for circle_name, person_name, link, roles in CIRCLE_LINKS:
            circles.add_circle_member(
                uow,
                actor=admin,
                org=org,
                circle=by_name[circle_name],
                member=people[person_name],
                link=link,
                roles=roles,
            )
        step()
        report = DemoReport(True, org.slug, org.name, len(people), demo_logins(), login_url)
        uow.commit()
    return report
