"""`terreau audit verify` on a large chain: 1 million events in SQLite (target ≤ 5 s)."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from governance.rules.audit_chain import GENESIS_HASH, EventRecord, canonical_json, chain_hash
from governance.services.audit import verify_chain
from governance.store.engine import make_engine, make_session_factory
from governance.store.migrate import upgrade
from governance.store.tables import AuditEvent, AuditHead
from governance.store.uow import UnitOfWork

TARGET_SECONDS = 5.0


def _fill(url: str, n: int) -> None:
    """Write a valid chain of ``n`` ballot-like events straight into the table."""
    engine = make_engine(url)
    start = datetime(2026, 6, 15, 9, tzinfo=UTC)
    prev = GENESIS_HASH
    batch: list[dict[str, object]] = []
    with engine.begin() as conn:
        for seq in range(1, n + 1):
            payload = {"member": seq % 997, "choice": "for", "college": seq % 6}
            at = start + timedelta(milliseconds=seq)
            record = EventRecord(
                "org:1", seq, at, "user:1", "ballot.cast", "resolution", "1", payload
            )
            digest = chain_hash(prev, record)
            batch.append(
                {
                    "chain": "org:1",
                    "org_id": None,
                    "seq": seq,
                    "at": at,
                    "actor": "user:1",
                    "action": "ballot.cast",
                    "subject_type": "resolution",
                    "subject_id": "1",
                    "payload": canonical_json(payload),
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
            if len(batch) == 20_000:
                conn.execute(insert(AuditEvent), batch)
                batch = []
        if batch:
            conn.execute(insert(AuditEvent), batch)
        conn.execute(insert(AuditHead), [{"chain": "org:1", "seq": n, "hash": prev}])
    engine.dispose()


def run(quick: bool) -> str:
    n = 10_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'audit.db'}"
        upgrade(url)
        started = time.perf_counter()
        _fill(url, n)
        fill_seconds = time.perf_counter() - started
        factory = make_session_factory(make_engine(url))
        times = []
        for _ in range(1 if not quick else 2):
            with UnitOfWork(factory, write=False) as uow:
                began = time.perf_counter()
                report = verify_chain(uow, "org:1")
                times.append(time.perf_counter() - began)
            assert report.ok and report.events == n, report.findings
        best = min(times)
    met = "yes" if best <= TARGET_SECONDS else f"**no** ({best / TARGET_SECONDS:.1f}× the target)"
    return (
        "## Audit log verification\n\n"
        f"`verify_chain` (what `terreau audit verify` runs per chain) over {n:,} events in SQLite "
        f"(PID {os.getpid()}; chain written in {fill_seconds:.1f} s beforehand, not timed).\n\n"
        "| events | time (s) | events/s | target | met |\n|---|---|---|---|---|\n"
        f"| {n:,} | {best:.2f} | {n / best:,.0f} | ≤ {TARGET_SECONDS:.0f} s for 1,000,000 | "
        f"{met if not quick else 'n/a (quick)'} |\n"
    )
