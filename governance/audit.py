"""Offline verifier of an exported event log: ``python -m governance.audit verify export.jsonl``.

Needs nothing but the standard library, so an auditor can check a log without trusting the server.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from governance.rules.audit_chain import verify_events


def _lines(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise SystemExit(f"{path}:{number}: JSON illisible ({error.msg})") from None


def main(argv: list[str] | None = None) -> int:
    """Verify the hash chain of a JSONL export; exit 0 only if every event holds."""
    parser = argparse.ArgumentParser(prog="python -m governance.audit")
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="recompute the hash chain of an exported log")
    verify.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    check = verify_events(_lines(args.path))
    if check.first_broken is not None:
        broken = check.first_broken
        print(
            f"ÉCHEC : chaîne {broken['chain']} rompue à l'événement n° {broken['seq']} : "
            f"{broken['reason']}"
        )
        return 1
    for chain, (seq, digest) in sorted(check.head.items()):
        print(f"OK : {chain} — {seq} événements, hash de tête {digest}")
    if not check.head:
        print("OK : journal vide")
    return 0


if __name__ == "__main__":
    sys.exit(main())
