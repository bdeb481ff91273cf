"""The demo SCIC "Terreau Commun": colleges, members, roles, statutes, circles and an open general
assembly, via the services. Idempotent: what exists already is left as it is (no audit event added).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from governance.services import accounts, circles, members, orgs
from governance.services import assemblies as ga
from governance.services.authz import SYSTEM, Actor
from governance.services.links import Links
from governance.store.tables import Assembly, Member, Organisation
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


# The open general assembly: today at 14:00 (organisation time), whenever the demo is seeded.
ASSEMBLY_TITLE = "Assemblée générale ordinaire 2026"
ASSEMBLY_PLACE = "Salle polyvalente de Saint-Aubin-du-Terreau"
ASSEMBLY_HOUR = 14


@dataclass(frozen=True)
class DemoResolution:
    title: str
    text: str
    kind: str = "ordinary"
    secret: bool = False
    # Ballots already cast, by members without a demo login (those vote themselves in the demo).
    ballots: tuple[tuple[str, str], ...] = ()


RESOLUTIONS: tuple[DemoResolution, ...] = (
    DemoResolution(
        "Approbation des comptes 2025",
        "L'assemblée générale, après avoir entendu le rapport de gestion du conseil coopératif et "
        "le rapport du réviseur coopératif, approuve les comptes de l'exercice clos le 31 "
        "décembre 2025 tels qu'ils lui ont été présentés, faisant apparaître un excédent de "
        "18 240 €.",
        ballots=(
            ("Bernard Lemaire", "for"),
            ("Sylvie Garnier", "for"),
            ("Ahmed Haddad", "for"),
            ("Inès Moreau", "for"),
            ("Les Jardins Partagés du Val", "for"),
            ("Yanis Belkacem", "for"),
            ("Chloé Fabre", "for"),
            ("Mathieu Perrin", "abstain"),
            ("Sarah Cohen", "for"),
            ("Élodie Renard", "for"),
            ("Ferme des Quatre Vents", "for"),
            ("Commune de Saint-Aubin-du-Terreau", "for"),
            ("Sofia Almeida", "for"),
            ("Nicolas Morel", "against"),
        ),
    ),
    DemoResolution(
        "Affectation du résultat au fonds de dotation des projets",
        "L'assemblée générale décide d'affecter l'excédent de l'exercice 2025, soit 18 240 € : "
        "15 % (2 736 €) à la réserve légale, 50 % (9 120 €) à la réserve statutaire "
        "impartageable et 35 % (6 384 €) au fonds de dotation des projets portés par les "
        "pionniers.",
        ballots=(
            ("Bernard Lemaire", "for"),
            ("Sylvie Garnier", "against"),
            ("Inès Moreau", "for"),
            ("Yanis Belkacem", "for"),
            ("Emma Chevalier", "for"),
            ("Manon Robin", "against"),
            ("Théo Gauthier", "for"),
            ("Élodie Renard", "abstain"),
            ("Nicolas Morel", "for"),
            ("Amandine Picard", "for"),
        ),
    ),
    DemoResolution(
        "Élection au conseil coopératif",
        "L'assemblée générale élit Inès Moreau au conseil coopératif pour une durée de trois "
        "ans. Vote à bulletin secret : chaque votant reçoit un reçu qu'il retrouvera dans la "
        "liste publique des bulletins à la clôture.",
        kind="election",
        secret=True,
        ballots=(
            ("Ahmed Haddad", "for"),
            ("Chloé Fabre", "for"),
            ("Zoé Marchand", "for"),
            ("Sofia Almeida", "for"),
            ("Bernard Lemaire", "against"),
        ),
    ),
)
# Not at the meeting; the proxies' principals are not there either.
ABSENT = (
    "Foncière Solidaire du Val",
    "Boulangerie du Lavoir",
    "Communauté de communes du Val Commun",
    "Louise Aubert",
    "Karim Mansouri",
    "Lucas Bonnet",
    "Rachid Ziani",
)
# (principal, holder): Julie Mercier, a demo login, votes for Paul Girard too (in his college).
NAMED_PROXIES = (("Paul Girard", "Julie Mercier"),)
BLANK_PROXIES = ("Hugo Lambert",)  # votes with the board, counted at the close


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
    assembly_id: int | None = None

    @property
    def assembly_path(self) -> str | None:
        """Where the open general assembly is, in the browser (prefix /api/v1 for the API)."""
        if self.assembly_id is None:
            return None
        return f"/orgs/{self.slug}/assemblies/{self.assembly_id}"


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


def _demo_assembly(uow: UnitOfWork, org: Organisation) -> Assembly | None:
    return uow.session.execute(
        select(Assembly).where(Assembly.org_id == org.id, Assembly.title == ASSEMBLY_TITLE)
    ).scalar_one_or_none()


def demo_assembly_time(now: datetime, timezone: str) -> datetime:
    """Today at 14:00 in the organisation's time zone: the demo's assembly is always today."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=ASSEMBLY_HOUR, minute=0, second=0, microsecond=0)


def _seed_assembly(uow: UnitOfWork, org: Organisation) -> Assembly:
    """Convene and open the AGO, record the attendance and proxies, open the votes, and cast a
    few ballots by members without a demo login (the demo logins vote themselves)."""
    people = {
        m.name: m
        for m in uow.session.execute(select(Member).where(Member.org_id == org.id)).scalars()
    }

    def actor(name: str) -> Actor:
        return Actor(user_id=people[name].user_id)

    secretary = actor(next(p.name for p in PEOPLE if "secretary" in p.roles))
    assembly = ga.create_assembly(
        uow,
        actor=secretary,
        org=org,
        title=ASSEMBLY_TITLE,
        kind="AGO",
        convocation=1,
        scheduled_at=demo_assembly_time(uow.now(), org.timezone),
        place=ASSEMBLY_PLACE,
        remote=True,
    )
    resolutions = [
        ga.add_resolution(
            uow,
            actor=secretary,
            org=org,
            assembly_id=assembly.id,
            title=r.title,
            text=r.text,
            kind=r.kind,
            secret=r.secret,
            board_proposed=True,
        )
        for r in RESOLUTIONS
    ]
    ga.convene(uow, actor=secretary, org=org, assembly_id=assembly.id, mode="email")
    # The demo's addresses are fictitious: the convocation is recorded, not sent.
    uow.outbox.clear()
    away = set(ABSENT) | {p for p, _h in NAMED_PROXIES} | set(BLANK_PROXIES)
    for member in ga.associates(uow, org):
        if member.name not in away:
            ga.record_attendance(
                uow,
                actor=secretary,
                org=org,
                assembly_id=assembly.id,
                member_id=member.id,
                mode="present",
            )
    for principal, holder in NAMED_PROXIES:
        ga.record_attendance(
            uow,
            actor=secretary,
            org=org,
            assembly_id=assembly.id,
            member_id=people[principal].id,
            mode="proxy",
            holder_id=people[holder].id,
        )
    for principal in BLANK_PROXIES:
        ga.record_attendance(
            uow,
            actor=secretary,
            org=org,
            assembly_id=assembly.id,
            member_id=people[principal].id,
            mode="proxy",
        )
    ga.open_assembly(uow, actor=secretary, org=org, assembly_id=assembly.id)
    for resolution, spec in zip(resolutions, RESOLUTIONS, strict=True):
        ga.open_resolution(uow, actor=secretary, org=org, resolution_id=resolution.id)
        for name, choice in spec.ballots:
            ga.cast_ballot(
                uow, actor=actor(name), org=org, resolution_id=resolution.id, choice=choice
            )
    return assembly


def seed_demo(
    uow_factory: Callable[[], UnitOfWork],
    links: Links,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Create the demo SCIC in one transaction, unless it exists; report its logins and the
    open assembly (added on its own to a demo seeded before there was one).

    ``progress(done, total)`` is called after each step, for a progress bar.
    """
    total = len(PEOPLE) + 4
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    login_url = links.login()
    with uow_factory() as uow:
        existing = uow.session.execute(
            select(Organisation).where(Organisation.slug == DEMO_SLUG)
        ).scalar_one_or_none()
        if existing is not None:
            assembly = _demo_assembly(uow, existing)
            if assembly is None:  # a demo seeded before it had an assembly
                assembly = _seed_assembly(uow, existing)
                uow.commit()
            if progress is not None:
                progress(total, total)
            return DemoReport(
                False,
                existing.slug,
                existing.name,
                _member_count(uow, existing),
                demo_logins(),
                login_url,
                assembly.id,
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
                links=links,
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
        assembly = _seed_assembly(uow, org)
        step()
        report = DemoReport(
            True, org.slug, org.name, len(people), demo_logins(), login_url, assembly.id
        )
        uow.commit()
    return report
