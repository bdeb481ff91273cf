"""General assemblies on SQLite and PostgreSQL: secrecy at the storage level, races with the
close, proxies held by participants, votes opened and closed together, quorum and majority
defaults of every legal form."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from governance.errors import ConflictError, ValidationError
from governance.services import assemblies as ga
from governance.services import audit
from governance.store.tables import Ballot, Member, Resolution, SecretBallot
from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.factories import (
    LINKS,
    OrgFixture,
    actor_of,
    add_member,
    make_assembly_org,
    make_org,
)
from tests.integration.test_assemblies import opened, prepared, result, run, vote

Uow = Callable[[], UnitOfWork]


def _everyone(people: dict[str, list[Member]]) -> list[Member]:
    return [m for ms in people.values() for m in ms]


def attend(uow: Uow, fx: OrgFixture, assembly_id: int, members: list[Member]) -> None:
    """Record each member as present at the assembly (as the admin)."""
    for member in members:
        run(
            uow,
            ga.record_attendance,
            fx,
            assembly_id=assembly_id,
            member_id=member.id,
            mode="present",
        )


def give_proxy(
    uow: Uow, fx: OrgFixture, assembly_id: int, principal: Member, holder: Member
) -> None:
    """Record that ``principal`` gives ``holder`` a proxy for the assembly (as the admin)."""
    run(
        uow,
        ga.record_attendance,
        fx,
        assembly_id=assembly_id,
        member_id=principal.id,
        mode="proxy",
        holder_id=holder.id,
    )


# ---- secret ballots: nothing in the stored rows re-links a ballot to its émargement -----------


def test_every_secret_ballot_row_has_the_same_writer_and_lies_in_hash_order(
    uow: Uow, engine, database_url: str
) -> None:
    fx, people = make_assembly_org(uow)
    _, (rid,) = opened(uow, fx, people, secret=True)
    voters = _everyone(people)[:6]
    choices = ["for", "against", "for", "abstain", "for", "blank"]
    for member, choice in zip(voters, choices, strict=True):
        vote(uow, fx, member, rid, choice)  # six transactions, one after the other

    with engine.connect() as conn:
        if database_url.startswith("postgresql"):
            # xmin is the transaction that wrote a row: were it the ballot's own, it would be
            # the émargement's too, and one join would give every voter's choice.
            writers = conn.execute(
                text("SELECT DISTINCT xmin::text FROM secret_ballots WHERE resolution_id = :r"),
                {"r": rid},
            ).all()
            emargement_writers = conn.execute(
                text("SELECT DISTINCT xmin::text FROM emargements WHERE resolution_id = :r"),
                {"r": rid},
            ).all()
            assert len(writers) == 1 and len(emargement_writers) == 6
            # The physical order is the order of the hashes, not of the votes.
            physical = (
                conn.execute(
                    text(
                        "SELECT ballot_hash FROM secret_ballots WHERE resolution_id = :r "
                        "ORDER BY ctid"
                    ),
                    {"r": rid},
                )
                .scalars()
                .all()
            )
            assert physical == sorted(physical) and len(physical) == 6
        else:
            # SQLite: a table without rowid, stored in the order of its key (the hash).
            with pytest.raises(Exception, match="rowid"):
                conn.execute(text("SELECT rowid FROM secret_ballots")).all()
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    with uow() as u:
        counts = ga.counts_by_college(u, u.session.get(Resolution, rid))
        assert sum(n for by in counts.values() for n in by.values()) == 6
        assert audit.verify_org(u, actor=fx.admin_actor, org=u.session.merge(fx.org)).ok


def test_concurrent_secret_ballots_of_different_members_are_all_kept(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    _, (rid,) = opened(uow, fx, people, secret=True)
    voters = _everyone(people)
    barrier = threading.Barrier(len(voters))
    errors: list[BaseException] = []

    def cast(member: Member) -> None:
        barrier.wait()
        try:
            vote(uow, fx, member, rid, "for")
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=cast, args=(m,)) for m in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with uow() as u:
        stored = u.session.execute(
            select(SecretBallot).where(SecretBallot.resolution_id == rid)
        ).all()
    assert len(stored) == len(voters)


# ---- races with the close ------------------------------------------------------------------------


class TickingClock(Clock):
    """A clock that moves on by a millisecond each time it is read (like a real one)."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(milliseconds=1)
            return self.now


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_ballots_racing_the_close_are_counted_and_all_earlier_than_it(
    session_factory: sessionmaker[Session], outbox: Outbox, secret: bool
) -> None:
    clock = TickingClock(datetime.fromisoformat("2026-06-20T12:00:00+00:00"))

    def ticking_uow() -> UnitOfWork:
        return UnitOfWork(session_factory, clock=clock, mailer=outbox)

    fx, people = make_assembly_org(ticking_uow)
    _, (rid,) = opened(ticking_uow, fx, people, secret=secret)
    voters = _everyone(people)
    barrier = threading.Barrier(len(voters) + 1)
    accepted: list[int] = []
    errors: list[BaseException] = []

    def cast(member: Member) -> None:
        barrier.wait()
        try:
            vote(ticking_uow, fx, member, rid, "for")
            accepted.append(member.id)
        except ConflictError:
            pass  # arrived after the close: refused with the closing time
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    def close() -> None:
        barrier.wait()
        run(ticking_uow, ga.close_resolution, fx, resolution_id=rid)

    threads = [threading.Thread(target=cast, args=(m,)) for m in voters]
    threads.append(threading.Thread(target=close))
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    shown = result(ticking_uow, fx, rid)
    assert sum(int(c["for"]) for c in shown["colleges"]) == len(accepted)
    with ticking_uow() as u:
        report = audit.verify_org(u, actor=fx.admin_actor, org=u.session.merge(fx.org))
    assert report.ok, [f.message for f in report.findings]


class HookedClock(TickingClock):
    """A ticking clock that calls ``hook`` before each reading (to order two threads)."""

    def __init__(self, start: datetime, hook: Callable[[], None]) -> None:
        super().__init__(start)
        self.hook = hook

    def __call__(self) -> datetime:
        self.hook()
        return super().__call__()


def test_a_ballot_in_flight_when_the_close_starts_is_stamped_before_the_close(
    session_factory: sessionmaker[Session], outbox: Outbox
) -> None:
    # The ballot has found the vote open (and holds its share lock on PostgreSQL) when the
    # closer starts; the closer then waits for it. Its closing time must come after the ballot.
    ballot_started, closer_read_clock = threading.Event(), threading.Event()

    def hook() -> None:
        name = threading.current_thread().name
        if name == "ballot" and not ballot_started.is_set():
            ballot_started.set()
            closer_read_clock.wait(timeout=1)  # a closer that reads the time early does it now
        elif name == "closer":
            closer_read_clock.set()

    clock = HookedClock(datetime.fromisoformat("2026-06-20T12:00:00+00:00"), hook)

    def hooked_uow() -> UnitOfWork:
        return UnitOfWork(session_factory, clock=clock, mailer=outbox)

    fx, people = make_assembly_org(hooked_uow)
    _, (rid,) = opened(hooked_uow, fx, people)

    def close() -> None:
        ballot_started.wait(timeout=5)
        run(hooked_uow, ga.close_resolution, fx, resolution_id=rid)

    ballot = threading.Thread(
        target=vote, args=(hooked_uow, fx, people["Fondateurs"][0], rid, "for"), name="ballot"
    )
    closer = threading.Thread(target=close, name="closer")
    ballot.start()
    closer.start()
    ballot.join()
    closer.join()
    with hooked_uow() as u:
        resolution = u.session.get(Resolution, rid)
        cast_at = u.session.execute(
            select(Ballot.cast_at).where(Ballot.resolution_id == rid)
        ).scalar_one()
        assert resolution.status == "closed" and cast_at <= resolution.closed_at
        assert audit.verify_org(u, actor=fx.admin_actor, org=u.session.merge(fx.org)).ok


def test_concurrent_public_double_votes_store_exactly_one_ballot(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    member = people["Fondateurs"][0]
    _, (rid,) = opened(uow, fx, people)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def attempt(choice: str) -> None:
        barrier.wait()
        try:
            vote(uow, fx, member, rid, choice)
            outcomes.append("ok")
        except ConflictError as error:
            assert "rechargez la page" in str(error.message)
            outcomes.append("refused")

    threads = [
        threading.Thread(target=attempt, args=(c,)) for c in ("for", "against", "for", "abstain")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "ok" in outcomes and len(outcomes) == 4
    with uow() as u:
        ballots = u.session.execute(select(Ballot).where(Ballot.resolution_id == rid)).all()
    assert len(ballots) == 1


# ---- proxies held by someone who does not vote in their own right --------------------------------


def test_a_participant_may_hold_a_proxy_when_the_statutes_allow_it_and_votes_with_it(
    uow: Uow,
) -> None:
    fx, people = make_assembly_org(uow, proxy_holder_must_be_member=False)
    participant = add_member(uow, fx, "Pio", associate=False)
    principal = people["Salariés"][0]
    assembly_id, (rid,) = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    attend(uow, fx, assembly_id, people["Fondateurs"])
    give_proxy(uow, fx, assembly_id, principal, participant)
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    run(uow, ga.open_resolution, fx, resolution_id=rid)

    with uow() as u:
        panel = ga.voting_panel(
            u, actor=actor_of(participant.user), org=u.session.merge(fx.org), resolution_id=rid
        )
        assert [(s.principal.id, s.on_behalf) for s in panel.slots] == [(principal.id, True)]
        assert "pouvoirs que vous détenez" in str(panel.reason)
    with pytest.raises(Exception, match="collège votant"):
        vote(uow, fx, participant, rid, "for")  # not for themself
    receipt = vote(uow, fx, participant, rid, "against", on_behalf_of=principal.id)
    assert receipt.member_id == principal.id
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    by_name = {c["name"]: c for c in result(uow, fx, rid)["colleges"]}
    assert by_name["Salariés"]["against"] == "1"


# ---- votes opened and closed together ----------------------------------------------------------


def test_the_secretary_opens_and_closes_every_vote_of_the_agenda_together(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    assembly_id, ids = prepared(uow, fx, resolutions=3)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    attend(uow, fx, assembly_id, _everyone(people))
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    run(uow, ga.open_resolution, fx, resolution_id=ids[0])

    opened_now = run(uow, ga.open_all_resolutions, fx, assembly_id=assembly_id)
    assert [r.id for r in opened_now] == ids[1:]  # the one already open is left as it is
    with pytest.raises(ConflictError, match="n'attend l'ouverture"):
        run(uow, ga.open_all_resolutions, fx, assembly_id=assembly_id)
    for member in people["Fondateurs"]:
        for rid in ids:
            vote(uow, fx, member, rid, "for")

    closed = run(uow, ga.close_all_resolutions, fx, assembly_id=assembly_id)
    assert sorted(r.id for r in closed) == sorted(ids)
    with uow() as u:
        assert [u.session.get(Resolution, rid).status for rid in ids] == ["closed"] * 3
        assert ga.get_assembly(u, u.session.merge(fx.org), assembly_id).status == "open"
    with pytest.raises(ConflictError, match="Aucun vote n'est ouvert"):
        run(uow, ga.close_all_resolutions, fx, assembly_id=assembly_id)


def test_opening_votes_together_opens_none_if_one_cannot_open(uow: Uow) -> None:
    fx, people = make_assembly_org(uow)
    assembly_id, ids = prepared(uow, fx, resolutions=2)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    with pytest.raises(ValidationError, match="futur"):
        run(
            uow,
            ga.open_all_resolutions,
            fx,
            assembly_id=assembly_id,
            deadline="2020-01-01T10:00:00+01:00",
        )
    with uow() as u:
        assert [u.session.get(Resolution, rid).status for rid in ids] == ["draft", "draft"]


# ---- live secret results hide a small college, and everything that would give it away ----------


def test_live_secret_results_leave_nothing_that_reveals_a_hidden_college(uow: Uow) -> None:
    fx, people = make_assembly_org(uow, results_visibility="live")
    _, (rid,) = opened(uow, fx, people, secret=True)
    for m in people["Bénéficiaires"]:
        vote(uow, fx, m, rid, "for")
    vote(uow, fx, people["Salariés"][0], rid, "against")

    live = result(uow, fx, rid)
    by_name = {c["name"]: c for c in live["colleges"]}
    hidden = by_name["Salariés"]
    assert hidden["hidden"] is True
    revealing = {k: v for k, v in hidden.items() if k not in ("id", "name", "weight", "members")}
    assert revealing == {k: None for k in revealing} | {"hidden": True}
    assert live["overall_hidden"] is True
    assert all(
        live[k] is None for k in ("for_ratio", "adopted", "totals", "for_total", "against_total")
    )
    assert by_name["Bénéficiaires"]["for"] == "3"  # a college of three is shown
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    closed = {c["name"]: c for c in result(uow, fx, rid)["colleges"]}
    assert closed["Salariés"]["against"] == "1" and "hidden" not in closed["Salariés"]


# ---- attendance --------------------------------------------------------------------------------


def test_remote_attendance_needs_a_meeting_open_to_remote_participation(uow: Uow) -> None:
    fx, people = make_assembly_org(uow, allow_remote=True)
    assembly_id, _ = prepared(uow, fx)  # prepared() convenes a meeting in a hall only
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    with pytest.raises(ValidationError, match="pas ouverte à la participation à distance"):
        run(
            uow,
            ga.record_attendance,
            fx,
            assembly_id=assembly_id,
            member_id=people["Fondateurs"][0].id,
            mode="remote",
        )


def test_the_scop_proxy_preset_allows_one_proxy_per_twenty_associates(uow: Uow) -> None:
    # 42 associates: ⌊42 / 20⌋ = 2 proxies per holder.
    fx, people = make_assembly_org(
        uow,
        max_proxies_per_holder="scop",
        per_college={"Fondateurs": 12, "Partenaires": 10, "Bénéficiaires": 10, "Salariés": 10},
    )
    holder = people["Fondateurs"][0]
    principals = people["Salariés"][:3]
    assembly_id, _ = prepared(uow, fx)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)

    give_proxy(uow, fx, assembly_id, principals[0], holder)
    give_proxy(uow, fx, assembly_id, principals[1], holder)
    with pytest.raises(ValidationError, match=r"détient déjà 2 pouvoir\(s\) \(maximum 2\)"):
        give_proxy(uow, fx, assembly_id, principals[2], holder)


# ---- quorum and majority defaults of each legal form, through the services -----------------------


@pytest.mark.parametrize(
    ("legal_form", "kind", "convocation", "present", "reached"),
    [
        ("SCOP_SA", "AGO", 1, 1, False),  # SA: 1/5 of 9 associates needs 2
        ("SCOP_SA", "AGO", 1, 2, True),
        ("SCOP_SA", "AGE", 1, 2, False),  # 1/4 of 9 needs 3
        ("SCOP_SA", "AGE", 2, 2, True),  # 1/5 on second convocation
        ("SCOP_SA", "AGO", 2, 0, True),  # no quorum on second convocation of an AGO
        ("SCOP_SARL", "AGO", 1, 0, True),  # SARL ordinary decisions: no quorum
        ("SCOP_SARL", "AGE", 1, 2, False),  # statutes change: 1/4
        ("SCOP_SARL", "AGE", 2, 2, True),  # 1/5 on second convocation
        ("SCIC_SARL", "AGE", 2, 1, False),
        ("SCIC_SA", "AGE", 1, 3, True),
    ],
)
def test_the_legal_quorum_of_each_form_applies_when_the_statutes_say_nothing(
    uow: Uow, legal_form: str, kind: str, convocation: int, present: int, reached: bool
) -> None:
    fx, people = make_assembly_org(uow, legal_form=legal_form)
    assembly_id, _ = prepared(uow, fx, kind=kind, convocation=convocation)
    run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    attend(uow, fx, assembly_id, _everyone(people)[:present])
    view = run(uow, ga.open_assembly, fx, assembly_id=assembly_id)
    assert (view.reached, view.eligible, view.present) == (reached, 9, present)


def test_an_association_must_set_its_quorum_before_convening(uow: Uow) -> None:
    fx = make_org(
        uow,
        slug="asso",
        legal_form="ASSOCIATION",
        colleges=(),
        categories=(("Adhérents", "other"),),
    )
    add_member(uow, fx, "Adhérente", category="Adhérents", college=None)
    assembly_id, _ = prepared(uow, fx)
    with pytest.raises(ConflictError, match="quorum"):
        run(uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)


@pytest.mark.parametrize(("convocation", "adopted"), [(1, False), (2, True)])
def test_a_sarl_counts_abstentions_against_only_at_the_first_consultation(
    uow: Uow, convocation: int, adopted: bool
) -> None:
    fx, people = make_assembly_org(uow, legal_form="SCOP_SARL")
    _, (rid,) = opened(uow, fx, people, convocation=convocation)
    # In every college: one for, one abstention (the rest do not vote).
    for members in people.values():
        vote(uow, fx, members[0], rid, "for")
        vote(uow, fx, members[1], rid, "abstain")
    run(uow, ga.close_resolution, fx, resolution_id=rid)
    shown = result(uow, fx, rid)
    expected_policy = "counts_against" if convocation == 1 else "excluded"
    assert shown["rule"]["abstention_policy"] == expected_policy
    assert shown["adopted"] is adopted
