"""Lifecycles as data: a declared table of (state, action) → state, with guards that give reasons.

One small mechanism for every aggregate (assemblies, resolutions, and the consent, funding and
ranking aggregates that copy them). We wrote it rather than take python-statemachine: a table is
all we need, it must stay pure (no I/O, no SQLAlchemy) and refusals must be domain messages in
French and English, which a plain mapping gives us in ~100 lines that anyone can read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from governance.errors import ConflictError
from governance.i18n import M, Message

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)

Guard = Callable[[Any], Message | None]
"""A guard reads the facts of one request and returns why it refuses (or None to let it pass)."""

RefusalText = Message | Callable[[Any], Message]
"""Why an action is impossible in a state: a message, or one built from the facts (a date…)."""


@dataclass(frozen=True)
class Refused:
    """A transition the lifecycle does not allow, with the reason a member can read."""

    reason: Message

    def error(self) -> ConflictError:
        return ConflictError(self.reason)


@dataclass(frozen=True)
class Lifecycle(Generic[S, A]):
    """The states of one aggregate, the actions that move it, and what guards each action.

    ``transitions`` is the whole table: an action absent for a state is refused, with the
    reason of ``refusals[(state, action)]`` when one is declared, else a generic sentence made of
    the labels. A row whose target is its own state is an action that changes nothing (casting
    a ballot, or closing a vote that is closed already: idempotent). ``guards`` run, in order,
    only for an action the table allows.
    """

    name: str
    states: type[S]
    actions: type[A]
    transitions: Mapping[tuple[S, A], S]
    state_labels: Mapping[S, Message]
    action_labels: Mapping[A, Message]
    guards: Mapping[A, Sequence[Guard]] = field(default_factory=dict)
    refusals: Mapping[tuple[S, A], RefusalText] = field(default_factory=dict)
    subject: Message = field(default_factory=lambda: M("l'élément"))

    def __post_init__(self) -> None:
        for (state, action), target in self.transitions.items():
            if not (
                isinstance(state, self.states)
                and isinstance(action, self.actions)
                and isinstance(target, self.states)
            ):
                raise TypeError(f"{self.name}: bad row {(state, action)!r} → {target!r}")
        for key in self.refusals:
            if key in self.transitions:
                raise TypeError(f"{self.name}: {key!r} is both allowed and refused")
        missing: list[StrEnum] = [s for s in self.states if s not in self.state_labels]
        missing += [a for a in self.actions if a not in self.action_labels]
        if missing:
            raise TypeError(f"{self.name}: no label for {missing!r}")

    def target(self, state: S, action: A) -> S | None:
        """The state ``action`` leads to from ``state``, or None when the table refuses it."""
        return self.transitions.get((state, action))

    def refusal(self, state: S, action: A, facts: Any = None) -> Refused | None:
        """Why ``action`` may not happen now (the table, then the guards), or None if it may."""
        if (state, action) not in self.transitions:
            text = self.refusals.get((state, action))
            if text is None:
                return Refused(
                    M(
                        "{subject} est « {state} » : impossible de {action}.",
                        subject=self.subject,
                        state=self.state_labels[state],
                        action=self.action_labels[action],
                    )
                )
            return Refused(text(facts) if callable(text) else text)
        for guard in self.guards.get(action, ()):
            reason = guard(facts)
            if reason is not None:
                return Refused(reason)
        return None

    def allows(self, state: S, action: A, facts: Any = None) -> bool:
        return self.refusal(state, action, facts) is None

    def apply(self, state: S, action: A, facts: Any = None) -> S:
        """The next state; raises ``ConflictError`` (409) with the reason when refused."""
        refused = self.refusal(state, action, facts)
        if refused is not None:
            raise refused.error()
        target = self.transitions[(state, action)]
        return target

    def changes(self, state: S, action: A, facts: Any = None) -> bool:
        """Apply, and say whether the state (hence the store) changes: False for a no-op row."""
        return self.apply(state, action, facts) != state

    def actions_from(self, state: S) -> list[A]:
        """The actions the table allows from ``state`` (guards not evaluated)."""
        return [a for (s, a) in self.transitions if s == state]

    def reachable(self, start: S) -> set[S]:
        """Every state the table can reach from ``start``."""
        seen = {start}
        frontier: list[S] = [start]
        while frontier:
            current = frontier.pop()
            for (s, _a), target in self.transitions.items():
                if s == current and target not in seen:
                    seen.add(target)
                    frontier.append(target)
        return seen

    def terminal_states(self) -> set[S]:
        """States from which no action leads elsewhere."""
        return {
            s
            for s in self.states
            if all(t == s for (src, _a), t in self.transitions.items() if src == s)
        }


def rows(state_actions: Iterable[tuple[S, A, S]]) -> dict[tuple[S, A], S]:
    """A transition table from (state, action, target) triples, refusing a duplicate pair."""
    table: dict[tuple[S, A], S] = {}
    for state, action, target in state_actions:
        if (state, action) in table:
            raise TypeError(f"duplicate transition {(state, action)!r}")
        table[(state, action)] = target
    return table
