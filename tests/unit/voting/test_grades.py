"""Majority judgment, score voting and approval on hand-checked profiles."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from voting import (
    MENTIONS_FR,
    GradeBallots,
    GradeCounts,
    VotingInputError,
    approval,
    grade_counts,
    majority_judgment,
    score_voting,
)


def graded(columns: list[list[int]], weights: list[int] | None = None) -> GradeBallots:
    """One list of grades per candidate (same voters in the same order)."""
    grades = np.array(columns).T
    names = tuple("XYZW"[: len(columns)])
    return GradeBallots.from_grades(grades, names, MENTIONS_FR, weights=weights)


def test_majority_grade_is_the_median_mention():
    result = majority_judgment(graded([[0, 4, 5, 6, 6], [2, 3, 3, 3, 4]]))
    assert result.medians == (5, 3)
    assert result.median_names == ("Très bien", "Assez bien")
    assert result.winner_name == "X"


def test_even_number_of_grades_takes_the_lower_median():
    result = majority_judgment(graded([[1, 4], [2, 3]]))
    assert result.medians == (1, 2)
    assert result.winner_name == "Y"


def test_equal_majority_grades_are_separated_by_removing_median_grades():
    # same median (3) and same shares above and below it (1/5 each): the gauge ties, but removing
    # median grades reaches 1 for X and 2 for Y first, so Y wins.
    result = majority_judgment(graded([[1, 3, 3, 3, 6], [2, 3, 3, 3, 5]]))
    assert result.medians == (3, 3)
    assert result.proponents == (Fraction(1, 5), Fraction(1, 5))
    assert result.opponents == (Fraction(1, 5), Fraction(1, 5))
    assert result.winner_name == "Y"
    assert result.co_winners == (1,)
    assert result.tie_break == ()


def test_more_support_above_the_majority_grade_wins_between_equal_medians():
    result = majority_judgment(graded([[2, 3, 3, 4, 5], [2, 2, 3, 4, 4]]))
    assert result.medians == (3, 3)
    assert result.winner_name == "X"


def test_candidates_with_identical_grades_are_tied_and_the_declared_order_decides():
    result = majority_judgment(graded([[1, 3, 5], [5, 3, 1], [0, 0, 0]]), tie_break=[1, 0, 2])
    assert result.tiers == ((0, 1), (2,))
    assert result.co_winners == (0, 1)
    assert result.winner == 1
    (step,) = result.tie_break
    assert step.tied == (0, 1) and step.chosen == (1, 0)


def test_weights_count_as_multiplicities():
    weighted = majority_judgment(graded([[0, 6], [3, 3]], weights=[3, 1]))
    repeated = majority_judgment(graded([[0, 0, 0, 6], [3, 3, 3, 3]]))
    assert weighted.medians == repeated.medians == (0, 3)
    assert weighted.order == repeated.order


def test_grade_counts_from_a_group_by_give_the_same_result():
    ballots = graded([[1, 3, 3, 3, 6], [2, 3, 3, 3, 5]], weights=[1, 2, 1, 1, 3])
    counts = grade_counts(ballots)
    assert counts.counts.tolist()[0] == [0, 1, 0, 4, 0, 0, 3]
    direct = GradeCounts(counts.counts, counts.candidates, counts.grade_names)
    assert majority_judgment(direct) == majority_judgment(ballots)


def test_grade_counts_must_cover_every_voter_for_every_candidate():
    with pytest.raises(VotingInputError):
        GradeCounts(np.array([[1, 0], [0, 2]]), ("a", "b"), ("non", "oui"))


def test_majority_judgment_without_ballots_ties_everyone():
    result = majority_judgment(GradeBallots.from_grades(np.zeros((0, 2), dtype=int), ("a", "b")))
    assert result.medians == (None, None) and result.co_winners == (0, 1)


def test_score_voting_sums_weighted_scores_and_reports_exact_means():
    ballots = GradeBallots.from_grades(
        [[5, 3], [0, 4]], ("a", "b"), grade_names=tuple(str(i) for i in range(6)), weights=[1, 2]
    )
    result = score_voting(ballots)
    assert result.totals == (5, 11)
    assert result.means == (Fraction(5, 3), Fraction(11, 3))
    assert result.winner_name == "b"


def test_approval_counts_weighted_approvals():
    result = approval(
        [[1, 1, 0], [0, 1, 0], [1, 0, 1]], ("a", "b", "c"), weights=[1, 1, Fraction(1, 2)]
    )
    assert result.totals == (3, 4, 1)
    assert result.winner_name == "b"


def test_approval_tie_is_broken_by_the_declared_order():
    result = approval(np.array([[True, True]]), ("a", "b"), tie_break=[1, 0])
    assert result.co_winners == (0, 1) and result.winner == 1


def test_grades_outside_the_scale_are_refused():
    with pytest.raises(VotingInputError):
        GradeBallots.from_grades([[7]], ("a",))
    with pytest.raises(VotingInputError):
        approval([[2]], ("a",))


@pytest.mark.parametrize(
    "bad",
    [
        lambda: GradeBallots(np.array([[1, 2]]), np.array([0.5]), ("x", "y"), MENTIONS_FR),
        lambda: GradeBallots(np.array([[1, 2]]), np.array([np.nan]), ("x", "y"), MENTIONS_FR),
        lambda: GradeBallots(np.array([[1, 2]]), np.array([1]), ("x", "y"), MENTIONS_FR, 0),
        lambda: GradeBallots.from_grades(np.zeros((2, 2, 2), dtype=int), ("x", "y")),
        lambda: GradeBallots.from_grades([1, 2, 3], ("x", "y")),
        lambda: GradeBallots.from_grades([[1, 2], [3]], ("x", "y")),
        lambda: GradeBallots.from_grades([[1.0, 2.0]], ("x", "y")),
        lambda: GradeCounts(np.array([[1.5, 0.5], [1, 1]]), ("x", "y"), ("bad", "good")),
        lambda: GradeCounts(np.array([[np.nan, 2], [1, 1]]), ("x", "y"), ("bad", "good")),
        lambda: GradeCounts([[1, 1], [2]], ("x", "y"), ("bad", "good")),
        lambda: approval(np.zeros((2, 2, 2), dtype=int), ("x", "y")),
        lambda: approval([1, 0, 1], ("x", "y")),
        lambda: approval([[1, 0]], ("x", "y"), weights=[-1]),
    ],
)
def test_wrong_shapes_floats_and_nan_are_refused(bad):
    with pytest.raises(VotingInputError):
        bad()


def test_grade_ballots_keep_their_own_copy_of_the_callers_arrays():
    grades = np.array([[6, 0], [6, 0], [0, 6]], dtype=np.int8)
    weights = np.array([1, 1, 1])
    ballots = GradeBallots.from_grades(grades, ("x", "y"), weights=weights)
    direct = GradeBallots(grades, weights, ("x", "y"), MENTIONS_FR)
    grades[:] = [[0, 6]] * 3
    weights[:] = 5
    for frozen_ballots in (ballots, direct):
        assert frozen_ballots.grades.tolist() == [[6, 0], [6, 0], [0, 6]]
        assert frozen_ballots.weights.tolist() == [1, 1, 1]
        assert not frozen_ballots.grades.flags.writeable
    assert majority_judgment(ballots).winner_name == "x"
    counts = np.array([[2, 1], [1, 2]])
    grade_table = GradeCounts(counts, ("x", "y"), ("bad", "good"))
    counts[0] = [0, 3]
    assert grade_table.counts.tolist() == [[2, 1], [1, 2]]
