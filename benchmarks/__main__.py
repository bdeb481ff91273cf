"""Run every benchmarks/bench_*.py scenario and write the results table.

Each scenario module exposes ``run(quick: bool) -> str`` returning a Markdown section
(a heading, a table with measured numbers, targets, ratios and whether each target is met).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the runs work")
    parser.add_argument("--output", type=Path, default=None, help="where to write the results")
    parser.add_argument("only", nargs="*", help="scenario names (bench_<name>.py) to run")
    args = parser.parse_args(argv)
    output = args.output or (HERE / ("results-quick.md" if args.quick else "results.md"))
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only or n in args.only]
    sections = []
    for name in names:
        started = time.perf_counter()
        print(f"running {name}{' (quick)' if args.quick else ''}…", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        sections.append(module.run(quick=args.quick))
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    header = (
        "# Benchmark results\n\n"
        f"Written by `make bench{' QUICK=1' if args.quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()}, "
        f"{platform.machine()}, {_cpu_count()} cores. Times are the best of several runs "
        "unless a row says otherwise.\n"
    )
    output.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"wrote {output}")
    return 0


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
