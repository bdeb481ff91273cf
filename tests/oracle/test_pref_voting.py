"""Oracle: the ranked and graded kernels agree with pref_voting on thousands of random profiles.

Where the two libraries define things differently we compare like with like, as each test says.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting import (
    GradeBallots,
    RankedBallots,
    borda,
    copeland,
    majority_judgment,
    minimax,
    ranked_pairs,
    schulze,
)

pref_profiles = pytest.importorskip("pref_voting.profiles")
pref_ties = pytest.importorskip("pref_voting.profiles_with_ties")
pref_grades = pytest.importorskip("pref_voting.grade_profiles")
pref_margin = pytest.importorskip("pref_voting.margin_based_methods")
pref_c1 = pytest.importorskip("pref_voting.c1_methods")
pref_scoring = pytest.importorskip("pref_voting.scoring_methods")
pref_grade_methods = pytest.importorskip("pref_voting.grade_methods")

ORACLE = settings(deadline=None, max_examples=1000)
ORACLE_TIES = settings(deadline=None, max_examples=700)
ORACLE_GRADES = settings(deadline=None, max_examples=800)


@st.composite
def linear_profiles(draw: st.DrawFn) -> tuple[list[list[int]], list[int]]:
    m = draw(st.integers(2, 6))
    orders = draw(st.lists(st.permutations(range(m)), min_size=1, max_size=30))
    priority = draw(st.permutations(range(m)))
    return [list(o) for o in orders], list(priority)


@st.composite
def tied_profiles(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    """Rank matrices with ties and unranked candidates (rank m); every ballot ranks someone."""
    m = draw(st.integers(2, 5))
    rows = draw(
        st.lists(
            st.lists(st.integers(0, m), min_size=m, max_size=m).filter(lambda r: min(r) < m),
            min_size=1,
            max_size=20,
        )
    )
    priority = draw(st.permutations(range(m)))
    return np.array(rows, dtype=np.int64), list(priority)


def parallel_universes(profile, margins: np.ndarray) -> list[int] | None:
    """pref_voting's exhaustive ranked pairs, or None beyond 3000 tie orders (counted here with
    Python integers: its own guard multiplies factorials in int64, which overflows)."""
    m = margins.shape[0]
    sizes: dict[int, int] = {}
    for a in range(m):
        for b in range(m):
            if a != b and margins[a, b] >= 0:
                sizes[int(margins[a, b])] = sizes.get(int(margins[a, b]), 0) + 1
    if math.prod(math.factorial(size) for size in sizes.values()) > 3000:
        return None
    return list(pref_margin.ranked_pairs(profile))


def names(m: int) -> tuple[str, ...]:
    return tuple(str(c) for c in range(m))


def tiers_of(ranking_map: dict[int, float]) -> tuple[tuple[int, ...], ...]:
    levels = sorted(set(ranking_map.values()))
    return tuple(tuple(sorted(c for c, r in ranking_map.items() if r == lv)) for lv in levels)


@ORACLE
@given(linear_profiles())
def test_methods_agree_with_pref_voting_on_complete_strict_rankings(case):
    """Complete strict rankings: winning votes and margins coincide, so does every Borda
    convention; ranked pairs uses pref_voting's ``ranked_pairs_tb`` with the same declared order
    (equal margins by winner then loser priority, zero margins for the higher priority)."""
    orders, priority = case
    m = len(priority)
    ballots = RankedBallots.from_orders(np.array(orders), names(m))
    profile = pref_profiles.Profile(orders)

    assert schulze(ballots).co_winners == tuple(pref_margin.beat_path(profile))

    assert copeland(ballots).co_winners == tuple(pref_c1.copeland(profile))
    copeland_scores = profile.copeland_scores()
    assert copeland(ballots).scores == tuple(Fraction(int(copeland_scores[c])) for c in range(m))
    assert copeland(ballots).tiers == tiers_of(pref_c1.copeland_ranking(profile).rmap)

    result = borda(ballots)
    assert result.co_winners == tuple(pref_scoring.borda(profile))
    assert result.scores == tuple(Fraction(profile.borda_scores()[c]) for c in range(m))
    assert result.tiers == tiers_of(pref_scoring.borda_ranking(profile).rmap)

    result = minimax(ballots)
    assert result.co_winners == tuple(pref_margin.minimax(profile))
    scores = pref_margin.minimax_scores(profile)
    assert result.scores == tuple(Fraction(-scores[c]) for c in range(m))

    result = ranked_pairs(ballots, tie_break=priority)
    assert [result.winner] == pref_margin.ranked_pairs_tb(profile, tie_breaker=priority)
    pairwise = np.array(result.pairwise)
    universes = parallel_universes(profile, pairwise - pairwise.T)
    if universes is not None:
        assert result.co_winners_exact
        assert result.co_winners == tuple(universes)


@ORACLE_TIES
@given(tied_profiles())
def test_methods_agree_with_pref_voting_on_rankings_with_ties_and_unranked_candidates(case):
    """Ties and truncated ballots, with pref_voting's extended strict preference (unranked below
    ranked, tied together: Debian's convention). Schulze winning votes is pref_voting's beat path
    with ``support`` as strength; our averaged Borda is its symmetric Borda up to
    2·score − (m−1)·W; minimax variants map to its score methods."""
    ranks, priority = case
    m = ranks.shape[1]
    ballots = RankedBallots.from_ranks(ranks, names(m))
    total = ballots.total_weight
    rankings = [{c: int(r[c]) + 1 for c in range(m) if r[c] < m} for r in ranks]
    profile = pref_ties.ProfileWithTies(rankings, candidates=list(range(m)))
    profile.use_extended_strict_preference()

    assert schulze(ballots, strength="margins").co_winners == tuple(pref_margin.beat_path(profile))
    assert schulze(ballots).co_winners == tuple(
        pref_margin.beat_path(profile, strength_function=profile.support)
    )
    assert copeland(ballots).co_winners == tuple(pref_c1.copeland(profile))

    symmetric = pref_scoring.symmetric_borda_scores(profile)
    result = borda(ballots)
    assert result.scores is not None
    assert [2 * s - (m - 1) * total for s in result.scores] == [symmetric[c] for c in range(m)]
    assert result.co_winners == tuple(pref_scoring.borda_for_profile_with_ties(profile))

    for ours, theirs in (
        ("margins", "margins"),
        ("winning_votes", "winning"),
        ("pairwise_opposition", "pairwise_opposition"),
    ):
        scores = pref_margin.minimax_scores(profile, score_method=theirs)
        assert minimax(ballots, strength=ours).scores == tuple(
            Fraction(-scores[c]) for c in range(m)
        )
    assert minimax(ballots).co_winners == tuple(pref_margin.minimax(profile))

    result = ranked_pairs(ballots, tie_break=priority)
    assert [result.winner] == pref_margin.ranked_pairs_tb(profile, tie_breaker=priority)
    pairwise = np.array(result.pairwise)
    universes = parallel_universes(profile, pairwise - pairwise.T)
    if universes is not None:
        assert result.co_winners_exact
        assert result.co_winners == tuple(universes)


@st.composite
def graded_profiles(draw: st.DrawFn) -> tuple[list[list[int]], int]:
    m = draw(st.integers(2, 5))
    n_grades = draw(st.integers(2, 6))
    rows = draw(
        st.lists(
            st.lists(st.integers(0, n_grades - 1), min_size=m, max_size=m),
            min_size=1,
            max_size=15,
        )
    )
    return rows, n_grades


@ORACLE_GRADES
@given(graded_profiles())
def test_majority_judgment_refines_pref_voting_majority_judgement(case):
    """pref_voting breaks equal majority grades with the majority gauge (share above vs below
    the median) and leaves gauge ties tied; the full Balinski–Laraki rule (removing medians) only
    refines those ties. So our co-winners lie within its winners and equal them when it has one,
    and the majority grades (lower medians) are the same."""
    rows, n_grades = case
    m = len(rows[0])
    grades = list(range(n_grades))
    ballots = GradeBallots.from_grades(np.array(rows), names(m), tuple(map(str, grades)))
    gprofile = pref_grades.GradeProfile([dict(enumerate(r)) for r in rows], grades)
    theirs = pref_grade_methods.majority_judgement(gprofile)
    result = majority_judgment(ballots)
    assert set(result.co_winners) <= set(theirs)
    if len(theirs) == 1:
        assert result.co_winners == tuple(theirs)
    assert result.medians == tuple(gprofile.median(c) for c in range(m))
