"""Sociocratic election nominations: counts sorted with a declared tie-break and its trace."""

from __future__ import annotations

import pytest

from voting import VotingInputError, count_nominations


def test_nominations_are_counted_and_sorted_most_first():
    result = count_nominations(["ana", "bob", "ana", "eve", "ana", "bob"])
    assert result.counts == (("ana", 3), ("bob", 2), ("eve", 1))
    assert result.leaders == ("ana",)
    assert result.proposed == "ana"
    assert result.tie_break == ()


def test_tie_without_declared_order_goes_to_the_first_nominated():
    result = count_nominations(["bob", "ana", "ana", "bob"])
    assert result.leaders == ("bob", "ana")
    assert result.proposed == "bob"
    assert result.rule == "first_nominated"
    assert result.tie_break[0].tied == ("bob", "ana")


def test_declared_order_breaks_ties():
    result = count_nominations(["bob", "ana", "ana", "bob"], tie_break=["ana", "bob"])
    assert result.proposed == "ana"
    assert result.tie_break[0].chosen == ("ana", "bob")
    assert result.rule == "declared_order"


def test_declared_order_must_name_everyone_tied():
    with pytest.raises(VotingInputError):
        count_nominations(["bob", "ana"], tie_break=["ana"])


def test_eligible_people_without_nominations_are_listed_last_with_zero():
    result = count_nominations([2, 2, 1], candidates=[1, 2, 3, 4])
    assert result.counts == ((2, 2), (1, 1), (3, 0), (4, 0))


def test_nomination_of_someone_not_eligible_is_refused():
    with pytest.raises(VotingInputError):
        count_nominations(["zoe"], candidates=["ana"])


def test_no_nomination_proposes_nobody():
    result = count_nominations([], candidates=["ana"])
    assert result.proposed is None and result.leaders == ()
