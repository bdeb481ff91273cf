"""Ranked-ballot methods on hand-checked profiles: pairwise matrix, Schulze, ranked pairs, Copeland,
Borda and minimax, with their declared tie-breaks."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from voting import (
    SEARCH_BUDGET,
    Pairwise,
    RankedBallots,
    VotingInputError,
    borda,
    copeland,
    minimax,
    pairwise_matrix,
    ranked_pairs,
    schulze,
)

ALL_METHODS = (schulze, ranked_pairs, copeland, borda, minimax)


def profile(groups: list[tuple[int, str]], candidates: str) -> RankedBallots:
    """Build ballots from ("count", "ACB") pairs; letters are candidates, best first."""
    index = {c: i for i, c in enumerate(candidates)}
    rankings = [[index[c] for c in order] for _, order in groups]
    return RankedBallots.from_rankings(rankings, tuple(candidates), weights=[n for n, _ in groups])


# Schulze's example from Wikipedia / Schulze (2011), 45 voters: winner E, order E > A > C > B > D.
WIKIPEDIA_SCHULZE = profile(
    [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ],
    "ABCDE",
)

# Tennessee capital example (per 100 voters): Nashville wins for every Condorcet method.
TENNESSEE = profile([(42, "MNCK"), (26, "NCKM"), (15, "CKNM"), (17, "KCNM")], "MNCK")


def test_pairwise_matrix_counts_the_weight_of_ballots_preferring_each_candidate():
    p = pairwise_matrix(WIKIPEDIA_SCHULZE).matrix
    assert p[0, 1] == 20 and p[1, 0] == 25  # d[A,B] = 20 in Schulze's paper
    assert p[3, 4] == 14 and p[4, 3] == 31
    assert p[0, 2] + p[2, 0] == 45


def test_unranked_candidates_are_below_ranked_ones_and_tied_with_each_other():
    ballots = RankedBallots.from_rankings([[1]], ("a", "b", "c"))
    p = pairwise_matrix(ballots).matrix
    assert p.tolist() == [[0, 0, 0], [1, 0, 1], [0, 0, 0]]


def test_schulze_elects_e_in_the_wikipedia_example_with_its_full_order():
    result = schulze(WIKIPEDIA_SCHULZE)
    assert result.winner_name == "E"
    assert result.order_names == ("E", "A", "C", "B", "D")
    assert result.strongest_paths is not None
    assert result.strongest_paths[4][3] == 31  # p[E,D] in Schulze's paper
    assert result.tie_break == ()


def test_condorcet_winner_wins_every_condorcet_method():
    for method in (schulze, ranked_pairs, copeland, minimax):
        result = method(TENNESSEE)
        assert result.winner_name == "N", method.__name__
    for method in (schulze, ranked_pairs, copeland):
        assert method(TENNESSEE).order_names == ("N", "C", "K", "M"), method.__name__


def test_minimax_orders_by_the_worst_defeat():
    # Memphis loses every duel by 16, Chattanooga loses to Nashville by 36, Knoxville by 66 at worst
    result = minimax(TENNESSEE)
    assert result.scores == (Fraction(16), Fraction(0), Fraction(36), Fraction(66))
    assert result.order_names == ("N", "M", "C", "K")


def test_borda_gives_full_rankings_m_minus_one_down_to_zero_points():
    result = borda(TENNESSEE)
    assert result.scores == (Fraction(126), Fraction(194), Fraction(173), Fraction(107))
    assert result.winner_name == "N"


def test_borda_gives_tied_and_unranked_candidates_half_a_point_per_tied_rival():
    # a > {b, c}, d unranked: a 3, b 1.5, c 1.5, d 0
    ballots = RankedBallots.from_rankings([[0, (1, 2)]], ("a", "b", "c", "d"))
    result = borda(ballots)
    assert result.scores == (Fraction(3), Fraction(3, 2), Fraction(3, 2), Fraction(0))
    # two unranked candidates share the last places: a 2, b and c 0.5 each
    partial = borda(RankedBallots.from_rankings([[0]], ("a", "b", "c")))
    assert partial.scores == (Fraction(2), Fraction(1, 2), Fraction(1, 2))


def test_a_perfect_cycle_leaves_every_candidate_tied_and_the_declared_order_decides():
    cycle = profile([(1, "ABC"), (1, "BCA"), (1, "CAB")], "ABC")
    for method in ALL_METHODS:
        default = method(cycle)
        assert default.co_winners == (0, 1, 2), method.__name__
        assert default.winner == 0, method.__name__
        other_order = method(cycle, tie_break=[1, 2, 0])
        assert other_order.winner == 1, method.__name__
        assert other_order.tie_break, method.__name__


def test_tie_break_trace_names_the_tied_candidates_and_their_order():
    tied = profile([(1, "AB"), (1, "BA")], "AB")
    result = copeland(tied, tie_break=[1, 0])
    (step,) = result.tie_break
    assert step.tied == (0, 1) and step.chosen == (1, 0)
    assert "fixed_order" in step.note
    assert result.order == (1, 0)


def test_ranked_pairs_locks_the_largest_margins_and_skips_the_one_closing_a_cycle():
    # margins: B>C 7, A>B 5, C>A 3 -> lock B>C, A>B, skip C>A: A > B > C
    ballots = profile([(6, "ABC"), (5, "BCA"), (4, "CAB")], "ABC")
    margins = pairwise_matrix(ballots).margins
    assert (margins[1, 2], margins[0, 1], margins[2, 0]) == (7, 5, 3)
    result = ranked_pairs(ballots)
    assert result.locked == ((1, 2), (0, 1))
    assert result.order_names == ("A", "B", "C")
    assert result.co_winners == (0,) and result.tie_break == ()


def test_ranked_pairs_breaks_equal_margins_by_the_declared_priority_of_the_winner():
    # A>B, B>C, C>A all with margin 1: the first pair locked depends on the declared order
    cycle = profile([(1, "ABC"), (1, "BCA"), (1, "CAB")], "ABC")
    default = ranked_pairs(cycle)
    assert default.locked is not None and default.locked[0] == (0, 1)
    assert default.order == (0, 1, 2)
    other = ranked_pairs(cycle, tie_break=[1, 2, 0])
    assert other.locked is not None and other.locked[0] == (1, 2)
    assert other.order == (1, 2, 0)
    assert default.tie_break[0].pairs == ((0, 1), (1, 2), (2, 0))


def test_ranked_pairs_settles_a_zero_margin_for_the_higher_priority():
    tied = profile([(1, "AB"), (1, "BA")], "AB")
    assert ranked_pairs(tied).winner == 0
    result = ranked_pairs(tied, tie_break=[1, 0])
    assert result.winner == 1
    assert result.tie_break[-1].pairs == ((1, 0),)


def test_copeland_counts_wins_minus_losses():
    result = copeland(WIKIPEDIA_SCHULZE)
    assert result.scores is not None
    assert sum(result.scores) == 0
    assert result.winner in result.co_winners


def test_minimax_strengths_differ_only_with_ties_or_truncation():
    # b > a with 3 votes to 1, 2 voters rank neither: margins 2, winning votes 3
    ballots = RankedBallots.from_rankings(
        [[1, 0], [1, 0], [1, 0], [0, 1], [2], [2]], ("a", "b", "c")
    )
    margins = minimax(ballots)
    winning = minimax(ballots, strength="winning_votes")
    opposition = minimax(ballots, strength="pairwise_opposition")
    assert margins.scores is not None and winning.scores is not None
    assert opposition.scores is not None
    assert margins.scores[0] == 2 and winning.scores[0] == 3 and opposition.scores[0] == 3
    # c is ranked only by two voters, so b beats it 4 to 2; c's worst defeat is b's 4 - 2 = 2
    assert margins.scores[2] == 2
    assert opposition.scores[1] == 2  # c over b by 2 even though b wins that duel


def test_schulze_with_margins_and_winning_votes_agree_on_complete_rankings():
    assert schulze(WIKIPEDIA_SCHULZE, strength="margins").order == schulze(WIKIPEDIA_SCHULZE).order


def test_fraction_weights_are_scaled_to_integers_by_their_common_denominator():
    ballots = RankedBallots.from_rankings(
        [[0, 1], [1, 0]], ("a", "b"), weights=[Fraction(1, 2), Fraction(1, 3)]
    )
    assert ballots.weights.tolist() == [3, 2] and ballots.weight_scale == 6
    assert schulze(ballots).winner == 0


def test_methods_accept_a_pairwise_matrix_directly():
    pairwise = pairwise_matrix(TENNESSEE)
    assert isinstance(pairwise, Pairwise)
    for method in ALL_METHODS:
        assert method(pairwise) == method(TENNESSEE)


def test_no_ballot_at_all_leaves_everyone_tied():
    empty = RankedBallots.from_ranks(np.zeros((0, 3), dtype=int), ("a", "b", "c"))
    for method in ALL_METHODS:
        result = method(empty, tie_break=[1, 0, 2])
        assert result.co_winners == (0, 1, 2) and result.winner == 1


def test_orders_of_complete_rankings_become_ranks():
    ballots = RankedBallots.from_orders(np.array([[2, 0, 1]]), ("a", "b", "c"))
    assert ballots.ranks.tolist() == [[1, 2, 0]]
    with pytest.raises(VotingInputError):
        RankedBallots.from_orders(np.array([[2, 2, 1]]), ("a", "b", "c"))


@pytest.mark.parametrize(
    "bad",
    [
        lambda: RankedBallots.from_rankings([[0, 0]], ("a", "b")),
        lambda: RankedBallots.from_rankings([[3]], ("a", "b")),
        lambda: RankedBallots.from_ranks([[0, 5]], ("a", "b")),
        lambda: RankedBallots.from_ranks([[0, 1]], ("a", "b"), weights=[-1]),
        lambda: RankedBallots.from_ranks([[0, 1]], ("a", "b"), weights=[0.5]),
        lambda: schulze(TENNESSEE, tie_break=[0, 0, 1, 2]),
    ],
)
def test_inconsistent_ballots_weights_or_tie_breaks_are_refused(bad):
    with pytest.raises(VotingInputError):
        bad()


def test_ballot_arrays_are_read_only_once_built():
    with pytest.raises(ValueError):
        TENNESSEE.ranks[0, 0] = 3


def test_schulze_winning_votes_and_margins_can_differ_on_tied_and_truncated_ballots():
    ranks = [
        [3, 1, 2, 4],
        [0, 2, 4, 1],
        [0, 1, 2, 0],
        [1, 0, 0, 1],
        [0, 2, 3, 1],
        [2, 2, 1, 0],
        [3, 4, 1, 3],
    ]
    ballots = RankedBallots.from_ranks(ranks, ("a", "b", "c", "d"))
    assert schulze(ballots).winner_name == "d"
    assert schulze(ballots, strength="margins").winner_name == "a"


def test_ranked_pairs_says_when_its_search_of_tie_orders_stopped_early():
    cycle = profile([(1, "ABC"), (1, "BCA"), (1, "CAB")], "ABC")
    complete = ranked_pairs(cycle)
    assert complete.co_winners_exact and complete.co_winners == (0, 1, 2)
    assert 0 < complete.search_work <= SEARCH_BUDGET
    cut_short = ranked_pairs(cycle, search_budget=1)
    assert not cut_short.co_winners_exact
    assert cut_short.winner in cut_short.co_winners
    assert (cut_short.winner, cut_short.order) == (complete.winner, complete.order)


def test_ranked_pairs_does_not_search_when_a_condorcet_winner_exists():
    result = ranked_pairs(TENNESSEE)
    assert result.co_winners == (1,) and result.co_winners_exact and result.search_work == 0


def random_orders(seed: int, n_ballots: int, n_candidates: int) -> list[RankedBallots]:
    rng = np.random.default_rng(seed)
    names = tuple(f"c{i}" for i in range(n_candidates))
    return [
        RankedBallots.from_orders(np.argsort(rng.random((n_ballots, n_candidates)), axis=1), names)
        for _ in range(20)
    ]


def test_ranked_pairs_co_winners_of_forty_candidates_and_three_ballots_take_bounded_work():
    # Three random rankings of 40 candidates: one big group of margin-1 pairs full of cycles
    # and no Condorcet winner (the old search enumerated that group's outcomes and gave up).
    # A budget of 300,000 work units (a few hundredths of a second) is enough every time.
    searched = 0
    for ballots in random_orders(2024, 3, 40):
        result = ranked_pairs(ballots, search_budget=300_000)
        assert result.co_winners_exact
        assert result.search_work <= 300_000
        assert result.winner in result.co_winners
        searched += result.search_work > 0
        if result.search_work:
            assert len(result.co_winners) > 1
    assert searched >= 10


def test_ranked_pairs_co_winners_do_not_depend_on_the_declared_tie_break():
    (ballots,) = random_orders(7, 3, 12)[:1]
    default = ranked_pairs(ballots)
    reverse = ranked_pairs(ballots, tie_break=list(range(12))[::-1])
    assert default.co_winners == reverse.co_winners
    assert default.winner in default.co_winners and reverse.winner in reverse.co_winners


def test_complete_orders_naming_an_unknown_candidate_are_refused_with_the_ballot():
    with pytest.raises(VotingInputError) as raised:
        RankedBallots.from_orders(np.array([[0, 1, 2], [0, 1, 7]]), ("a", "b", "c"))
    assert str(raised.value) == ("Bulletin 2 : candidat 7 inconnu (les candidats vont de 0 à 2).")
    with pytest.raises(VotingInputError, match="Bulletin 1 : candidat -1 inconnu"):
        RankedBallots.from_orders([[0, 1, -1]], ("a", "b", "c"))
    with pytest.raises(VotingInputError, match="Bulletin 1 : candidat 1 cité deux fois"):
        RankedBallots.from_orders([[1, 1, 0]], ("a", "b", "c"))


@pytest.mark.parametrize(
    "bad",
    [
        lambda: RankedBallots.from_orders([[0.0, 1.0, 2.0]], ("a", "b", "c")),
        lambda: RankedBallots.from_orders([[0, 1]], ("a", "b", "c")),
        lambda: RankedBallots.from_ranks(np.zeros((2, 2, 3), dtype=int), ("a", "b", "c")),
        lambda: RankedBallots.from_ranks([0, 1, 2, 0, 1], ("a", "b", "c")),
        lambda: RankedBallots.from_ranks([[0, 1], [0]], ("a", "b")),
        lambda: RankedBallots.from_ranks([[True, False]], ("a", "b")),
        lambda: RankedBallots.from_ranks([[0, 1]], ("a", "b"), weights=np.array(3)),
        lambda: RankedBallots.from_ranks([[0, 1]], ("a", "b"), weights=[float("nan")]),
        lambda: RankedBallots(np.array([[0, 1]]), np.array([0.5]), ("a", "b")),
        lambda: RankedBallots(np.array([[0, 1]]), np.array([float("nan")]), ("a", "b")),
        lambda: RankedBallots(np.array([[0, 1]]), np.array([1]), ("a", "b"), weight_scale=0),
        lambda: RankedBallots.from_rankings([[0.5]], ("a", "b")),
        lambda: RankedBallots.from_rankings([["ab"]], ("a", "b")),
        lambda: RankedBallots.from_rankings([[True]], ("a", "b")),
        lambda: Pairwise(np.array([[0, 1.5], [0, 0]]), ("a", "b"), 2),
        lambda: Pairwise(np.array([[0, -1], [1, 0]]), ("a", "b"), 2),
        lambda: Pairwise(np.array([[1, 1], [0, 0]]), ("a", "b"), 2),
        lambda: Pairwise(np.array([[0, 2], [1, 0]]), ("a", "b"), 2),
        lambda: Pairwise(np.array([[0, 1], [0, 0]]), ("a", "b"), -1),
    ],
)
def test_wrong_shapes_floats_nan_and_impossible_counts_are_refused(bad):
    with pytest.raises(VotingInputError):
        bad()


def test_an_empty_list_is_a_profile_without_ballots():
    for ballots in (
        RankedBallots.from_ranks([], ("a", "b")),
        RankedBallots.from_orders([], ("a", "b")),
        RankedBallots(np.zeros((0, 2), dtype=int), [], ("a", "b")),
    ):
        assert ballots.n_ballots == 0 and ballots.total_weight == 0


def test_ballots_keep_their_own_copy_of_the_callers_arrays():
    ranks = np.array([[0, 1, 2], [2, 0, 1], [0, 1, 2]], dtype=np.int8)
    weights = np.array([1, 2, 3], dtype=np.int64)
    ballots = RankedBallots.from_ranks(ranks, ("a", "b", "c"), weights=weights)
    direct = RankedBallots(ranks, weights, ("a", "b", "c"))
    before = ranked_pairs(ballots)
    ranks[:] = [[2, 1, 0]] * 3
    weights[:] = 0
    for frozen_ballots in (ballots, direct):
        assert frozen_ballots.ranks.tolist() == [[0, 1, 2], [2, 0, 1], [0, 1, 2]]
        assert frozen_ballots.weights.tolist() == [1, 2, 3]
        assert not frozen_ballots.ranks.flags.writeable
        assert not frozen_ballots.weights.flags.writeable
    assert ranked_pairs(ballots) == before
    orders = np.array([[1, 0, 2]])
    from_orders = RankedBallots.from_orders(orders, ("a", "b", "c"))
    orders[0] = [2, 1, 0]
    assert from_orders.ranking_of(0) == ((1,), (0,), (2,))


def test_ballots_built_from_other_ballots_share_their_read_only_arrays():
    again = RankedBallots(TENNESSEE.ranks, TENNESSEE.weights, TENNESSEE.candidates)
    assert again.ranks is TENNESSEE.ranks and again.weights is TENNESSEE.weights


def test_a_pairwise_matrix_keeps_its_own_copy():
    matrix = np.array([[0, 2], [1, 0]])
    pairwise = Pairwise(matrix, ("a", "b"), 3)
    matrix[0, 1] = 0
    assert pairwise.matrix.tolist() == [[0, 2], [1, 0]]
    assert schulze(pairwise).winner == 0
