"""Which results a reader may see and when, and what a live secret result hides
(pure, no database)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from governance.rules.assemblies.lifecycle import ResolutionState
from governance.rules.assemblies.results import (
    HIDDEN_COLLEGE_KEYS,
    HIDDEN_OVERALL_KEYS,
    ResultFacts,
    ResultSource,
    hashes_are_public,
    hide_small_colleges,
    result_source,
)


def source(state: ResolutionState, *, stored: bool = False, live: bool = False) -> str:
    return result_source(ResultFacts(state=state, has_stored_result=stored, live_results=live))


def college(name: str, expressed: int) -> dict[str, Any]:
    figures = {key: 1 for key in HIDDEN_COLLEGE_KEYS}
    return {**figures, "name": name, "weight": "1/2", "members": 10, "expressed": expressed}


def live_result(*colleges: dict[str, Any]) -> dict[str, Any]:
    overall = {key: "shown" for key in HIDDEN_OVERALL_KEYS}
    return {**overall, "method": "weighted", "quorate": True, "colleges": list(colleges)}


# ---- where the figures come from -------------------------------------------------------------


def test_a_closed_vote_shows_the_result_recorded_at_its_close() -> None:
    assert source(ResolutionState.CLOSED, stored=True) == ResultSource.STORED
    assert source(ResolutionState.CLOSED, stored=False) == ResultSource.NONE


def test_a_vote_past_its_deadline_shows_what_the_close_will_record() -> None:
    assert source(ResolutionState.DEADLINE_PASSED) == ResultSource.PROJECTED
    assert source(ResolutionState.DEADLINE_PASSED, live=True) == ResultSource.PROJECTED


def test_an_open_vote_shows_live_figures_only_when_the_statutes_say_so() -> None:
    assert source(ResolutionState.OPEN, live=True) == ResultSource.LIVE
    assert source(ResolutionState.OPEN, live=False) == ResultSource.NONE


def test_a_draft_or_cancelled_vote_shows_no_figure() -> None:
    for state in (ResolutionState.DRAFT, ResolutionState.CANCELLED):
        assert source(state, stored=True, live=True) == ResultSource.NONE


# ---- small colleges --------------------------------------------------------------------------


def test_a_secret_vote_hides_every_count_of_a_college_with_fewer_than_three_ballots() -> None:
    shown = hide_small_colleges(live_result(college("A", 2), college("B", 5)), secret=True)

    small, large = shown["colleges"]
    assert small["hidden"] is True
    assert all(small[key] is None for key in HIDDEN_COLLEGE_KEYS)
    assert (small["name"], small["weight"], small["members"]) == ("A", "1/2", 10)
    assert "hidden" not in large
    assert large["expressed"] == 5


def test_a_secret_vote_with_a_small_college_hides_the_overall_figures() -> None:
    shown = hide_small_colleges(live_result(college("A", 0), college("B", 5)), secret=True)

    assert shown["overall_hidden"] is True
    assert all(shown[key] is None for key in HIDDEN_OVERALL_KEYS)
    assert (shown["method"], shown["quorate"]) == ("weighted", True)


def test_a_secret_vote_whose_colleges_all_have_three_ballots_hides_nothing() -> None:
    live = live_result(college("A", 3), college("B", 7))

    assert hide_small_colleges(live, secret=True) == live


def test_a_public_vote_hides_nothing() -> None:
    live = live_result(college("A", 1), college("B", 0))

    assert hide_small_colleges(live, secret=False) == live


def test_hiding_small_colleges_leaves_the_result_it_was_given_untouched() -> None:
    live = live_result(college("A", 1), college("B", 4))
    before = copy.deepcopy(live)

    hide_small_colleges(live, secret=True)

    assert live == before


@settings(max_examples=100)
@given(expressed=st.lists(st.integers(0, 8), max_size=5), secret=st.booleans())
def test_a_college_is_hidden_exactly_when_the_vote_is_secret_and_it_is_small(
    expressed: list[int], secret: bool
) -> None:
    live = live_result(*(college(f"C{i}", n) for i, n in enumerate(expressed)))
    before = copy.deepcopy(live)

    shown = hide_small_colleges(live, secret=secret)

    assert live == before
    hidden = [bool(c.get("hidden")) for c in shown["colleges"]]
    assert hidden == [secret and n < 3 for n in expressed]
    assert bool(shown.get("overall_hidden")) == (secret and any(n < 3 for n in expressed))


# ---- hashes ----------------------------------------------------------------------------------


def test_the_hashes_of_a_secret_vote_are_public_once_its_close_is_recorded() -> None:
    assert hashes_are_public(True, "closed")
    assert not hashes_are_public(True, "open")
    assert not hashes_are_public(True, "cancelled")


def test_a_public_vote_publishes_no_hash() -> None:
    assert not hashes_are_public(False, "closed")
