"""Voting kernels: the college-weighted tally on 10 million ballots, and Schulze, ranked pairs,
Copeland, Borda, minimax and majority judgment from raw ballots to winner, against pref_voting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from voting import (
    TWO_THIRDS,
    GradeBallots,
    RankedBallots,
    borda,
    copeland,
    majority_judgment,
    minimax,
    ranked_pairs,
    schulze,
    tally_resolution,
)

TALLY_TARGET = 0.25
METHOD_TARGET = 0.2
RATIO_TARGET = 20
SEED = 20240611


@dataclass
class Row:
    scenario: str
    size: str
    ours: float
    target: float
    pref: float | None = None
    agree: bool | None = None
    note: str = ""


def _best(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def _once(run: Callable[[], Any]) -> tuple[float, Any]:
    return _best(run, 1)


def _tally_row(n_ballots: int, repeat: int) -> Row:
    rng = np.random.default_rng(SEED)
    weights = [Fraction(30), Fraction(20), Fraction(15), Fraction(15), Fraction(10), Fraction(10)]
    colleges = rng.choice(6, size=n_ballots, p=[0.05, 0.4, 0.2, 0.2, 0.1, 0.05]).astype(np.uint8)
    choices = rng.choice(5, size=n_ballots, p=[0.5, 0.3, 0.1, 0.06, 0.04]).astype(np.uint8)
    members = [int(c * 1.3) + 1 for c in np.bincount(colleges, minlength=6)]
    seconds, tally = _best(
        lambda: tally_resolution(
            colleges, choices, members=members, weights=weights, majority=TWO_THIRDS
        ),
        repeat,
    )
    return Row(
        "college-weighted tally, 6 colleges",
        f"{n_ballots:,} ballots",
        seconds,
        TALLY_TARGET,
        note=f"for_ratio {tally.percent()} %, adopted: {'yes' if tally.adopted else 'no'}",
    )


def _ranked_raw(n: int, m: int) -> np.ndarray:
    """Raw ranked ballots as services store them: one rank per candidate (0 = first)."""
    rng = np.random.default_rng(SEED)
    utility = np.linspace(1.0, 0.0, m)[None, :] + rng.normal(size=(n, m))
    return np.argsort(np.argsort(-utility, axis=1), axis=1).astype(np.int8)


def _graded_raw(n: int, m: int) -> np.ndarray:
    rng = np.random.default_rng(SEED + 1)
    quality = 3 + 2 * np.linspace(1.0, -1.0, m)[None, :]
    return np.clip(np.rint(quality + 1.5 * rng.normal(size=(n, m))), 0, 6).astype(np.int8)


def _warm_up_pref_voting(pv: dict[str, Any], with_borda: bool) -> None:
    """Trigger pref_voting's numba compilation outside the timed regions."""
    profile = pv["Profile"]([[0, 1, 2], [1, 2, 0], [2, 0, 1]])
    for name in ("beat_path", "ranked_pairs_tb", "copeland", "minimax"):
        pv[name](profile)
    if with_borda:
        pv["borda"](profile)
    grades = pv["GradeProfile"]([{0: 1, 1: 0}, {0: 0, 1: 1}], [0, 1])
    pv["majority_judgement"](grades)


def _pref_voting() -> dict[str, Any] | None:
    try:
        from pref_voting.c1_methods import copeland as pv_copeland
        from pref_voting.grade_methods import majority_judgement
        from pref_voting.grade_profiles import GradeProfile
        from pref_voting.margin_based_methods import beat_path, ranked_pairs_tb
        from pref_voting.margin_based_methods import minimax as pv_minimax
        from pref_voting.profiles import Profile
        from pref_voting.scoring_methods import borda as pv_borda
    except ImportError:
        return None
    return {
        "Profile": Profile,
        "GradeProfile": GradeProfile,
        "beat_path": beat_path,
        "ranked_pairs_tb": ranked_pairs_tb,
        "copeland": pv_copeland,
        "borda": pv_borda,
        "minimax": pv_minimax,
        "majority_judgement": majority_judgement,
    }


def _ranked_rows(n: int, m: int, repeat: int, quick: bool) -> list[Row]:
    ranks = _ranked_raw(n, m)
    names = tuple(f"c{i}" for i in range(m))
    pv = _pref_voting()
    if pv is not None:
        _warm_up_pref_voting(pv, with_borda=not quick)
    methods: list[tuple[str, Callable[..., Any], str]] = [
        ("Schulze", schulze, "beat_path"),
        ("ranked pairs", ranked_pairs, "ranked_pairs_tb"),
        ("Copeland", copeland, "copeland"),
        ("Borda", borda, "borda"),
        ("minimax", minimax, "minimax"),
    ]
    rows = []
    for label, method, pv_name in methods:

        def ours(method: Callable[..., Any] = method) -> Any:
            return method(RankedBallots.from_ranks(ranks, names))

        seconds, result = _best(ours, repeat)
        row = Row(label, f"{n:,} ballots × {m} candidates", seconds, METHOD_TARGET)
        # pref_voting's Borda compiles for ~5 s on first use; the quick run skips it.
        if pv is not None and not (quick and pv_name == "borda"):

            def theirs(pv_name: str = pv_name) -> Any:
                orders = np.argsort(ranks, axis=1, kind="stable").tolist()
                return pv[pv_name](pv["Profile"](orders))

            row.pref, winners = _once(theirs)
            row.agree = list(winners) == [result.winner] and result.co_winners == tuple(winners)
        rows.append(row)
    grades = _graded_raw(n, m)

    def ours_mj() -> Any:
        return majority_judgment(
            GradeBallots.from_grades(grades, names, tuple(str(g) for g in range(7)))
        )

    seconds, result = _best(ours_mj, repeat)
    row = Row("majority judgment", f"{n:,} ballots × {m} candidates", seconds, METHOD_TARGET)
    if pv is not None:

        def theirs_mj() -> Any:
            maps = [dict(enumerate(r)) for r in grades.tolist()]
            return pv["majority_judgement"](pv["GradeProfile"](maps, list(range(7))))

        row.pref, winners = _once(theirs_mj)
        row.agree = set(result.co_winners) <= set(winners) and (
            len(winners) > 1 or result.winner == winners[0]
        )
    rows.append(row)
    return rows


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def _markdown(rows: list[Row], quick: bool, repeat: int, m: int) -> str:
    lines = [
        "## Voting kernels" + (" (quick sizes)" if quick else ""),
        "",
        "| scenario | size | Terreau | target | met | pref_voting end to end | speed-up "
        f"| ≥ {RATIO_TARGET}× | same winner |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        pref = ratio = ratio_met = agree = "—"
        if row.pref is not None:
            pref = f"{row.pref:.3f} s"
            speed_up = row.pref / row.ours
            ratio = f"{speed_up:,.0f}×"
            ratio_met = _yes(speed_up >= RATIO_TARGET)
            agree = _yes(bool(row.agree))
        lines.append(
            f"| {row.scenario} | {row.size} | {row.ours * 1000:.1f} ms | ≤ {row.target} s "
            f"| {_yes(row.ours <= row.target)} | {pref} | {ratio} | {ratio_met} | {agree} |"
        )
    notes = [r.note for r in rows if r.note]
    lines += [
        "",
        f"Terreau: best of {repeat} runs, each from the raw arrays (college and choice bytes per "
        "ballot; an int8 rank or grade matrix) to the winner, validation included. "
        "pref_voting: one run, timed from the same rank or grade matrix: converting it to its "
        "rankings or grade maps, building its `Profile`/`GradeProfile`, then `beat_path`, "
        "`ranked_pairs_tb`, `copeland`, `borda`, `minimax`, `majority_judgement`; its numba "
        f"compilation is warmed up before timing. Ballots: {m} candidates, a common quality "
        "order plus Gaussian noise per voter (complete strict rankings), grades 0–6 likewise. "
        "Majority judgment agrees when our winner is among pref_voting's (it stops at the "
        "majority gauge).",
    ]
    if quick:
        lines += [
            "",
            "Quick run: small sizes; pref_voting's Borda is skipped (its compilation alone "
            "takes seconds).",
        ]
    lines += ["", *(f"Tally: {note}." for note in notes)]
    return "\n".join(lines)


def run(quick: bool) -> str:
    """Run the voting benchmarks and return a Markdown section."""
    repeat = 3 if quick else 5
    rows = [_tally_row(200_000 if quick else 10_000_000, repeat)]
    n, m = (2_000, 8) if quick else (100_000, 20)
    rows += _ranked_rows(n, m, repeat, quick=quick)
    return _markdown(rows, quick, repeat, m)
