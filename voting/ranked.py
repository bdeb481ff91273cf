"""Ranked ballots (full or partial rankings, ties, exact integer weights): the weighted pairwise
matrix in numpy, then Schulze, ranked pairs, Copeland, Borda and minimax with a declared tie-break.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from voting.arrays import (
    WEIGHT_TYPE_MESSAGE,
    as_array,
    as_matrix,
    as_weight_array,
    check_weight_scale,
    frozen,
    is_integer_array,
    rank_dtype,
)
from voting.errors import VotingInputError
from voting.tiebreak import (
    TieBreakStep,
    break_ties,
    priority_order,
    tiers_from_keys,
)

_INT64_LIMIT = 2**63
_PAIRWISE_CHUNK_CELLS = 2_000_000
# Work units (candidates or pairs visited) the ranked pairs co-winner search may spend: about
# 0.1–0.2 s on this machine, past which co_winners_exact is False.
SEARCH_BUDGET = 1_000_000

WeightsInput = Sequence[int | Fraction] | NDArray[np.integer[Any]] | None
Ranking = Sequence[int | Sequence[int] | frozenset[int] | set[int]]


def scale_weights(weights: WeightsInput, n_ballots: int) -> tuple[NDArray[np.int64], int]:
    """Turn exact ballot weights into int64 integers: Fractions are multiplied by the least common
    multiple of their denominators (returned as the scale). ``None`` gives weight 1 to every ballot.
    """
    if weights is None:
        return np.ones(n_ballots, dtype=np.int64), 1
    if isinstance(weights, np.ndarray):
        if not np.issubdtype(weights.dtype, np.integer):
            raise VotingInputError(WEIGHT_TYPE_MESSAGE)
        array = weights.astype(np.int64, copy=False)
        if array.shape != (n_ballots,):
            raise VotingInputError(f"{array.size} poids pour {n_ballots} bulletins.")
        if array.size and int(array.min()) < 0:
            raise VotingInputError("Le poids d'un bulletin ne peut pas être négatif.")
        return array, 1
    exact: list[Fraction] = []
    for weight in weights:
        if isinstance(weight, float | bool) or not isinstance(weight, Fraction | int | np.integer):
            raise VotingInputError(WEIGHT_TYPE_MESSAGE)
        exact.append(Fraction(int(weight)) if isinstance(weight, np.integer) else Fraction(weight))
    if len(exact) != n_ballots:
        raise VotingInputError(f"{len(exact)} poids pour {n_ballots} bulletins.")
    if any(w < 0 for w in exact):
        raise VotingInputError("Le poids d'un bulletin ne peut pas être négatif.")
    scale = math.lcm(*(w.denominator for w in exact)) if exact else 1
    scaled = [int(w * scale) for w in exact]
    if scaled and max(scaled) >= _INT64_LIMIT:
        raise VotingInputError("Poids de bulletins trop grands une fois mis au même dénominateur.")
    return np.asarray(scaled, dtype=np.int64).reshape(n_ballots), scale


def _total_weight(weights: NDArray[np.int64]) -> int:
    if weights.size == 0:
        return 0
    if int(weights.max()) * weights.size < _INT64_LIMIT:
        return int(weights.sum())
    total = sum(int(w) for w in weights)
    if total >= _INT64_LIMIT:
        raise VotingInputError("Poids total des bulletins trop grand (dépasse 2^63).")
    return total


@dataclass(frozen=True, eq=False)
class RankedBallots:
    """Ranked ballots as an (n_ballots, n_candidates) rank matrix: 0 is first, equal ranks are
    ties, and an unranked candidate gets ``n_candidates`` (below every ranked one, tied with the
    other unranked ones, as Debian counts). ``weights`` are exact integers (``weight_scale`` is
    the common denominator used when the caller gave Fractions).
    """

    ranks: NDArray[np.integer[Any]]
    weights: NDArray[np.int64]
    candidates: tuple[str, ...]
    weight_scale: int = 1

    def __post_init__(self) -> None:
        m = len(self.candidates)
        if m < 1:
            raise VotingInputError("Il faut au moins un candidat.")
        ranks = as_matrix(self.ranks, m, "Matrice des rangs")
        if not is_integer_array(ranks):
            raise VotingInputError(
                f"La matrice des rangs doit être d'entiers, de forme (bulletins, {m})."
            )
        if ranks.size and (int(ranks.min()) < 0 or int(ranks.max()) > m):
            raise VotingInputError(f"Les rangs doivent être entre 0 et {m} (non classé).")
        small = rank_dtype(m)
        weights = as_weight_array(self.weights, ranks.shape[0])
        check_weight_scale(self.weight_scale)
        object.__setattr__(self, "ranks", frozen(ranks, small))
        object.__setattr__(self, "weights", frozen(weights, np.int64))
        object.__setattr__(self, "candidates", tuple(str(c) for c in self.candidates))

    @property
    def n_ballots(self) -> int:
        return int(self.ranks.shape[0])

    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    @property
    def total_weight(self) -> int:
        """Sum of the (scaled) weights, exact."""
        return _total_weight(self.weights)

    @classmethod
    def from_ranks(
        cls,
        ranks: NDArray[np.integer[Any]] | Sequence[Sequence[int]],
        candidates: Sequence[str],
        weights: WeightsInput = None,
    ) -> RankedBallots:
        """Build from a rank matrix (see the class docstring) and optional exact weights."""
        array = as_matrix(ranks, len(candidates), "Matrice des rangs")
        scaled, scale = scale_weights(weights, array.shape[0])
        return cls(array, scaled, tuple(candidates), scale)

    @classmethod
    def from_orders(
        cls,
        orders: NDArray[np.integer[Any]],
        candidates: Sequence[str],
        weights: WeightsInput = None,
    ) -> RankedBallots:
        """Build from complete strict rankings: ``orders[i, k]`` is the candidate ballot i puts at
        position k."""
        m = len(candidates)
        array = as_array(orders, "Classements complets")
        if array.ndim != 2 or array.shape[1] != m:
            if array.size:
                raise VotingInputError(f"Chaque classement complet doit citer les {m} candidats.")
            array = array.reshape(0, m)
        if not array.size:
            array = array.astype(np.intp)
        if not is_integer_array(array):
            raise VotingInputError("Un classement complet cite les candidats par leur indice.")
        unknown = (array < 0) | (array >= m)
        if unknown.any():
            row, column = (int(i) for i in np.argwhere(unknown)[0])
            raise VotingInputError(
                f"Bulletin {row + 1} : candidat {int(array[row, column])} inconnu "
                f"(les candidats vont de 0 à {m - 1})."
            )
        ordered = np.sort(array, axis=1)
        repeated = ordered[:, 1:] == ordered[:, :-1]
        if repeated.any():
            row, column = (int(i) for i in np.argwhere(repeated)[0])
            raise VotingInputError(
                f"Bulletin {row + 1} : candidat {int(ordered[row, column])} cité deux fois "
                "(un classement complet cite chaque candidat une fois)."
            )
        ranks = np.empty(array.shape, dtype=rank_dtype(m))
        np.put_along_axis(ranks, array.astype(np.intp), np.arange(m, dtype=ranks.dtype)[None, :], 1)
        scaled, scale = scale_weights(weights, array.shape[0])
        return cls(ranks, scaled, tuple(candidates), scale)

    @classmethod
    def from_rankings(
        cls,
        rankings: Sequence[Ranking],
        candidates: Sequence[str],
        weights: WeightsInput = None,
    ) -> RankedBallots:
        """Build from rankings written as sequences of candidate indices, best first, where an
        element may be a group of tied candidates; candidates left out are unranked."""
        m = len(candidates)
        ranks = np.full((len(rankings), m), m, dtype=rank_dtype(m))
        for row, ranking in enumerate(rankings):
            seen: set[int] = set()
            for position, group in enumerate(ranking):
                if isinstance(group, str | bytes | float | bool | np.bool_):
                    members: tuple[Any, ...] = (group,)
                elif isinstance(group, int | np.integer):
                    members = (group,)
                else:
                    members = tuple(group)
                for candidate in members:
                    if isinstance(candidate, bool | np.bool_) or not isinstance(
                        candidate, int | np.integer
                    ):
                        raise VotingInputError(
                            f"Bulletin {row + 1} : {candidate!r} n'est pas un indice de candidat."
                        )
                    index = int(candidate)
                    if not 0 <= index < m or index in seen:
                        raise VotingInputError(
                            f"Bulletin {row + 1} : candidat {candidate} inconnu ou cité deux fois."
                        )
                    seen.add(index)
                    ranks[row, index] = position
        scaled, scale = scale_weights(weights, len(rankings))
        return cls(ranks, scaled, tuple(candidates), scale)

    def ranking_of(self, ballot: int) -> tuple[tuple[int, ...], ...]:
        """Ballot ``ballot`` as groups of tied candidates, best first (unranked left out)."""
        row = self.ranks[ballot]
        levels = sorted({int(r) for r in row if int(r) < self.n_candidates})
        return tuple(tuple(int(c) for c in np.flatnonzero(row == level)) for level in levels)


@dataclass(frozen=True, eq=False)
class Pairwise:
    """Weighted pairwise matrix: ``matrix[a, b]`` is the weight of the ballots ranking a strictly
    above b (a ranked candidate is above an unranked one; two unranked ones are tied)."""

    matrix: NDArray[np.int64]
    candidates: tuple[str, ...]
    total_weight: int

    def __post_init__(self) -> None:
        matrix = as_array(self.matrix, "Matrice des duels")
        m = len(self.candidates)
        if matrix.shape != (m, m):
            raise VotingInputError(f"La matrice des duels doit être {m}×{m}.")
        if not is_integer_array(matrix):
            raise VotingInputError("La matrice des duels compte des poids entiers.")
        total = self.total_weight
        if isinstance(total, bool) or not isinstance(total, int | np.integer) or total < 0:
            raise VotingInputError(f"Poids total invalide : {total!r}.")
        matrix = matrix.astype(np.int64, copy=False)
        if matrix.size and int(matrix.min()) < 0:
            raise VotingInputError("La matrice des duels ne peut pas compter un poids négatif.")
        if np.diagonal(matrix).any():
            raise VotingInputError("Un candidat n'est pas en duel avec lui-même (diagonale à 0).")
        both = matrix + matrix.T
        if both.size and int(both.max()) > total:
            a, b = (int(i) for i in np.argwhere(both > total)[0])
            raise VotingInputError(
                f"Duel {a}–{b} : {int(both[a, b])} de poids exprimé pour un total de {total}."
            )
        object.__setattr__(self, "matrix", frozen(matrix, np.int64))
        object.__setattr__(self, "total_weight", int(total))

    @property
    def margins(self) -> NDArray[np.int64]:
        return self.matrix - self.matrix.T

    def as_tuples(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(int(v) for v in row) for row in self.matrix)


def pairwise_matrix(ballots: RankedBallots) -> Pairwise:
    """Build the weighted pairwise matrix, vectorised over ballots in cache-sized chunks.

    Each chunk compares every rank with every other (an (n, m, m) boolean block). Equal weights
    sum the block as integers then multiply; other weights use an exact int64 ``einsum``.
    """
    ranks = ballots.ranks
    weights = ballots.weights
    n, m = ranks.shape
    total = ballots.total_weight
    matrix = np.zeros((m, m), dtype=np.int64)
    chunk = max(1, _PAIRWISE_CHUNK_CELLS // (m * m))
    uniform = n > 0 and bool((weights == weights[0]).all())
    for start in range(0, n, chunk):
        block = ranks[start : start + chunk]
        above = block[:, :, None] < block[:, None, :]
        if uniform:
            matrix += above.sum(axis=0, dtype=np.int32 if chunk < 2**31 else np.int64)
        else:
            matrix += np.einsum("n,nab->ab", weights[start : start + chunk], above, dtype=np.int64)
    if uniform:
        matrix *= weights[0]
    return Pairwise(matrix, ballots.candidates, total)


@dataclass(frozen=True)
class RankedResult:
    """Outcome of a ranked-ballot method.

    ``tiers`` is the method's ranking before any tie-break (candidates in one tier are tied);
    ``co_winners`` the candidates tied for first before the tie-break; ``winner`` and ``order``
    come after the declared tie-break (``tie_break_order``), whose decisions are in ``tie_break``.
    ``scores`` is the method's score per candidate when it has one (Copeland, Borda, minimax);
    ``strongest_paths`` (Schulze) and ``locked`` (ranked pairs, in lock order) explain the result;
    ``co_winners_exact`` is False only when a ranked pairs search stopped at its budget, and
    ``search_work`` is the work that search took (0 when no search was needed).
    """

    method: str
    candidates: tuple[str, ...]
    pairwise: tuple[tuple[int, ...], ...]
    total_weight: int
    scores: tuple[Fraction, ...] | None
    tiers: tuple[tuple[int, ...], ...]
    co_winners: tuple[int, ...]
    winner: int
    order: tuple[int, ...]
    tie_break_order: tuple[int, ...]
    tie_break: tuple[TieBreakStep, ...]
    strongest_paths: tuple[tuple[int, ...], ...] | None = None
    locked: tuple[tuple[int, int], ...] | None = None
    co_winners_exact: bool = True
    search_work: int = 0

    @property
    def winner_name(self) -> str:
        return self.candidates[self.winner]

    @property
    def order_names(self) -> tuple[str, ...]:
        return tuple(self.candidates[c] for c in self.order)


def _as_pairwise(ballots: RankedBallots | Pairwise) -> Pairwise:
    return ballots if isinstance(ballots, Pairwise) else pairwise_matrix(ballots)


def _peel(beats: NDArray[np.bool_]) -> tuple[tuple[int, ...], ...]:
    """Tiers of an acyclic "beats" relation: repeatedly take the candidates nobody left beats."""
    remaining = list(range(beats.shape[0]))
    tiers: list[tuple[int, ...]] = []
    while remaining:
        sub = beats[np.ix_(remaining, remaining)]
        beaten: list[bool] = np.any(sub, axis=0).astype(bool).tolist()
        unbeaten = [c for c, lost in zip(remaining, beaten, strict=True) if not lost]
        tier = unbeaten or remaining  # a cycle cannot happen for these methods; stay total anyway
        tiers.append(tuple(tier))
        remaining = [c for c in remaining if c not in tier]
    return tuple(tiers)


def _result(
    method: str,
    pairwise: Pairwise,
    tiers: tuple[tuple[int, ...], ...],
    priority: tuple[int, ...],
    scores: tuple[Fraction, ...] | None,
    describe: str,
    **extra: Any,
) -> RankedResult:
    def note(candidate: int) -> str:
        if scores is None:
            return describe
        return f"{describe} {scores[candidate]}"

    order, steps = break_ties(tiers, priority, note)
    return RankedResult(
        method=method,
        candidates=pairwise.candidates,
        pairwise=pairwise.as_tuples(),
        total_weight=pairwise.total_weight,
        scores=scores,
        tiers=tiers,
        co_winners=tiers[0],
        winner=order[0],
        order=order,
        tie_break_order=priority,
        tie_break=steps,
        **extra,
    )


SchulzeStrength = Literal["winning_votes", "margins"]


def schulze(
    ballots: RankedBallots | Pairwise,
    *,
    tie_break: Sequence[int] | None = None,
    strength: SchulzeStrength = "winning_votes",
) -> RankedResult:
    """Schulze method (M. Schulze, Social Choice and Welfare 36, 2011; the Debian constitution
    A.6): strongest (widest) paths by Floyd–Warshall in numpy, a link a→b existing when a beats b
    pairwise, with strength its winning votes (default) or its margin. a is ranked above b when
    the strongest path a→b is stronger than b→a; tiers peel the unbeaten candidates. Tie-break:
    candidates tied in a tier are ordered by the declared priority (default index order).
    """
    pairwise = _as_pairwise(ballots)
    priority = priority_order(tie_break, len(pairwise.candidates))
    p = pairwise.matrix
    wins = p > p.T
    if strength == "winning_votes":
        d = np.where(wins, p, 0)
    elif strength == "margins":
        d = np.where(wins, p - p.T, 0)
    else:
        raise VotingInputError(f"Force de lien inconnue pour Schulze : {strength!r}.")
    for k in range(d.shape[0]):
        d = np.maximum(d, np.minimum(d[:, k : k + 1], d[k : k + 1, :]))
    np.fill_diagonal(d, 0)
    tiers = _peel(d > d.T)
    paths = tuple(tuple(int(v) for v in row) for row in d)
    return _result(
        "schulze", pairwise, tiers, priority, None, "strongest paths equal", strongest_paths=paths
    )


def copeland(
    ballots: RankedBallots | Pairwise, *, tie_break: Sequence[int] | None = None
) -> RankedResult:
    """Copeland method (A. H. Copeland, 1951): score = pairwise wins − pairwise losses (a pairwise
    tie counts 0, same order as 1 / ½ / 0 points). Tie-break: equal scores ordered by the declared
    priority (default index order).
    """
    pairwise = _as_pairwise(ballots)
    priority = priority_order(tie_break, len(pairwise.candidates))
    margins = pairwise.margins
    raw = (margins > 0).sum(axis=1) - (margins < 0).sum(axis=1)
    scores = tuple(Fraction(int(s)) for s in raw)
    tiers = tiers_from_keys(scores, lambda x, y: x > y)
    return _result("copeland", pairwise, tiers, priority, scores, "Copeland score")


def borda(
    ballots: RankedBallots | Pairwise, *, tie_break: Sequence[int] | None = None
) -> RankedResult:
    """Borda count (J.-C. de Borda, 1781), averaged for ties: on each ballot a candidate gets one
    point per candidate ranked strictly below it and half a point per candidate tied with it
    (unranked candidates are tied last), so a full ranking gives m−1, …, 1, 0. Computed exactly
    from the pairwise matrix: ((m−1)·W + Σ_b margin(a, b)) / 2. Tie-break: equal scores ordered by
    the declared priority (default index order).
    """
    pairwise = _as_pairwise(ballots)
    priority = priority_order(tie_break, len(pairwise.candidates))
    m = len(pairwise.candidates)
    doubled = pairwise.margins.sum(axis=1)
    scores = tuple(Fraction((m - 1) * pairwise.total_weight + int(s), 2) for s in doubled)
    tiers = tiers_from_keys(scores, lambda x, y: x > y)
    return _result("borda", pairwise, tiers, priority, scores, "Borda score")


MinimaxStrength = Literal["margins", "winning_votes", "pairwise_opposition"]


def minimax(
    ballots: RankedBallots | Pairwise,
    *,
    tie_break: Sequence[int] | None = None,
    strength: MinimaxStrength = "margins",
) -> RankedResult:
    """Minimax (Simpson–Kramer): a candidate's score is its worst pairwise defeat, lowest score
    wins. Defeat strength: ``margins`` (default; margin of b over a when b beats a, else 0),
    ``winning_votes`` (votes for b over a when b beats a, else 0) or ``pairwise_opposition``
    (votes for b over a, beaten or not). All three agree on complete strict rankings. Tie-break:
    equal scores ordered by the declared priority (default index order).
    """
    pairwise = _as_pairwise(ballots)
    priority = priority_order(tie_break, len(pairwise.candidates))
    p = pairwise.matrix
    beaten_by = p < p.T  # [a, b]: b beats a
    if strength == "margins":
        defeats = np.where(beaten_by, p.T - p, 0)
    elif strength == "winning_votes":
        defeats = np.where(beaten_by, p.T, 0)
    elif strength == "pairwise_opposition":
        defeats = p.T.copy()
        np.fill_diagonal(defeats, 0)
    else:
        raise VotingInputError(f"Force de défaite inconnue pour minimax : {strength!r}.")
    scores = tuple(Fraction(int(s)) for s in defeats.max(axis=1))
    tiers = tiers_from_keys(scores, lambda x, y: x < y)
    return _result("minimax", pairwise, tiers, priority, scores, f"minimax ({strength}) score")


@dataclass
class _LockRun:
    reach: list[int]  # reach[x]: bit mask of the candidates x is locked above (transitively)
    locked: list[tuple[int, int]]
    sources: tuple[int, ...]  # unbeaten in the graph of positive margins
    contested: list[tuple[int, tuple[tuple[int, int], ...]]]  # (margin, pairs in order)
    settled_ties: list[tuple[int, int]]


def _lock(reach: list[int], winner: int, loser: int) -> bool:
    """Lock winner→loser unless it creates a cycle (loser already reaches winner)."""
    if (reach[loser] >> winner) & 1:
        return False
    gained = (1 << loser) | reach[loser]
    for x in range(len(reach)):
        if x == winner or (reach[x] >> winner) & 1:
            reach[x] |= gained
    return True


def _sources(reach: Sequence[int]) -> tuple[int, ...]:
    beaten = 0
    for mask in reach:
        beaten |= mask
    return tuple(c for c in range(len(reach)) if not (beaten >> c) & 1)


def _margin_groups(
    margins: NDArray[np.int64], position: dict[int, int]
) -> list[tuple[int, list[tuple[int, int]]]]:
    """Positive-margin pairs grouped by margin, largest first, each group in declared order."""
    winners, losers = np.nonzero(margins > 0)
    pairs = sorted(
        zip(winners.tolist(), losers.tolist(), strict=True),
        key=lambda e: (-int(margins[e[0], e[1]]), position[e[0]], position[e[1]]),
    )
    groups: list[tuple[int, list[tuple[int, int]]]] = []
    for a, b in pairs:
        strength = int(margins[a, b])
        if groups and groups[-1][0] == strength:
            groups[-1][1].append((a, b))
        else:
            groups.append((strength, [(a, b)]))
    return groups


def _is_condorcet(margins: NDArray[np.int64], candidate: int) -> bool:
    others = [c for c in range(margins.shape[0]) if c != candidate]
    return bool((margins[candidate, others] > 0).all())


def _ranked_pairs_run(margins: NDArray[np.int64], priority: Sequence[int]) -> _LockRun:
    m = margins.shape[0]
    position = {c: i for i, c in enumerate(priority)}
    reach = [0] * m
    locked: list[tuple[int, int]] = []
    contested: list[tuple[int, tuple[tuple[int, int], ...]]] = []
    for strength, group in _margin_groups(margins, position):
        before = list(reach)
        blocked_by_group = False
        for a, b in group:
            if _lock(reach, a, b):
                locked.append((a, b))
            elif not (before[b] >> a) & 1:
                blocked_by_group = True  # the order inside this equal-margin group mattered
        if blocked_by_group:
            contested.append((strength, tuple(group)))
    sources = _sources(reach)
    settled: list[tuple[int, int]] = []
    ties = sorted(
        ((a, b) for a in range(m) for b in range(m) if a != b and margins[a, b] == 0),
        key=lambda e: (position[e[0]], position[e[1]]),
    )
    for a, b in ties:
        already = bool((reach[a] >> b) & 1)
        if _lock(reach, a, b) and not already:
            locked.append((a, b))
            settled.append((a, b))
    return _LockRun(reach, locked, sources, contested, settled)


Pair = tuple[int, int]


def _bits(mask: int) -> Iterator[int]:
    """Indices of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _UniverseSearch:
    """Ranked pairs winners over every order of equal-margin pairs (Tideman's "parallel
    universes"), one candidate at a time: is there an order under which ``target`` ends
    unbeaten? Deciding it is NP-hard in general, so the search counts its work (one unit per
    candidate or pair visited) and gives up past ``budget`` units.

    The search walks the margin groups, largest first, branching on one pair at a time
    (locked, or left to be blocked before the group ends), after the forced moves: a pair
    already implied or blocked needs no decision, a pair on no cycle of the locked graph plus
    the group's open pairs is locked in every order, the target's own victories are always
    locked and its defeats must be blocked. A branch dies as soon as a pair that must be
    blocked cannot be (its loser cannot reach its winner, even with every open pair, without
    passing below the winner). Once no later group holds a defeat of the target, what is left
    is a question on candidates, decided by ``_sequence_reaches``. Visited states are
    remembered.
    """

    def __init__(self, groups: Sequence[Sequence[Pair]], m: int, budget: int) -> None:
        self.groups = [tuple(group) for group in groups]
        self.m = m
        self.budget = budget
        self.work = 0

    def _closure(self, reach: Sequence[int], pairs: Iterable[Pair]) -> list[int]:
        """Transitive closure of a closed graph plus extra pairs (Warshall over the pairs'
        endpoints only: every other path step is already a single closed edge)."""
        closure = list(reach)
        ends = 0
        for a, b in pairs:
            closure[a] |= 1 << b
            ends |= (1 << a) | (1 << b)
        for k in _bits(ends):
            through = closure[k]
            for i in range(self.m):
                if (closure[i] >> k) & 1:
                    closure[i] |= through
            self.work += self.m
        return closure

    def _reachable(self, adjacency: Sequence[int], start: int, allowed: int = -1) -> int:
        """Candidates reachable from the set ``start`` through ``allowed`` candidates."""
        seen = frontier = start
        while frontier:
            step = 0
            for x in _bits(frontier):
                step |= adjacency[x]
                self.work += 1
            frontier = step & allowed & ~seen
            seen |= frontier
        return seen

    def _first_step(
        self, adjacency: Sequence[int], sources: int, goal: int, allowed: int
    ) -> tuple[int, int, int] | None:
        """A shortest path from ``sources`` to ``goal`` through ``allowed`` candidates: its
        length, its first candidate after the sources, and the source it leaves from."""
        layers = [sources]
        seen = sources
        while not (seen >> goal) & 1:
            step = 0
            for x in _bits(layers[-1]):
                step |= adjacency[x]
                self.work += 1
            frontier = step & allowed & ~seen
            if not frontier:
                return None
            layers.append(frontier)
            seen |= frontier
        node = goal
        for layer in reversed(layers[:-1]):
            for p in _bits(layer):
                if (adjacency[p] >> node) & 1:
                    previous, node = node, p
                    break
        return len(layers), previous, node

    def _sequence_reaches(
        self, reach: Sequence[int], adjacency: Sequence[int], start: int, targets: int
    ) -> bool | None:
        """Can the open pairs of the last group that matters be locked so that ``start``
        comes to reach every target (then every defeat of ``start`` is blocked)?

        Such a locked graph exists iff the candidates ``start`` reaches can be placed one
        after another, each with a pair (open or locked) from one placed before and none
        locked above one placed before. Whether a candidate can be placed depends only on the
        set already placed, so the search runs on sets: a candidate that can be placed without
        ruling out anyone new (all its locked superiors are placed or ruled out) is placed at
        once; otherwise it branches on the first step of a shortest path to a target.
        """
        m = self.m
        above = [0] * m  # above[v]: the candidates locked (transitively) above v
        for u in range(m):
            for v in _bits(reach[u]):
                above[v] |= 1 << u
        self.work += m
        seen: set[tuple[int, int]] = set()
        stack = [(1 << start, 0)]
        while stack:
            if self.work > self.budget:
                return None
            placed, forbidden = stack.pop()
            while True:
                ruled_out = forbidden
                out = 0
                for p in _bits(placed):
                    ruled_out |= above[p]
                    out |= adjacency[p]
                    self.work += 1
                ruled_out &= ~placed
                free = 0
                for v in _bits(out & ~placed & ~ruled_out):
                    if not above[v] & ~(placed | ruled_out):
                        free |= 1 << v
                    self.work += 1
                if not free:
                    break
                placed |= free
            if targets & ruled_out:
                continue
            if not targets & ~placed:
                return True
            if (placed, forbidden) in seen:
                continue
            seen.add((placed, forbidden))
            allowed = ~(placed | ruled_out)
            choice = -1
            longest = 0
            for t in _bits(targets & ~placed):
                # a path to t cannot pass below t: t would be placed after its inferior
                found = self._first_step(adjacency, placed, t, allowed & ~reach[t])
                if found is None:
                    choice = -1
                    break
                if found[0] > longest:
                    longest, choice = found[0], found[1]
            if choice < 0:
                continue
            stack.append((placed, forbidden | (1 << choice)))
            stack.append((placed | (1 << choice), forbidden))
        return False

    def _settle(
        self, target: int, reach: list[int], open_pairs: list[Pair], excluded: list[Pair]
    ) -> tuple[list[int], list[Pair], list[Pair]] | None:
        """Make the forced moves; None when a pair left to be blocked can no longer be."""
        while True:
            kept: list[Pair] = []
            own: list[Pair] = []
            for a, b in open_pairs:
                if (reach[b] >> a) & 1 or (reach[a] >> b) & 1:
                    continue  # blocked for good, or already implied
                if b == target:
                    excluded.append((a, b))
                elif a == target:
                    own.append((a, b))
                else:
                    kept.append((a, b))
            self.work += len(open_pairs) + 1
            if own:
                reach = self._closure(reach, own)
                open_pairs = kept
                continue
            open_pairs = kept
            if open_pairs:
                closure = self._closure(reach, open_pairs)
                free = [(a, b) for a, b in open_pairs if not (closure[b] >> a) & 1]
                if free:
                    reach = self._closure(reach, free)
                    continue
            break
        pending: list[Pair] = []
        for a, b in excluded:
            if (reach[b] >> a) & 1:
                continue
            if (reach[a] >> b) & 1:
                return None
            pending.append((a, b))
        return reach, open_pairs, pending

    def can_win(self, target: int) -> bool | None:
        """Whether ``target`` wins in some universe; None when the budget ran out."""
        m = self.m
        groups = self.groups
        defeats = [0] * len(groups)  # defeats[j]: who beats the target with group j's margin
        later_pairs: list[list[int]] = []
        for j, group in enumerate(groups):
            adjacency = [0] * m
            for a, b in group:
                if b == target:
                    defeats[j] |= 1 << a
                else:
                    adjacency[a] |= 1 << b
            later_pairs.append(adjacency)
        seen: set[tuple[int, tuple[int, ...], frozenset[Pair]]] = set()
        stack: list[tuple[int, list[int], list[Pair], list[Pair]]] = [
            (0, [0] * m, list(groups[0]) if groups else [], [])
        ]
        while stack:
            if self.work > self.budget:
                return None
            index, reach, open_pairs, excluded = stack.pop()
            settled = self._settle(target, reach, open_pairs, excluded)
            if settled is None:
                continue
            reach, open_pairs, excluded = settled
            key = (index, tuple(reach), frozenset(excluded))
            if key in seen:
                continue
            seen.add(key)
            here = list(reach)  # locked pairs and this group's open ones
            for a, b in open_pairs:
                here[a] |= 1 << b
            needed_now = 0
            feasible = True
            for a, b in excluded:
                if b == target:
                    needed_now |= 1 << a
                elif not (self._reachable(here, 1 << b, ~reach[a]) >> a) & 1:
                    feasible = False  # b can no longer come to reach a in this group
                    break
            for t in _bits(needed_now):
                if not feasible:
                    break
                feasible = bool((self._reachable(here, 1 << target, ~reach[t]) >> t) & 1)
            if not feasible:
                continue
            # Later defeats must be blocked by pairs of at least their margin.
            later_needed = 0
            optimistic = list(here)
            for j in range(index + 1, len(groups)):
                for x, extra in enumerate(later_pairs[j]):
                    optimistic[x] |= extra
                self.work += m
                for t in _bits(defeats[j] & ~reach[target]):
                    later_needed |= 1 << t
                    if not (self._reachable(optimistic, 1 << target, ~reach[t]) >> t) & 1:
                        feasible = False
                        break
                if not feasible:
                    break
            if not feasible:
                continue
            if not needed_now and not later_needed:
                return True  # every defeat of the target is blocked for good
            if not later_needed:
                last_group = list(here)
                for a, b in excluded:
                    if b != target:
                        last_group[a] |= 1 << b
                decided = self._sequence_reaches(reach, last_group, target, needed_now)
                if decided is None or decided:
                    return decided
                continue
            if not open_pairs:
                if not excluded and index + 1 < len(groups):
                    stack.append((index + 1, reach, list(groups[index + 1]), []))
                continue
            # Branch on the first open pair of a shortest path to the farthest defeat to block.
            choice: Pair | None = None
            longest = 0
            own_side = reach[target] | (1 << target)
            graph = here if needed_now else optimistic
            open_set = set(open_pairs)
            for t in _bits(needed_now or later_needed):
                found = self._first_step(graph, own_side & ~reach[t], t, ~reach[t])
                if found is not None and found[0] > longest and (found[2], found[1]) in open_set:
                    longest, choice = found[0], (found[2], found[1])
            if choice is None:
                choice = open_pairs[0]
            rest = [pair for pair in open_pairs if pair != choice]
            stack.append((index, list(reach), list(rest), [*excluded, choice]))
            stack.append((index, self._closure(reach, [choice]), rest, list(excluded)))
        return False


def _parallel_universe_winners(
    margins: NDArray[np.int64], known: Iterable[int], budget: int
) -> tuple[set[int], bool, int]:
    """Ranked pairs winners over every order of equal-margin pairs (Tideman's "parallel
    universes"), starting from winners already known; also whether the search was complete
    (False when it stopped at ``budget`` work units) and the work it took."""
    m = margins.shape[0]
    groups = [group for _, group in _margin_groups(margins, {c: c for c in range(m)})]
    search = _UniverseSearch(groups, m, budget)
    winners = set(known)
    for candidate in range(m):
        if candidate in winners:
            continue
        found = search.can_win(candidate)
        if found is None:
            return winners, False, search.work
        if found:
            winners.add(candidate)
    return winners, True, search.work


def ranked_pairs(
    ballots: RankedBallots | Pairwise,
    *,
    tie_break: Sequence[int] | None = None,
    search_budget: int = SEARCH_BUDGET,
) -> RankedResult:
    """Ranked pairs (T. N. Tideman, Social Choice and Welfare 4, 1987): lock pairwise victories by
    margin, largest first, skipping any that would close a cycle (checked by reachability).
    Declared tie-break (as pref_voting's ``ranked_pairs_tb``): equal margins are locked in the
    order of the winner's priority, then the loser's; zero-margin pairs are then settled in
    favour of the candidate with the higher priority when consistent, which yields a complete
    order. ``tiers`` peel the graph of positive margins under the declared order;
    ``co_winners`` are the "parallel universes" winners (unbeaten for some order of the
    equal-margin pairs), searched only when the order inside a group mattered and there is no
    Condorcet winner. Deciding them is NP-hard in general, so the search counts its work (one
    unit per candidate or pair visited, ``search_work``) and stops past ``search_budget``
    units (by default about a tenth of a second), reporting ``co_winners_exact=False`` with
    the winners found so far; the declared winner and order never depend on it.
    """
    pairwise = _as_pairwise(ballots)
    m = len(pairwise.candidates)
    priority = priority_order(tie_break, m)
    margins = pairwise.margins
    run = _ranked_pairs_run(margins, priority)
    co_winners = set(run.sources)
    exact = True
    search_work = 0
    # A Condorcet winner is the only source in every universe; otherwise search only when the
    # order inside an equal-margin group made a difference on the declared path.
    has_condorcet_winner = any(_is_condorcet(margins, c) for c in range(m))
    if run.contested and not has_condorcet_winner:
        found, exact, search_work = _parallel_universe_winners(margins, run.sources, search_budget)
        co_winners |= found
    order = tuple(sorted(range(m), key=lambda c: -run.reach[c].bit_count()))
    positive = np.zeros((m, m), dtype=bool)
    for a, b in run.locked:
        if margins[a, b] > 0:
            positive[a, b] = True
    tiers = _peel(positive)
    steps = [
        TieBreakStep(
            tied=tuple(sorted({c for pair in group for c in pair})),
            chosen=tuple(dict.fromkeys(c for pair in group for c in pair)),
            note=f"equal margin {strength}: pairs locked in the declared order; fixed_order",
            pairs=group,
        )
        for strength, group in run.contested
    ]
    if run.settled_ties:
        steps.append(
            TieBreakStep(
                tied=tuple(sorted({c for pair in run.settled_ties for c in pair})),
                chosen=tuple(dict.fromkeys(c for pair in run.settled_ties for c in pair)),
                note="margin 0: tied pairs settled for the higher priority; fixed_order",
                pairs=tuple(run.settled_ties),
            )
        )
    return RankedResult(
        method="ranked_pairs",
        candidates=pairwise.candidates,
        pairwise=pairwise.as_tuples(),
        total_weight=pairwise.total_weight,
        scores=None,
        tiers=tiers,
        co_winners=tuple(sorted(co_winners)),
        winner=order[0],
        order=order,
        tie_break_order=priority,
        tie_break=tuple(steps),
        locked=tuple(run.locked),
        co_winners_exact=exact,
        search_work=search_work,
    )
