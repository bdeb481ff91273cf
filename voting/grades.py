"""Grade ballots: majority judgment (Balinski & Laraki), score (range) voting and approval, with
exact integer weights and a declared tie-break.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voting.arrays import (
    as_array,
    as_matrix,
    as_weight_array,
    check_weight_scale,
    frozen,
    is_integer_array,
)
from voting.errors import VotingInputError
from voting.ranked import WeightsInput, scale_weights
from voting.tiebreak import TieBreakStep, break_ties, priority_order, tiers_from_comparison

_INT64_LIMIT = 2**63

# Worst first: grade 0 is "À rejeter".
MENTIONS_FR: tuple[str, ...] = (
    "À rejeter",
    "Insuffisant",
    "Passable",
    "Assez bien",
    "Bien",
    "Très bien",
    "Excellent",
)


@dataclass(frozen=True, eq=False)
class GradeBallots:
    """Grade ballots as an (n_ballots, n_candidates) matrix of grade indices, 0 = worst grade.

    Every ballot grades every candidate (a service maps a missing grade to the lowest, as
    majority judgment prescribes). ``weights`` are exact integers (see ``scale_weights``).
    """

    grades: NDArray[np.integer[Any]]
    weights: NDArray[np.int64]
    candidates: tuple[str, ...]
    grade_names: tuple[str, ...]
    weight_scale: int = 1

    def __post_init__(self) -> None:
        m = len(self.candidates)
        n_grades = len(self.grade_names)
        if m < 1 or n_grades < 2:
            raise VotingInputError("Il faut au moins un candidat et deux mentions.")
        grades = as_matrix(self.grades, m, "Matrice des mentions")
        if not is_integer_array(grades):
            raise VotingInputError(f"Les mentions doivent former une matrice (bulletins, {m}).")
        if grades.size and (int(grades.min()) < 0 or int(grades.max()) >= n_grades):
            raise VotingInputError(f"Les mentions doivent être entre 0 et {n_grades - 1}.")
        weights = as_weight_array(self.weights, grades.shape[0])
        check_weight_scale(self.weight_scale)
        small = np.int8 if n_grades <= 127 else np.int16 if n_grades <= 32767 else np.int32
        object.__setattr__(self, "grades", frozen(grades, small))
        object.__setattr__(self, "weights", frozen(weights, np.int64))
        object.__setattr__(self, "candidates", tuple(str(c) for c in self.candidates))
        object.__setattr__(self, "grade_names", tuple(str(g) for g in self.grade_names))

    @classmethod
    def from_grades(
        cls,
        grades: NDArray[np.integer[Any]] | Sequence[Sequence[int]],
        candidates: Sequence[str],
        grade_names: Sequence[str] = MENTIONS_FR,
        weights: WeightsInput = None,
    ) -> GradeBallots:
        """Build from a grade matrix and optional exact weights (Fractions are scaled)."""
        array = as_matrix(grades, len(candidates), "Matrice des mentions")
        scaled, scale = scale_weights(weights, array.shape[0])
        return cls(array, scaled, tuple(candidates), tuple(grade_names), scale)

    @property
    def n_ballots(self) -> int:
        return int(self.grades.shape[0])


@dataclass(frozen=True, eq=False)
class GradeCounts:
    """Weight given to each grade of each candidate: ``counts[c, g]`` (services may get it from
    SQL ``GROUP BY``). Every candidate must have the same total (every ballot grades everyone)."""

    counts: NDArray[np.int64]
    candidates: tuple[str, ...]
    grade_names: tuple[str, ...]

    def __post_init__(self) -> None:
        counts = as_array(self.counts, "Décompte des mentions")
        if counts.shape != (len(self.candidates), len(self.grade_names)):
            raise VotingInputError(
                "Le décompte doit avoir une ligne par candidat et une colonne par mention."
            )
        if counts.size and not is_integer_array(counts):
            raise VotingInputError("Un décompte de mentions est un nombre entier de voix.")
        counts = counts.astype(np.int64, copy=False)
        if counts.size and int(counts.min()) < 0:
            raise VotingInputError("Un décompte de mentions ne peut pas être négatif.")
        totals = {int(t) for t in counts.sum(axis=1)}
        if len(totals) > 1:
            raise VotingInputError(
                "Chaque candidat doit recevoir une mention de chaque votant (totaux inégaux)."
            )
        object.__setattr__(self, "counts", frozen(counts, np.int64))

    @property
    def total_weight(self) -> int:
        return int(self.counts[0].sum()) if self.counts.size else 0


def grade_counts(ballots: GradeBallots) -> GradeCounts:
    """Count the weight of each grade per candidate (``bincount``; exact int64 ``einsum`` when
    weights differ)."""
    grades = ballots.grades
    weights = ballots.weights
    n, m = grades.shape
    n_grades = len(ballots.grade_names)
    if n and int(weights.max()) * n >= _INT64_LIMIT:
        raise VotingInputError("Poids total des bulletins trop grand (dépasse 2^63).")
    if n == 0:
        counts = np.zeros((m, n_grades), dtype=np.int64)
    elif bool((weights == weights[0]).all()):
        offsets = (np.arange(m, dtype=np.int64) * n_grades)[None, :]
        flat = np.bincount((grades.astype(np.int64) + offsets).ravel(), minlength=m * n_grades)
        counts = flat.reshape(m, n_grades) * weights[0]
    else:
        counts = np.stack(
            [np.einsum("n,nc->c", weights, grades == g, dtype=np.int64) for g in range(n_grades)],
            axis=1,
        )
    return GradeCounts(counts, ballots.candidates, ballots.grade_names)


Runs = list[tuple[int, int]]  # (grade, length), run-length encoded


def _sides(row: Sequence[int]) -> tuple[Runs, Runs, int]:
    """Split the sorted grades around the lower median: the lower side read downwards from the
    lower median, the upper side read upwards; both run-length encoded."""
    total = sum(row)
    centre = (total - 1) // 2
    lower: Runs = []
    upper: Runs = []
    start = 0
    for grade, count in enumerate(row):
        end = start + count
        below = min(end, centre + 1) - start
        if below > 0:
            lower.append((grade, below))
        above = end - max(start, centre + 1)
        if above > 0:
            upper.append((grade, above))
        start = end
    lower.reverse()
    return lower, upper, total


def _first_difference(a: Runs, b: Runs) -> tuple[int, int, int] | None:
    """First index where two run-length sequences differ, with both values there."""
    i = j = 0
    left_a = a[0][1] if a else 0
    left_b = b[0][1] if b else 0
    index = 0
    while i < len(a) and j < len(b):
        if a[i][0] != b[j][0]:
            return index, a[i][0], b[j][0]
        step = min(left_a, left_b)
        index += step
        left_a -= step
        left_b -= step
        if left_a == 0:
            i += 1
            left_a = a[i][1] if i < len(a) else 0
        if left_b == 0:
            j += 1
            left_b = b[j][1] if j < len(b) else 0
    return None


def _compare_majority_values(x: Sequence[int], y: Sequence[int]) -> int:
    """Compare two candidates' majority values (< 0 when x ranks first).

    Removing lower-median grades one at a time reads the sorted grades outwards from the lower
    median, alternating sides: for N odd L0, L1, U0, L2, U1, …; for N even L0, U0, L1, U1, …
    So the first difference is the earliest of the first differences of each side.
    """
    lower_x, upper_x, total = _sides(x)
    lower_y, upper_y, _ = _sides(y)
    found: list[tuple[int, int, int]] = []
    on_lower = _first_difference(lower_x, lower_y)
    if on_lower is not None:
        i, gx, gy = on_lower
        position = (0 if i == 0 else 2 * i - 1) if total % 2 else 2 * i
        found.append((position, gx, gy))
    on_upper = _first_difference(upper_x, upper_y)
    if on_upper is not None:
        j, gx, gy = on_upper
        position = 2 * j + 2 if total % 2 else 2 * j + 1
        found.append((position, gx, gy))
    if not found:
        return 0
    _, gx, gy = min(found)
    return -1 if gx > gy else 1


@dataclass(frozen=True)
class MajorityJudgmentResult:
    """Majority judgment outcome: per candidate the weight per grade, the majority grade (lower
    median; ``None`` without ballots) and the shares strictly above (proponents) and below
    (opponents) it; tiers before the tie-break, co-winners, winner and order after it."""

    candidates: tuple[str, ...]
    grade_names: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    total_weight: int
    medians: tuple[int | None, ...]
    proponents: tuple[Fraction, ...]
    opponents: tuple[Fraction, ...]
    tiers: tuple[tuple[int, ...], ...]
    co_winners: tuple[int, ...]
    winner: int
    order: tuple[int, ...]
    tie_break_order: tuple[int, ...]
    tie_break: tuple[TieBreakStep, ...]

    @property
    def winner_name(self) -> str:
        return self.candidates[self.winner]

    @property
    def median_names(self) -> tuple[str | None, ...]:
        return tuple(None if g is None else self.grade_names[g] for g in self.medians)


def majority_judgment(
    ballots: GradeBallots | GradeCounts, *, tie_break: Sequence[int] | None = None
) -> MajorityJudgmentResult:
    """Majority judgment (M. Balinski & R. Laraki, "Majority Judgment", MIT Press 2011): rank by
    majority grade (the lower median for an even count); between equal majority grades, remove
    one median grade from each and compare again, repeatedly (the "majority value"), computed
    exactly on run-length encoded grades. Weights act as multiplicities. Candidates with identical
    grade distributions stay tied and are ordered by the declared priority (default index order).
    """
    counts = ballots if isinstance(ballots, GradeCounts) else grade_counts(ballots)
    m = len(counts.candidates)
    priority = priority_order(tie_break, m)
    rows = [tuple(int(v) for v in row) for row in counts.counts]
    total = counts.total_weight
    medians: list[int | None] = []
    proponents: list[Fraction] = []
    opponents: list[Fraction] = []
    for row in rows:
        if total == 0:
            medians.append(None)
            proponents.append(Fraction(0))
            opponents.append(Fraction(0))
            continue
        lower, _, _ = _sides(row)
        median = lower[0][0]
        medians.append(median)
        proponents.append(Fraction(sum(row[median + 1 :]), total))
        opponents.append(Fraction(sum(row[:median]), total))

    def compare(a: int, b: int) -> int:
        return _compare_majority_values(rows[a], rows[b])

    tiers = tiers_from_comparison(m, compare)
    order, steps = break_ties(
        tiers,
        priority,
        lambda c: f"same grade distribution (majority grade {medians[c]})",
    )
    return MajorityJudgmentResult(
        candidates=counts.candidates,
        grade_names=counts.grade_names,
        counts=tuple(rows),
        total_weight=total,
        medians=tuple(medians),
        proponents=tuple(proponents),
        opponents=tuple(opponents),
        tiers=tiers,
        co_winners=tiers[0],
        winner=order[0],
        order=order,
        tie_break_order=priority,
        tie_break=steps,
    )


@dataclass(frozen=True)
class ScoreResult:
    """Score or approval outcome: weighted totals (exact integers, in scaled weight units), mean
    per ballot weight (``None`` without ballots), tiers, co-winners, winner and order."""

    method: str
    candidates: tuple[str, ...]
    totals: tuple[int, ...]
    means: tuple[Fraction | None, ...]
    total_weight: int
    tiers: tuple[tuple[int, ...], ...]
    co_winners: tuple[int, ...]
    winner: int
    order: tuple[int, ...]
    tie_break_order: tuple[int, ...]
    tie_break: tuple[TieBreakStep, ...]

    @property
    def winner_name(self) -> str:
        return self.candidates[self.winner]


def _score_result(
    method: str,
    candidates: tuple[str, ...],
    values: NDArray[np.integer[Any]],
    weights: NDArray[np.int64],
    top_value: int,
    tie_break: Sequence[int] | None,
) -> ScoreResult:
    n = values.shape[0]
    if n and int(weights.max()) * n * max(top_value, 1) >= _INT64_LIMIT:
        raise VotingInputError("Poids total des bulletins trop grand (dépasse 2^63).")
    priority = priority_order(tie_break, len(candidates))
    totals = tuple(int(t) for t in np.einsum("n,nc->c", weights, values, dtype=np.int64))
    weight = int(weights.sum()) if n else 0
    means = tuple(Fraction(t, weight) if weight else None for t in totals)
    tiers = tiers_from_comparison(len(candidates), lambda a, b: totals[b] - totals[a])
    order, steps = break_ties(tiers, priority, lambda c: f"total {totals[c]}")
    return ScoreResult(
        method=method,
        candidates=candidates,
        totals=totals,
        means=means,
        total_weight=weight,
        tiers=tiers,
        co_winners=tiers[0],
        winner=order[0],
        order=order,
        tie_break_order=priority,
        tie_break=steps,
    )


def score_voting(ballots: GradeBallots, *, tie_break: Sequence[int] | None = None) -> ScoreResult:
    """Score (range) voting (W. D. Smith's range voting): each ballot gives each candidate a score
    (the grade index, 0 … G−1); highest weighted total wins (same order as the mean, since every
    ballot scores everyone). Tie-break: equal totals ordered by the declared priority (default
    index order).
    """
    return _score_result(
        "score",
        ballots.candidates,
        ballots.grades,
        ballots.weights,
        len(ballots.grade_names) - 1,
        tie_break,
    )


def approval(
    approvals: NDArray[np.bool_] | NDArray[np.integer[Any]] | Sequence[Sequence[int]],
    candidates: Sequence[str],
    *,
    weights: WeightsInput = None,
    tie_break: Sequence[int] | None = None,
) -> ScoreResult:
    """Approval voting (S. Brams & P. Fishburn, 1978): each ballot approves any number of
    candidates (a 0/1 or boolean matrix); the largest weighted number of approvals wins.
    Tie-break: equal totals ordered by the declared priority (default index order).
    """
    m = len(candidates)
    array = as_array(approvals, "Approbations")
    if array.size == 0 and array.ndim < 2:
        array = array.reshape(0, m)
    if array.ndim != 2 or array.shape[1] != m:
        raise VotingInputError(f"Chaque bulletin d'approbation doit viser les {m} candidats.")
    is_boolean = array.dtype == np.bool_
    if not is_boolean and not np.issubdtype(array.dtype, np.integer):
        raise VotingInputError("Une approbation vaut 0 ou 1.")
    if not is_boolean and array.size and (int(array.min()) < 0 or int(array.max()) > 1):
        raise VotingInputError("Une approbation vaut 0 ou 1.")
    values = array.astype(np.int8, copy=False)
    scaled, _ = scale_weights(weights, array.shape[0])
    return _score_result(
        "approval", tuple(str(c) for c in candidates), values, scaled, 1, tie_break
    )
