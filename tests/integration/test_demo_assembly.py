"""The demo's general assembly on SQLite and PostgreSQL: open today, quorate, with proxies and
ballots already cast, and the demo logins still free to vote."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from governance.services import assemblies as ga
from governance.services import audit, demo
from governance.services.authz import SYSTEM, Actor, get_org
from governance.services.demo import DEMO_SLUG, demo_logins, seed_demo
from governance.store.tables import Assembly, AuditEvent, Ballot, Emargement, Member, Resolution
from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from web.links import WebLinks

Uow = Callable[[], UnitOfWork]
BASE_URL = "http://testserver"
LINKS = WebLinks(BASE_URL)
VOTERS = ("Nadia Benali", "Julie Mercier", "Marc Dubois")
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def seeded(uow: Uow) -> Uow:
    report = seed_demo(uow, LINKS)
    assert report.created and report.assembly_path == f"/orgs/{DEMO_SLUG}/assemblies/1"
    return uow


def the_assembly(u: UnitOfWork) -> Assembly:
    return u.session.execute(select(Assembly)).scalar_one()


def member(u: UnitOfWork, name: str) -> Member:
    return u.session.execute(select(Member).where(Member.name == name)).scalar_one()


def event_count(uow: Uow) -> int:
    with uow() as u:
        return int(u.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def test_the_demo_assembly_is_an_ago_convened_by_email_and_open_today_at_two(
    seeded: Uow, clock: Clock, outbox: Outbox
) -> None:
    with seeded() as u:
        assembly = the_assembly(u)
        agenda = ga.list_resolutions(u, assembly)
        assert (assembly.kind, assembly.convocation, assembly.status) == ("AGO", 1, "open")
        assert assembly.convocation_mode == "email" and assembly.convocation_recipients == 35
        local = assembly.scheduled_at.astimezone(PARIS)
        assert local.date() == clock.now.astimezone(PARIS).date()
        assert (local.hour, local.minute) == (14, 0)
        assert [r.title for r in agenda] == [
            "Approbation des comptes 2025",
            "Affectation du résultat au fonds de dotation des projets",
            "Élection au conseil coopératif",
        ]
        assert all(r.status == "open" and r.deadline is None for r in agenda)
        assert all(r.board_proposed for r in agenda)
        assert [r.secret for r in agenda] == [False, False, True]
        assert agenda[0].majority == "simple"
    assert outbox.messages == []  # fictitious addresses: the convocation is recorded, not sent


def test_the_demo_assembly_is_quorate_with_one_named_and_one_blank_proxy(seeded: Uow) -> None:
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        assembly = the_assembly(u)
        quorum = ga.quorum(u, actor=SYSTEM, org=org, assembly_id=assembly.id)
        lines = ga.attendance_of(u, assembly)
        names = ga.member_names(
            u,
            [line.member_id for line in lines]
            + [line.holder_id for line in lines if line.holder_id is not None],
        )
        proxies = [
            (names[line.member_id], names.get(line.holder_id or 0))
            for line in lines
            if line.mode == "proxy"
        ]
        recorded = assembly.quorum_record or {}
    assert recorded["reached"] is True and quorum.reached and quorum.eligible == 35
    assert quorum.present >= 20 and quorum.represented == 2
    assert sorted(proxies, key=str) == [("Hugo Lambert", None), ("Paul Girard", "Julie Mercier")]
    logins = {login.name for login in demo_logins()}
    assert not logins & {principal for principal, _holder in proxies}
    present = {names[line.member_id] for line in lines if line.mode == "present"}
    assert set(VOTERS) <= present


def test_ballots_are_already_cast_by_members_without_a_demo_login(seeded: Uow) -> None:
    logins = {login.name for login in demo_logins()}
    with seeded() as u:
        public = (
            u.session.execute(select(Member.name).join(Ballot, Ballot.member_id == Member.id))
            .scalars()
            .all()
        )
        secret = (
            u.session.execute(
                select(Member.name).join(Emargement, Emargement.member_id == Member.id)
            )
            .scalars()
            .all()
        )
    assert len(public) >= 10 and len(secret) >= 3
    assert not logins & (set(public) | set(secret))


def test_the_demo_login_members_can_vote_and_julie_also_for_paul(seeded: Uow) -> None:
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        agenda = ga.list_resolutions(u, the_assembly(u))
        voters = {name: member(u, name) for name in (*VOTERS, "Paul Girard")}
        for name in VOTERS:
            for resolution in agenda:
                panel = ga.voting_panel(
                    u,
                    actor=Actor(user_id=voters[name].user_id),
                    org=org,
                    resolution_id=resolution.id,
                )
                assert panel.status == "open" and panel.reason is None
                own = panel.slots[0]
                assert own.principal.name == name and own.can_change and not own.voted
                expected = ["Paul Girard"] if name == "Julie Mercier" else []
                assert [s.principal.name for s in panel.slots[1:]] == expected
                assert all(s.can_change and s.on_behalf for s in panel.slots[1:])
    julie = Actor(user_id=voters["Julie Mercier"].user_id)
    accounts_id, _allocation, election_id = (r.id for r in agenda)
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        ga.cast_ballot(u, actor=julie, org=org, resolution_id=accounts_id, choice="for")
        for_paul = ga.cast_ballot(
            u,
            actor=julie,
            org=org,
            resolution_id=accounts_id,
            choice="against",
            on_behalf_of=voters["Paul Girard"].id,
        )
        receipt = ga.cast_ballot(u, actor=julie, org=org, resolution_id=election_id, choice="for")
        u.commit()
    assert for_paul.member_id == voters["Paul Girard"].id
    assert receipt.code and receipt.ballot_hash
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        ga.close_assembly(u, actor=SYSTEM, org=org, assembly_id=the_assembly(u).id)
        u.commit()
    with seeded() as u:
        org = get_org(u.session, DEMO_SLUG)
        results = {
            r.title: r.adopted
            for r in u.session.execute(select(Resolution).order_by(Resolution.position)).scalars()
        }
        hashes = ga.ballot_hashes(u, u.session.get(Resolution, election_id))
        report = audit.verify_org(u, actor=SYSTEM, org=org)
    assert results == {
        "Approbation des comptes 2025": True,
        "Affectation du résultat au fonds de dotation des projets": True,
        "Élection au conseil coopératif": True,
    }
    assert receipt.ballot_hash in hashes
    assert report.ok, [f.message.render() for f in report.findings]


def test_a_demo_seeded_before_it_had_an_assembly_gets_one_and_only_once(
    uow: Uow, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(demo, "_seed_assembly", lambda *args: SimpleNamespace(id=None))
        assert seed_demo(uow, LINKS).assembly_path is None
    before = event_count(uow)
    upgraded = seed_demo(uow, LINKS)
    assert not upgraded.created and upgraded.assembly_path is not None
    added = event_count(uow)
    assert added > before
    again = seed_demo(uow, LINKS)
    assert again.assembly_path == upgraded.assembly_path and event_count(uow) == added
