"""`make bench QUICK=1` runs: every scenario works at small sizes (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmarks_run_and_write_a_results_table(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    table = output.read_text(encoding="utf-8")
    assert table.startswith("# Benchmark results")
    scenarios = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    assert scenarios, "no benchmark scenario found"
    for name in scenarios:
        assert f"running {name}" in run.stdout
