"""Canonical JSON and the hash chain, and the offline verifier (standard library only)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from governance.rules.audit_chain import (
    GENESIS_HASH,
    CanonicalJSONError,
    EventRecord,
    canonical_json,
    chain_hash,
    export_line,
    verify_events,
)

AT = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def build_log(n: int) -> list[str]:
    lines, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        record = EventRecord(
            "org:1",
            seq,
            AT,
            "user:1",
            "ballot.cast",
            "resolution",
            "7",
            {"n": seq, "ratio": Fraction(19, 27)},
        )
        digest = chain_hash(prev, record)
        lines.append(export_line(record, prev, digest))
        prev = digest
    return lines


def test_canonical_json_sorts_keys_and_writes_exact_numbers_as_strings() -> None:
    text = canonical_json(
        {
            "b": Fraction(2, 3),
            "a": 1,
            "c": Decimal("0.10"),
            "d": date(2026, 1, 2),
            "e": AT,
            "f": "é",
        }
    )
    assert text == (
        '{"a":"1","b":"2/3","c":"0.10","d":"2026-01-02","e":"2026-06-15T09:00:00Z","f":"é"}'
    )


def test_floats_are_refused_in_the_log() -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json({"weight": 0.1})


def test_an_intact_log_verifies_and_reports_its_head() -> None:
    lines = build_log(5)
    check = verify_events(json.loads(line) for line in lines)
    assert check.ok
    assert check.head["org:1"][0] == 5
    assert check.head["org:1"][1] == json.loads(lines[-1])["hash"]


def test_an_altered_payload_breaks_the_chain_at_its_sequence_number() -> None:
    events = [json.loads(line) for line in build_log(5)]
    events[2]["payload"]["n"] = "42"
    check = verify_events(events)
    assert check.first_broken is not None and check.first_broken["seq"] == 3


def test_a_removed_event_is_reported_as_a_gap() -> None:
    events = [json.loads(line) for line in build_log(5)]
    del events[1]
    check = verify_events(events)
    assert check.first_broken is not None and check.first_broken["seq"] == 3
    assert "attendu 2" in check.first_broken["reason"]


def test_offline_verifier_accepts_an_intact_export_and_rejects_a_tampered_one(
    tmp_path: Path,
) -> None:
    lines = build_log(4)
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ok = subprocess.run(
        [sys.executable, "-m", "governance.audit", "verify", str(good)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "4 événements" in ok.stdout
    tampered = tmp_path / "bad.jsonl"
    tampered.write_text(
        "\n".join(lines).replace('"ballot.cast"', '"ballot.changed"', 1) + "\n", encoding="utf-8"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "governance.audit", "verify", str(tampered)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "n° 1" in bad.stdout


def test_the_fast_stored_row_hash_equals_the_canonical_hash() -> None:
    from governance.rules.audit_chain import stored_event_hash

    record = EventRecord("org:1", 7, AT, "user:1", "ballot.cast", "résolution", "7",
                         {"note": 'guillemets " et \\ barre', "n": 3, "r": Fraction(2, 3)})
    assert stored_event_hash(
        "ab" * 32, chain=record.chain, seq=record.seq, at=record.at, actor=record.actor,
        action=record.action, subject_type=record.subject_type, subject_id=record.subject_id,
        payload_json=canonical_json(record.payload),
    ) == chain_hash("ab" * 32, record)
