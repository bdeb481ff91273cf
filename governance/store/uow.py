"""Unit of work: one transaction per use case, audit events appended inside it, emails after it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from governance.rules.audit_chain import GENESIS_HASH, EventRecord, canonical_json, chain_hash
from governance.rules.audit_events import AuditAction
from governance.store.tables import AuditEvent, AuditHead


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutgoingEmail(Protocol):
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, messages: list[Any]) -> None: ...


SITE_CHAIN = "site"


def org_chain(org_id: int) -> str:
    return f"org:{org_id}"


class UnitOfWork:
    """Open a session for one use case; ``commit`` makes its writes, audit events and emails real.

    A writing unit of work takes the write lock at BEGIN on SQLite (BEGIN IMMEDIATE); on
    PostgreSQL the audit head row of the chain is locked when the first event is appended, which
    keeps sequence numbers gap-free under concurrent requests.
    """

    session: Session

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
        mailer: Mailer | None = None,
        write: bool = True,
    ) -> None:
        self._factory = session_factory
        self.clock = clock
        self.mailer = mailer
        self.write = write
        self.outbox: list[Any] = []
        self.events: list[AuditEvent] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.outbox = []
        self.events = []
        if self.write:
            self.session.connection(execution_options={"sqlite_immediate": True})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() ends the transaction (a rollback, if nothing was committed) and detaches the
        # loaded objects without expiring them, so a page can still read what it loaded; after
        # a failure, rollback() expires them too, so no half-written state is ever read.
        if exc_type is not None:
            self.session.rollback()
        self.session.info.clear()
        self.session.close()

    def now(self) -> datetime:
        return self.clock()

    def commit(self) -> None:
        """Commit the transaction, then hand queued emails to the mailer."""
        self.session.commit()
        outbox, self.outbox = self.outbox, []
        if outbox and self.mailer is not None:
            self.mailer.send(outbox)

    def send_after_commit(self, message: Any) -> None:
        self.outbox.append(message)

    def record(
        self,
        *,
        actor: str,
        action: AuditAction,
        subject_type: str,
        subject_id: str | int,
        payload: Mapping[str, Any],
        org_id: int | None = None,
    ) -> AuditEvent:
        """Append one hash-chained audit event to the organisation's chain (or the site chain).

        The event stores the action's value, the same string as ever (the hashes depend on it);
        a string that is no ``AuditAction`` is refused.
        """
        name = AuditAction(action).value
        chain = org_chain(org_id) if org_id is not None else SITE_CHAIN
        head = self.session.execute(
            select(AuditHead).where(AuditHead.chain == chain).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            head = AuditHead(chain=chain, seq=0, hash=GENESIS_HASH)
            self.session.add(head)
        at = self.now()
        record = EventRecord(
            chain=chain,
            seq=head.seq + 1,
            at=at,
            actor=actor,
            action=name,
            subject_type=subject_type,
            subject_id=str(subject_id),
            payload=dict(payload),
        )
        digest = chain_hash(head.hash, record)
        event = AuditEvent(
            chain=chain,
            org_id=org_id,
            seq=record.seq,
            at=at,
            actor=actor,
            action=name,
            subject_type=subject_type,
            subject_id=str(subject_id),
            payload=canonical_json(record.payload),
            prev_hash=head.hash,
            hash=digest,
        )
        head.seq = record.seq
        head.hash = digest
        self.session.add(event)
        self.events.append(event)
        return event
