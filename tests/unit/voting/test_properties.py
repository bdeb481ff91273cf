"""Property-based tests (hypothesis) of the invariants of every voting kernel."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from voting import (
    KEEP_IN_DENOMINATOR,
    REDISTRIBUTE,
    AbstentionPolicy,
    Bloc,
    GradeBallots,
    Proportional,
    RankedBallots,
    TallyPolicies,
    borda,
    copeland,
    majority_judgment,
    merge_into,
    minimax,
    pairwise_matrix,
    ranked_pairs,
    schulze,
    tally_resolution,
    tally_resolution_counts,
)

PROPERTY = settings(max_examples=120, deadline=None)
RANKED_METHODS = (schulze, ranked_pairs, copeland, borda, minimax)


@st.composite
def assemblies(draw: st.DrawFn) -> tuple[list[list[int]], list[int], list[int], TallyPolicies]:
    n = draw(st.integers(1, 6))
    counts = [draw(st.lists(st.integers(0, 12), min_size=5, max_size=5)) for _ in range(n)]
    for row in counts:
        if draw(st.booleans()) and draw(st.booleans()):
            row[:] = [0, 0, 0, 0, 0]
    members = [sum(row) + draw(st.integers(0, 4)) for row in counts]
    weights = draw(st.lists(st.integers(1, 60), min_size=n, max_size=n))

    def absent_policy() -> st.SearchStrategy:
        return st.one_of(
            st.just(REDISTRIBUTE),
            st.just(KEEP_IN_DENOMINATOR),
            st.integers(0, n - 1).map(merge_into),
        )

    aggregation = draw(
        st.one_of(
            st.just(Proportional()),
            st.builds(
                Bloc,
                st.sampled_from([Fraction(1, 2), Fraction(3, 5), Fraction(2, 3), Fraction(3, 4)]),
                st.booleans(),
            ),
        )
    )
    policies = TallyPolicies(
        abstention=draw(st.sampled_from(list(AbstentionPolicy))),
        empty_college=draw(absent_policy()),
        silent_college=draw(absent_policy()),
        aggregation=aggregation,
    )
    return counts, members, weights, policies


def ballots_from(counts: list[list[int]], seed: int) -> tuple[np.ndarray, np.ndarray]:
    colleges = np.repeat(np.arange(len(counts)), [sum(row) for row in counts])
    choices = np.concatenate([np.repeat(np.arange(5), row) for row in counts]).astype(np.int8)
    order = np.random.default_rng(seed).permutation(len(choices))
    return colleges[order], choices[order]


@PROPERTY
@given(assemblies())
def test_for_ratio_is_an_exact_fraction_between_zero_and_one(case):
    counts, members, weights, policies = case
    tally = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    if tally.for_ratio is None:
        assert not tally.adopted
    else:
        assert isinstance(tally.for_ratio, Fraction)
        assert 0 <= tally.for_ratio <= 1
        assert tally.for_total + tally.against_total + tally.kept_total == 1
    assert sum(c.weight_used for c in tally.colleges) in (0, 1)


@PROPERTY
@given(assemblies(), st.integers(0, 2**32 - 1))
def test_permuting_ballots_changes_nothing(case, seed):
    counts, members, weights, policies = case
    colleges, choices = ballots_from(counts, seed)
    from_ballots = tally_resolution(
        colleges, choices, members=members, weights=weights, policies=policies
    )
    assert from_ballots == tally_resolution_counts(
        counts, members=members, weights=weights, policies=policies
    )


@PROPERTY
@given(assemblies(), st.data())
def test_a_college_voting_unanimously_for_contributes_exactly_its_weight(case, data):
    counts, members, weights, policies = case
    college = data.draw(st.integers(0, len(counts) - 1))
    counts[college] = [max(members[college], 1), 0, 0, 0, 0]
    members[college] = max(members[college], 1)
    tally = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    result = tally.colleges[college]
    assert result.contribution_for == result.weight_used
    assert result.contribution_against == 0


@PROPERTY
@given(assemblies(), st.data())
def test_adding_an_abstention_under_excluded_changes_nothing(case, data):
    counts, members, weights, policies = case
    policies = TallyPolicies(
        AbstentionPolicy.EXCLUDED,
        policies.empty_college,
        policies.silent_college,
        policies.aggregation,
    )
    candidates = [i for i, m in enumerate(members) if m > 0]
    if not candidates:
        return
    college = data.draw(st.sampled_from(candidates))
    before = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    counts[college][2] += 1
    members[college] += 1
    after = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    assert (after.for_ratio, after.adopted) == (before.for_ratio, before.adopted)


@PROPERTY
@given(assemblies(), st.data())
def test_blank_and_null_ballots_never_change_the_ratio(case, data):
    counts, members, weights, policies = case
    candidates = [i for i, m in enumerate(members) if m > 0]
    if not candidates:
        return
    college = data.draw(st.sampled_from(candidates))
    before = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    counts[college][data.draw(st.sampled_from([3, 4]))] += 1
    members[college] += 1
    after = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    assert after.for_ratio == before.for_ratio


@PROPERTY
@given(assemblies(), st.integers(2, 7))
def test_scaling_every_weight_changes_nothing(case, factor):
    counts, members, weights, policies = case
    base = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    scaled = tally_resolution_counts(
        counts, members=members, weights=[w * factor for w in weights], policies=policies
    )
    assert scaled == base


@PROPERTY
@given(assemblies(), st.data())
def test_turning_a_vote_against_into_a_vote_for_never_lowers_the_ratio(case, data):
    counts, members, weights, policies = case
    candidates = [i for i, row in enumerate(counts) if row[1] > 0]
    if not candidates:
        return
    college = data.draw(st.sampled_from(candidates))
    before = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    counts[college][1] -= 1
    counts[college][0] += 1
    after = tally_resolution_counts(counts, members=members, weights=weights, policies=policies)
    assert before.for_ratio is not None and after.for_ratio is not None
    assert after.for_ratio >= before.for_ratio


@PROPERTY
@given(assemblies())
def test_one_member_one_vote_is_a_single_college_of_everyone(case):
    counts, members, _, policies = case
    plain = TallyPolicies(abstention=policies.abstention)
    per_head = tally_resolution_counts(counts, members=members, weights=None, policies=plain)
    merged = [[sum(row[i] for row in counts) for i in range(5)]]
    single = tally_resolution_counts(merged, members=[sum(members)], weights=[1], policies=plain)
    assert per_head.for_ratio == single.for_ratio


@st.composite
def ranked_profiles(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    m = draw(st.integers(2, 6))
    n = draw(st.integers(0, 25))
    ranks = draw(
        st.lists(st.lists(st.integers(0, m), min_size=m, max_size=m), min_size=n, max_size=n)
    )
    weights = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    return np.array(ranks, dtype=np.int64).reshape(n, m), weights


def make(ranks: np.ndarray, weights: list[int] | list[Fraction]) -> RankedBallots:
    return RankedBallots.from_ranks(ranks, tuple("abcdef"[: ranks.shape[1]]), weights=weights)


@PROPERTY
@given(ranked_profiles())
def test_pairwise_matrix_matches_a_ballot_by_ballot_count(profile):
    ranks, weights = profile
    m = ranks.shape[1]
    matrix = pairwise_matrix(make(ranks, weights)).matrix
    for a in range(m):
        for b in range(m):
            expected = sum(w for r, w in zip(ranks, weights, strict=True) if r[a] < r[b])
            assert matrix[a, b] == expected


@PROPERTY
@given(ranked_profiles(), st.integers(0, 2**32 - 1))
def test_ranked_methods_ignore_the_order_of_ballots(profile, seed):
    ranks, weights = profile
    order = np.random.default_rng(seed).permutation(len(weights))
    shuffled = make(ranks[order], [weights[i] for i in order])
    original = make(ranks, weights)
    for method in RANKED_METHODS:
        assert method(shuffled) == method(original)


@PROPERTY
@given(ranked_profiles())
def test_a_ballot_of_weight_two_counts_as_two_identical_ballots(profile):
    ranks, weights = profile
    doubled = make(np.concatenate([ranks, ranks]), weights + weights)
    weighted = make(ranks, [2 * w for w in weights])
    for method in RANKED_METHODS:
        assert method(doubled) == method(weighted)


@PROPERTY
@given(ranked_profiles(), st.integers(2, 9))
def test_fraction_weights_give_the_same_winners_as_their_scaled_integers(profile, divisor):
    ranks, weights = profile
    fractions = [Fraction(w, divisor) for w in weights]
    for method in RANKED_METHODS:
        exact = method(make(ranks, fractions))
        scaled = method(make(ranks, weights))
        assert (exact.winner, exact.order, exact.co_winners) == (
            scaled.winner,
            scaled.order,
            scaled.co_winners,
        )


@PROPERTY
@given(ranked_profiles(), st.randoms(use_true_random=False))
def test_winner_is_a_co_winner_and_the_order_lists_everyone_once(profile, rng):
    ranks, weights = profile
    m = ranks.shape[1]
    priority = list(range(m))
    rng.shuffle(priority)
    ballots = make(ranks, weights)
    for method in RANKED_METHODS:
        result = method(ballots, tie_break=priority)
        assert result.winner in result.co_winners
        assert sorted(result.order) == list(range(m))
        assert result.order[0] == result.winner
        assert set(result.tiers[0]) <= set(result.co_winners)
        if method is not ranked_pairs:
            flattened = [c for tier in result.tiers for c in sorted(tier, key=priority.index)]
            assert list(result.order) == flattened


@PROPERTY
@given(ranked_profiles())
def test_a_condorcet_winner_wins_schulze_ranked_pairs_copeland_and_minimax(profile):
    ranks, weights = profile
    ballots = make(ranks, weights)
    p = pairwise_matrix(ballots).matrix
    m = p.shape[0]
    winners = [a for a in range(m) if all(p[a, b] > p[b, a] for b in range(m) if b != a)]
    if not winners:
        return
    for method in (schulze, ranked_pairs, copeland, minimax):
        result = method(ballots)
        assert result.co_winners == (winners[0],), method.__name__


@PROPERTY
@given(ranked_profiles())
def test_borda_hands_out_m_times_m_minus_one_over_two_points_per_unit_of_weight(profile):
    ranks, weights = profile
    result = borda(make(ranks, weights))
    m = ranks.shape[1]
    assert result.scores is not None
    assert sum(result.scores) == Fraction(m * (m - 1), 2) * sum(weights)


@PROPERTY
@given(ranked_profiles())
def test_schulze_winner_is_never_beaten_by_a_stronger_path(profile):
    ranks, weights = profile
    result = schulze(make(ranks, weights))
    d = result.strongest_paths
    assert d is not None
    for winner in result.co_winners:
        assert all(d[winner][c] >= d[c][winner] for c in range(len(d)))


@st.composite
def graded_profiles(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    m = draw(st.integers(1, 4))
    n = draw(st.integers(1, 9))
    grades = draw(
        st.lists(st.lists(st.integers(0, 4), min_size=m, max_size=m), min_size=n, max_size=n)
    )
    weights = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return np.array(grades).reshape(n, m), weights


def majority_value(grades: list[int]) -> list[int]:
    """Balinski–Laraki by hand: remove the lower median again and again."""
    remaining = sorted(grades)
    sequence = []
    while remaining:
        sequence.append(remaining.pop((len(remaining) - 1) // 2))
    return sequence


@PROPERTY
@given(graded_profiles())
def test_majority_judgment_orders_candidates_like_removing_medians_by_hand(profile):
    grades, weights = profile
    names = tuple("abcd"[: grades.shape[1]])
    result = majority_judgment(
        GradeBallots.from_grades(grades, names, tuple("01234"), weights=weights)
    )
    values = [
        majority_value(
            [int(g) for g, w in zip(grades[:, c], weights, strict=True) for _ in range(w)]
        )
        for c in range(grades.shape[1])
    ]
    ranked = [c for tier in result.tiers for c in tier]
    for better, worse in zip(ranked, ranked[1:], strict=False):
        assert values[better] >= values[worse]
    for tier in result.tiers:
        assert len({tuple(values[c]) for c in tier}) == 1
    assert result.winner in result.co_winners
