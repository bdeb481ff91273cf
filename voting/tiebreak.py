"""Declared tie-breaks shared by the kernels: a fixed priority order of candidates, and its trace.

A tie-break is never random: the caller declares a priority order (default: index order).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from voting.errors import VotingInputError

K = TypeVar("K", bound=Hashable)

FIXED_ORDER = "fixed_order"


@dataclass(frozen=True)
class TieBreakStep:
    """One place where the declared tie-break decided what the method left tied.

    ``tied`` lists the candidates the method could not separate (in index order), ``chosen`` the
    order the tie-break gave them; ``pairs`` is used by ranked pairs for pairs of equal margin,
    in the order they were considered; ``note`` says what was equal.
    """

    tied: tuple[int, ...]
    chosen: tuple[int, ...]
    note: str
    pairs: tuple[tuple[int, int], ...] = ()


def priority_order(tie_break: Sequence[int] | None, n_candidates: int) -> tuple[int, ...]:
    """Validate a declared priority order (first = preferred); ``None`` means index order."""
    if tie_break is None:
        return tuple(range(n_candidates))
    order = tuple(int(c) for c in tie_break)
    if sorted(order) != list(range(n_candidates)):
        raise VotingInputError(
            "L'ordre de départage doit citer chaque candidat exactement une fois "
            f"(reçu {list(order)} pour {n_candidates} candidats)."
        )
    return order


def tiers_from_keys(
    keys: Sequence[K], better: Callable[[K, K], bool]
) -> tuple[tuple[int, ...], ...]:
    """Group candidates whose keys are equal, best group first (``better(x, y)``: x beats y)."""

    def compare(a: int, b: int) -> int:
        if better(keys[a], keys[b]):
            return -1
        if better(keys[b], keys[a]):
            return 1
        return 0

    return tiers_from_comparison(len(keys), compare)


def tiers_from_comparison(
    n_candidates: int, compare: Callable[[int, int], int]
) -> tuple[tuple[int, ...], ...]:
    """Group candidates by a total preorder: ``compare(a, b) < 0`` when a is ranked first."""
    ranked = sorted(range(n_candidates), key=functools.cmp_to_key(compare))
    tiers: list[list[int]] = []
    for candidate in ranked:
        if tiers and compare(tiers[-1][0], candidate) == 0:
            tiers[-1].append(candidate)
        else:
            tiers.append([candidate])
    return tuple(tuple(sorted(tier)) for tier in tiers)


def break_ties(
    tiers: Sequence[Sequence[int]],
    priority: Sequence[int],
    describe: Callable[[int], str],
) -> tuple[tuple[int, ...], tuple[TieBreakStep, ...]]:
    """Order each tier by the declared priority; return the full order and the trace.

    ``describe(candidate)`` says what the tied candidates had in common (e.g. their score).
    """
    position = {candidate: index for index, candidate in enumerate(priority)}
    order: list[int] = []
    steps: list[TieBreakStep] = []
    for tier in tiers:
        chosen = tuple(sorted(tier, key=position.__getitem__))
        if len(chosen) > 1:
            steps.append(
                TieBreakStep(
                    tied=tuple(sorted(tier)),
                    chosen=chosen,
                    note=f"{describe(chosen[0])}; {FIXED_ORDER}",
                )
            )
        order.extend(chosen)
    return tuple(order), tuple(steps)
