"""Canonical JSON and the SHA-256 hash chain of audit events.

Standard library only: the offline verifier (``python -m governance.audit``) reuses this module.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

GENESIS_HASH = "0" * 64


class CanonicalJSONError(TypeError):
    """A value has no canonical JSON form (floats are refused: numbers must be exact)."""


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        # Integers become strings too, so a reader never meets a JSON number it might round.
        return str(value)
    if isinstance(value, float):
        raise CanonicalJSONError(
            f"float {value!r} refused in canonical JSON: pass an int, Fraction or Decimal"
        )
    if isinstance(value, Fraction):
        return (
            str(value.numerator)
            if value.denominator == 1
            else f"{value.numerator}/{value.denominator}"
        )
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise CanonicalJSONError("naive datetime refused in canonical JSON")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canonical(v) for v in value]
        if isinstance(value, set | frozenset):
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    raise CanonicalJSONError(f"{type(value).__name__} has no canonical JSON form")


def canonical_value(value: Any) -> Any:
    """Return ``value`` as plain JSON types with exact numbers written as strings."""
    return _canonical(value)


def canonical_json(value: Any) -> str:
    """Serialise with sorted keys, no whitespace, UTF-8 kept, exact numbers as strings."""
    return json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class EventRecord:
    """The hashed content of one event (everything but its own hash and the previous hash)."""

    chain: str
    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "payload": self.payload,
        }


def chain_hash(prev_hash: str, record: EventRecord) -> str:
    """``SHA-256(prev_hash ‖ canonical event)`` as lower-case hex."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(record.body()).encode("utf-8"))
    return digest.hexdigest()


def export_line(record: EventRecord, prev_hash: str, digest: str) -> str:
    """One JSONL line of an exported log: the event, its previous hash and its hash."""
    return canonical_json(record.body() | {"prev_hash": prev_hash, "hash": digest})


def record_from_line(data: Mapping[str, Any]) -> EventRecord:
    """Rebuild the hashed record from a parsed export line (payload kept as exported)."""
    at = datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00"))
    return EventRecord(
        chain=str(data["chain"]),
        seq=int(data["seq"]),
        at=at,
        actor=str(data["actor"]),
        action=str(data["action"]),
        subject_type=str(data["subject_type"]),
        subject_id=str(data["subject_id"]),
        payload=data.get("payload") or {},
    )


@dataclass
class ChainCheck:
    """Outcome of verifying one or more chains: events read, first break, last head per chain."""

    events: int = 0
    first_broken: dict[str, Any] | None = None
    head: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify_events(lines: Iterable[Mapping[str, Any]]) -> ChainCheck:
    """Recompute the hash chain of exported events, in order; stop at the first break.

    Checks per chain: sequence numbers start at 1 and have no gap, each ``prev_hash`` is the
    previous event's hash, and each ``hash`` is the SHA-256 of the previous hash and the event.
    """
    check = ChainCheck()
    for data in lines:
        check.events += 1
        chain = str(data.get("chain", ""))
        last_seq, last_hash = check.head.get(chain, (0, GENESIS_HASH))
        seq = int(data.get("seq", -1))
        reason = None
        if seq != last_seq + 1:
            reason = f"numéro attendu {last_seq + 1}, trouvé {seq}"
        elif data.get("prev_hash") != last_hash:
            reason = "le hash précédent ne correspond pas à l'événement d'avant"
        else:
            try:
                recomputed = chain_hash(last_hash, record_from_line(data))
            except (KeyError, ValueError, TypeError) as error:
                recomputed = ""
                reason = f"événement illisible ({error})"
            if reason is None and recomputed != data.get("hash"):
                reason = "le contenu ne correspond pas à son hash (événement modifié)"
        if reason is not None:
            check.first_broken = {"chain": chain, "seq": seq, "reason": reason}
            return check
        check.head[chain] = (seq, str(data["hash"]))
    return check


@functools.lru_cache(maxsize=8192)
def _quote(text: str) -> str:
    """``json.dumps(text, ensure_ascii=False)``, cached: actions and actors repeat a lot."""
    return json.dumps(text, ensure_ascii=False)


def _at_text(at: datetime) -> str:
    text = at.isoformat()  # stored times come back in UTC: skip the conversion when they are
    return text[:-6] + "Z" if text.endswith("+00:00") else str(_canonical(at))


def stored_event_hash(
    prev_hash: str,
    *,
    chain: str,
    seq: int,
    at: datetime | str,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    payload_json: str,
) -> str:
    """The same hash as :func:`chain_hash`, built from a stored row whose payload is already
    canonical JSON text (no parse and re-serialise: this is the fast path of verification).
    ``at`` is a datetime or its canonical text (``2026-06-15T09:00:00.001000Z``)."""
    q = _quote
    at_text = at if isinstance(at, str) else _at_text(at)
    body = "".join((
        '{"action":', q(action), ',"actor":', q(actor), ',"at":"', at_text,
        '","chain":', q(chain), ',"payload":', payload_json, ',"seq":"', str(seq),
        '","subject_id":', q(subject_id), ',"subject_type":', q(subject_type), "}",
    ))  # fmt: skip
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


StoredRow = tuple[int, datetime | str, str, str, str, str, str, str, str]
"""seq, at, actor, action, subject_type, subject_id, payload (canonical JSON), prev_hash, hash."""


def verify_stored_rows(
    chain: str, rows: Iterable[StoredRow], at_text: Callable[[Any], str] | None = None
) -> ChainCheck:
    """Verify one chain from its stored rows in sequence order; stop at the first break.

    The hash is :func:`stored_event_hash`, written out inline: this loop runs once per event
    and a million events must verify in seconds. ``at_text`` turns the driver's raw time value
    into its canonical text (default: canonical text or an aware datetime).
    """
    check = ChainCheck()
    last_seq, last_hash = 0, GENESIS_HASH
    quote, sha256, join = _quote, hashlib.sha256, "".join
    chain_json = quote(chain)
    count = 0
    for seq, at, actor, action, subject_type, subject_id, payload, prev_hash, digest in rows:
        count += 1
        if at_text is not None:
            at = at_text(at)  # the driver's raw value, converted by the caller's rule
        elif not isinstance(at, str):
            at = _at_text(at)
        body = join((
            last_hash, '{"action":', quote(action), ',"actor":', quote(actor), ',"at":"',
            at, '","chain":', chain_json, ',"payload":', payload, ',"seq":"', str(seq),
            '","subject_id":', quote(subject_id), ',"subject_type":', quote(subject_type), "}",
        ))  # fmt: skip
        if (
            seq == last_seq + 1
            and prev_hash == last_hash
            and (sha256(body.encode("utf-8")).hexdigest() == digest)
        ):
            last_seq, last_hash = seq, digest
            continue
        if seq != last_seq + 1:
            reason = f"numéro attendu {last_seq + 1}, trouvé {seq}"
        elif prev_hash != last_hash:
            reason = "le hash précédent ne correspond pas à l'événement d'avant"
        else:
            reason = "le contenu ne correspond pas à son hash (événement modifié)"
        check.events = count
        check.first_broken = {"chain": chain, "seq": seq, "reason": reason}
        if last_seq:
            check.head[chain] = (last_seq, last_hash)
        return check
    check.events = count
    if last_seq:
        check.head[chain] = (last_seq, last_hash)
    return check
