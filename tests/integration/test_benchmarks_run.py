"""`make bench QUICK=1` runs: every scenario works at small sizes (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmarks_run_and_write_a_results_table(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    table = output.read_text(encoding="utf-8")
    assert table.startswith("# Benchmark results")
    scenarios = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    assert scenarios, "no benchmark scenario found"
    for name in scenarios:
        assert f"running {name}" in run.stdout


def test_a_failing_scenario_becomes_a_section_and_the_run_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import benchmarks.__main__ as bench

    def load(name: str) -> ModuleType:
        module = ModuleType(name)

        def run(quick: bool) -> str:
            if name == "bench_http":
                raise ConnectionError("PostgreSQL unreachable at 127.0.0.1:5432\n(is it running?)")
            return f"## {name}\n\n| measured |\n|---|\n| fine |"

        module.run = run  # type: ignore[attr-defined]
        return module

    monkeypatch.setattr(bench, "_load", load)
    output = tmp_path / "results.md"
    status = bench.main(["--quick", "--output", str(output), "http", "voting"])
    assert status == 1
    table = output.read_text(encoding="utf-8")
    assert table.startswith("# Benchmark results")
    assert "**Failed scenarios: bench_http**" in table
    assert "## bench_http: failed" in table
    assert "`ConnectionError: PostgreSQL unreachable at 127.0.0.1:5432 (is it running?)`" in table
    assert "## bench_voting\n\n| measured |" in table  # the other scenario still ran
    printed = capsys.readouterr()
    assert "running bench_voting" in printed.out and "FAILED" in printed.out
    assert "Traceback" in printed.err
