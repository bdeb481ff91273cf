"""College-weighted and one-member-one-vote tallies: the spec's worked example and every policy."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from voting import (
    KEEP_IN_DENOMINATOR,
    SIMPLE,
    TWO_THIRDS,
    UNANIMITY,
    AbsentCollegePolicy,
    AbsentKind,
    AbstentionPolicy,
    Bloc,
    BlocSide,
    Choice,
    CollegeStatus,
    PolicyError,
    TallyPolicies,
    Treatment,
    VotingInputError,
    count_ballots,
    merge_into,
    tally_resolution,
    tally_resolution_counts,
)

# Worked example of the spec: colleges A 40 % (16), B 25 % (457), C 25 % (146), D 10 % (252).
WEIGHTS = [40, 25, 25, 10]
MEMBERS = [16, 457, 146, 252]
COUNTS = [[10, 2, 1, 0, 0], [40, 60, 10, 0, 0], [20, 5, 0, 0, 0], [0, 0, 0, 0, 0]]


def worked(policies: TallyPolicies | None = None, weights: list[int] | None = WEIGHTS):
    return tally_resolution_counts(
        COUNTS, members=MEMBERS, weights=weights, majority=TWO_THIRDS, policies=policies
    )


def test_worked_example_row_1_excluded_abstention_and_redistributed_silent_college_passes():
    tally = worked()
    expected = (
        Fraction(40) * Fraction(10, 12)
        + Fraction(25) * Fraction(40, 100)
        + Fraction(25) * Fraction(20, 25)
    ) / 90
    assert tally.for_ratio == expected == Fraction(19, 27)
    assert tally.percent() == "70.37"
    assert tally.adopted


def test_worked_example_row_2_silent_college_kept_in_denominator_fails():
    tally = worked(TallyPolicies(silent_college=KEEP_IN_DENOMINATOR))
    assert tally.for_ratio == Fraction(19, 30)
    assert tally.percent() == "63.33"
    assert tally.kept_total == Fraction(1, 10)
    assert not tally.adopted


def test_worked_example_row_3_abstention_counting_against_fails_by_a_sixth_of_a_point():
    tally = worked(TallyPolicies(abstention=AbstentionPolicy.COUNTS_AGAINST))
    expected = (
        Fraction(40) * Fraction(10, 13)
        + Fraction(25) * Fraction(40, 110)
        + Fraction(25) * Fraction(20, 25)
    ) / 90
    assert tally.for_ratio == expected
    assert tally.percent() == "66.51"
    assert not tally.adopted
    # the spec's "by 0.15 pt": the exact shortfall is 200/1287 ≈ 0.155 point
    shortfall = (Fraction(2, 3) - tally.for_ratio) * 100
    assert shortfall == Fraction(200, 1287)
    assert Fraction(15, 100) < shortfall < Fraction(16, 100)


def test_worked_example_row_4_one_member_one_vote_fails():
    tally = worked(weights=None)
    assert tally.for_ratio == Fraction(70, 137)
    assert tally.percent() == "51.09"
    assert tally.colleges == ()
    assert not tally.adopted


def test_worked_example_row_5_bloc_aggregation_passes_with_sixty_five_ninetieths():
    tally = worked(TallyPolicies(aggregation=Bloc(Fraction(1, 2))))
    assert tally.for_ratio == Fraction(65, 90)
    assert tally.percent() == "72.22"
    assert [c.bloc_side for c in tally.colleges[:3]] == [
        BlocSide.FOR,
        BlocSide.AGAINST,
        BlocSide.FOR,
    ]
    assert tally.adopted
    assert tally.policies.is_atypical


def test_silent_college_is_redistributed_pro_rata():
    tally = worked()
    a, b, c, d = tally.colleges
    assert d.status is CollegeStatus.SILENT and d.treatment is Treatment.REDISTRIBUTED
    assert (a.weight_used, b.weight_used, c.weight_used, d.weight_used) == (
        Fraction(40, 90),
        Fraction(25, 90),
        Fraction(25, 90),
        0,
    )
    assert a.weight == Fraction(2, 5)
    assert a.contribution_for == Fraction(40, 90) * Fraction(10, 12)
    assert tally.for_total + tally.against_total == 1


def test_college_keeps_its_raw_counts_and_not_voted_members():
    a = worked().colleges[0]
    assert (a.counts.for_, a.counts.against, a.counts.abstain, a.counts.not_voted) == (10, 2, 1, 3)
    assert a.share_for == Fraction(10, 12) and a.share_against == Fraction(2, 12)


def test_empty_college_follows_the_empty_college_policy_not_the_silent_one():
    counts = [[3, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]]
    tally = tally_resolution_counts(
        counts,
        members=[5, 5, 0],
        weights=[1, 1, 2],
        policies=TallyPolicies(empty_college=KEEP_IN_DENOMINATOR),
    )
    empty = tally.colleges[2]
    assert empty.status is CollegeStatus.EMPTY
    assert empty.treatment is Treatment.KEPT_IN_DENOMINATOR
    assert empty.weight_used == Fraction(1, 2)
    assert tally.for_ratio == (Fraction(1, 4) * Fraction(3, 4) + Fraction(1, 4) * Fraction(1, 2))


def test_silent_college_merged_into_another_adds_its_weight_to_that_college():
    tally = worked(TallyPolicies(silent_college=merge_into(1)))
    a, b, _, d = tally.colleges
    assert d.treatment is Treatment.MERGED and d.merged_into == 1 and d.merge_path == (1,)
    assert b.weight_used == Fraction(35, 100) and a.weight_used == Fraction(40, 100)
    assert d.weight_used == 0
    expected = (
        Fraction(40, 100) * Fraction(10, 12)
        + Fraction(35, 100) * Fraction(40, 100)
        + Fraction(25, 100) * Fraction(20, 25)
    )
    assert tally.for_ratio == expected


def test_merge_target_that_is_itself_silent_passes_the_weight_on_by_its_own_policy():
    counts = [[3, 1, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    members = [4, 3, 0]
    # college 2 is empty and merges into 1, which is silent and kept in the denominator
    policies = TallyPolicies(empty_college=merge_into(1), silent_college=KEEP_IN_DENOMINATOR)
    tally = tally_resolution_counts(counts, members=members, weights=[2, 1, 1], policies=policies)
    assert tally.colleges[2].treatment is Treatment.KEPT_IN_DENOMINATOR
    assert tally.colleges[2].merge_path == (1,)
    assert tally.for_ratio == Fraction(2, 4) * Fraction(3, 4)


def test_merge_chain_that_loops_back_is_redistributed():
    counts = [[3, 1, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    policies = TallyPolicies(empty_college=merge_into(1), silent_college=merge_into(2))
    tally = tally_resolution_counts(counts, members=[4, 3, 0], weights=[2, 1, 1], policies=policies)
    assert tally.colleges[1].treatment is Treatment.REDISTRIBUTED
    assert tally.colleges[2].treatment is Treatment.REDISTRIBUTED
    assert tally.for_ratio == Fraction(3, 4)


def test_merge_into_a_college_that_does_not_exist_is_refused():
    with pytest.raises(PolicyError, match="n'existe pas"):
        worked(TallyPolicies(silent_college=merge_into(9)))


def test_abstention_counting_for_adds_abstentions_to_the_for_side():
    counts = [[1, 2, 2, 5, 5]]
    tally = tally_resolution_counts(
        counts,
        members=[20],
        weights=None,
        policies=TallyPolicies(abstention=AbstentionPolicy.COUNTS_FOR),
    )
    assert tally.for_ratio == Fraction(3, 5)
    assert tally.policies.is_atypical


def test_blank_and_null_ballots_are_never_expressed():
    for policy in AbstentionPolicy:
        tally = tally_resolution_counts(
            [[2, 1, 0, 7, 9]], members=[30], weights=None, policies=TallyPolicies(abstention=policy)
        )
        assert tally.for_ratio == Fraction(2, 3)


def test_college_with_only_abstentions_is_silent_when_abstentions_are_excluded():
    counts = [[2, 2, 0, 0, 0], [0, 0, 3, 0, 0]]
    excluded = tally_resolution_counts(counts, members=[4, 3], weights=[1, 1])
    against = tally_resolution_counts(
        counts,
        members=[4, 3],
        weights=[1, 1],
        policies=TallyPolicies(abstention=AbstentionPolicy.COUNTS_AGAINST),
    )
    assert excluded.colleges[1].status is CollegeStatus.SILENT
    assert excluded.for_ratio == Fraction(1, 2)
    assert against.colleges[1].status is CollegeStatus.LIVE
    assert against.for_ratio == Fraction(1, 4)


def test_no_expressed_vote_at_all_is_not_adopted_and_has_no_ratio():
    counts = [[0, 0, 2, 1, 0], [0, 0, 0, 0, 0]]
    tally = tally_resolution_counts(
        counts,
        members=[5, 0],
        weights=[1, 1],
        policies=TallyPolicies(silent_college=KEEP_IN_DENOMINATOR),
    )
    assert tally.for_ratio is None and tally.percent() is None
    assert not tally.adopted
    per_head = tally_resolution_counts([[0, 0, 1, 0, 0]], members=[3], weights=None)
    assert per_head.for_ratio is None and not per_head.adopted


def test_exact_half_fails_a_simple_majority():
    tally = tally_resolution_counts([[5, 5, 0, 0, 0]], members=[10], weights=None, majority=SIMPLE)
    assert tally.for_ratio == Fraction(1, 2)
    assert not tally.adopted


def test_exact_two_thirds_passes_a_two_thirds_majority_even_though_the_display_rounds():
    tally = tally_resolution_counts(
        [[2, 1, 0, 0, 0]], members=[3], weights=None, majority=TWO_THIRDS
    )
    assert tally.percent() == "66.67"
    assert tally.adopted


def test_unanimity_requires_every_expressed_vote_for():
    assert tally_resolution_counts(
        [[3, 0, 4, 0, 0]], members=[7], weights=None, majority=UNANIMITY
    ).adopted
    assert not tally_resolution_counts(
        [[3, 1, 0, 0, 0]], members=[7], weights=None, majority=UNANIMITY
    ).adopted


def test_unanimity_fails_when_a_silent_college_is_kept_in_the_denominator():
    tally = tally_resolution_counts(
        [[3, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
        members=[3, 2],
        weights=[1, 1],
        majority=UNANIMITY,
        policies=TallyPolicies(silent_college=KEEP_IN_DENOMINATOR),
    )
    assert tally.for_ratio == Fraction(1, 2)
    assert not tally.adopted


def test_bloc_without_a_winning_side_goes_to_a_simple_majority_second_round():
    counts = [[6, 4, 0, 0, 0], [1, 3, 0, 0, 0]]
    tally = tally_resolution_counts(
        counts,
        members=[10, 4],
        weights=[1, 1],
        policies=TallyPolicies(aggregation=Bloc(Fraction(2, 3))),
    )
    # college 0: 60 % for, not above 2/3, so the second round gives it to "for"
    # college 1: 75 % against, above 2/3
    assert [c.bloc_side for c in tally.colleges] == [BlocSide.FOR, BlocSide.AGAINST]
    assert tally.for_ratio == Fraction(1, 2)


def test_bloc_without_second_round_splits_an_undecided_college_proportionally():
    counts = [[6, 4, 0, 0, 0]]
    tally = tally_resolution_counts(
        counts,
        members=[10],
        weights=[1],
        policies=TallyPolicies(aggregation=Bloc(Fraction(2, 3), second_round=False)),
    )
    assert tally.colleges[0].bloc_side is BlocSide.SPLIT
    assert tally.for_ratio == Fraction(3, 5)


def test_bloc_college_split_half_and_half_stays_split_after_the_second_round():
    tally = tally_resolution_counts(
        [[2, 2, 0, 0, 0], [3, 0, 0, 0, 0]],
        members=[4, 3],
        weights=[1, 1],
        policies=TallyPolicies(aggregation=Bloc()),
    )
    assert tally.colleges[0].bloc_side is BlocSide.SPLIT
    assert tally.for_ratio == Fraction(3, 4)


def test_bloc_needs_colleges():
    with pytest.raises(PolicyError):
        tally_resolution_counts(
            [[1, 0, 0, 0, 0]], members=[1], weights=None, policies=TallyPolicies(aggregation=Bloc())
        )


def test_bloc_threshold_below_one_half_is_refused():
    with pytest.raises(PolicyError):
        Bloc(Fraction(1, 3))


def test_more_ballots_than_members_is_refused():
    with pytest.raises(VotingInputError, match="bulletins pour 2 membres"):
        tally_resolution_counts([[3, 0, 0, 0, 0]], members=[2], weights=[1])


def test_float_weights_are_refused():
    with pytest.raises(VotingInputError):
        tally_resolution_counts([[1, 0, 0, 0, 0]], members=[1], weights=[0.5])  # type: ignore[list-item]


def test_fraction_and_percentage_weights_give_the_same_tally():
    shares = [Fraction(2, 5), Fraction(1, 4), Fraction(1, 4), Fraction(1, 10)]
    as_fractions = tally_resolution_counts(COUNTS, members=MEMBERS, weights=shares)
    assert as_fractions.for_ratio == worked().for_ratio


def test_ballot_arrays_count_like_the_group_by_counts():
    colleges = np.repeat(np.arange(4), [13, 110, 25, 0])
    choices = np.concatenate(
        [
            np.repeat([Choice.FOR, Choice.AGAINST, Choice.ABSTAIN], [10, 2, 1]),
            np.repeat([Choice.FOR, Choice.AGAINST, Choice.ABSTAIN], [40, 60, 10]),
            np.repeat([Choice.FOR, Choice.AGAINST], [20, 5]),
        ]
    ).astype(np.int8)
    assert count_ballots(colleges, choices, 4).tolist() == COUNTS
    tally = tally_resolution(
        colleges, choices, members=MEMBERS, weights=WEIGHTS, majority=TWO_THIRDS
    )
    assert tally == worked()


def test_ballots_without_colleges_are_counted_one_member_one_vote():
    choices = np.array([0, 0, 1, 2, 3], dtype=np.uint8)
    tally = tally_resolution(None, choices, members=[9], weights=None)
    assert tally.for_ratio == Fraction(2, 3)
    assert tally.counts.not_voted == 4


def test_unknown_choice_or_college_in_ballot_arrays_is_refused():
    with pytest.raises(VotingInputError, match="Choix"):
        count_ballots(np.array([0]), np.array([5]), 1)
    with pytest.raises(VotingInputError, match="Collège"):
        count_ballots(np.array([2]), np.array([0]), 2)
    with pytest.raises(VotingInputError, match="Choix"):
        count_ballots(np.array([0]), np.array([-1]), 1)


def test_policies_read_back_from_their_text_form():
    for text in ("redistribute", "keep_in_denominator", "merge_into:2"):
        assert AbsentCollegePolicy.parse(text).code == text
    with pytest.raises(PolicyError):
        AbsentCollegePolicy.parse("drop")
    assert Bloc(Fraction(2, 3), second_round=False).code == "bloc(2/3,no_second_round)"


@pytest.mark.parametrize(
    "members", [[16, 457.5, 146, 252], [16, 457, True, 252], [16, 457, 146, -1]]
)
def test_college_members_must_be_whole_numbers_not_negative(members):
    with pytest.raises(VotingInputError, match="collège"):
        tally_resolution_counts(COUNTS, members=members, weights=WEIGHTS)


@pytest.mark.parametrize("target", [1.5, True, "1"])
def test_merge_target_must_be_a_college_index(target):
    with pytest.raises(PolicyError):
        AbsentCollegePolicy(AbsentKind.MERGE_INTO, target)
