"""The lifecycles of a general assembly and its resolutions, driven by random sequences of
requests and a clock: no sequence escapes the declared table, no ballot is accepted outside an
open vote, closing twice changes nothing, and every refusal explains itself in French and in
English (pure, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from governance.errors import ConflictError, ValidationError
from governance.i18n import M, Message
from governance.rules.assemblies.lifecycle import (
    ASSEMBLY,
    RESOLUTION,
    AssemblyAction,
    AssemblyStatus,
    ConveneFacts,
    ResolutionAction,
    ResolutionFacts,
    ResolutionState,
    ResolutionStatus,
    check_deadline,
    is_open_to_ballots,
    resolution_state,
    shown_status,
    stored_status,
)
from governance.rules.lifecycle import Lifecycle
from web import i18n

ENGLISH = i18n.translator("en")
PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
STATUTES_ERROR = M(
    "La somme des poids des collèges doit être exactement 100 % (actuellement {total} %).",
    total="90",
)
STATUTES_WARNING = M("Un associé doit appartenir à un collège de vote.")

_A, _AA = AssemblyStatus, AssemblyAction
_R, _RA = ResolutionState, ResolutionAction


def explains_itself(message: Message) -> None:
    """A refusal says why in French, and in English through the catalog."""
    french = message.render()
    english = message.render(ENGLISH)
    assert french.strip()
    assert english.strip()
    assert english != french, f"not translated into English: {french!r}"


@dataclass
class Vote:
    """One resolution as the store holds it, plus what the model checks against."""

    stored: ResolutionStatus = ResolutionStatus.DRAFT
    deadline: datetime | None = None
    closed_at: datetime | None = None
    ballots: int = 0
    terminal: ResolutionState | None = None


class GeneralAssembly(RuleBasedStateMachine):
    """An assembly, its resolutions and a clock; every request goes through the lifecycles."""

    resolutions = Bundle("resolutions")

    def __init__(self) -> None:
        super().__init__()
        self.status = AssemblyStatus.DRAFT
        self.now = START
        self.votes: list[Vote] = []
        self.published = False

    # ---- helpers -------------------------------------------------------------------------

    def state_of(self, vote: Vote) -> ResolutionState:
        return resolution_state(vote.stored, vote.deadline, self.now)

    def facts(self, vote: Vote) -> ResolutionFacts:
        return ResolutionFacts(
            assembly_status=self.status,
            deadline=vote.deadline,
            now=self.now,
            closed_at=vote.closed_at,
        )

    def check_refusal(
        self,
        refused: ConflictError,
        lifecycle: Lifecycle[Any, Any],
        state: StrEnum,
        action: StrEnum,
        facts: object,
    ) -> None:
        declared = lifecycle.refusal(state, action, facts)
        assert declared is not None, "refused although the lifecycle allows it"
        assert refused.message == declared.reason
        explains_itself(refused.message)

    def assembly_step(self, action: AssemblyAction, facts: object = None) -> bool:
        before = self.status
        try:
            after = ASSEMBLY.apply(before, action, facts)
        except ConflictError as refused:
            self.check_refusal(refused, ASSEMBLY, before, action, facts)
            return False
        assert ASSEMBLY.transitions[(before, action)] is after
        assert after in ASSEMBLY.reachable(AssemblyStatus.DRAFT)
        self.status = after
        return True

    def resolution_step(
        self, vote: Vote, action: ResolutionAction, facts: ResolutionFacts
    ) -> tuple[ResolutionState, ResolutionState | None]:
        before = self.state_of(vote)
        try:
            after = RESOLUTION.apply(before, action, facts)
        except ConflictError as refused:
            self.check_refusal(refused, RESOLUTION, before, action, facts)
            return before, None
        assert RESOLUTION.transitions[(before, action)] is after
        assert after in RESOLUTION.reachable(ResolutionState.DRAFT)
        vote.stored = stored_status(after)
        return before, after

    def close_vote(self, vote: Vote) -> None:
        before, after = self.resolution_step(vote, _RA.CLOSE, self.facts(vote))
        assert after is not None
        if before in (_R.OPEN, _R.DEADLINE_PASSED):
            assert after is _R.CLOSED
            vote.closed_at = vote.deadline if before is _R.DEADLINE_PASSED else self.now
        # Closing twice changes nothing.
        assert RESOLUTION.apply(after, _RA.CLOSE, self.facts(vote)) is after
        assert RESOLUTION.changes(after, _RA.CLOSE, self.facts(vote)) is False

    # ---- the assembly --------------------------------------------------------------------

    @initialize(
        target=resolutions,
        agenda=st.integers(1, 3),
        stage=st.sampled_from([_A.DRAFT, _A.CONVENED, _A.OPEN, _A.OPEN]),
        opened=st.lists(st.one_of(st.none(), st.integers(1, 600)), max_size=3),
    )
    def prepare(self, agenda: int, stage: AssemblyStatus, opened: list[int | None]) -> object:
        """Write the agenda, convene and open the assembly as far as ``stage``, and once it is
        open, open the first votes (in session, or at a distance until a deadline)."""
        for _ in range(agenda):
            assert self.assembly_step(_AA.EDIT_AGENDA)
            self.votes.append(Vote())
        for action, reached in ((_AA.CONVENE, _A.CONVENED), (_AA.OPEN, _A.OPEN)):
            if self.status is not stage:
                assert self.assembly_step(action, ConveneFacts())
                assert self.status is reached
        assert self.status is stage
        if stage is _A.OPEN:
            for i, minutes in zip(range(agenda), opened, strict=False):
                self.open_vote(i, minutes)
                assert self.votes[i].stored is ResolutionStatus.OPEN
        return multiple(*range(agenda))

    @rule(error=st.booleans(), warning=st.booleans())
    def convene(self, error: bool, warning: bool) -> None:
        before = self.status
        facts = ConveneFacts(
            first_error=STATUTES_ERROR if error else None,
            unacknowledged_warning=STATUTES_WARNING if warning else None,
        )
        try:
            ASSEMBLY.apply(before, _AA.CONVENE, facts)
        except ConflictError as refused:
            if before is _A.DRAFT and error:  # the statutes are checked first
                assert refused.message.msgid.startswith("Les statuts ne sont pas valides")
            elif before is _A.DRAFT:
                assert refused.message.msgid.startswith("Avertissement de conformité")
        accepted = self.assembly_step(_AA.CONVENE, facts)
        assert accepted == (before is _A.DRAFT and not error and not warning)

    @rule()
    def open_assembly(self) -> None:
        before = self.status
        accepted = self.assembly_step(_AA.OPEN)
        assert accepted == (before in (_A.CONVENED, _A.OPEN))
        if accepted and before is _A.OPEN:
            assert not ASSEMBLY.changes(before, _AA.OPEN)

    @rule()
    def close_assembly(self) -> None:
        before = self.status
        if before is _A.OPEN:  # as the service does: every open vote closes with it
            for vote in self.votes:
                if vote.stored is ResolutionStatus.OPEN:
                    self.close_vote(vote)
        accepted = self.assembly_step(_AA.CLOSE)
        assert accepted == (before in (_A.OPEN, _A.CLOSED, _A.PUBLISHED))
        if accepted:
            # Closing twice changes nothing.
            assert ASSEMBLY.apply(self.status, _AA.CLOSE) is self.status
            assert ASSEMBLY.changes(self.status, _AA.CLOSE) is False
            assert self.status is (_A.PUBLISHED if before is _A.PUBLISHED else _A.CLOSED)

    @rule()
    def publish(self) -> None:
        before = self.status
        accepted = self.assembly_step(_AA.PUBLISH)
        assert accepted == (before is _A.CLOSED)
        self.published = self.published or accepted

    @rule(target=resolutions)
    def add_resolution(self) -> object:
        before = self.status
        accepted = self.assembly_step(_AA.EDIT_AGENDA)
        assert accepted == (before in (_A.DRAFT, _A.CONVENED, _A.OPEN))
        assert self.status is before
        if not accepted:
            return multiple()
        self.votes.append(Vote())
        return len(self.votes) - 1

    @rule()
    def record_attendance(self) -> None:
        before = self.status
        accepted = self.assembly_step(_AA.RECORD_ATTENDANCE)
        assert accepted == (before in (_A.CONVENED, _A.OPEN))
        assert self.status is before

    @rule()
    def edit_minutes(self) -> None:
        before = self.status
        accepted = self.assembly_step(_AA.EDIT_MINUTES)
        assert accepted == (before is not _A.PUBLISHED)
        assert self.status is before

    # ---- the resolutions -----------------------------------------------------------------

    def open_vote(self, i: int, minutes: int | None) -> None:
        """As the service opens a vote: the state and the assembly first, then the deadline."""
        vote = self.votes[i]
        deadline = None if minutes is None else self.now + timedelta(minutes=minutes)
        facts = ResolutionFacts(assembly_status=self.status, deadline=deadline, now=self.now)
        before = self.state_of(vote)
        after: ResolutionState | None = None
        try:
            target = RESOLUTION.apply(before, _RA.OPEN, facts)
            check_deadline(facts)
            after = target
        except ConflictError as refused:
            self.check_refusal(refused, RESOLUTION, before, _RA.OPEN, facts)
        except ValidationError as invalid:
            assert invalid.field == "deadline"
            assert deadline is not None and deadline <= self.now
            explains_itself(invalid.message)
        expected = (
            before in (_R.DRAFT, _R.OPEN)
            and self.status is _A.OPEN
            and (deadline is None or deadline > self.now)
        )
        assert (after is not None) == expected
        if after is None:
            assert self.state_of(vote) is before
            return
        assert RESOLUTION.transitions[(before, _RA.OPEN)] is after is _R.OPEN
        vote.stored = stored_status(after)
        if before is _R.DRAFT:
            vote.deadline = deadline
        assert is_open_to_ballots(vote.stored, vote.deadline, self.now)

    @rule(i=resolutions)
    def open_vote_in_session(self, i: int) -> None:
        self.open_vote(i, None)

    # Minutes from now: ahead, or now or in the past.
    @rule(i=resolutions, minutes=st.one_of(st.integers(1, 600), st.integers(-120, 0)))
    def open_vote_at_a_distance(self, i: int, minutes: int) -> None:
        self.open_vote(i, minutes)

    @rule(i=resolutions, ballots=st.integers(1, 3))
    def cast(self, i: int, ballots: int) -> None:
        for _ in range(ballots):
            self.cast_one(self.votes[i])

    @rule()
    def a_member_votes_on_every_resolution(self) -> None:
        for vote in self.votes:
            self.cast_one(vote)

    @rule(i=resolutions, late=st.integers(0, 90))
    def a_ballot_arrives_after_the_deadline(self, i: int, late: int) -> None:
        vote = self.votes[i]
        if vote.deadline is not None:
            self.now = max(self.now, vote.deadline + timedelta(minutes=late))
            assert not self.cast_one(vote)
        else:
            self.cast_one(vote)

    def cast_one(self, vote: Vote) -> bool:
        """One ballot, accepted or refused; says whether it was accepted."""
        open_before = is_open_to_ballots(vote.stored, vote.deadline, self.now)
        before, after = self.resolution_step(vote, _RA.CAST, self.facts(vote))
        assert (after is not None) == open_before
        if after is None:
            assert before is not _R.OPEN
            if before is _R.DEADLINE_PASSED:
                assert vote.deadline is not None
                local = vote.deadline.astimezone(PARIS)
                refusal = RESOLUTION.refusal(before, _RA.CAST, self.facts(vote))
                assert refusal is not None
                assert refusal.reason.params == {
                    "day": f"{local:%d/%m/%Y}",
                    "time": f"{local:%H:%M}",
                }
            return False
        # A ballot is accepted only in an open vote, before its deadline.
        assert before is _R.OPEN and after is _R.OPEN
        assert vote.stored is ResolutionStatus.OPEN
        assert vote.deadline is None or self.now < vote.deadline
        assert self.status is _A.OPEN
        vote.ballots += 1
        return True

    @rule(i=resolutions)
    def close(self, i: int) -> None:
        vote = self.votes[i]
        before = self.state_of(vote)
        if before is _R.DRAFT:
            assert self.resolution_step(vote, _RA.CLOSE, self.facts(vote))[1] is None
        else:
            self.close_vote(vote)

    @rule(i=resolutions)
    def cancel(self, i: int) -> None:
        vote = self.votes[i]
        before, after = self.resolution_step(vote, _RA.CANCEL, self.facts(vote))
        assert (after is not None) == (before in (_R.DRAFT, _R.OPEN, _R.DEADLINE_PASSED))
        if after is not None:
            assert after is _R.CANCELLED
            vote.closed_at = self.now

    # ---- the clock -----------------------------------------------------------------------

    @rule(minutes=st.integers(1, 720))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: any(v.deadline and v.deadline > self.now for v in self.votes))
    @rule(data=st.data())
    def reach_a_deadline_exactly(self, data: st.DataObject) -> None:
        ahead = sorted(v.deadline for v in self.votes if v.deadline and v.deadline > self.now)
        self.now = data.draw(st.sampled_from(ahead))

    @rule()
    def tick(self) -> None:
        """``terreau tick`` records the close of every vote past its deadline."""
        for vote in self.votes:
            if self.state_of(vote) is _R.DEADLINE_PASSED:
                self.close_vote(vote)
                assert vote.closed_at == vote.deadline

    # ---- invariants ----------------------------------------------------------------------

    @invariant()
    def the_assembly_stays_in_the_table(self) -> None:
        assert self.status in ASSEMBLY.reachable(AssemblyStatus.DRAFT)
        if self.published:
            assert self.status is _A.PUBLISHED  # published minutes are final

    @invariant()
    def every_vote_stays_in_the_table(self) -> None:
        for vote in self.votes:
            state = self.state_of(vote)
            assert stored_status(state) is vote.stored
            if state is _R.DEADLINE_PASSED:
                # Derived from the clock, never a row's target: open in the store, closed to
                # ballots and shown closed.
                assert vote.stored is ResolutionStatus.OPEN
                assert vote.deadline is not None and vote.deadline <= self.now
                assert shown_status(state) is ResolutionStatus.CLOSED
            else:
                assert state in RESOLUTION.reachable(ResolutionState.DRAFT)
                assert shown_status(state) is vote.stored
            assert is_open_to_ballots(vote.stored, vote.deadline, self.now) == (state is _R.OPEN)
            if vote.stored is ResolutionStatus.DRAFT:
                assert vote.ballots == 0  # a vote in preparation holds no ballot

    @invariant()
    def a_vote_open_to_ballots_belongs_to_an_open_assembly(self) -> None:
        for vote in self.votes:
            if self.state_of(vote) is _R.OPEN:
                assert self.status is _A.OPEN

    @invariant()
    def a_closed_or_cancelled_vote_never_moves_again(self) -> None:
        for vote in self.votes:
            state = self.state_of(vote)
            if vote.terminal is not None:
                assert state is vote.terminal
            elif state in RESOLUTION.terminal_states():
                vote.terminal = state


GeneralAssembly.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestGeneralAssemblyLifecycles = GeneralAssembly.TestCase


# ---- what the lifecycles promise, pair by pair ------------------------------------------------

FACTS_PAST_DEADLINE = ResolutionFacts(
    assembly_status=AssemblyStatus.OPEN,
    deadline=START,
    now=START + timedelta(hours=1),
)


def test_no_ballot_is_accepted_outside_an_open_vote() -> None:
    for state in ResolutionState:
        assert RESOLUTION.allows(state, _RA.CAST, FACTS_PAST_DEADLINE) == (state is _R.OPEN)


def test_a_vote_past_its_deadline_is_closed_to_ballots_before_its_close_is_recorded() -> None:
    deadline = START + timedelta(hours=2)

    assert is_open_to_ballots("open", deadline, deadline - timedelta(seconds=1))
    assert not is_open_to_ballots("open", deadline, deadline)
    assert resolution_state("open", deadline, deadline) is _R.DEADLINE_PASSED
    assert shown_status(_R.DEADLINE_PASSED) is ResolutionStatus.CLOSED
    assert stored_status(_R.DEADLINE_PASSED) is ResolutionStatus.OPEN


def test_a_late_ballot_is_told_since_when_the_vote_is_closed_in_the_organisation_s_time() -> None:
    with_deadline = ResolutionFacts(deadline=datetime(2026, 6, 15, 16, 30, tzinfo=UTC))
    closed = ResolutionFacts(
        deadline=datetime(2026, 6, 15, 16, 30, tzinfo=UTC),
        closed_at=datetime(2026, 6, 15, 10, 5, tzinfo=UTC),
        timezone="America/Montreal",
    )

    late = RESOLUTION.refusal(_R.DEADLINE_PASSED, _RA.CAST, with_deadline)
    after_close = RESOLUTION.refusal(_R.CLOSED, _RA.CAST, closed)
    no_date = RESOLUTION.refusal(_R.CLOSED, _RA.CAST, None)

    assert (
        late is not None
        and late.reason.render() == "Le vote est clos depuis le 15/06/2026 à 18:30."
    )
    assert after_close is not None
    assert after_close.reason.render() == "Le vote est clos depuis le 15/06/2026 à 06:05."
    assert (
        no_date is not None and no_date.reason.render() == "Le vote sur cette résolution est clos."
    )


def test_a_vote_opens_only_in_an_open_assembly() -> None:
    for status in AssemblyStatus:
        facts = ResolutionFacts(assembly_status=status, now=START)
        assert RESOLUTION.allows(_R.DRAFT, _RA.OPEN, facts) == (status is _A.OPEN)


def test_a_vote_opens_only_with_a_deadline_in_the_future() -> None:
    def refused_deadline(deadline: datetime | None) -> str | None:
        facts = ResolutionFacts(assembly_status=_A.OPEN, deadline=deadline, now=START)
        try:
            check_deadline(facts)
        except ValidationError as invalid:
            return invalid.field
        return None

    assert refused_deadline(START + timedelta(minutes=1)) is None
    assert refused_deadline(None) is None
    assert refused_deadline(START) == "deadline"
    assert refused_deadline(START - timedelta(minutes=1)) == "deadline"


def test_an_assembly_is_convened_only_with_valid_statutes_and_acknowledged_warnings() -> None:
    both = ConveneFacts(first_error=STATUTES_ERROR, unacknowledged_warning=STATUTES_WARNING)
    warned = ConveneFacts(unacknowledged_warning=STATUTES_WARNING)

    refused_both = ASSEMBLY.refusal(_A.DRAFT, _AA.CONVENE, both)
    refused_warned = ASSEMBLY.refusal(_A.DRAFT, _AA.CONVENE, warned)

    assert ASSEMBLY.allows(_A.DRAFT, _AA.CONVENE, ConveneFacts())
    assert refused_both is not None
    assert refused_both.reason.msgid.startswith("Les statuts ne sont pas valides")
    assert refused_warned is not None
    assert refused_warned.reason.msgid.startswith("Avertissement de conformité")


def test_published_minutes_and_closed_or_cancelled_votes_are_final() -> None:
    assert ASSEMBLY.terminal_states() == {_A.PUBLISHED}
    assert RESOLUTION.terminal_states() == {_R.CLOSED, _R.CANCELLED}


# ---- every refusal in English -----------------------------------------------------------------


def msgids(message: Message) -> list[str]:
    """The message ids a refusal is made of: its sentence, and the labels it quotes."""
    inner = [m for v in message.params.values() if isinstance(v, Message) for m in msgids(v)]
    return [message.msgid, *inner]


def refused_pairs() -> list[Any]:
    """Every pair a table refuses, with its reason (declared, or the generic sentence)."""
    facts = {ASSEMBLY.name: ConveneFacts(), RESOLUTION.name: FACTS_PAST_DEADLINE}
    cases = []
    lifecycles: tuple[Lifecycle[Any, Any], ...] = (ASSEMBLY, RESOLUTION)
    for lifecycle in lifecycles:
        for state in lifecycle.states:
            for action in lifecycle.actions:
                refusal = lifecycle.refusal(state, action, facts[lifecycle.name])
                if (state, action) not in lifecycle.transitions and refusal is not None:
                    name = f"{lifecycle.name}-{state}-{action}"
                    cases.append(pytest.param(refusal.reason, id=name))
    return cases


GUARD_REFUSALS = {
    "convene-invalid-statutes": ASSEMBLY.refusal(
        _A.DRAFT, _AA.CONVENE, ConveneFacts(first_error=STATUTES_ERROR)
    ),
    "convene-unacknowledged-warning": ASSEMBLY.refusal(
        _A.DRAFT, _AA.CONVENE, ConveneFacts(unacknowledged_warning=STATUTES_WARNING)
    ),
    "open-vote-assembly-not-open": RESOLUTION.refusal(
        _R.DRAFT, _RA.OPEN, ResolutionFacts(assembly_status=_A.CONVENED)
    ),
}


@pytest.mark.parametrize("reason", refused_pairs())
def test_every_refusal_of_the_tables_reads_entirely_in_english(reason: Message) -> None:
    assert [m for m in msgids(reason) if ENGLISH(m) == m] == []


@pytest.mark.parametrize("name", sorted(GUARD_REFUSALS))
def test_every_refusal_of_a_guard_reads_entirely_in_english(name: str) -> None:
    refusal = GUARD_REFUSALS[name]

    assert refusal is not None
    assert [m for m in msgids(refusal.reason) if ENGLISH(m) == m] == []


def test_a_deadline_in_the_past_is_refused_in_english_too() -> None:
    with pytest.raises(ValidationError) as invalid:
        check_deadline(ResolutionFacts(deadline=START, now=START))

    assert [m for m in msgids(invalid.value.message) if ENGLISH(m) == m] == []
