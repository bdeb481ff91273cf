"""The statutes as the tally applies them, and the blank proxies added before a close is
recorded (pure, no database)."""

from __future__ import annotations

import copy

import pytest

from governance.rules.assemblies.tally import statutes_for_tally, with_blank_proxies
from governance.rules.statutes import Statutes

Counts = dict[int | None, dict[str, int]]
SARLS = ("SCOP_SARL", "SCIC_SARL")


def for_tally(legal_form: str, kind: str, convocation: int) -> Statutes:
    return statutes_for_tally(
        Statutes.default(legal_form), legal_form=legal_form, kind=kind, convocation=convocation
    )


@pytest.mark.parametrize("legal_form", SARLS)
def test_a_sarl_counts_abstentions_against_at_the_first_ordinary_consultation(
    legal_form: str,
) -> None:
    assert for_tally(legal_form, "AGO", 1).abstention_policy == "counts_against"


@pytest.mark.parametrize("legal_form", SARLS)
@pytest.mark.parametrize("kind", ["AGO", "AGO_EXTRA"])
def test_a_sarl_excludes_abstentions_at_the_second_ordinary_consultation(
    legal_form: str, kind: str
) -> None:
    statutes = for_tally(legal_form, kind, 2)

    assert statutes.abstention_policy == "excluded"
    assert statutes.quorum == Statutes.default(legal_form).quorum


@pytest.mark.parametrize("legal_form", SARLS)
def test_a_sarl_s_extraordinary_assembly_keeps_its_abstention_policy_at_the_second_call(
    legal_form: str,
) -> None:
    assert for_tally(legal_form, "AGE", 2).abstention_policy == "counts_against"


def test_a_form_other_than_a_sarl_keeps_its_statutes_at_the_second_consultation() -> None:
    statutes = Statutes.default("SCOP_SA")

    assert statutes_for_tally(statutes, legal_form="SCOP_SA", kind="AGO", convocation=2) is statutes


def test_a_sarl_whose_statutes_count_abstentions_for_keeps_them_at_the_second_call() -> None:
    statutes = Statutes(legal_form="SCOP_SARL", abstention_policy="counts_for")

    kept = statutes_for_tally(statutes, legal_form="SCOP_SARL", kind="AGO", convocation=2)

    assert kept.abstention_policy == "counts_for"


def test_the_statutes_given_to_the_tally_are_left_untouched() -> None:
    statutes = Statutes.default("SCOP_SARL")

    statutes_for_tally(statutes, legal_form="SCOP_SARL", kind="AGO", convocation=2)

    assert statutes.abstention_policy == "counts_against"


# ---- blank proxies ---------------------------------------------------------------------------


def test_each_blank_proxy_adds_one_ballot_to_its_college() -> None:
    counts: Counts = {10: {"for": 3, "against": 1}, 20: {"against": 2}}

    merged = with_blank_proxies(counts, [10, 10, 20], "for")

    assert merged == {10: {"for": 5, "against": 1}, 20: {"against": 2, "for": 1}}


def test_a_blank_proxy_in_a_college_without_ballots_yet_opens_its_count() -> None:
    counts: Counts = {10: {"for": 1}}

    merged = with_blank_proxies(counts, [30, None], "against")

    assert merged == {10: {"for": 1}, 30: {"against": 1}, None: {"against": 1}}


def test_without_blank_proxies_the_counts_are_unchanged() -> None:
    counts: Counts = {10: {"for": 1, "abstain": 2}}

    assert with_blank_proxies(counts, [], "for") == counts


def test_adding_blank_proxies_leaves_the_stored_counts_untouched() -> None:
    counts: Counts = {10: {"for": 3}, 20: {"against": 2}}
    before = copy.deepcopy(counts)

    with_blank_proxies(counts, [10, 20, 30], "for")

    assert counts == before
