"""Run every benchmarks/bench_*.py scenario and write the results table.

Each scenario module exposes ``run(quick: bool) -> str`` returning a Markdown section
(a heading, a table with measured numbers, targets, ratios and whether each target is met).
A scenario that fails becomes a section saying why; the table is still written and the run
exits with status 1.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"benchmarks.{name}")


def _failed_section(name: str, error: BaseException, seconds: float) -> str:
    """A Markdown section for a scenario that stopped: the exception type and its message."""
    message = " ".join(str(error).split()) or "(no message)"
    message = message.replace("`", "'")
    return (
        f"## {name}: failed\n\n"
        f"The scenario stopped after {seconds:.1f} s with `{type(error).__name__}: {message}`; "
        "nothing was measured. The traceback is on the run's standard error."
    )


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
    failed: list[str] = []
    for name in names:
        started = time.perf_counter()
        print(f"running {name}{' (quick)' if args.quick else ''}…", flush=True)
        try:
            sections.append(_load(name).run(quick=args.quick))
        except Exception as error:  # noqa: BLE001 — any failure is reported, the others still run
            seconds = time.perf_counter() - started
            failed.append(name)
            sections.append(_failed_section(name, error, seconds))
            traceback.print_exc()
            print(f"  FAILED after {seconds:.1f} s: {type(error).__name__}: {error}", flush=True)
            continue
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    header = (
        "# Benchmark results\n\n"
        f"Written by `make bench{' QUICK=1' if args.quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()}, "
        f"{platform.machine()}, {_cpu_count()} cores. Times are the best of several runs "
        "unless a row says otherwise.\n"
    )
    if failed:
        header += f"\n**Failed scenarios: {', '.join(failed)}** (see their sections).\n"
    output.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"wrote {output}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
