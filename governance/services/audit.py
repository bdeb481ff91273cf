"""Verification of the audit log and its JSONL export (auditors, admins and the operator's CLI)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from governance.i18n import M, Message
from governance.rules.audit_chain import (
    EventRecord,
    StoredRow,
    export_line,
    verify_stored_rows,
)
from governance.services.authz import Actor, require
from governance.store.ids import parse_id
from governance.store.tables import (
    AuditEvent,
    AuditHead,
    Ballot,
    Emargement,
    Organisation,
    Resolution,
    SecretBallot,
)
from governance.store.uow import SITE_CHAIN, UnitOfWork, org_chain

AUDIT_ROLES = frozenset({"auditor", "admin"})


@dataclass(frozen=True)
class AuditFinding:
    check: str
    record: str
    message: Message

    def to_dict(self, gettext: Callable[[str], str] | None = None) -> dict[str, str]:
        text = self.message.render(gettext) if gettext else self.message.render()
        return {"check": self.check, "record": self.record, "message": text}


@dataclass
class AuditReport:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    findings: list[AuditFinding] = field(default_factory=list)
    first_broken_seq: int | None = None


def _record(row: AuditEvent) -> EventRecord:
    return EventRecord(
        chain=row.chain,
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        payload=json.loads(row.payload),
    )


def event_lines(uow: UnitOfWork, chain: str, after: int = 0) -> Iterator[str]:
    """Stream the chain's events as canonical JSONL lines (constant memory)."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.chain == chain, AuditEvent.seq > after)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=2000)
    )
    for row in uow.session.execute(stmt).scalars():
        yield export_line(_record(row), row.prev_hash, row.hash)
        uow.session.expunge(row)


_VERIFY_SQL = (
    "SELECT seq, at, actor, action, subject_type, subject_id, payload, prev_hash, hash "
    "FROM audit_events WHERE chain = {marker} ORDER BY seq"
)


def _canonical_at(value: object) -> str:
    """The canonical text of a stored time, straight from the driver's value.

    SQLite keeps ``2026-06-15 09:00:00.001000`` (naive UTC); PostgreSQL gives a naive datetime.
    Both become ``2026-06-15T09:00:00.001000Z`` (no fraction when it is zero, as isoformat).
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat() + "Z"
    text = str(value).replace(" ", "T", 1)
    if text.endswith(".000000"):
        text = text[:-7]
    return text + "Z"


def stored_rows(
    uow: UnitOfWork, chain: str, progress: Callable[[int], None] | None = None
) -> Iterator[StoredRow]:
    """Stream a chain's rows through the driver's own cursor (the fast path of verification:
    a million events must verify in seconds), in sequence order, in constant memory."""
    connection = uow.session.connection()
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="terreau_audit_verify")  # server-side: constant memory
        cursor.itersize = 20000
        cursor.execute(_VERIFY_SQL.format(marker="%s"), (chain,))
    else:
        cursor = driver.cursor()
        cursor.execute(_VERIFY_SQL.format(marker="?"), (chain,))
    read = 0
    try:
        while batch := cursor.fetchmany(20000):
            yield from batch  # raw rows: verify_stored_rows converts `at` with _canonical_at
            read += len(batch)
            if progress is not None:
                progress(read)
    finally:
        cursor.close()


def verify_chain(
    uow: UnitOfWork, chain: str, progress: Callable[[int], None] | None = None
) -> AuditReport:
    """Recompute a chain's hashes; the report names the first broken sequence number."""
    head = uow.session.get(AuditHead, chain)

    result = verify_stored_rows(chain, stored_rows(uow, chain, progress), _canonical_at)
    count = result.events
    findings: list[AuditFinding] = []
    first_broken = None
    if result.first_broken is not None:
        first_broken = int(result.first_broken["seq"])
        findings.append(
            AuditFinding(
                "hash_chain",
                f"{chain}#{first_broken}",
                M(
                    "Chaîne {chain} rompue à l'événement n° {seq} : {reason}",
                    chain=chain,
                    seq=first_broken,
                    reason=result.first_broken["reason"],
                ),
            )
        )
    heads = result.head
    seq, digest = heads.get(chain, (0, "0" * 64))
    findings.extend(_missing_chain_findings(uow, chain, head, count))
    if head is not None and first_broken is None and (head.seq, head.hash) != (seq, digest):
        findings.append(
            AuditFinding(
                "hash_chain",
                f"{chain}#{head.seq}",
                M(
                    "La tête enregistrée de la chaîne {chain} (n° {head}) ne correspond pas au "
                    "dernier événement (n° {seq}).",
                    chain=chain,
                    head=head.seq,
                    seq=seq,
                ),
            )
        )
    if chain.startswith("org:"):
        findings.extend(verify_records(uow, int(chain.split(":", 1)[1])))
    if progress is not None:
        progress(count)
    return AuditReport(
        ok=not findings,
        events=count,
        head_seq=seq,
        head_hash=digest,
        findings=findings,
        first_broken_seq=first_broken,
    )


def verify_org(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> AuditReport:
    require(uow.session, actor, org, AUDIT_ROLES)
    return verify_chain(uow, org_chain(org.id))


def export_org_events(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, after: int = 0
) -> Iterator[str]:
    require(uow.session, actor, org, AUDIT_ROLES)
    return event_lines(uow, org_chain(org.id), after)


def head_of(uow: UnitOfWork, org: Organisation) -> tuple[int, str]:
    head = uow.session.get(AuditHead, org_chain(org.id))
    return (head.seq, head.hash) if head else (0, "0" * 64)


def _missing_chain_findings(
    uow: UnitOfWork, chain: str, head: AuditHead | None, events: int
) -> list[AuditFinding]:
    """Findings for a chain deleted wholesale: rows gone, or the head row gone.

    Every organisation's chain starts with its creation event, so an organisation with no event
    or no head has lost its log. The site chain may be empty (a fresh database).
    """
    org = _chain_org(uow, chain)
    findings: list[AuditFinding] = []
    if org is not None and events == 0:
        findings.append(
            AuditFinding(
                "hash_chain",
                chain,
                M(
                    "L'organisation {slug} ({name}) n'a aucun événement dans sa chaîne {chain} : "
                    "son journal d'audit a été supprimé.",
                    slug=org.slug,
                    name=org.name,
                    chain=chain,
                ),
            )
        )
    if head is None and (org is not None or events > 0):
        findings.append(
            AuditFinding(
                "hash_chain",
                chain,
                M(
                    "La tête de la chaîne {chain}{owner} est absente : le journal d'audit a été "
                    "altéré.",
                    chain=chain,
                    owner=f" ({org.slug})" if org is not None else "",
                ),
            )
        )
    return findings


def _chain_org(uow: UnitOfWork, chain: str) -> Organisation | None:
    """The organisation a chain belongs to (None for the site chain or an unknown id)."""
    if not chain.startswith("org:"):
        return None
    org_id = parse_id(chain.split(":", 1)[1])
    if org_id is None:
        return None  # not an id any organisation can have
    return uow.session.get(Organisation, org_id)


def all_chains(uow: UnitOfWork) -> list[str]:
    """Every chain the database knows of: from the events, the heads and the organisations
    (each has its own chain, even when its rows were deleted), plus the site chain."""
    session = uow.session
    chains = set(session.execute(select(AuditEvent.chain).distinct()).scalars())
    chains.update(session.execute(select(AuditHead.chain)).scalars())
    org_ids = session.execute(select(Organisation.id)).scalars()
    chains.update(org_chain(org_id) for org_id in org_ids)
    chains.add(SITE_CHAIN)
    return sorted(chains)


def count_events(uow: UnitOfWork, chain: str) -> int:
    return int(
        uow.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.chain == chain)
        ).scalar_one()
    )


def verify_records(uow: UnitOfWork, org_id: int) -> list[AuditFinding]:
    """Recount every stored result and check ballots against émargements and closing times."""
    from governance.services import assemblies as ga  # late: assemblies builds on this module

    org = uow.session.get(Organisation, org_id)
    if org is None:
        return []
    findings: list[AuditFinding] = []
    resolutions = uow.session.execute(
        select(Resolution).where(Resolution.org_id == org.id, Resolution.status == "closed")
    ).scalars()
    for resolution in resolutions:
        record = f"resolution:{resolution.id}"
        if resolution.secret:
            ballots = uow.session.execute(
                select(func.count())
                .select_from(SecretBallot)
                .where(SecretBallot.resolution_id == resolution.id)
            ).scalar_one()
            signed = uow.session.execute(
                select(func.count())
                .select_from(Emargement)
                .where(Emargement.resolution_id == resolution.id)
            ).scalar_one()
            if ballots != signed:
                findings.append(
                    AuditFinding(
                        "ballots",
                        record,
                        M(
                            "Résolution {id} : {b} bulletins secrets pour {e} émargements.",
                            id=resolution.id,
                            b=ballots,
                            e=signed,
                        ),
                    )
                )
            late_rows = (
                select(func.count())
                .select_from(Emargement)
                .where(
                    Emargement.resolution_id == resolution.id,
                    Emargement.channel != "blank_proxy",
                    Emargement.at > resolution.closed_at,
                )
            )
        else:
            late_rows = (
                select(func.count())
                .select_from(Ballot)
                .where(
                    Ballot.resolution_id == resolution.id,
                    Ballot.channel != "blank_proxy",
                    Ballot.cast_at > resolution.closed_at,
                )
            )
        late = uow.session.execute(late_rows).scalar_one()
        if late:
            findings.append(
                AuditFinding(
                    "ballots",
                    record,
                    M(
                        "Résolution {id} : {n} bulletin(s) postérieur(s) à la clôture.",
                        id=resolution.id,
                        n=late,
                    ),
                )
            )
        if not resolution.result:
            findings.append(
                AuditFinding(
                    "results",
                    record,
                    M("Résolution {id} close sans résultat enregistré.", id=resolution.id),
                )
            )
            continue
        stored = resolution.result
        members: dict[int | None, int] = {
            int(c["id"]): int(c["members"]) for c in stored.get("colleges", [])
        }
        recount = ga.compute_result(
            uow, org, resolution, quorate=bool(stored.get("quorate")), members=members or None
        )
        for key in ("for_ratio", "adopted"):
            if recount.get(key) != stored.get(key):
                findings.append(
                    AuditFinding(
                        "results",
                        record,
                        M(
                            "Résolution {id} : le recomptage donne {key} = {new}, le résultat "
                            "enregistré {old}.",
                            id=resolution.id,
                            key=key,
                            new=recount.get(key),
                            old=stored.get(key),
                        ),
                    )
                )
        recounted = {c["id"]: c for c in recount["colleges"]}
        for college in stored.get("colleges", []):
            again = recounted.get(college["id"], {})
            for key in ("for", "against", "abstain", "blank", "null"):
                if again.get(key) != college.get(key):
                    findings.append(
                        AuditFinding(
                            "results",
                            record,
                            M(
                                "Résolution {id}, collège {college} : {key} recompté {new}, "
                                "enregistré {old}.",
                                id=resolution.id,
                                college=college["name"],
                                key=key,
                                new=again.get(key),
                                old=college.get(key),
                            ),
                        )
                    )
    return findings
