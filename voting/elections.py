"""Counting aid for sociocratic elections: nominations per person, sorted, with a declared
tie-break. The circle still decides by consent; this only counts and explains the order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from voting.errors import VotingInputError

P = TypeVar("P", bound=Hashable)

DECLARED_ORDER = "declared_order"
FIRST_NOMINATED = "first_nominated"


@dataclass(frozen=True)
class NominationTie(Generic[P]):
    """People with the same number of nominations, and the order the tie-break gave them."""

    count: int
    tied: tuple[P, ...]
    chosen: tuple[P, ...]
    rule: str


@dataclass(frozen=True)
class NominationCount(Generic[P]):
    """Nominations per person, most first (ties by the declared rule); ``leaders`` are everyone
    with the most nominations before the tie-break, ``proposed`` the first after it."""

    counts: tuple[tuple[P, int], ...]
    leaders: tuple[P, ...]
    proposed: P | None
    rule: str
    tie_break: tuple[NominationTie[P], ...]


def count_nominations(
    nominations: Iterable[P],
    *,
    candidates: Sequence[P] | None = None,
    tie_break: Sequence[P] | None = None,
) -> NominationCount[P]:
    """Count nominations per person (sociocratic election, nomination round).

    Sorted by number of nominations, most first. Tie-break: the declared priority order
    ``tie_break`` when given (it must name everyone who is tied), otherwise the order in which
    people were first nominated (``first_nominated``); people in ``candidates`` with no
    nomination come last, in the order given.
    """
    given = list(nominations)
    eligible = list(candidates) if candidates is not None else []
    if candidates is not None:
        allowed = set(eligible)
        outsiders = [p for p in given if p not in allowed]
        if outsiders:
            raise VotingInputError(
                f"Nomination d'une personne hors de la liste : {outsiders[0]!r}."
            )
    tally = Counter(given)
    people = list(dict.fromkeys([*given, *eligible]))
    if tie_break is not None:
        rule = DECLARED_ORDER
        position = {p: i for i, p in enumerate(tie_break)}
    else:
        rule = FIRST_NOMINATED
        position = {p: i for i, p in enumerate(people)}
    groups: dict[int, list[P]] = {}
    for person in people:
        groups.setdefault(tally[person], []).append(person)
    ordered: list[tuple[P, int]] = []
    ties: list[NominationTie[P]] = []
    for count in sorted(groups, reverse=True):
        group = groups[count]
        if len(group) > 1:
            missing = [p for p in group if p not in position]
            if missing:
                raise VotingInputError(
                    f"L'ordre de départage ne cite pas {missing[0]!r}, à égalité avec d'autres."
                )
            chosen = tuple(sorted(group, key=position.__getitem__))
            ties.append(NominationTie(count, tuple(group), chosen, rule))
        else:
            chosen = tuple(group)
        ordered.extend((person, count) for person in chosen)
    top = ordered[0][1] if ordered else 0
    leaders = tuple(p for p in people if tally[p] == top) if given else ()
    return NominationCount(
        counts=tuple(ordered),
        leaders=leaders,
        proposed=ordered[0][0] if given else None,
        rule=rule,
        tie_break=tuple(ties),
    )
