"""PrefLib parsing, and the Debian Project Leader elections counted with Schulze."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voting import PreflibFormatError, parse_preflib, ranked_pairs, schulze

DEBIAN = Path("/work/shared/data/debian-dpl")
if not DEBIAN.exists():  # the data also lives next to the spec when the tree is moved
    DEBIAN = Path(__file__).resolve().parents[4] / "shared" / "data" / "debian-dpl"


def test_soi_lines_leave_missing_candidates_unranked_and_tied_last():
    profile = parse_preflib(
        "# TITLE: t\n# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 3\n"
        "# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n# ALTERNATIVE NAME 3: C\n"
        "4: 2,1\n1: 3\n"
    )
    ballots = profile.ballots
    assert ballots.candidates == ("A", "B", "C")
    assert ballots.ranks.tolist() == [[1, 0, 3], [3, 3, 0]]
    assert ballots.weights.tolist() == [4, 1]
    assert profile.title == "t" and profile.data_type == "soi"


def test_toc_braces_are_ties():
    profile = parse_preflib("# NUMBER ALTERNATIVES: 4\n2: 3,{1,4},2\n")
    assert profile.ballots.ranks.tolist() == [[1, 2, 0, 1]]
    assert profile.ballots.ranking_of(0) == ((2,), (0, 3), (1,))
    assert profile.ballots.candidates == ("1", "2", "3", "4")


@pytest.mark.parametrize(
    "text",
    [
        "3 2,1\n",
        "x: 1,2\n",
        "1: 1,{2\n",
        "1: 1,}2\n",
        "1: 1,1\n",
        "# NUMBER ALTERNATIVES: 2\n1: 3\n",
    ],
)
def test_malformed_preflib_lines_are_refused(text):
    with pytest.raises(PreflibFormatError):
        parse_preflib(text)


@pytest.mark.parametrize(
    ("filename", "winner", "voters"),
    [
        ("2002-leader.soi", "Bdale Garbee", 475),
        ("2010-leader.toc", "Stefano Zacchiroli", 436),
        ("2012-leader.toc", "Stefano Zacchiroli", 403),
    ],
)
def test_debian_leader_elections_elect_the_declared_winner_with_schulze(filename, winner, voters):
    ballots = parse_preflib((DEBIAN / filename).read_text(encoding="utf-8")).ballots
    assert ballots.total_weight == voters
    result = schulze(ballots)
    assert result.winner_name == winner
    assert result.co_winners == (result.winner,)
    assert result.tie_break == ()
    assert ranked_pairs(ballots).winner_name == winner
    # each declared winner is also the Condorcet winner
    p = np.array(result.pairwise)
    assert all(
        p[result.winner, c] > p[c, result.winner] for c in range(len(p)) if c != result.winner
    )


def test_debian_2002_pairwise_counts_match_a_hand_count_of_the_first_two_candidates():
    ballots = parse_preflib((DEBIAN / "2002-leader.soi").read_text(encoding="utf-8")).ballots
    result = schulze(ballots)
    ranks = ballots.ranks.astype(int)
    weights = ballots.weights.astype(int)
    by_hand = sum(w for r, w in zip(ranks, weights, strict=True) if r[0] < r[1])
    assert result.pairwise[0][1] == by_hand
