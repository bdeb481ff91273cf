"""General assemblies on SQLite and PostgreSQL: convocation, quorum, proxies, ballots, closing."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import inspect, select

from governance.errors import ConflictError, PermissionDeniedError, ValidationError
from governance.services import assemblies as ga
from governance.services import orgs
from governance.services.authz import SYSTEM
from governance.store.tables import (
    AuditEvent,
    Ballot,
    Emargement,
    Member,
    Resolution,
    SecretBallot,
    StatutesVersion,
)
from governance.store.uow import UnitOfWork, org_chain
from tests.factories import (
    LINKS,
    OrgFixture,
    actor_of,
    add_member,
    make_assembly_org,
    make_org,
    set_statutes,
)

Uow = Callable[[], UnitOfWork]


def run(uow: Uow, fn: Callable[..., object], fx: OrgFixture, actor=None, **kwargs):
    """Run one service call in its own transaction as ``actor`` (default: the admin)."""
    with uow() as u:
        result = fn(u, actor=actor or fx.admin_actor, org=u.session.merge(fx.org), **kwargs)
        u.commit()
    return result


def prepared(
    uow: Uow,
    fx: OrgFixture,
    *,
    kind: str = "AGO",
    convocation: int = 1,
    resolutions: int = 1,
    secret: bool = False,
) -> tuple[int, list[int]]:
    assembly = run(
        uow,
        ga.create_assembly,
        fx,
        title="AG 2026",
        kind=kind,
        convocation=convocation,
        scheduled_at="2026-06-20T14:00:00+02:00",
        place="Salle des fêtes",
    )
    ids = []
    for i in range(resolutions):
        r = run(
            uow,
            ga.add_resolution,
            fx,
            assembly_id=assembly.id,
            title=f"Résolution {i + 1}",
            text="L'assemblée approuve.",
            secret=secret,
        )
        ids.append(r.id)
    return assembly.id, ids


def opened(uow: Uow, fx: OrgFixture, people, attending=None, **kw) -> tuple[int, list[int]]:
    assembly_id, ids = prepared(uow, fx, **kw)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    for member in attending if attending is not None else [m for ms in people.values() for m in ms]:
        run(
            uow,
            ga.record_attendance,
            fx,
            assembly_id=assembly_id,
            member_id=member.id,
            mode="present",
        )
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    for rid in ids:
        run(uow, ga.open_resolution, fx, resolution_id=rid)
    return assembly_id, ids


def vote(uow: Uow, fx: OrgFixture, member: Member, rid: int, choice: str, **kw):
    return run(
        uow, ga.cast_ballot, fx, actor=actor_of(member.user), resolution_id=rid, choice=choice, **kw
    )


def result(uow: Uow, fx: OrgFixture, rid: int) -> dict:
    with uow() as u:
        return ga.result_view(
            u, actor=fx.admin_actor, org=u.session.merge(fx.org), resolution_id=rid
        )


def actions(uow: Uow, fx: OrgFixture) -> list[tuple[str, dict]]:
    with uow() as u:
        rows = u.session.execute(
            select(AuditEvent)
            .where(AuditEvent.chain == org_chain(fx.org.id))
            .order_by(AuditEvent.seq)
        ).scalars()
        return [(e.action, json.loads(e.payload)) for e in rows]


def test_an_assembly_runs_from_convocation_to_published_minutes(uow: Uow, outbox) -> None:
    fx, people = make_assembly_org(uow)
    assembly_id, (rid,) = opened(uow, fx, people)
    convocations = [m for m in outbox.messages if m.subject.startswith("Convocation")]
    assert len(convocations) == 9
    assert "1. Résolution 1" in convocations[0].body
    assert f"/orgs/coop/assemblies/{assembly_id}" in convocations[0].body
    for member in people["Fondateurs"] + people["Partenaires"]:
        vote(uow, fx, member, rid, "for")
    vote(uow, fx, people["Bénéficiaires"][0], rid, "for")
    vote(uow, fx, people["Bénéficiaires"][1], rid, "against")
    vote(uow, fx, people["Salariés"][0], rid, "against")
    assert result(uow, fx, rid) == {"status": "open", "visible": False}
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    shown = result(uow, fx, rid)
    assert shown["status"] == "closed" and shown["adopted"] is True
    by_name = {c["name"]: c for c in shown["colleges"]}
    assert by_name["Bénéficiaires"]["for"] == "1" and by_name["Bénéficiaires"]["against"] == "1"
    assert by_name["Salariés"]["share_for"] == "0"
    # 40 + 25 + 25/2 + 0 over 100
    assert Fraction(shown["for_ratio"]) == Fraction(155, 200)
    assert shown["rule"]["statutes_version"] == "1"
    run(uow, ga.close_assembly, fx, assembly_id=assembly_id)
    run(uow, ga.publish_minutes, fx, assembly_id=assembly_id)
    logged = [a for a, _ in actions(uow, fx)]
    for step in (
        "assembly.convened",
        "assembly.opened",
        "resolution.opened",
        "ballot.cast",
        "resolution.closed",
        "assembly.closed",
        "minutes.published",
    ):
        assert step in logged


def test_convening_a_sas_without_a_quorum_in_its_statutes_is_refused(uow: Uow) -> None:
    fx = make_org(uow)
    add_member(uow, fx, "Ana", category="Fondateurs", college="Fondateurs")
    assembly_id, _ = prepared(uow, fx)
    with pytest.raises(ConflictError) as error:
        run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    assert "quorum" in str(error.value).lower()


def test_convening_ends_setup_mode_so_statutes_change_only_by_draft(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    assembly_id, _ = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    with pytest.raises(ConflictError):
        set_statutes(uow, fx, allow_remote=True)


def test_an_unacknowledged_compliance_warning_blocks_convening(uow: Uow) -> None:
    fx, people = make_assembly_org(uow, per_college={"Fondateurs": 1, "Bénéficiaires": 1})
    assembly_id, _ = prepared(uow, fx)
    with pytest.raises(ConflictError) as error:
        run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    assert "reconnaître" in str(error.value)
    run(uow, orgs.acknowledge_compliance, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)


@pytest.mark.parametrize(
    ("kind", "convocation", "present", "reached"),
    [
        ("AGO", 1, 2, True),  # 2/9 ≥ 1/5
        ("AGO", 1, 1, False),  # 1/9 < 1/5
        ("AGE", 1, 2, False),  # 2/9 < 1/4
        ("AGE", 1, 3, True),  # 3/9 ≥ 1/4
        ("AGE", 2, 2, True),  # 2/9 ≥ 1/5 on second convocation
        ("AGO", 2, 0, True),  # no quorum on second convocation of an AGO
    ],
)
def test_quorum_per_head_follows_the_statutes_table(
    uow: Uow, kind: str, convocation: int, present: int, reached: bool
) -> None:
    fx, people = make_assembly_org(uow)
    everyone = [m for ms in people.values() for m in ms]
    assembly_id, _ = prepared(uow, fx, kind=kind, convocation=convocation)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    for member in everyone[:present]:
        run(
            uow,
            ga.record_attendance,
            fx,
            assembly_id=assembly_id,
            member_id=member.id,
            mode="present",
        )
    view = run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    assert view.reached is reached
    assert view.present == present and view.eligible == 9


@pytest.mark.parametrize(
    ("legal_form", "kind", "convocation", "present", "reached"),
    [
        ("SCIC_SA", "AGO", 1, 1, False),  # legal default 1/5 of 9
        ("SCIC_SA", "AGE", 2, 2, True),  # 1/5 on second convocation
        ("SCIC_SARL", "AGO", 1, 0, True),  # no quorum for ordinary decisions of a SARL
        ("SCIC_SARL", "AGE", 1, 2, False),  # statutes change: 1/4
    ],
)
def test_quorum_defaults_by_legal_form(
    uow: Uow, legal_form: str, kind: str, convocation: int, present: int, reached: bool
) -> None:
    fx, people = make_assembly_org(uow, legal_form=legal_form)
    everyone = [m for ms in people.values() for m in ms]
    assembly_id, _ = prepared(uow, fx, kind=kind, convocation=convocation)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    for member in everyone[:present]:
        run(
            uow,
            ga.record_attendance,
            fx,
            assembly_id=assembly_id,
            member_id=member.id,
            mode="present",
        )
    assert run(uow, ga.open_assembly, fx, assembly_id=assembly_id).reached is reached


def test_a_correspondence_form_received_after_the_opening_does_not_count_for_quorum(
    uow: Uow,
) -> None:
    fx, people = make_assembly_org(uow)
    everyone = [m for ms in people.values() for m in ms]
    assembly_id, _ = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="post", links=LINKS)
    run(
        uow,
        ga.record_attendance,
        fx,
        assembly_id=assembly_id,
        member_id=everyone[0].id,
        mode="correspondence",
    )
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    run(
        uow,
        ga.record_attendance,
        fx,
        assembly_id=assembly_id,
        member_id=everyone[1].id,
        mode="correspondence",
    )
    with uow() as u:
        view = ga.quorum(
            u, actor=fx.admin_actor, org=u.session.merge(fx.org), assembly_id=assembly_id
        )
    assert view.correspondence == 1


def test_a_non_quorate_assembly_debates_but_adopts_nothing(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    member = people["Fondateurs"][0]
    assembly_id, (rid,) = opened(uow, fx, people, attending=[member])
    vote(uow, fx, member, rid, "for")
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    shown = result(uow, fx, rid)
    assert shown["adopted"] is False and shown["quorate"] is False


def test_a_proxy_vote_counts_in_the_principals_college(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    holder, principal = people["Fondateurs"][0], people["Salariés"][0]
    assembly_id, (rid,) = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    run(
        uow,
        ga.record_attendance,
        fx,
        actor=actor_of(principal.user),
        assembly_id=assembly_id,
        member_id=principal.id,
        mode="proxy",
        holder_id=holder.id,
    )
    for m in people["Bénéficiaires"] + [holder]:
        run(uow, ga.record_attendance, fx, assembly_id=assembly_id, member_id=m.id, mode="present")
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    run(uow, ga.open_resolution, fx, resolution_id=rid)
    with uow() as u:
        panel = ga.voting_panel(
            u, actor=actor_of(holder.user), org=u.session.merge(fx.org), resolution_id=rid
        )
        assert [(s.principal.name, s.on_behalf) for s in panel.slots] == [
            (holder.name, False),
            (principal.name, True),
        ]
    vote(uow, fx, holder, rid, "for")
    vote(uow, fx, holder, rid, "against", on_behalf_of=principal.id)
    with pytest.raises(ConflictError, match="donné pouvoir"):
        vote(uow, fx, principal, rid, "for")
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    by_name = {c["name"]: c for c in result(uow, fx, rid)["colleges"]}
    assert by_name["Salariés"]["against"] == "1"
    assert by_name["Fondateurs"]["for"] == "1"


def test_proxy_rules_cap_no_passing_on_and_holder_must_be_an_associate(uow: Uow) -> None:
    fx, people = make_assembly_org(uow, max_proxies_per_holder="scop")  # < 20 associates: 1
    f1, f2 = people["Fondateurs"]
    b1, b2, b3 = people["Bénéficiaires"]
    participant = add_member(uow, fx, "Pio", associate=False)
    assembly_id, _ = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)

    def give(principal: Member, holder: Member) -> None:
        run(
            uow,
            ga.record_attendance,
            fx,
            assembly_id=assembly_id,
            member_id=principal.id,
            mode="proxy",
            holder_id=holder.id,
        )

    give(b1, f1)
    with pytest.raises(ValidationError, match=r"détient déjà 1 pouvoir\(s\) \(maximum 1\)"):
        give(b2, f1)
    with pytest.raises(ValidationError, match="ne se transmet pas"):
        give(b2, b1)  # b1 is represented: cannot hold
    with pytest.raises(ValidationError, match="ne se transmet pas"):
        give(f1, f2)  # f1 holds a proxy: must attend
    with pytest.raises(ValidationError, match="associé"):
        give(b3, participant)


def test_a_blank_proxy_votes_for_board_resolutions_and_against_others(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    principal = people["Salariés"][0]
    assembly_id = run(
        uow,
        ga.create_assembly,
        fx,
        title="AG",
        kind="AGO",
        convocation=1,
        scheduled_at="2026-06-20T14:00:00+02:00",
    ).id
    board = run(
        uow,
        ga.add_resolution,
        fx,
        assembly_id=assembly_id,
        title="Comptes",
        text="Approuve.",
        board_proposed=True,
    ).id
    other = run(
        uow,
        ga.add_resolution,
        fx,
        assembly_id=assembly_id,
        title="Motion",
        text="Propose.",
        board_proposed=False,
    ).id
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    run(
        uow,
        ga.record_attendance,
        fx,
        assembly_id=assembly_id,
        member_id=principal.id,
        mode="proxy",
        holder_id=None,
    )
    for m in people["Fondateurs"]:
        run(uow, ga.record_attendance, fx, assembly_id=assembly_id, member_id=m.id, mode="present")
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    for rid in (board, other):
        run(uow, ga.open_resolution, fx, resolution_id=rid)
        run(uow, ga.close_resolution, fx, resolution_id=rid)
    salaries = {
        rid: {c["name"]: c for c in result(uow, fx, rid)["colleges"]}["Salariés"]
        for rid in (board, other)
    }
    assert salaries[board]["for"] == "1" and salaries[board]["against"] == "0"
    assert salaries[other]["against"] == "1" and salaries[other]["for"] == "0"


def test_a_public_ballot_can_change_until_close_and_each_change_is_logged(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    member = people["Fondateurs"][0]
    _, (rid,) = opened(uow, fx, people)
    vote(uow, fx, member, rid, "for")
    vote(uow, fx, member, rid, "against")
    changes = [p for a, p in actions(uow, fx) if a == "ballot.changed"]
    assert changes[-1]["previous"] == "for" and changes[-1]["choice"] == "against"
    with uow() as u:
        assert (
            u.session.execute(select(Ballot).where(Ballot.resolution_id == rid)).scalar_one().choice
            == "against"
        )


def test_a_secret_ballot_cannot_be_relinked_to_its_voter(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    voters = people["Bénéficiaires"]
    _, (rid,) = opened(uow, fx, people, secret=True)
    receipts = [
        vote(uow, fx, m, rid, c) for m, c in zip(voters, ["for", "against", "for"], strict=True)
    ]
    with pytest.raises(ConflictError, match="ne peut plus changer"):
        vote(uow, fx, voters[0], rid, "against")
    with uow() as u:
        columns = {c["name"] for c in inspect(u.session.get_bind()).get_columns("secret_ballots")}
        assert columns == {"ballot_hash", "resolution_id", "college_id", "choice"}
        assert (
            u.session.execute(select(Emargement).where(Emargement.resolution_id == rid))
            .scalars()
            .all()
            .__len__()
            == 3
        )
    secret_events = [p for a, p in actions(uow, fx) if a == "ballot.cast"]
    assert secret_events and all(set(p) == {"member", "secret", "channel"} for p in secret_events)
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    closing = [p for a, p in actions(uow, fx) if a == "resolution.closed"][-1]
    assert sorted(r.ballot_hash for r in receipts) == closing["ballot_hashes"]
    from governance.rules.assemblies import secret_ballot_hash

    for receipt, member, choice in zip(receipts, voters, ["for", "against", "for"], strict=True):
        assert (
            secret_ballot_hash(rid, member.college_id, choice, receipt.code) == receipt.ballot_hash
        )


def test_live_results_hide_a_secret_college_with_fewer_than_three_ballots(uow: Uow) -> None:
    fx, people = make_assembly_org(uow, results_visibility="live")
    _, (rid,) = opened(uow, fx, people, secret=True)
    for m in people["Bénéficiaires"]:
        vote(uow, fx, m, rid, "for")
    vote(uow, fx, people["Salariés"][0], rid, "against")
    live = {c["name"]: c for c in result(uow, fx, rid)["colleges"]}
    assert live["Bénéficiaires"]["for"] == "3"
    assert live["Salariés"]["hidden"] is True and live["Salariés"]["against"] is None


def test_concurrent_double_votes_store_exactly_one_ballot(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    member = people["Fondateurs"][0]
    _, (rid,) = opened(uow, fx, people, secret=True)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        try:
            vote(uow, fx, member, rid, "for")
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    with uow() as u:
        assert (
            len(
                u.session.execute(
                    select(SecretBallot).where(SecretBallot.resolution_id == rid)
                ).all()
            )
            == 1
        )


def test_a_vote_after_close_is_refused_with_the_closing_time(uow: Uow, clock) -> None:
    fx, people = make_assembly_org(uow)
    _, (rid,) = opened(uow, fx, people)
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    with pytest.raises(ConflictError, match="Le vote est clos depuis"):
        vote(uow, fx, people["Fondateurs"][0], rid, "for")


def test_a_deadline_closes_the_vote_before_tick_runs_and_tick_records_it(uow: Uow, clock) -> None:
    fx, people = make_assembly_org(uow)
    assembly_id, (rid,) = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    for m in people["Fondateurs"]:
        run(uow, ga.record_attendance, fx, assembly_id=assembly_id, member_id=m.id, mode="present")
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    run(uow, ga.open_resolution, fx, resolution_id=rid, deadline=clock.now + timedelta(hours=1))
    vote(uow, fx, people["Fondateurs"][0], rid, "for")
    clock.advance(hours=2)
    with pytest.raises(ConflictError, match="clos"):
        vote(uow, fx, people["Fondateurs"][1], rid, "for")
    assert ga.tick(uow).closed == [rid]
    assert ga.tick(uow).closed == []  # idempotent
    with uow() as u:
        resolution = u.session.get(Resolution, rid)
        assert resolution.status == "closed" and resolution.closed_at == resolution.deadline
    assert [a for a, _ in actions(uow, fx)].count("resolution.closed") == 1


def test_concurrent_closers_close_once(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    _, (rid,) = opened(uow, fx, people)
    vote(uow, fx, people["Fondateurs"][0], rid, "for")
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def closer() -> None:
        barrier.wait()
        try:
            with uow() as u:
                ga.close_resolution(u, actor=SYSTEM, org=u.session.merge(fx.org), resolution_id=rid)
                u.commit()
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=closer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [a for a, _ in actions(uow, fx)].count("resolution.closed") == 1


def test_a_member_outside_any_college_cannot_vote(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    participant = add_member(uow, fx, "Pio", associate=False)
    _, (rid,) = opened(uow, fx, people)
    with pytest.raises(PermissionDeniedError, match="collège votant"):
        vote(uow, fx, participant, rid, "for")


def test_adopting_a_statutes_draft_switches_the_weights_for_later_votes(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    assembly_id, _ = prepared(uow, fx, kind="AGE", resolutions=0)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    run(uow, orgs.save_draft, fx, patch={"colleges": {"Fondateurs": "30", "Salariés": "20"}})
    rid = run(
        uow,
        ga.add_resolution,
        fx,
        assembly_id=assembly_id,
        title="Statuts",
        text="Adopte les nouveaux statuts.",
        kind="statutes_change",
        adopts_statutes_draft=True,
    ).id
    for m in [m for ms in people.values() for m in ms]:
        run(uow, ga.record_attendance, fx, assembly_id=assembly_id, member_id=m.id, mode="present")
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    run(uow, ga.open_resolution, fx, resolution_id=rid)
    for m in [m for ms in people.values() for m in ms]:
        vote(uow, fx, m, rid, "for")
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    with uow() as u:
        current = u.session.execute(
            select(StatutesVersion).where(
                StatutesVersion.org_id == fx.org.id, StatutesVersion.status == "current"
            )
        ).scalar_one()
        assert current.number == 2 and current.adopted_by == f"resolution:{rid}"
    adopted = [p for a, p in actions(uow, fx) if a == "statutes.adopted"]
    assert adopted[0]["diff"][f"colleges.{fx.colleges['Salariés'].id}"]["to"] == "20"
    later = run(
        uow, ga.add_resolution, fx, assembly_id=assembly_id, title="Suite", text="Ensuite."
    ).id
    run(uow, ga.open_resolution, fx, resolution_id=later)
    vote(uow, fx, people["Salariés"][0], later, "for")
    vote(uow, fx, people["Fondateurs"][0], later, "against")
    run(uow, ga.close_resolution, fx, resolution_id=later)
    shown = result(uow, fx, later)
    assert shown["rule"]["statutes_version"] == "2"
    weights = {c["name"]: c["weight"] for c in shown["colleges"]}
    assert weights["Salariés"] == "20" and weights["Fondateurs"] == "30"


def test_audit_verification_recounts_results_and_finds_a_forged_ballot(uow: Uow, engine) -> None:
    from sqlalchemy import text

    from governance.services import audit

    fx, people = make_assembly_org(uow)
    _, (rid,) = opened(uow, fx, people)
    for m in people["Fondateurs"]:
        vote(uow, fx, m, rid, "for")
    vote(uow, fx, people["Salariés"][0], rid, "against")
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    with uow() as u:
        assert audit.verify_org(u, actor=fx.admin_actor, org=u.session.merge(fx.org)).ok
    with engine.begin() as conn:  # someone edits a ballot behind the application's back
        conn.execute(text("UPDATE ballots SET choice = 'for' WHERE choice = 'against'"))
    with uow() as u:
        report = audit.verify_org(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
    assert not report.ok
    assert any(f.record == f"resolution:{rid}" and f.check == "results" for f in report.findings)


def test_a_vote_at_a_distance_notifies_opening_reminds_non_voters_and_announces_the_close(
    uow: Uow, clock, outbox
) -> None:
    fx, people = make_assembly_org(uow)
    assembly_id, (rid,) = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="post", links=LINKS)
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    outbox.messages.clear()
    run(
        uow,
        ga.open_resolution,
        fx,
        resolution_id=rid,
        deadline=clock.now + timedelta(days=3),
        links=LINKS,
    )
    opened_mail = [m for m in outbox.messages if m.subject.startswith("Vote ouvert")]
    assert len(opened_mail) == 9 and "/orgs/coop/assemblies/" in opened_mail[0].body
    voter = people["Fondateurs"][0]
    vote(uow, fx, voter, rid, "for")
    outbox.messages.clear()
    assert ga.tick(uow, links=LINKS).reminded == []  # more than 24 h left
    clock.advance(days=2, hours=1)
    report = ga.tick(uow, links=LINKS)
    assert report.reminded == [rid] and report.closed == []
    reminded = {m.to for m in outbox.messages if m.subject.startswith("Dernier jour")}
    assert len(reminded) == 8 and voter.user.email not in reminded
    assert ga.tick(uow, links=LINKS).reminded == []  # sent once
    clock.advance(days=1)
    outbox.messages.clear()
    assert ga.tick(uow, links=LINKS).closed == [rid]
    closing = [m for m in outbox.messages if m.subject.startswith("Vote clos")]
    assert len(closing) == 9 and f"/resolutions/{rid}/results" in closing[0].body
