"""Oracle: the ranked and graded kernels agree with pref_voting on thousands of random profiles.

Where the two libraries define things differently we compare like with like, as each test says.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import networkx as nx
import numpy as np
import pytest

from voting import (
    GradeBallots,
    Pairwise,
    RankedBallots,
    borda,
    copeland,
    majority_judgment,
    minimax,
    pairwise_matrix,
    ranked_pairs,
    schulze,
)

# pref_voting is a dev dependency: without it these tests skip on a laptop but fail in CI (CI is
# set there, as tests/conftest.py does for PostgreSQL).
try:
    from pref_voting import c1_methods, grade_methods, margin_based_methods, scoring_methods
    from pref_voting.grade_profiles import GradeProfile
    from pref_voting.profiles import Profile
    from pref_voting.profiles_with_ties import ProfileWithTies
except ImportError as error:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        pytest.fail(f"pref_voting is required in CI and missing: {error}", pytrace=False)
    pytest.skip(f"pref_voting is not installed: {error}", allow_module_level=True)

SEED = 20240611
COMPLETE_PROFILES = 3000  # complete strict rankings, 2 to 10 candidates
TIED_PROFILES = 1500  # ties and unranked candidates, 2 to 8 candidates
# Complete rankings, 4 to 9 candidates and a handful of voters, kept only when there is no
# Condorcet winner, the order inside a margin group matters (our co-winner search runs) and
# pref_voting can still enumerate every order: the hard cases of ranked pairs, checked in full.
CONTESTED_PROFILES = 600
GRADED_PROFILES = 3000
# pref_voting's exhaustive ranked pairs tries every order of every equal-margin group; its own
# guard (ranked_pairs_with_test) stops at 3000 orders, counted here with Python integers.
UNIVERSE_LIMIT = 3000


@dataclass(frozen=True)
class RankedCase:
    kind: str  # "complete" or "tied"
    ranks: np.ndarray  # (ballots, candidates), 0 first, n_candidates unranked
    weights: tuple[int, ...] | None
    priority: tuple[int, ...]
    ballots: RankedBallots
    pairwise: Pairwise
    profile: Any  # pref_voting Profile or ProfileWithTies, weights as rcounts

    @property
    def m(self) -> int:
        return self.ranks.shape[1]

    @property
    def margins(self) -> np.ndarray:
        return np.asarray(self.pairwise.margins)

    @property
    def condorcet_winner(self) -> int | None:
        margins = self.margins
        for c in range(self.m):
            if all(margins[c, d] > 0 for d in range(self.m) if d != c):
                return c
        return None

    def __str__(self) -> str:
        return (
            f"{self.kind} profile, ranks={self.ranks.tolist()}, weights={self.weights}, "
            f"tie-break={list(self.priority)}"
        )


def names(m: int) -> tuple[str, ...]:
    return tuple(str(c) for c in range(m))


def dense_ranks(row: np.ndarray) -> tuple[int, ...]:
    """The ballot a rank row stands for: ranks renumbered 0, 1, … in order; unranked stays m."""
    m = row.shape[0]
    levels = sorted({int(r) for r in row if r < m})
    return tuple(levels.index(int(r)) if r < m else m for r in row)


def profile_key(kind: str, ranks: np.ndarray, weights: list[int] | None) -> tuple[Any, ...]:
    """Two profiles are the same when they hold the same ballots with the same total weights."""
    totals: Counter[tuple[int, ...]] = Counter()
    for i, row in enumerate(ranks):
        totals[dense_ranks(row)] += 1 if weights is None else weights[i]
    return (kind, ranks.shape[1], tuple(sorted(totals.items())))


def _electorate(rng: np.random.Generator) -> int:
    # A third of the profiles have a handful of voters: many majority cycles and many equal
    # margins, the hard cases of ranked pairs; the rest go up to 60 ballots.
    return int(rng.integers(1, 8)) if rng.random() < 0.35 else int(rng.integers(8, 61))


def _weights(rng: np.random.Generator, n: int) -> list[int] | None:
    return [int(w) for w in rng.integers(1, 10, n)] if rng.random() < 0.4 else None


def _complete_case(rng: np.random.Generator) -> tuple[np.ndarray, list[int] | None]:
    m = int(rng.integers(2, 11))
    n = _electorate(rng)
    orders = np.argsort(rng.random((n, m)), axis=1)
    ranks = np.argsort(orders, axis=1)
    return ranks, _weights(rng, n)


def _tied_case(rng: np.random.Generator) -> tuple[np.ndarray, list[int] | None]:
    m = int(rng.integers(2, 9))
    n = _electorate(rng)
    ranks = np.full((n, m), m)
    for row in ranks:
        ranked = rng.permutation(m)[: int(rng.integers(1, m + 1))]
        if rng.random() < 0.5:  # strict among the ranked ones, truncated below
            row[ranked] = np.arange(len(ranked))
        else:  # random levels: ties among the ranked ones
            row[ranked] = rng.integers(0, len(ranked), len(ranked))
    return ranks, _weights(rng, n)


def _contested_case(rng: np.random.Generator) -> tuple[np.ndarray, list[int] | None]:
    while True:
        m = int(rng.integers(4, 10))
        n = int(rng.integers(3, 12))
        ranks = np.argsort(np.argsort(rng.random((n, m)), axis=1), axis=1)
        weights = [int(w) for w in rng.integers(1, 4, n)] if rng.random() < 0.4 else None
        ballots = RankedBallots.from_ranks(ranks, names(m), weights=weights)
        margins = pairwise_matrix(ballots).margins
        if any(all(margins[c, d] > 0 for d in range(m) if d != c) for c in range(m)):
            continue
        if universe_orders(margins) > UNIVERSE_LIMIT or not ranked_pairs(ballots).search_work:
            continue
        return ranks, weights


def _pref_profile(kind: str, ranks: np.ndarray, weights: list[int] | None) -> Any:
    m = ranks.shape[1]
    if kind == "complete":
        return Profile(np.argsort(ranks, axis=1).tolist(), rcounts=weights)
    rankings = [{c: int(r[c]) + 1 for c in range(m) if r[c] < m} for r in ranks]
    profile = ProfileWithTies(rankings, rcounts=weights, candidates=list(range(m)))
    profile.use_extended_strict_preference()
    return profile


@cache
def ranked_cases() -> tuple[RankedCase, ...]:
    rng = np.random.default_rng(SEED)
    seen: set[tuple[Any, ...]] = set()
    cases: list[RankedCase] = []
    for kind, count, draw in (
        ("complete", COMPLETE_PROFILES, _complete_case),
        ("tied", TIED_PROFILES, _tied_case),
        ("complete", CONTESTED_PROFILES, _contested_case),
    ):
        made = 0
        while made < count:
            ranks, weights = draw(rng)
            key = profile_key(kind, ranks, weights)
            if key in seen:
                continue
            seen.add(key)
            made += 1
            m = ranks.shape[1]
            ballots = RankedBallots.from_ranks(ranks, names(m), weights=weights)
            cases.append(
                RankedCase(
                    kind=kind,
                    ranks=ranks,
                    weights=None if weights is None else tuple(weights),
                    priority=tuple(int(c) for c in rng.permutation(m)),
                    ballots=ballots,
                    pairwise=pairwise_matrix(ballots),
                    profile=_pref_profile(kind, ranks, weights),
                )
            )
    return tuple(cases)


def tiers_of(ranking_map: dict[int, float]) -> tuple[tuple[int, ...], ...]:
    levels = sorted(set(ranking_map.values()))
    return tuple(tuple(sorted(c for c, r in ranking_map.items() if r == lv)) for lv in levels)


def tiers_by_score(scores: dict[int, Any] | list[Any], m: int) -> tuple[tuple[int, ...], ...]:
    """Tiers of candidates by decreasing score."""
    values = [scores[c] for c in range(m)]
    return tuple(
        tuple(c for c in range(m) if values[c] == level)
        for level in sorted(set(values), reverse=True)
    )


def universe_orders(margins: np.ndarray) -> int:
    """Orders pref_voting's exhaustive ranked pairs would try (zero margins count both ways)."""
    m = margins.shape[0]
    sizes: Counter[int] = Counter(
        int(margins[a, b]) for a in range(m) for b in range(m) if a != b and margins[a, b] >= 0
    )
    return math.prod(math.factorial(size) for size in sizes.values())


def test_the_ranked_profiles_cover_large_weighted_and_condorcet_less_elections():
    cases = ranked_cases()
    keys = {
        profile_key(c.kind, c.ranks, None if c.weights is None else list(c.weights)) for c in cases
    }
    assert len(keys) == len(cases) >= 3000
    assert max(c.m for c in cases) == 10 and max(c.ranks.shape[0] for c in cases) == 60
    large = [c for c in cases if c.m >= 8]
    weighted = [c for c in cases if c.weights is not None]
    without_winner = [c for c in cases if c.condorcet_winner is None]
    assert len(large) >= 700
    assert len(weighted) >= 0.3 * len(cases)
    # The hard cases: no Condorcet winner (majority cycles), large and weighted among them.
    assert len(without_winner) >= 0.3 * len(cases)
    assert sum(1 for c in without_winner if c.m >= 8) >= 300
    assert sum(1 for c in without_winner if c.weights is not None) >= 300
    for case in cases[:50]:  # pref_voting reads the same profile (margins with rcounts)
        theirs = [[case.profile.margin(a, b) for b in range(case.m)] for a in range(case.m)]
        assert case.margins.tolist() == theirs, case


def test_schulze_agrees_with_pref_voting_beat_path_winners_and_defeats():
    """Winning votes is pref_voting's beat path with ``support`` as strength (on complete
    rankings it ranks like margins, its default); margins is its default. The defeat relation
    (a beats b when the strongest path a→b is stronger than b→a) is compared in full."""
    compared = 0
    for case in ranked_cases():
        profile = case.profile
        for strength, function in (
            ("winning_votes", profile.support),
            ("margins", None),
        ):
            result = schulze(case.pairwise, strength=strength)  # type: ignore[arg-type]
            kwargs = {} if function is None else {"strength_function": function}
            assert result.co_winners == tuple(margin_based_methods.beat_path(profile, **kwargs)), (
                strength,
                str(case),
            )
            paths = np.array(result.strongest_paths)
            ours = {
                (a, b) for a in range(case.m) for b in range(case.m) if paths[a, b] > paths[b, a]
            }
            theirs = set(margin_based_methods.beat_path_defeat(profile, **kwargs).edges())
            assert ours == theirs, (strength, str(case))
        compared += 1
    assert compared >= 3000


def test_ranked_pairs_agrees_with_pref_voting_declared_winner_order_and_parallel_universes():
    """The declared tie-break is pref_voting's ``ranked_pairs_tb`` (equal margins locked by the
    winner's then the loser's priority, zero margins the same way): same winner, and the same
    complete order as ``ranked_pairs_defeat_tb``. The co-winners are pref_voting's exhaustive
    ``ranked_pairs`` winners (every order of the equal-margin pairs), compared whenever it can
    enumerate them (a Condorcet winner, or at most 3000 orders)."""
    compared = universes = searched = 0
    for case in ranked_cases():
        result = ranked_pairs(case.pairwise, tie_break=list(case.priority))
        profile = case.profile
        priority = list(case.priority)
        assert [result.winner] == margin_based_methods.ranked_pairs_tb(
            profile, tie_breaker=priority
        ), case
        defeats = margin_based_methods.ranked_pairs_defeat_tb(profile, tie_breaker=priority)
        closure = nx.transitive_closure_dag(defeats)
        theirs = sorted(range(case.m), key=lambda c: -closure.out_degree(c))
        assert tuple(theirs) == result.order, case
        assert result.co_winners_exact, case
        assert result.winner in result.co_winners, case
        winner = case.condorcet_winner
        if winner is not None:
            assert result.co_winners == (winner,) and result.search_work == 0, case
        elif universe_orders(case.margins) <= UNIVERSE_LIMIT:
            assert list(result.co_winners) == margin_based_methods.ranked_pairs(profile), case
            universes += 1
            searched += result.search_work > 0
        compared += 1
    assert compared >= 3000
    # Profiles without a Condorcet winner whose universes pref_voting enumerated, and among
    # them the ones where the order inside a margin group mattered (our search ran).
    assert universes >= 1000
    assert searched >= 650


def test_copeland_agrees_with_pref_voting_winners_scores_and_ranking():
    compared = 0
    for case in ranked_cases():
        result = copeland(case.pairwise)
        scores = case.profile.copeland_scores()
        assert result.co_winners == tuple(c1_methods.copeland(case.profile)), case
        assert result.scores == tuple(Fraction(scores[c]) for c in range(case.m)), case
        assert result.tiers == tiers_of(c1_methods.copeland_ranking(case.profile).rmap), case
        compared += 1
    assert compared >= 3000


def test_borda_agrees_with_pref_voting_winners_scores_and_ranking():
    """Complete rankings: pref_voting's Borda scores and ranking. Ties and unranked candidates:
    our averaged Borda is its symmetric Borda up to 2·score − (m−1)·W (same ranking)."""
    compared = 0
    for case in ranked_cases():
        result = borda(case.pairwise)
        assert result.scores is not None
        m, total = case.m, case.pairwise.total_weight
        if case.kind == "complete":
            scores = case.profile.borda_scores()
            assert result.scores == tuple(Fraction(scores[c]) for c in range(m)), case
            assert result.co_winners == tuple(scoring_methods.borda(case.profile)), case
            assert result.tiers == tiers_of(scoring_methods.borda_ranking(case.profile).rmap)
        else:
            symmetric = scoring_methods.symmetric_borda_scores(case.profile)
            doubled = [2 * s - (m - 1) * total for s in result.scores]
            assert doubled == [symmetric[c] for c in range(m)], case
            winners = scoring_methods.borda_for_profile_with_ties(case.profile)
            assert result.co_winners == tuple(winners), case
            assert result.tiers == tiers_by_score(symmetric, m), case
        compared += 1
    assert compared >= 3000


def test_minimax_agrees_with_pref_voting_scores_winners_and_order():
    """Every defeat strength against pref_voting's ``minimax_scores`` (its score is minus the
    worst defeat); the order by score and the winners (margins)."""
    compared = 0
    for case in ranked_cases():
        for ours, theirs in (
            ("margins", "margins"),
            ("winning_votes", "winning"),
            ("pairwise_opposition", "pairwise_opposition"),
        ):
            scores = margin_based_methods.minimax_scores(case.profile, score_method=theirs)
            result = minimax(case.pairwise, strength=ours)  # type: ignore[arg-type]
            assert result.scores == tuple(Fraction(-scores[c]) for c in range(case.m)), case
            assert result.tiers == tiers_by_score(scores, case.m), case
        assert minimax(case.pairwise).co_winners == tuple(
            margin_based_methods.minimax(case.profile)
        ), case
        compared += 1
    assert compared >= 3000


def test_ranked_methods_from_ballots_equal_the_methods_from_their_pairwise_matrix():
    for case in ranked_cases()[::25]:
        for method in (schulze, ranked_pairs, copeland, borda, minimax):
            assert method(case.ballots) == method(case.pairwise), case


# Majority judgment. pref_voting's ``majority_judgement`` ranks by the lower median, then breaks
# equal medians with the majority gauge only (the larger of the shares above and below the
# median) and leaves gauge ties tied; Balinski and Laraki's rule, ours, goes on removing median
# grades (the majority value). The tie-breaking differs, so the winners are compared exactly with
# a brute-force majority value, and with pref_voting on what both define: the same lower
# medians, our winners among its winners, the same winner when it has a single one.


@dataclass(frozen=True)
class GradedCase:
    grades: np.ndarray  # (ballots, candidates)
    n_grades: int
    weights: tuple[int, ...] | None

    def __str__(self) -> str:
        return f"grades={self.grades.tolist()}, n_grades={self.n_grades}, weights={self.weights}"


@cache
def graded_cases() -> tuple[GradedCase, ...]:
    rng = np.random.default_rng(SEED + 1)
    seen: set[tuple[Any, ...]] = set()
    cases: list[GradedCase] = []
    while len(cases) < GRADED_PROFILES:
        m = int(rng.integers(2, 9))
        n_grades = int(rng.integers(2, 8))
        n = int(rng.integers(1, 8)) if rng.random() < 0.35 else int(rng.integers(8, 61))
        # Few grades and similar candidates make equal medians (the tie-breaks) common.
        quality = rng.integers(0, n_grades, m)
        grades = np.clip(quality + rng.integers(-1, 2, (n, m)), 0, n_grades - 1)
        weights = _weights(rng, n)
        totals: Counter[tuple[int, ...]] = Counter()
        for i, row in enumerate(grades):
            totals[tuple(int(g) for g in row)] += 1 if weights is None else weights[i]
        key = (m, n_grades, tuple(sorted(totals.items())))
        if key in seen:
            continue
        seen.add(key)
        cases.append(GradedCase(grades, n_grades, None if weights is None else tuple(weights)))
    return tuple(cases)


def majority_values(case: GradedCase) -> list[tuple[int, ...]]:
    """Each candidate's majority value, by hand: its grades (weights as repetitions), sorted,
    then the lower median removed again and again, in the order removed."""
    weights = case.weights or (1,) * case.grades.shape[0]
    values = []
    for c in range(case.grades.shape[1]):
        left = sorted(
            int(g) for g, w in zip(case.grades[:, c], weights, strict=True) for _ in range(w)
        )
        removed = []
        while left:
            removed.append(left.pop((len(left) - 1) // 2))
        values.append(tuple(removed))
    return values


def test_the_graded_profiles_are_distinct_weighted_and_often_tied_on_the_median():
    cases = graded_cases()
    assert len(cases) >= 3000
    assert sum(1 for c in cases if c.weights is not None) >= 0.3 * len(cases)
    tied_medians = 0
    for case in cases:
        medians = [v[0] for v in majority_values(case)]
        tied_medians += medians.count(max(medians)) > 1
    assert tied_medians >= 0.3 * len(cases)  # the tie-breaks are exercised


def test_majority_judgment_equals_the_majority_value_by_hand_and_refines_pref_voting():
    for case in graded_cases():
        m = case.grades.shape[1]
        grade_names = tuple(str(g) for g in range(case.n_grades))
        ballots = GradeBallots.from_grades(
            case.grades, names(m), grade_names, weights=list(case.weights) if case.weights else None
        )
        result = majority_judgment(ballots)
        values = majority_values(case)
        assert result.tiers == tiers_by_score(values, m), case
        assert result.co_winners == tiers_by_score(values, m)[0], case

        profile = GradeProfile(
            [dict(enumerate(int(g) for g in row)) for row in case.grades],
            list(range(case.n_grades)),
            gcounts=list(case.weights) if case.weights else None,
        )
        theirs = grade_methods.majority_judgement(profile)
        assert result.medians == tuple(profile.median(c) for c in range(m)), case
        assert set(result.co_winners) <= set(theirs), case
        if len(theirs) == 1:
            assert result.co_winners == tuple(theirs), case


# Ranked pairs beyond pref_voting's enumeration: Zavist and Tideman (1989) show a candidate
# wins in some universe iff it tops a "stack", a linear order in which every pair ranked against
# its margin (a above b although b beats a by k) is covered by a descending path a → … → b of
# margins ≥ k; pref_voting implements the test as ``is_stack``. Stacks are searched here depth
# first from their top, placing a candidate only when its pairs with those above are covered
# (the covering paths run between them, so they are all placed already).
STACK_PROFILES = 600


def stack_topped_by(margins: list[list[int]], top: int) -> list[int] | None:
    m = len(margins)

    def covered(placed: list[int], below: int) -> bool:
        for i, above in enumerate(placed):
            k = margins[below][above]
            if k <= 0:
                continue
            reached = [above]
            for x in placed[i + 1 :]:
                if any(margins[y][x] >= k for y in reached):
                    reached.append(x)
            if not any(margins[y][below] >= k for y in reached):
                return False
        return True

    def extend(placed: list[int], left: set[int]) -> list[int] | None:
        if not left:
            return list(placed)
        for candidate in sorted(left):
            if covered(placed, candidate):
                found = extend([*placed, candidate], left - {candidate})
                if found is not None:
                    return found
        return None

    return extend([top], set(range(m)) - {top})


@cache
def stack_cases() -> tuple[tuple[np.ndarray, list[int] | None], ...]:
    rng = np.random.default_rng(SEED + 2)
    cases: list[tuple[np.ndarray, list[int] | None]] = []
    while len(cases) < STACK_PROFILES:
        m = int(rng.integers(7, 11))
        n = int(rng.integers(3, 10))
        ranks = np.argsort(np.argsort(rng.random((n, m)), axis=1), axis=1)
        weights = [int(w) for w in rng.integers(1, 4, n)] if rng.random() < 0.4 else None
        margins = pairwise_matrix(RankedBallots.from_ranks(ranks, names(m), weights)).margins
        if any(all(margins[c, d] > 0 for d in range(m) if d != c) for c in range(m)):
            continue
        if universe_orders(margins) <= UNIVERSE_LIMIT:
            continue  # pref_voting's own enumeration covers those above
        cases.append((ranks, weights))
    return tuple(cases)


def test_ranked_pairs_co_winners_beyond_enumeration_are_the_tops_of_stacks():
    searched = 0
    for ranks, weights in stack_cases():
        m = ranks.shape[1]
        ballots = RankedBallots.from_ranks(ranks, names(m), weights=weights)
        result = ranked_pairs(ballots)
        assert result.co_winners_exact
        margins = np.asarray(pairwise_matrix(ballots).margins).tolist()
        stacks = {c: stack_topped_by(margins, c) for c in range(m)}
        case = f"ranks={ranks.tolist()}, weights={weights}"
        assert result.co_winners == tuple(c for c in range(m) if stacks[c] is not None), case
        profile = Profile(np.argsort(ranks, axis=1).tolist(), rcounts=weights)
        for stack in stacks.values():
            if stack is not None:
                assert margin_based_methods.is_stack(profile, stack), case
        searched += result.search_work > 0
    assert searched >= 250  # the declared order left the co-winners open: our search ran
