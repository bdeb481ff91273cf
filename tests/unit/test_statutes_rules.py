"""Statutes rules: weights, SCIC bounds and categories, policies, diffs (pure, no database)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.errors import ValidationError
from governance.rules.statutes import (
    AssociateFacts,
    CategoryFacts,
    CollegeWeight,
    Majority,
    Statutes,
    check_compliance,
    diff_statutes,
    parse_exact,
    proxy_cap,
    validate_statutes,
)


def scic(*weights: str | int | Fraction) -> Statutes:
    colleges = tuple(
        CollegeWeight(str(i), f"Collège {chr(65 + i)}", parse_exact(w, "w"))
        for i, w in enumerate(weights)
    )
    return dataclasses.replace(Statutes.default("SCIC_SA"), colleges=colleges)


def codes(findings: list) -> set[str]:
    return {f.code for f in findings if f.severity == "error"}


def test_weights_of_the_worked_example_are_valid_for_a_scic() -> None:
    assert codes(validate_statutes(scic(40, 25, 25, 10))) == set()


def test_weights_must_sum_to_exactly_one_hundred() -> None:
    findings = validate_statutes(scic(40, 25, 25, "9.99"))
    assert "weights_sum" in codes(findings)
    message = next(f for f in findings if f.code == "weights_sum").message.render()
    assert "99,99" in message


def test_thirds_sum_exactly_when_written_as_fractions() -> None:
    assert codes(validate_statutes(scic("100/3", "100/3", "100/3"))) == set()


def test_a_scic_college_above_fifty_percent_is_refused_and_named() -> None:
    findings = validate_statutes(scic(60, 20, 20))
    bound = [f for f in findings if f.code == "scic_college_bounds"]
    assert len(bound) == 1
    assert bound[0].field == "colleges.0"
    text = bound[0].message.render()
    assert "Collège A" in text and "10 %" in text and "50 %" in text


def test_a_scic_needs_at_least_three_colleges() -> None:
    assert "scic_min_colleges" in codes(validate_statutes(scic(50, 50)))


def test_outside_a_scic_the_bounds_are_settings() -> None:
    base = Statutes.default("ASSOCIATION")
    statutes = dataclasses.replace(
        base,
        colleges=(CollegeWeight("1", "A", Fraction(70)), CollegeWeight("2", "B", Fraction(30))),
    )
    assert codes(validate_statutes(statutes)) == set()
    capped = statutes.with_changes({"college_weight_max": "60"})
    assert codes(validate_statutes(capped)) == {"college_bounds"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.fractions(min_value=0, max_value=100, max_denominator=1000), min_size=3, max_size=8)
)
def test_weights_are_accepted_exactly_when_they_meet_every_scic_rule(
    weights: list[Fraction],
) -> None:
    errors = codes(validate_statutes(scic(*weights)))
    valid = sum(weights) == 100 and all(Fraction(10) <= w <= Fraction(50) for w in weights)
    assert (errors == set()) == valid
    assert ("weights_sum" in errors) == (sum(weights) != 100)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=3, max_value=8), st.data())
def test_any_exact_split_of_one_hundred_within_bounds_is_accepted(n: int, data) -> None:
    # Build n weights in [10, 50] summing to 100 exactly (possible for 3 ≤ n ≤ 10).
    remaining = Fraction(100)
    weights = []
    for i in range(n - 1):
        left = n - 1 - i
        low = max(Fraction(10), remaining - 50 * left)
        high = min(Fraction(50), remaining - 10 * left)
        cents = data.draw(st.integers(min_value=int(low * 100), max_value=int(high * 100)))
        weights.append(Fraction(cents, 100))
        remaining -= weights[-1]
    weights.append(remaining)
    assert codes(validate_statutes(scic(*weights))) == set()


def test_exact_numbers_parse_from_integers_decimals_and_fractions() -> None:
    assert parse_exact("33.5", "w") == Fraction(67, 2)
    assert parse_exact("33,5", "w") == Fraction(67, 2)
    assert parse_exact("2/3", "w") == Fraction(2, 3)
    assert parse_exact(40, "w") == 40


@pytest.mark.parametrize("raw", [0.1, "abc", "-3", "1/0", True, None])
def test_inexact_or_invalid_numbers_are_refused_naming_the_field(raw: object) -> None:
    with pytest.raises(ValidationError) as error:
        parse_exact(raw, "colleges.7")
    assert error.value.problems[0].field == "colleges.7"


def test_unknown_policies_and_bad_values_are_all_reported_at_once() -> None:
    with pytest.raises(ValidationError) as error:
        Statutes.default("SCIC_SA").with_changes(
            {"abstention_policy": "maybe", "colour": "red", "quorum": {"AGO": {"1": "3/2"}}}
        )
    fields = {p.field for p in error.value.problems}
    assert fields == {"abstention_policy", "colour", "quorum.AGO.1"}


def test_a_merge_target_must_be_a_college_of_the_statutes() -> None:
    statutes = scic(40, 30, 30).with_changes({"silent_college_policy": "merge_into:99"})
    assert "merge_target" in codes(validate_statutes(statutes))
    ok = scic(40, 30, 30).with_changes({"silent_college_policy": "merge_into:1"})
    assert "merge_target" not in codes(validate_statutes(ok))


def test_sas_statutes_warn_until_the_quorum_is_fixed() -> None:
    statutes = Statutes.default("SCIC_SAS")
    assert any(f.code == "quorum_missing" for f in validate_statutes(statutes))
    fixed = statutes.with_changes({"quorum": {"AGO": {"1": "1/5"}, "AGE": {"1": "1/4"}}})
    assert not any(f.code == "quorum_missing" for f in validate_statutes(fixed))


def test_sa_defaults_follow_the_legal_table() -> None:
    statutes = Statutes.default("SCIC_SA")
    assert statutes.quorum["AGO"] == {"1": "1/5", "2": "0"}
    assert statutes.quorum["AGE"] == {"1": "1/4", "2": "1/5"}
    assert statutes.majority_for("extraordinary") == Majority("two_thirds", Fraction(2, 3), False)
    assert Statutes.default("SCIC_SARL").abstention_policy == "counts_against"


def test_documents_round_trip_exactly() -> None:
    statutes = scic("100/3", "100/3", "100/3").with_changes(
        {"aggregation": {"kind": "bloc", "threshold": "1/2"}, "max_proxies_per_holder": "2"}
    )
    assert Statutes.from_document(statutes.to_document()) == statutes


def test_diff_names_each_changed_policy_and_weight() -> None:
    old = scic(40, 30, 30)
    new = dataclasses.replace(
        old.with_changes({"allow_remote": True}),
        colleges=(
            CollegeWeight("0", "Collège A", Fraction(35)),
            CollegeWeight("1", "Collège B", Fraction(35)),
            CollegeWeight("2", "Collège C", Fraction(30)),
        ),
    )
    diff = diff_statutes(old, new)
    assert diff == {
        "allow_remote": {"from": False, "to": True},
        "colleges.0": {"from": "40", "to": "35", "name": "Collège A"},
        "colleges.1": {"from": "30", "to": "35", "name": "Collège B"},
    }


def test_majorities_compare_exactly() -> None:
    two_thirds = Majority.parse("two_thirds")
    assert two_thirds.is_met(Fraction(2, 3))
    assert not Majority.parse("simple").is_met(Fraction(1, 2))
    custom = Majority.parse("custom:>3/5")
    assert custom.strict and not custom.is_met(Fraction(3, 5))
    with pytest.raises(ValidationError):
        Majority.parse("most")


def test_scop_proxy_preset() -> None:
    statutes = Statutes.default("SCOP_SA")
    assert proxy_cap(statutes, 19) == 1
    assert proxy_cap(statutes, 45) == 2


CATEGORIES = [
    CategoryFacts("b", "Bénéficiaires", "beneficiaries"),
    CategoryFacts("s", "Salariés", "employees"),
    CategoryFacts("p", "Collectivités", "public_body"),
]


def associate(member: str, category: str, shares: int = 1) -> AssociateFacts:
    return AssociateFacts(member, member, category, ("0",), shares)


def test_a_scic_with_three_populated_categories_is_compliant() -> None:
    people = [associate("a", "b"), associate("c", "s"), associate("d", "p")]
    assert check_compliance(scic(40, 30, 30), CATEGORIES, people) == []


def test_a_scic_without_employees_is_warned_naming_the_rule() -> None:
    people = [associate("a", "b"), associate("d", "p")]
    found = {f.code: f for f in check_compliance(scic(40, 30, 30), CATEGORIES, people)}
    assert {"scic_categories", "scic_employees"} <= set(found)
    assert "19 septies" in found["scic_employees"].message.render()


def test_public_bodies_above_half_of_the_capital_are_warned() -> None:
    people = [associate("a", "b"), associate("c", "s"), associate("d", "p", shares=3)]
    found = [f.code for f in check_compliance(scic(40, 30, 30), CATEGORIES, people)]
    assert found == ["public_capital"]
    people[2] = associate("d", "p", shares=2)
    assert check_compliance(scic(40, 30, 30), CATEGORIES, people) == []
