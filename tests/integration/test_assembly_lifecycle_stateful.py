"""The lifecycles of a general assembly and its resolutions, driven through the real services
and a real database (SQLite and PostgreSQL) by random sequences of requests and a clock.

The pure twin of this test is ``tests/unit/assemblies/test_lifecycle_stateful.py``; here the
lifecycle tables are the model and the database is what is checked: every stored state is one the
tables reach and every change of state is one of their rows, no ballot is accepted outside an open
vote, closing twice changes nothing, a refusal leaves the database as it was, and the audit chain
verifies at the end of every sequence.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from governance.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from governance.rules import assemblies as rules
from governance.services import assemblies as ga
from governance.services import audit
from governance.services.authz import Actor
from governance.store.uow import UnitOfWork, org_chain
from tests.factories import LINKS, actor_of, add_member, make_assembly_org

Uow = Callable[[], UnitOfWork]
T = TypeVar("T")

_A, _AA = rules.AssemblyStatus, rules.AssemblyAction
_R, _RA = rules.ResolutionState, rules.ResolutionAction
_S = rules.ResolutionStatus

ASSEMBLY_STATES = rules.ASSEMBLY.reachable(_A.DRAFT)
RESOLUTION_STATES = rules.RESOLUTION.reachable(_R.DRAFT)
PER_COLLEGE = {"Fondateurs": 1, "Partenaires": 1, "Bénéficiaires": 2, "Salariés": 1}
VOTERS = sum(PER_COLLEGE.values())
MAX_AGENDA = 6
SERIAL = itertools.count(1)  # one organisation per example, in one database
STATS: Counter[str] = Counter()  # what the sequences reached (shown with ``pytest -s``)

ANYONE = st.sampled_from(["admin", "admin", "secretary", "secretary", "associate"])
VOTER = st.integers(0, VOTERS - 1)
ITEM = st.integers(0, MAX_AGENDA - 1)  # taken modulo the agenda's length


class Clock(Protocol):
    now: datetime

    def advance(self, **kwargs: float) -> None: ...


@dataclass(frozen=True)
class Vote:
    """One resolution as the database holds it."""

    status: str
    secret: bool
    deadline: datetime | None
    closed_at: datetime | None
    result: Any
    adopted: bool | None
    counts: dict[int | None, dict[str, int]]

    def state(self, now: datetime) -> rules.ResolutionState:
        return rules.resolution_state(self.status, self.deadline, now)

    @property
    def ballots(self) -> int:
        return sum(n for by_choice in self.counts.values() for n in by_choice.values())


@dataclass(frozen=True)
class Snapshot:
    """The assembly, its resolutions, its feuille de présence and the organisation's audit
    event count, read in one unit of work."""

    now: datetime
    assembly: rules.AssemblyStatus
    votes: dict[int, Vote]
    attendance: dict[int, tuple[str, int | None]]
    events: int

    def states(self) -> dict[int, rules.ResolutionState]:
        return {rid: vote.state(self.now) for rid, vote in self.votes.items()}


class AssemblyOnRecord(RuleBasedStateMachine):
    """One assembly of a fresh organisation, its resolutions (one secret), its associates and
    the injected clock; each rule is one service call in a unit of work of its own."""

    def __init__(self, uow: Uow, clock: Clock) -> None:
        super().__init__()
        self.uow = uow
        self.clock = clock
        self.fx, people = make_assembly_org(
            uow, slug=f"coop-{next(SERIAL)}", per_college=PER_COLLEGE
        )
        self.voters = [member for college in people.values() for member in college]
        assert len(self.voters) == VOTERS
        secretary = add_member(uow, self.fx, "Greffe", associate=False, roles=("secretary",))
        self.organisers: dict[str, Actor] = {
            "admin": self.fx.admin_actor,
            "secretary": actor_of(secretary.user),
        }
        self.assembly_id: int | None = None
        self.last: Snapshot | None = None

    # ---- helpers -------------------------------------------------------------------------

    def call(self, service: Callable[..., T], actor: Actor, **kwargs: Any) -> T:
        with self.uow() as u:
            out = service(u, actor=actor, org=u.session.merge(self.fx.org), **kwargs)
            u.commit()
        return out

    def snapshot(self) -> Snapshot:
        assert self.assembly_id is not None
        with self.uow() as u:
            org = u.session.merge(self.fx.org)
            assembly = ga.get_assembly(u, org, self.assembly_id)
            votes = {
                r.id: Vote(
                    status=r.status,
                    secret=r.secret,
                    deadline=r.deadline,
                    closed_at=r.closed_at,
                    result=r.result,
                    adopted=r.adopted,
                    counts=ga.counts_by_college(u, r),
                )
                for r in ga.list_resolutions(u, assembly)
            }
            attendance = {
                a.member_id: (str(a.mode), a.holder_id) for a in ga.attendance_of(u, assembly)
            }
            events = audit.count_events(u, org_chain(org.id))
            snap = Snapshot(
                u.now(), rules.AssemblyStatus(assembly.status), votes, attendance, events
            )
        self.last = snap
        return snap

    def current(self) -> Snapshot:
        """The database as the last read left it (every write is followed by a read), read
        again once the clock has moved."""
        if self.last is not None and self.last.now == self.clock.now:
            return self.last
        return self.snapshot()

    def actor(self, who: str, voter: int = 0) -> Actor:
        if who == "associate":
            return actor_of(self.voters[voter].user)
        return self.organisers[who]

    def attempt(
        self, service: Callable[..., object], actor: Actor, **kwargs: Any
    ) -> tuple[Snapshot, Snapshot, DomainError | None]:
        """Call the service; a refusal must leave the database exactly as it was."""
        before = self.current()
        refused: DomainError | None = None
        try:
            self.call(service, actor, **kwargs)
        except DomainError as error:
            refused = error
        after = self.snapshot()
        if refused is not None:
            assert after == before, (
                f"{service.__name__} refused ({type(refused).__name__}: {refused}) "
                "but the database changed"
            )
        STATS[f"{service.__name__}: {type(refused).__name__ if refused else 'accepted'}"] += 1
        return before, after, refused

    @staticmethod
    def expect(refused: DomainError | None, expected: type[DomainError] | None, what: str) -> None:
        if expected is None:
            assert refused is None, f"{what}: refused with {type(refused).__name__}: {refused}"
        else:
            assert isinstance(refused, expected), (
                f"{what}: expected {expected.__name__}, got {type(refused).__name__}: {refused}"
            )

    def check_steps(
        self,
        before: Snapshot,
        after: Snapshot,
        assembly_action: rules.AssemblyAction | None = None,
        resolution_action: rules.ResolutionAction | None = None,
    ) -> None:
        """Every change between two snapshots is a declared row of the tables, for the action
        the request performed; a closed or cancelled vote never changes again."""
        if after.assembly != before.assembly:
            assert assembly_action is not None, (
                f"the assembly moved: {before.assembly} → {after.assembly}"
            )
            row = rules.ASSEMBLY.target(before.assembly, assembly_action)
            assert row == after.assembly, (
                f"assembly {before.assembly} --{assembly_action}--> {after.assembly} "
                f"is not a row of the table (it says {row})"
            )
        assert set(before.votes) <= set(after.votes), "a resolution disappeared"
        for rid, vote in after.votes.items():
            old = before.votes.get(rid)
            if old is None:
                assert assembly_action is _AA.EDIT_AGENDA, "a resolution appeared"
                assert rules.ASSEMBLY.target(before.assembly, _AA.EDIT_AGENDA) is not None
                assert vote.status == _S.DRAFT and vote.ballots == 0
                continue
            was, now = old.state(before.now), vote.state(after.now)
            if old.status in (_S.CLOSED, _S.CANCELLED):
                assert vote == old, f"resolution {rid} changed after it was {old.status}"
            if (old.status, old.deadline) != (vote.status, vote.deadline):
                assert resolution_action is not None, f"resolution {rid} moved: {was} → {now}"
                lands = rules.RESOLUTION.target(was, resolution_action)
                assert lands == now, (
                    f"resolution {rid} {was} --{resolution_action}--> {now} "
                    f"is not a row of the table (it says {lands})"
                )
            if vote.counts != old.counts:
                # Ballots arrive in an open vote, or as blank proxies when it closes.
                assert (resolution_action is _RA.CAST and was is _R.OPEN) or (
                    resolution_action is _RA.CLOSE and now is _R.CLOSED and was is not _R.CLOSED
                ), f"the ballots of resolution {rid} changed ({was} → {now}, {resolution_action})"

    def item(self, snap: Snapshot, i: int) -> int:
        ids = sorted(snap.votes)
        return ids[i % len(ids)]

    def closed_once(self, old: Vote, new: Vote, was: rules.ResolutionState, now: datetime) -> None:
        """A vote that closed now: the result stored, at the deadline if it had passed."""
        assert new.status == _S.CLOSED and new.result is not None and new.adopted is not None
        assert new.closed_at == (old.deadline if was is _R.DEADLINE_PASSED else now)
        assert new.ballots >= old.ballots

    # ---- the assembly --------------------------------------------------------------------

    @initialize(
        count=st.integers(2, 3),
        secret=st.integers(0, 2),
        board=st.booleans(),
        stage=st.sampled_from([_A.DRAFT, _A.CONVENED, _A.OPEN, _A.OPEN, _A.OPEN]),
        proxies=st.lists(st.tuples(VOTER, st.one_of(st.none(), VOTER)), max_size=2),
        opened=st.lists(st.one_of(st.none(), st.integers(1, 6)), min_size=1, max_size=3),
    )
    def prepare(
        self,
        count: int,
        secret: int,
        board: bool,
        stage: rules.AssemblyStatus,
        proxies: list[tuple[int, int | None]],
        opened: list[int | None],
    ) -> None:
        """An assembly with 2 or 3 resolutions on its agenda, one of them secret, taken as far
        as ``stage`` by the secretary: convened with a few proxies given, then opened with its
        first votes open (in session, or until a deadline some hours ahead)."""
        secretary = self.organisers["secretary"]
        assembly = self.call(
            ga.create_assembly,
            secretary,
            title="AG 2026",
            kind="AGO",
            convocation=1,
            scheduled_at="2026-06-20T14:00:00+02:00",
            place="Salle des fêtes",
        )
        self.assembly_id = assembly.id
        ids = [
            self.call(
                ga.add_resolution,
                secretary,
                assembly_id=self.assembly_id,
                title=f"Résolution {i + 1}",
                text="L'assemblée approuve.",
                secret=i == secret % count,
                board_proposed=board or i > 0,
            ).id
            for i in range(count)
        ]
        if stage is _A.DRAFT:
            return
        self.call(ga.convene, secretary, assembly_id=self.assembly_id, mode="post")
        for principal, holder in proxies:
            if holder == principal:
                continue
            # A proxy the rules refuse (a chain of proxies) leaves the sheet as it was.
            with contextlib.suppress(ValidationError):
                self.call(
                    ga.record_attendance,
                    secretary,
                    assembly_id=self.assembly_id,
                    member_id=self.voters[principal].id,
                    mode="proxy",
                    holder_id=None if holder is None else self.voters[holder].id,
                )
        if stage is _A.CONVENED:
            return
        self.call(ga.open_assembly, secretary, assembly_id=self.assembly_id)
        for rid, hours in zip(ids, opened, strict=False):
            deadline = None if hours is None else self.clock.now + timedelta(hours=hours)
            self.call(ga.open_resolution, secretary, resolution_id=rid, deadline=deadline)
        snap = self.snapshot()
        assert snap.assembly is _A.OPEN
        assert sum(v.status == _S.OPEN for v in snap.votes.values()) == min(count, len(opened))

    @rule(who=ANYONE, voter=VOTER, mode=st.sampled_from(["email", "post"]))
    def convene(self, who: str, voter: int, mode: str) -> None:
        before, after, refused = self.attempt(
            ga.convene,
            self.actor(who, voter),
            assembly_id=self.assembly_id,
            mode=mode,
            links=LINKS,
        )
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        else:
            expected = None if before.assembly is _A.DRAFT else ConflictError
        self.expect(refused, expected, f"convene from {before.assembly}")
        self.check_steps(before, after, _AA.CONVENE)
        if refused is None:
            assert after.assembly is _A.CONVENED and after.events == before.events + 1

    @rule(
        who=st.sampled_from(["organiser", "organiser", "self", "other"]),
        voter=VOTER,
        member=VOTER,
        proxy=st.booleans(),
        holder=st.one_of(st.none(), VOTER),
    )
    def record_attendance(
        self, who: str, voter: int, member: int, proxy: bool, holder: int | None
    ) -> None:
        """The secretary records anyone's line; an associate their own (another's: 403)."""
        if who == "self":
            member = voter
        elif who == "other" and member == voter:
            member = (voter + 1) % VOTERS
        actor = (
            self.organisers["secretary"] if who == "organiser" else self.actor("associate", voter)
        )
        before, after, refused = self.attempt(
            ga.record_attendance,
            actor,
            assembly_id=self.assembly_id,
            member_id=self.voters[member].id,
            mode="proxy" if proxy else "present",
            holder_id=self.voters[holder].id if proxy and holder is not None else None,
        )
        if before.assembly not in (_A.CONVENED, _A.OPEN):
            self.expect(refused, ConflictError, f"attendance in {before.assembly}")
        elif who == "other":
            self.expect(refused, PermissionDeniedError, "attendance of another associate")
        else:
            assert refused is None or isinstance(refused, ValidationError | ConflictError)
        self.check_steps(before, after, _AA.RECORD_ATTENDANCE)
        assert after.states() == before.states()
        if refused is None:
            line = after.attendance[self.voters[member].id]
            assert line[0] == ("proxy" if proxy else "present")
            assert after.events == before.events + 1

    @rule(who=ANYONE, voter=VOTER)
    def open_assembly(self, who: str, voter: int) -> None:
        before, after, refused = self.attempt(
            ga.open_assembly, self.actor(who, voter), assembly_id=self.assembly_id
        )
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        elif before.assembly in (_A.CONVENED, _A.OPEN):
            expected = None
        else:
            expected = ConflictError
        self.expect(refused, expected, f"open the assembly from {before.assembly}")
        self.check_steps(before, after, _AA.OPEN)
        if refused is None and before.assembly is _A.OPEN:
            assert after == before, "opening an open assembly changed something"
        elif refused is None:
            assert after.assembly is _A.OPEN and after.events == before.events + 1

    @rule(who=ANYONE, voter=VOTER, twice=st.booleans())
    def close_assembly(self, who: str, voter: int, twice: bool) -> None:
        actor = self.actor(who, voter)
        before, after, refused = self.attempt(
            ga.close_assembly, actor, assembly_id=self.assembly_id
        )
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        elif before.assembly in (_A.OPEN, _A.CLOSED, _A.PUBLISHED):
            expected = None
        else:
            expected = ConflictError
        self.expect(refused, expected, f"close the assembly from {before.assembly}")
        self.check_steps(before, after, _AA.CLOSE, _RA.CLOSE)
        if refused is None and before.assembly is _A.OPEN:
            assert after.assembly is _A.CLOSED
            for rid, old in before.votes.items():
                new, was = after.votes[rid], old.state(before.now)
                if old.status == _S.OPEN:  # every open vote closes with the assembly
                    self.closed_once(old, new, was, after.now)
                else:
                    assert new == old
        elif refused is None:
            assert after == before, "closing a closed assembly changed something"
        if twice:
            # Closing twice changes nothing: no event, the same results and statuses.
            again, later, refused_again = self.attempt(
                ga.close_assembly, actor, assembly_id=self.assembly_id
            )
            self.expect(refused_again, expected, "close the assembly again")
            assert later == again == after

    @rule(who=ANYONE, voter=VOTER)
    def publish_minutes(self, who: str, voter: int) -> None:
        before, after, refused = self.attempt(
            ga.publish_minutes, self.actor(who, voter), assembly_id=self.assembly_id
        )
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        else:
            expected = None if before.assembly is _A.CLOSED else ConflictError
        self.expect(refused, expected, f"publish the minutes from {before.assembly}")
        self.check_steps(before, after, _AA.PUBLISH)
        if refused is None:
            assert after.assembly is _A.PUBLISHED and after.events == before.events + 1
            assert after.votes == before.votes

    @precondition(lambda self: self.last is None or len(self.last.votes) < MAX_AGENDA)
    @rule(who=ANYONE, voter=VOTER, secret=st.booleans())
    def add_resolution(self, who: str, voter: int, secret: bool) -> None:
        before, after, refused = self.attempt(
            ga.add_resolution,
            self.actor(who, voter),
            assembly_id=self.assembly_id,
            title="Résolution ajoutée",
            text="L'assemblée décide.",
            secret=secret,
        )
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        elif before.assembly in (_A.DRAFT, _A.CONVENED, _A.OPEN):
            expected = None
        else:
            expected = ConflictError
        self.expect(refused, expected, f"add a resolution in {before.assembly}")
        self.check_steps(before, after, _AA.EDIT_AGENDA)
        if refused is None:
            assert len(after.votes) == len(before.votes) + 1
            assert after.assembly is before.assembly

    # ---- the resolutions -----------------------------------------------------------------

    @rule(
        who=ANYONE,
        voter=VOTER,
        i=ITEM,
        hours=st.one_of(st.none(), st.none(), st.integers(1, 6), st.integers(-3, 0)),
    )
    def open_resolution(self, who: str, voter: int, i: int, hours: int | None) -> None:
        """Open a vote in session, or at a distance until a deadline (ahead, or not)."""
        rid = self.item(self.current(), i)
        deadline = None if hours is None else self.clock.now + timedelta(hours=hours)
        before, after, refused = self.attempt(
            ga.open_resolution,
            self.actor(who, voter),
            resolution_id=rid,
            deadline=deadline,
            links=LINKS,
        )
        was = before.votes[rid].state(before.now)
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        elif was is _R.OPEN:
            expected = None  # open already: nothing changes
        elif was is _R.DRAFT and before.assembly is _A.OPEN:
            expected = ValidationError if deadline and deadline <= before.now else None
        else:
            expected = ConflictError
        self.expect(refused, expected, f"open a vote {was} in an assembly {before.assembly}")
        self.check_steps(before, after, resolution_action=_RA.OPEN)
        if refused is None and was is _R.OPEN:
            assert after == before, "opening an open vote changed something"
        elif refused is None:
            new = after.votes[rid]
            assert new.status == _S.OPEN and new.deadline == deadline
            assert after.events == before.events + 1

    @rule(
        voter=VOTER,
        i=ITEM,
        choice=st.sampled_from(rules.MEMBER_CHOICES),
        whose=st.sampled_from(["own", "own", "own", "proxy", "other"]),
        other=VOTER,
    )
    def cast_ballot(self, voter: int, i: int, choice: str, whose: str, other: int) -> None:
        """An associate votes: their own ballot, one for a principal whose proxy they hold,
        or one for someone else (refused)."""
        snap = self.current()
        me = self.voters[voter]
        on_behalf_of: int | None = None
        if whose == "proxy":
            principals = [m for m, (_mode, h) in snap.attendance.items() if h == me.id]
            on_behalf_of = principals[other % len(principals)] if principals else None
        elif whose == "other" and other != voter:
            on_behalf_of = self.voters[other].id
        self.cast_one(voter, self.item(snap, i), choice, on_behalf_of)

    @precondition(
        lambda self: (
            self.last is not None and any(v.status == _S.OPEN for v in self.last.votes.values())
        )
    )
    @rule(
        voters=st.lists(VOTER, min_size=1, max_size=VOTERS, unique=True),
        choices=st.lists(st.sampled_from(rules.MEMBER_CHOICES), min_size=VOTERS, max_size=VOTERS),
    )
    def a_round_of_votes(self, voters: list[int], choices: list[str]) -> None:
        """Associates vote on every vote stored open: open to ballots, or past its deadline
        and not closed yet."""
        voting = sorted(rid for rid, v in self.current().votes.items() if v.status == _S.OPEN)
        for voter in voters:
            for rid in voting:
                self.cast_one(voter, rid, choices[voter])

    @rule(voter=VOTER, choice=st.sampled_from(rules.MEMBER_CHOICES))
    def an_associate_votes_on_every_resolution(self, voter: int, choice: str) -> None:
        for rid in sorted(self.current().votes):
            self.cast_one(voter, rid, choice)

    def cast_one(self, voter: int, rid: int, choice: str, on_behalf_of: int | None = None) -> None:
        """One ballot, accepted only in an open vote; any refusal leaves no ballot, no event."""
        before, after, refused = self.attempt(
            ga.cast_ballot,
            actor_of(self.voters[voter].user),
            resolution_id=rid,
            choice=choice,
            on_behalf_of=on_behalf_of,
        )
        old, new = before.votes[rid], after.votes[rid]
        was = old.state(before.now)
        if refused is None:
            # No ballot is accepted outside an open vote.
            assert was is _R.OPEN, f"a ballot was accepted on a vote {was}"
            assert before.assembly is _A.OPEN
            assert after.events == before.events + 1
            added = new.ballots - old.ballots
            assert added == 1 if old.secret else added in (0, 1)  # a public one may change
            STATS["ballot accepted"] += 1
        elif before.assembly is _A.DRAFT:
            self.expect(refused, NotFoundError, "a ballot in a draft assembly")
        elif was is not _R.OPEN:
            self.expect(refused, ConflictError, f"a ballot on a vote {was}")
            STATS[f"ballot refused on {was}"] += 1
        else:  # open, but not this voter's ballot to cast (or a secret one cast already)
            assert isinstance(refused, ConflictError | PermissionDeniedError | ValidationError)
        if was is not _R.OPEN:
            assert refused is not None
            assert new.counts == old.counts and after.events == before.events
        self.check_steps(before, after, resolution_action=_RA.CAST)
        assert after.states() == before.states()

    @rule(who=ANYONE, voter=VOTER, i=ITEM, twice=st.booleans())
    def close_resolution(self, who: str, voter: int, i: int, twice: bool) -> None:
        rid = self.item(self.current(), i)
        actor = self.actor(who, voter)
        before, after, refused = self.attempt(ga.close_resolution, actor, resolution_id=rid)
        was = before.votes[rid].state(before.now)
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        else:
            expected = ConflictError if was is _R.DRAFT else None
        self.expect(refused, expected, f"close a vote {was}")
        self.check_steps(before, after, resolution_action=_RA.CLOSE)
        if refused is None and was in (_R.OPEN, _R.DEADLINE_PASSED):
            self.closed_once(before.votes[rid], after.votes[rid], was, after.now)
            assert after.events == before.events + 1
        elif refused is None:
            assert after == before, f"closing a vote {was} changed something"
        if twice:
            # Closing twice changes nothing: no event, the same result and status.
            again, later, refused_again = self.attempt(
                ga.close_resolution, actor, resolution_id=rid
            )
            self.expect(refused_again, expected, "close a vote again")
            assert later == again == after

    @rule(who=ANYONE, voter=VOTER, i=ITEM)
    def cancel_resolution(self, who: str, voter: int, i: int) -> None:
        rid = self.item(self.current(), i)
        before, after, refused = self.attempt(
            ga.cancel_resolution, self.actor(who, voter), resolution_id=rid, reason="Retirée."
        )
        was = before.votes[rid].state(before.now)
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        elif was in (_R.DRAFT, _R.OPEN, _R.DEADLINE_PASSED):
            expected = None
        else:
            expected = ConflictError
        self.expect(refused, expected, f"cancel a vote {was}")
        self.check_steps(before, after, resolution_action=_RA.CANCEL)
        if refused is None:
            new = after.votes[rid]
            assert new.status == _S.CANCELLED and new.closed_at == after.now
            assert new.result is None and after.events == before.events + 1

    @rule(who=ANYONE, voter=VOTER)
    def close_all_resolutions(self, who: str, voter: int) -> None:
        before, after, refused = self.attempt(
            ga.close_all_resolutions, self.actor(who, voter), assembly_id=self.assembly_id
        )
        voting = {rid for rid, v in before.votes.items() if v.status == _S.OPEN}
        if who == "associate":
            expected: type[DomainError] | None = PermissionDeniedError
        else:
            expected = None if voting else ConflictError
        self.expect(refused, expected, "close every vote")
        self.check_steps(before, after, resolution_action=_RA.CLOSE)
        if refused is None:
            assert after.assembly is before.assembly  # the assembly itself stays open
            for rid, old in before.votes.items():
                if rid in voting:
                    self.closed_once(old, after.votes[rid], old.state(before.now), after.now)
                else:
                    assert after.votes[rid] == old
            assert after.events == before.events + len(voting)

    # ---- the clock -----------------------------------------------------------------------

    @rule(minutes=st.sampled_from([5, 30, 60, 90, 180, 360, 24 * 60]))
    def time_passes(self, minutes: int) -> None:
        before = self.current()
        self.clock.advance(minutes=minutes)
        after = self.snapshot()
        assert (after.assembly, after.votes, after.events) == (
            before.assembly,
            before.votes,
            before.events,
        )

    def deadlines_ahead(self) -> list[tuple[datetime, int]]:
        """The deadlines of the votes stored open that lie ahead, with their resolution."""
        snap = self.current()
        return sorted(
            (v.deadline, rid)
            for rid, v in snap.votes.items()
            if v.status == _S.OPEN and v.deadline is not None and v.deadline > snap.now
        )

    def move_clock_to(self, when: datetime) -> None:
        before = self.current()
        self.clock.advance(seconds=(when - self.clock.now).total_seconds())
        assert self.clock.now == when
        assert self.snapshot().votes == before.votes  # time alone writes nothing

    @precondition(
        lambda self: (
            self.last is not None
            and any(
                v.status == _S.OPEN and v.deadline and v.deadline > self.last.now
                for v in self.last.votes.values()
            )
        )
    )
    @rule(data=st.data())
    def reach_a_deadline_exactly(self, data: st.DataObject) -> None:
        ahead = self.deadlines_ahead()
        if ahead:
            self.move_clock_to(data.draw(st.sampled_from(ahead))[0])

    @precondition(
        lambda self: (
            self.last is not None
            and any(
                v.status == _S.OPEN and v.deadline and v.deadline > self.last.now
                for v in self.last.votes.values()
            )
        )
    )
    @rule(
        data=st.data(),
        late=st.integers(0, 90),
        voter=VOTER,
        choice=st.sampled_from(rules.MEMBER_CHOICES),
    )
    def a_ballot_arrives_after_the_deadline(
        self, data: st.DataObject, late: int, voter: int, choice: str
    ) -> None:
        """At the deadline or after it, before ``tick`` records the close: refused."""
        ahead = self.deadlines_ahead()
        if ahead:
            deadline, rid = data.draw(st.sampled_from(ahead))
            self.move_clock_to(deadline + timedelta(minutes=late))
            assert self.current().votes[rid].state(self.clock.now) is _R.DEADLINE_PASSED
            self.cast_one(voter, rid, choice)

    @rule()
    def tick(self) -> None:
        """``terreau tick`` records the close of every vote past its deadline, at its deadline."""
        before = self.current()
        ga.tick(self.uow, LINKS)
        after = self.snapshot()
        self.check_steps(before, after, resolution_action=_RA.CLOSE)
        for rid, old in before.votes.items():
            was, new = old.state(before.now), after.votes[rid]
            if was is _R.DEADLINE_PASSED:
                self.closed_once(old, new, was, after.now)
                assert new.closed_at == old.deadline
                STATS["tick: a close recorded at the deadline"] += 1
            else:
                assert new == old
        assert after.assembly is before.assembly

    # ---- invariants ----------------------------------------------------------------------

    @invariant()
    def stored_states_are_in_the_tables(self) -> None:
        if self.assembly_id is None:
            return
        snap = self.current()  # read after the step's last write
        assert snap.assembly in ASSEMBLY_STATES
        for rid, vote in snap.votes.items():
            assert vote.status in {s.value for s in _S}, vote.status
            state = vote.state(snap.now)
            # No action leads to ``deadline_passed``: the clock does, for an open vote.
            if state is _R.DEADLINE_PASSED:
                assert vote.status == _S.OPEN and vote.deadline is not None
            else:
                assert state in RESOLUTION_STATES, f"resolution {rid} is {state}"
            if vote.status == _S.OPEN:  # a vote runs only in an open assembly
                assert snap.assembly is _A.OPEN, f"resolution {rid} open in {snap.assembly}"
            if vote.status == _S.DRAFT:
                assert vote.ballots == 0 and vote.closed_at is None and vote.result is None
            if vote.status == _S.CLOSED:
                assert vote.result is not None and vote.closed_at is not None
                assert vote.deadline is None or vote.closed_at <= vote.deadline
                assert vote.closed_at <= snap.now

    def teardown(self) -> None:
        """The organisation's audit chain verifies: hashes, head, and every stored result
        recounted from its ballots (skipped when a step failed already: that failure is the
        one to report)."""
        if self.assembly_id is None or sys.exc_info()[0] is not None:
            return
        with self.uow() as u:
            report = audit.verify_org(
                u, actor=self.fx.admin_actor, org=u.session.merge(self.fx.org)
            )
            assert report.ok, [f.message.render() for f in report.findings]
            STATS["audit chain verified"] += 1
            assert report.events == (self.last.events if self.last else report.events)


def test_assembly_lifecycles_hold_on_the_database(
    uow: Uow, clock: Clock, database_url: str
) -> None:
    STATS.clear()
    # PostgreSQL runs the same machine at half the examples: its steps cost three times more,
    # and the rules are the same; SQLite explores more sequences.
    examples = 10 if database_url.startswith("postgresql") else 20
    run_state_machine_as_test(
        lambda: AssemblyOnRecord(uow, clock),  # type: ignore[arg-type]
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    print("\n".join(f"{n:5} {what}" for what, n in sorted(STATS.items())))
