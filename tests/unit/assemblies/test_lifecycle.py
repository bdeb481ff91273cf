"""The generic lifecycle: a declared table of (state, action) → state, guards that give reasons,
and a declaration that refuses an inconsistent table (pure, no database)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.errors import ConflictError
from governance.i18n import M, Message
from governance.rules.lifecycle import Lifecycle, rows


class Door(StrEnum):
    OPEN = "open"
    SHUT = "shut"
    LOCKED = "locked"
    BRICKED = "bricked"


class Move(StrEnum):
    OPEN = "open"
    SHUT = "shut"
    LOCK = "lock"
    UNLOCK = "unlock"
    BRICK = "brick"


DOOR_LABELS = {
    Door.OPEN: M("ouverte"),
    Door.SHUT: M("fermée"),
    Door.LOCKED: M("verrouillée"),
    Door.BRICKED: M("murée"),
}
MOVE_LABELS = {
    Move.OPEN: M("l'ouvrir"),
    Move.SHUT: M("la fermer"),
    Move.LOCK: M("la verrouiller"),
    Move.UNLOCK: M("la déverrouiller"),
    Move.BRICK: M("la murer"),
}
TABLE = [
    (Door.OPEN, Move.SHUT, Door.SHUT),
    (Door.OPEN, Move.OPEN, Door.OPEN),  # opening an open door changes nothing
    (Door.SHUT, Move.OPEN, Door.OPEN),
    (Door.SHUT, Move.LOCK, Door.LOCKED),
    (Door.SHUT, Move.BRICK, Door.BRICKED),
    (Door.LOCKED, Move.UNLOCK, Door.SHUT),
    (Door.BRICKED, Move.SHUT, Door.BRICKED),
]
LOCKED_REASON = M("La porte est verrouillée : déverrouillez-la d'abord.")


def door(**overrides: Any) -> Lifecycle[Door, Move]:
    declaration: dict[str, Any] = {
        "name": "door",
        "states": Door,
        "actions": Move,
        "transitions": rows(TABLE),
        "state_labels": DOOR_LABELS,
        "action_labels": MOVE_LABELS,
        "refusals": {(Door.LOCKED, Move.OPEN): LOCKED_REASON},
        "subject": M("La porte"),
    }
    declaration.update(overrides)
    return Lifecycle(**declaration)


def refusing(reason: Message | None, calls: list[str], name: str) -> Any:
    def guard(facts: Any) -> Message | None:
        calls.append(name)
        return reason

    return guard


# ---- applying the table ----------------------------------------------------------------------


def test_an_allowed_action_leads_to_the_declared_state() -> None:
    assert door().apply(Door.SHUT, Move.LOCK) is Door.LOCKED


def test_a_refused_pair_raises_a_conflict_with_the_declared_reason() -> None:
    with pytest.raises(ConflictError) as refused:
        door().apply(Door.LOCKED, Move.OPEN)

    assert refused.value.message == LOCKED_REASON
    assert refused.value.status == 409


def test_a_refused_pair_without_a_declared_reason_gets_a_sentence_made_of_the_labels() -> None:
    with pytest.raises(ConflictError) as refused:
        door().apply(Door.BRICKED, Move.OPEN)

    assert refused.value.message.render() == "La porte est « murée » : impossible de l'ouvrir."


def test_a_declared_reason_may_be_built_from_the_facts_of_the_request() -> None:
    lifecycle = door(
        refusals={(Door.LOCKED, Move.OPEN): lambda who: M("{who} n'a pas la clé.", who=who)}
    )

    refusal = lifecycle.refusal(Door.LOCKED, Move.OPEN, "Camille")

    assert refusal is not None
    assert refusal.reason.render() == "Camille n'a pas la clé."
    assert refusal.error().message == refusal.reason


def test_allows_says_whether_an_action_is_possible_now() -> None:
    lifecycle = door()

    assert lifecycle.allows(Door.SHUT, Move.OPEN)
    assert not lifecycle.allows(Door.LOCKED, Move.OPEN)
    assert lifecycle.refusal(Door.SHUT, Move.OPEN) is None


def test_a_row_to_its_own_state_changes_nothing_and_a_move_changes_the_state() -> None:
    lifecycle = door()

    assert lifecycle.changes(Door.OPEN, Move.OPEN) is False
    assert lifecycle.changes(Door.OPEN, Move.SHUT) is True


def test_asking_whether_a_refused_action_changes_anything_is_refused_too() -> None:
    with pytest.raises(ConflictError):
        door().changes(Door.LOCKED, Move.OPEN)


# ---- guards ----------------------------------------------------------------------------------


def test_guards_run_only_for_an_action_the_table_allows() -> None:
    calls: list[str] = []
    lifecycle = door(guards={Move.OPEN: (refusing(M("Non."), calls, "key"),)})

    with pytest.raises(ConflictError) as refused:
        lifecycle.apply(Door.LOCKED, Move.OPEN)

    assert refused.value.message == LOCKED_REASON
    assert calls == []


def test_the_first_guard_that_refuses_gives_the_reason_and_the_later_ones_do_not_run() -> None:
    calls: list[str] = []
    lifecycle = door(
        guards={
            Move.OPEN: (
                refusing(None, calls, "first"),
                refusing(M("Le deuxième refuse."), calls, "second"),
                refusing(M("Le troisième refuse."), calls, "third"),
            )
        }
    )

    with pytest.raises(ConflictError) as refused:
        lifecycle.apply(Door.SHUT, Move.OPEN, facts=None)

    assert refused.value.message.render() == "Le deuxième refuse."
    assert calls == ["first", "second"]


def test_guards_read_the_facts_and_let_the_action_pass_when_none_refuses() -> None:
    seen: list[Any] = []

    def has_key(facts: Any) -> Message | None:
        seen.append(facts)
        return None if facts == "clé" else M("Il faut la clé.")

    lifecycle = door(guards={Move.UNLOCK: (has_key,)})

    assert lifecycle.apply(Door.LOCKED, Move.UNLOCK, "clé") is Door.SHUT
    assert not lifecycle.allows(Door.LOCKED, Move.UNLOCK, "caillou")
    assert seen == ["clé", "caillou"]


def test_the_guards_of_one_action_do_not_run_for_another() -> None:
    calls: list[str] = []
    lifecycle = door(guards={Move.LOCK: (refusing(M("Non."), calls, "lock"),)})

    assert lifecycle.apply(Door.SHUT, Move.OPEN) is Door.OPEN
    assert calls == []


# ---- reading the table -----------------------------------------------------------------------


def test_actions_from_a_state_are_the_declared_rows_of_that_state() -> None:
    lifecycle = door()

    assert set(lifecycle.actions_from(Door.SHUT)) == {Move.OPEN, Move.LOCK, Move.BRICK}
    assert lifecycle.actions_from(Door.BRICKED) == [Move.SHUT]


def test_reachable_states_follow_the_table_from_the_start() -> None:
    lifecycle = door()

    assert lifecycle.reachable(Door.LOCKED) == set(Door)
    assert lifecycle.reachable(Door.BRICKED) == {Door.BRICKED}


def test_a_state_whose_rows_all_stay_put_is_terminal() -> None:
    assert door().terminal_states() == {Door.BRICKED}


# ---- declaring a table -----------------------------------------------------------------------


def test_rows_build_the_table_from_triples() -> None:
    assert rows(TABLE)[(Door.SHUT, Move.LOCK)] is Door.LOCKED
    assert len(rows(TABLE)) == len(TABLE)


def test_a_duplicate_row_is_refused_when_the_table_is_declared() -> None:
    with pytest.raises(TypeError, match="duplicate"):
        rows([*TABLE, (Door.SHUT, Move.LOCK, Door.BRICKED)])


def test_a_pair_both_allowed_and_refused_is_refused_when_the_lifecycle_is_declared() -> None:
    with pytest.raises(TypeError, match="both allowed and refused"):
        door(refusals={(Door.SHUT, Move.LOCK): M("Non.")})


def test_every_state_needs_a_label() -> None:
    labels = {s: m for s, m in DOOR_LABELS.items() if s is not Door.BRICKED}

    with pytest.raises(TypeError, match="no label"):
        door(state_labels=labels)


def test_every_action_needs_a_label() -> None:
    labels = {a: m for a, m in MOVE_LABELS.items() if a is not Move.BRICK}

    with pytest.raises(TypeError, match="no label"):
        door(action_labels=labels)


def test_a_row_made_of_another_lifecycle_s_states_is_refused() -> None:
    class Window(StrEnum):
        OPEN = "open"

    with pytest.raises(TypeError, match="bad row"):
        door(transitions={(Window.OPEN, Move.SHUT): Door.SHUT})


# ---- any table -------------------------------------------------------------------------------

PAIRS = [(s, a) for s in Door for a in Move]


@settings(max_examples=100, deadline=None)
@given(
    table=st.dictionaries(st.sampled_from(PAIRS), st.sampled_from(list(Door))),
    state=st.sampled_from(list(Door)),
    action=st.sampled_from(list(Move)),
)
def test_any_table_allows_exactly_its_rows_and_refuses_every_other_pair_with_a_reason(
    table: dict[tuple[Door, Move], Door], state: Door, action: Move
) -> None:
    lifecycle = door(transitions=table, refusals={})

    if (state, action) in table:
        assert lifecycle.apply(state, action) is table[(state, action)]
        assert action in lifecycle.actions_from(state)
        assert table[(state, action)] in lifecycle.reachable(state)
    else:
        with pytest.raises(ConflictError) as refused:
            lifecycle.apply(state, action)
        assert refused.value.message.render().strip()
        assert action not in lifecycle.actions_from(state)
    assert all(
        all(t == s for (src, _a), t in table.items() if src == s)
        for s in lifecycle.terminal_states()
    )
