"""Which results may be shown, and when: stored after the close, live during the vote only if the
statutes say so, and then never a figure from which a small college's secret ballots could be
deduced (spec: colleges-and-assemblies, "Results" and "Secret ballot")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .lifecycle import ResolutionState

SMALL_COLLEGE = 3
"""A live secret result hides a college with fewer expressed ballots than this."""

# What a live secret result hides of a small college, and of the whole result while one exists
# (everything but names, weights and sizes).
HIDDEN_COLLEGE_KEYS = (
    "for",
    "against",
    "abstain",
    "blank",
    "null",
    "not_voted",
    "expressed",
    "status",
    "treatment",
    "live",
    "weight_used",
    "share_for",
    "share_against",
    "contribution_for",
    "contribution_against",
    "merged_into",
    "bloc_side",
)
HIDDEN_OVERALL_KEYS = (
    "for_ratio",
    "for_ratio_display",
    "majority_met",
    "adopted",
    "for_total",
    "against_total",
    "kept_total",
    "totals",
)


class ResultSource:
    """Where the figures a reader may see come from."""

    STORED = "stored"  # the tally recorded at the close
    PROJECTED = "projected"  # past the deadline, not recorded yet: what the close will record
    LIVE = "live"  # during the vote, when the statutes show live results
    NONE = "none"  # nothing to show yet


@dataclass(frozen=True)
class ResultFacts:
    state: ResolutionState
    has_stored_result: bool
    live_results: bool  # the statutes' results_visibility is "live"


def result_source(facts: ResultFacts) -> str:
    """Decide which figures may be shown now."""
    if facts.state is ResolutionState.CLOSED:
        return ResultSource.STORED if facts.has_stored_result else ResultSource.NONE
    if facts.state is ResolutionState.DEADLINE_PASSED:
        return ResultSource.PROJECTED
    if facts.state is ResolutionState.OPEN and facts.live_results:
        return ResultSource.LIVE
    return ResultSource.NONE


def hide_small_colleges(live: Mapping[str, Any], *, secret: bool) -> dict[str, Any]:
    """A live result as it may be shown: for a secret vote, a college with fewer than 3 expressed
    ballots shows only its name, weight and size, and the overall figures wait for the close too,
    since with the other colleges' parts they would give the hidden one away."""
    shown = {key: value for key, value in live.items()}
    colleges = [dict(college) for college in live.get("colleges", [])]
    shown["colleges"] = colleges
    if not secret or not any(int(c["expressed"]) < SMALL_COLLEGE for c in colleges):
        return shown
    for college in colleges:
        if int(college["expressed"]) < SMALL_COLLEGE:
            college["hidden"] = True
            for key in HIDDEN_COLLEGE_KEYS:
                college[key] = None
    shown["overall_hidden"] = True
    for key in HIDDEN_OVERALL_KEYS:
        shown[key] = None
    return shown


def hashes_are_public(secret: bool, stored_status: str) -> bool:
    """The list of a secret vote's ballot hashes is public once its close is recorded: blank
    proxies vote at that moment, so the list is final only then."""
    return secret and stored_status == "closed"
