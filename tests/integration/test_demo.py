"""The demo SCIC on SQLite and PostgreSQL: seeded once, compliant, with working logins."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from governance.services import accounts, audit, members, orgs
from governance.services.authz import SYSTEM, get_org
from governance.services.demo import DEMO_PASSWORD, DEMO_SLUG, demo_logins, seed_demo
from governance.store.tables import AuditEvent, Circle, CircleMember, Member
from governance.store.uow import UnitOfWork
from web.links import WebLinks

Uow = Callable[[], UnitOfWork]
BASE_URL = "http://testserver"
LINKS = WebLinks(BASE_URL)


def event_count(uow: Uow) -> int:
    with uow() as u:
        return int(u.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


@pytest.fixture
def seeded(uow: Uow) -> Uow:
    report = seed_demo(uow, LINKS)
    assert report.created and report.slug == DEMO_SLUG
    return uow


def test_seeding_twice_changes_nothing_the_second_time(seeded: Uow, outbox: object) -> None:
    before = event_count(seeded)
    steps: list[tuple[int, int]] = []
    again = seed_demo(seeded, LINKS, progress=lambda done, total: steps.append((done, total)))
    assert not again.created and again.members == 40
    assert event_count(seeded) == before
    assert steps and steps[-1][0] == steps[-1][1]
    assert outbox.messages == []  # type: ignore[attr-defined]  # no invitation for a demo


def test_the_demo_has_six_colleges_weighing_one_hundred_within_the_scic_bounds(
    seeded: Uow,
) -> None:
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        colleges = orgs.list_colleges(u, actor=SYSTEM, org=org)
    assert [v.college.name for v in colleges] == [
        "Fondateurs", "Partenaires historiques", "Bénéficiaires / pionniers", "Fournisseurs",
        "Collectivités", "Salariés",
    ]
    assert sum((v.weight for v in colleges), Fraction(0)) == 100
    assert all(10 <= v.weight <= 50 and v.members > 0 for v in colleges)


def test_the_demo_has_about_forty_members_with_pioneers_and_every_role(seeded: Uow) -> None:
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        everyone = members.list_members(u, actor=SYSTEM, org=org)
        roles = {r.role for m in everyone for r in m.roles}
        participants = [m for m in everyone if m.status == "participant"]
        legal = [m for m in everyone if m.legal_person]
    assert 35 <= len(everyone) <= 45
    assert roles >= {"admin", "secretary", "facilitator", "jardinier", "auditor"}
    assert len(participants) >= 3 and all(m.shares == 0 for m in participants)
    assert legal and all(m.representative_name for m in legal)


def test_the_demo_is_compliant_and_its_statutes_set_the_quorum(seeded: Uow) -> None:
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        findings = orgs.compliance(u, actor=SYSTEM, org=org)
        statutes = orgs.view_statutes(u, actor=SYSTEM, org=org).statutes
    assert [f for f in findings if f.severity == "error"] == []
    assert statutes.quorum["AGO"] == {"1": "1/5", "2": "0"}
    assert statutes.quorum["AGE"] == {"1": "1/4", "2": "1/5"}
    assert statutes.max_proxies_per_holder == 2


def test_the_demo_has_a_circle_tree_with_the_jardinier_leading_lanceurs_d_avenir(
    seeded: Uow,
) -> None:
    with seeded() as u:
        by_name = {c.name: c for c in u.session.execute(select(Circle)).scalars()}
        general, launchers = by_name["Cercle général"], by_name["Lanceurs d'avenir"]
        leader = u.session.execute(
            select(Member)
            .join(CircleMember, CircleMember.member_id == Member.id)
            .where(CircleMember.circle_id == launchers.id, CircleMember.link == "leader")
        ).scalar_one()
        assert general.parent_id is None and launchers.parent_id == general.id
        assert {r.role for r in leader.roles} == {"jardinier"}


def test_every_demo_login_works_with_the_known_password(seeded: Uow) -> None:
    logins = demo_logins()
    assert len(logins) >= 6
    for login in logins:
        with seeded() as u:
            result = accounts.authenticate(
                u, email=login.email, password=DEMO_PASSWORD, address="demo"
            )
            assert result.user.email == login.email


def test_the_demo_audit_log_verifies(seeded: Uow) -> None:
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        report = audit.verify_org(u, actor=SYSTEM, org=org)
    assert report.ok and report.events > 40
