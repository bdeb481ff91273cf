"""Majorities: names, custom thresholds, strict and non-strict comparison, exactness."""

from __future__ import annotations

from fractions import Fraction

import pytest

from voting import (
    SIMPLE,
    THREE_QUARTERS,
    TWO_THIRDS,
    UNANIMITY,
    PolicyError,
    custom_majority,
    majority_met,
    parse_majority,
)


def test_named_majorities_read_back_from_their_names():
    for majority in (SIMPLE, TWO_THIRDS, THREE_QUARTERS, UNANIMITY):
        assert parse_majority(majority.code) == majority


def test_simple_majority_needs_strictly_more_than_half():
    assert not majority_met(Fraction(1, 2), SIMPLE)
    assert majority_met(Fraction(1, 2) + Fraction(1, 10**12), SIMPLE)


def test_two_thirds_and_three_quarters_are_reached_at_the_exact_threshold():
    assert majority_met(Fraction(2, 3), TWO_THIRDS)
    assert not majority_met(Fraction(2, 3) - Fraction(1, 10**12), TWO_THIRDS)
    assert majority_met(Fraction(3, 4), THREE_QUARTERS)
    assert not majority_met(Fraction(749, 1000), THREE_QUARTERS)


def test_unanimity_is_a_ratio_of_exactly_one():
    assert majority_met(Fraction(1), UNANIMITY)
    assert not majority_met(Fraction(99, 100), UNANIMITY)


def test_no_expressed_vote_never_meets_a_majority():
    for majority in (SIMPLE, TWO_THIRDS, UNANIMITY, custom_majority("1/10", strict=True)):
        assert not majority_met(None, majority)


def test_custom_majority_compares_strictly_or_not_as_declared():
    strict = parse_majority(">3/5")
    loose = parse_majority(">=3/5")
    assert strict == custom_majority(Fraction(3, 5), strict=True)
    assert not majority_met(Fraction(3, 5), strict)
    assert majority_met(Fraction(3, 5), loose)
    assert parse_majority("custom:>=3/5") == loose
    assert parse_majority("≥3/5") == loose
    assert parse_majority(strict.code) == strict


def test_majority_can_be_given_by_name_to_majority_met():
    assert majority_met(Fraction(7, 10), "two_thirds")


def test_float_ratios_and_thresholds_are_refused():
    with pytest.raises(PolicyError):
        majority_met(0.7, SIMPLE)  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        custom_majority(0.6, strict=False)  # type: ignore[arg-type]


def test_impossible_or_empty_thresholds_are_refused():
    for text in (">1", ">=0", "3/2", "plus de la moitié"):
        with pytest.raises(PolicyError):
            parse_majority(text)


def test_labels_say_the_rule_in_french():
    assert SIMPLE.label == "plus de 1/2"
    assert TWO_THIRDS.label == "au moins 2/3"


def test_a_boolean_is_not_a_majority_threshold():
    with pytest.raises(PolicyError):
        custom_majority(True, strict=False)
