"""Quorum: the default table by legal form, statutes overrides, per-head and college-weighted."""

from __future__ import annotations

from fractions import Fraction

import pytest

from voting import (
    SIMPLE,
    TWO_THIRDS,
    AbstentionPolicy,
    AssemblyKind,
    LegalForm,
    MajorityNotSetError,
    QuorumBasis,
    QuorumNotSetError,
    QuorumOverrideError,
    QuorumSource,
    VotingInputError,
    default_majority,
    quorum_reached,
    quorum_required,
    quorum_rule,
)


@pytest.mark.parametrize(
    ("form", "kind", "convocation", "expected"),
    [
        ("SCIC_SA", "AGO", 1, Fraction(1, 5)),
        ("SCIC_SA", "AGO", 2, None),
        ("SCOP_SA", "AGE", 1, Fraction(1, 4)),
        ("SCOP_SA", "AGE", 2, Fraction(1, 5)),
        ("SCIC_SA", "AGO_EXTRA", 1, Fraction(1, 5)),
        ("SCIC_SARL", "AGO", 1, None),
        ("SCIC_SARL", "AGO", 2, None),
        ("SCIC_SARL", "AGE", 1, Fraction(1, 4)),
        ("SCOP_SARL", "AGE", 2, Fraction(1, 5)),
    ],
)
def test_default_quorum_follows_the_table_of_the_spec(form, kind, convocation, expected):
    assert quorum_required(form, kind, convocation) == expected


@pytest.mark.parametrize("form", ["SCIC_SAS", "ASSOCIATION", "OTHER"])
def test_forms_without_a_default_quorum_must_have_it_in_the_statutes(form):
    with pytest.raises(QuorumNotSetError) as raised:
        quorum_required(form, AssemblyKind.AGE, 1)
    assert str(raised.value) == (
        "Les statuts doivent fixer le quorum de l'AGE (1re convocation) avant de convoquer."
    )
    assert quorum_required(form, AssemblyKind.AGE, 1, Fraction(1, 3)) == Fraction(1, 3)


def test_statutes_may_raise_the_legal_quorum_but_not_lower_it():
    rule = quorum_rule(LegalForm.SCIC_SA, AssemblyKind.AGE, 1, Fraction(1, 3))
    assert rule.required == Fraction(1, 3) and rule.source is QuorumSource.STATUTES
    with pytest.raises(QuorumOverrideError, match="minimum légal de 1/4"):
        quorum_rule(LegalForm.SCIC_SA, AssemblyKind.AGE, 1, Fraction(1, 5))
    assert quorum_required("SCIC_SA", "AGO", 2, Fraction(1, 10)) == Fraction(1, 10)


def test_statutes_can_state_no_quorum_where_the_law_sets_none():
    assert quorum_required("ASSOCIATION", "AGO", 1, Fraction(0)) is None


def test_third_convocation_does_not_exist():
    with pytest.raises(VotingInputError):
        quorum_required("SCIC_SA", "AGO", 3)


def test_per_head_quorum_counts_present_represented_and_correspondence_over_all_members():
    rule = quorum_rule("SCIC_SA", "AGE", 1)
    exactly = quorum_reached(rule, present=25, members=100)
    assert exactly.fraction == exactly.required == Fraction(1, 4) and exactly.reached
    short = quorum_reached(rule, present=[10, 14], members=[50, 50])
    assert short.fraction == Fraction(24, 100) and not short.reached
    assert short.present_total == 24 and short.members_total == 100


def test_college_weighted_quorum_weighs_each_college_presence_and_drops_empty_colleges():
    rule = quorum_rule("SCIC_SA", "AGE", 1, basis=QuorumBasis.COLLEGE_WEIGHTED)
    result = quorum_reached(
        rule, present=[8, 20, 30, 0], members=[16, 457, 146, 0], weights=[40, 25, 25, 10]
    )
    expected = (40 * Fraction(8, 16) + 25 * Fraction(20, 457) + 25 * Fraction(30, 146)) / 90
    assert result.fraction == expected
    assert result.reached


def test_no_quorum_required_is_always_reached():
    rule = quorum_rule("SCIC_SARL", "AGO", 1)
    assert quorum_reached(rule, present=0, members=30).reached


def test_assembly_without_members_cannot_reach_a_quorum():
    result = quorum_reached(quorum_rule("SCIC_SA", "AGO", 1), present=0, members=0)
    assert result.fraction is None and not result.reached


def test_more_present_than_members_is_refused():
    with pytest.raises(VotingInputError):
        quorum_reached(quorum_rule("SCIC_SA", "AGO", 1), present=5, members=4)


def test_default_majorities_follow_the_legal_form():
    assert default_majority("SCIC_SA", "AGO").majority == SIMPLE
    assert default_majority("SCOP_SA", "AGE").majority == TWO_THIRDS
    first = default_majority("SCIC_SARL", "AGO", consultation=1)
    second = default_majority("SCIC_SARL", "AGO", consultation=2)
    assert first.abstention is AbstentionPolicy.COUNTS_AGAINST
    assert second.abstention is AbstentionPolicy.EXCLUDED
    statutes = default_majority("SCIC_SARL", "AGE")
    assert statutes.majority == TWO_THIRDS
    assert statutes.abstention is AbstentionPolicy.COUNTS_AGAINST
    with pytest.raises(MajorityNotSetError):
        default_majority("SCIC_SAS", "AGE")


@pytest.mark.parametrize(
    ("weights", "college", "shown"),
    [([-1, 1], 0, "-1"), ([1, 0], 1, "0"), ([2, Fraction(-1, 3), 1], 1, "-1/3")],
)
def test_college_weighted_quorum_refuses_a_weight_that_is_not_strictly_positive(
    weights, college, shown
):
    rule = quorum_rule("SCIC_SA", "AGE", 1, basis=QuorumBasis.COLLEGE_WEIGHTED)
    n = len(weights)
    with pytest.raises(VotingInputError) as raised:
        quorum_reached(rule, present=[1] * n, members=[4] * n, weights=weights)
    message = str(raised.value)
    assert f"collège {college}" in message and "strictement positif" in message
    assert f"reçu {shown}" in message


@pytest.mark.parametrize("weight", [1.5, float("nan"), "1", True])
def test_college_weighted_quorum_refuses_inexact_weights(weight):
    rule = quorum_rule("SCIC_SA", "AGE", 1, basis=QuorumBasis.COLLEGE_WEIGHTED)
    with pytest.raises(VotingInputError, match="collège 0"):
        quorum_reached(rule, present=[1, 1], members=[4, 4], weights=[weight, 1])


def test_college_weighted_quorum_needs_one_weight_per_college():
    rule = quorum_rule("SCIC_SA", "AGE", 1, basis=QuorumBasis.COLLEGE_WEIGHTED)
    with pytest.raises(VotingInputError, match="2 poids pour 3 collèges"):
        quorum_reached(rule, present=[1, 1, 1], members=[4, 4, 4], weights=[1, 1])


def test_per_head_quorum_refuses_college_weights():
    with pytest.raises(VotingInputError):
        quorum_reached(
            quorum_rule("SCIC_SA", "AGE", 1), present=[1, 1], members=[4, 4], weights=[1, 1]
        )


@pytest.mark.parametrize(
    ("present", "members"),
    [(2.5, 10), ([1, 2], [4, float("nan")]), (True, 3), ([1, -1], [4, -1])],
)
def test_head_counts_must_be_integers_and_not_negative(present, members):
    with pytest.raises(VotingInputError):
        quorum_reached(quorum_rule("SCIC_SA", "AGE", 1), present=present, members=members)


@pytest.mark.parametrize("convocation", [1.0, True, 0])
def test_convocation_is_the_first_or_the_second(convocation):
    with pytest.raises(VotingInputError):
        quorum_rule("SCIC_SA", "AGE", convocation)


def test_statutes_quorum_must_be_an_exact_fraction():
    with pytest.raises(VotingInputError):
        quorum_rule("SCIC_SAS", "AGE", 1, True)  # type: ignore[arg-type]
