"""Casting ballots: public (changeable until the close) and secret (final, with a receipt), for
oneself, by proxy, or a paper correspondence form typed in by the secretary; the blank proxies'
ballots added at the close; the secret ballot box kept unlinkable to the émargements."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError

from governance.errors import ConflictError, NotFoundError
from governance.i18n import M
from governance.rules import assemblies as rules
from governance.rules.audit_events import AuditAction
from governance.services.authz import Actor, membership, require
from governance.store.tables import (
    Attendance,
    Ballot,
    Emargement,
    Member,
    Organisation,
    Resolution,
    SecretBallot,
)
from governance.store.uow import UnitOfWork

from ._common import (
    ORGANISERS,
    READERS,
    attendance_line,
    find_member,
    get_assembly,
    get_resolution,
    is_voter,
    resolution_facts,
    resolution_state,
    statutes_of,
    voter,
)


@dataclass(frozen=True)
class BallotReceipt:
    """What a voter keeps: for a secret ballot, the code and the hash listed at close."""

    member_id: int
    choice: str | None
    code: str | None = None
    ballot_hash: str | None = None
    changed: bool = False
    principal_name: str = ""
    for_someone_else: bool = False


def cast_ballot(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    resolution_id: int | str,
    choice: str,
    on_behalf_of: int | str | None = None,
    member_id: int | str | None = None,
    channel: str = "direct",
    assembly_id: int | str | None = None,
) -> BallotReceipt:
    """Cast (or change) a ballot: for oneself, for a principal one holds a proxy from, or — by
    the secretary — a paper correspondence form for ``member_id``.

    With ``assembly_id``, a resolution of another assembly is not found (the page's address).
    """
    roles = require(uow.session, actor, org, READERS)
    # A share lock: ballots run side by side, closing waits for them (no ballot after close).
    resolution = get_resolution(uow, org, resolution_id, lock="share")
    if assembly_id is not None and str(resolution.assembly_id) != str(assembly_id).strip():
        raise NotFoundError(M("Résolution introuvable."))
    assembly = get_assembly(uow, org, resolution.assembly_id)
    if assembly.status == rules.AssemblyStatus.DRAFT and not roles & ORGANISERS:
        raise NotFoundError(M("Résolution introuvable."))  # a draft agenda is not shown yet
    now = uow.now()
    rules.RESOLUTION.apply(
        resolution_state(resolution, now),
        rules.ResolutionAction.CAST,
        resolution_facts(resolution, org, now),
    )
    rules.check_choice(choice)
    me = membership(uow.session, actor, org.id)
    principal_row: Member | None = None
    if channel == "correspondence" and member_id not in (None, "") and roles & ORGANISERS:
        principal_row = find_member(uow, org, member_id, "member")
    elif (
        channel == "direct"
        and on_behalf_of not in (None, "")
        and me is not None
        and me.departed_on is None
        and str(on_behalf_of) != str(me.id)
    ):
        principal_row = find_member(uow, org, on_behalf_of, "on_behalf_of")
    whose = principal_row or (me if channel == "direct" else None)
    line = attendance_line(uow, resolution.assembly_id, whose.id) if whose is not None else None
    _version, statutes = statutes_of(uow, resolution)
    decision = rules.check_ballot(
        rules.BallotFacts(
            channel=channel,
            actor_is_organiser=bool(roles & ORGANISERS),
            me=voter(me) if me is not None else None,
            principal=voter(principal_row) if principal_row is not None else None,
            principal_line=rules.AttendanceOf(line.mode, line.holder_id) if line else None,
            uses_colleges=statutes.uses_colleges,
        )
    )
    principal = principal_row or me
    assert principal is not None and principal.id == decision.principal.id
    if decision.add_attendance is not None:
        try:
            with uow.session.begin_nested():  # a concurrent first ballot may record it too
                uow.session.add(
                    Attendance(
                        assembly_id=resolution.assembly_id,
                        member_id=principal.id,
                        mode=decision.add_attendance,
                        college_id=principal.college_id,
                        at=now,
                        before_meeting=False,
                    )
                )
                uow.session.flush()
        except IntegrityError:
            pass  # already on the feuille de présence: nothing to add
    # Every time the ballot records is ``now``, read when the vote was found open: a ballot let
    # in just before a deadline is never stamped after it.
    cast = _cast_secret if resolution.secret else _cast_public
    cast_by = me
    receipt = cast(uow, actor, org, resolution, principal, cast_by, choice, decision.channel, now)
    return replace(
        receipt,
        principal_name=principal.name,
        for_someone_else=me is None or principal.id != me.id,
    )


def _cast_public(
    uow: UnitOfWork,
    actor: Actor,
    org: Organisation,
    resolution: Resolution,
    principal: Member,
    cast_by: Member | None,
    choice: str,
    channel: str,
    now: datetime,
) -> BallotReceipt:
    ballot = uow.session.execute(
        select(Ballot)
        .where(Ballot.resolution_id == resolution.id, Ballot.member_id == principal.id)
        .with_for_update()
    ).scalar_one_or_none()
    changed = ballot is not None
    previous = ballot.choice if ballot is not None else None
    if ballot is None:
        ballot = Ballot(
            resolution_id=resolution.id,
            member_id=principal.id,
            college_id=principal.college_id,
            choice=choice,
            channel=channel,
            cast_by_id=cast_by.id if cast_by else None,
            cast_at=now,
        )
        try:
            with uow.session.begin_nested():  # add inside the savepoint: a clash undoes only it
                uow.session.add(ballot)
                uow.session.flush()
        except IntegrityError:
            raise ConflictError(
                M(
                    "Un bulletin vient d'être enregistré pour {name} : rechargez la page.",
                    name=principal.name,
                )
            ) from None
    else:
        ballot.choice = rules.BallotChoice(choice)
        ballot.channel = rules.BallotChannel(channel)
        ballot.cast_by_id = cast_by.id if cast_by else None
        ballot.cast_at = now
        ballot.changes += 1
    uow.record(
        actor=actor.label,
        action=AuditAction.BALLOT_CHANGED if changed else AuditAction.BALLOT_CAST,
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={
            "member": principal.id,
            "college": principal.college_id,
            "choice": choice,
            "previous": previous,
            "channel": channel,
            "cast_by": cast_by.id if cast_by else None,
        },
    )
    return BallotReceipt(member_id=principal.id, choice=choice, changed=changed)


def _already_cast(name: str) -> ConflictError:
    return ConflictError(
        M(
            "Vote à bulletin secret : le bulletin de {name} est déjà déposé et ne peut plus "
            "changer.",
            name=name,
        )
    )


def _cast_secret(
    uow: UnitOfWork,
    actor: Actor,
    org: Organisation,
    resolution: Resolution,
    principal: Member,
    cast_by: Member | None,
    choice: str,
    channel: str,
    now: datetime,
) -> BallotReceipt:
    already = uow.session.execute(
        select(Emargement.id).where(
            Emargement.resolution_id == resolution.id, Emargement.member_id == principal.id
        )
    ).first()
    if already:
        raise _already_cast(principal.name)
    code = rules.new_receipt_code()
    digest = rules.secret_ballot_hash(resolution.id, principal.college_id, choice, code)
    try:
        with uow.session.begin_nested():  # add inside the savepoint: a clash undoes only it
            uow.session.add(
                Emargement(
                    resolution_id=resolution.id,
                    member_id=principal.id,
                    cast_by_id=cast_by.id if cast_by else None,
                    channel=channel,
                    at=now,
                )
            )
            uow.session.flush()
    except IntegrityError:
        raise _already_cast(principal.name) from None
    reseal_ballot_box(
        uow,
        resolution.id,
        {"ballot_hash": digest, "college_id": principal.college_id, "choice": choice},
    )
    # Émargement only: no choice, no college, nothing that re-links the ballot.
    uow.record(
        actor=actor.label,
        action=AuditAction.BALLOT_CAST,
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={"member": principal.id, "secret": True, "channel": channel},
    )
    return BallotReceipt(member_id=principal.id, choice=None, code=code, ballot_hash=digest)


# Namespace of the PostgreSQL advisory locks that serialise the writes to one ballot box.
_BALLOT_BOX_LOCK = 0x7465_7272  # "terr"


def reseal_ballot_box(
    uow: UnitOfWork, resolution_id: int, new_ballot: dict[str, Any] | None = None
) -> None:
    """Rewrite every secret ballot of the resolution, in the order of their hashes.

    A database marks each row with what wrote it: PostgreSQL's ``xmin`` is the writing
    transaction, shared with the émargement written beside it, and ``ctid`` follows the order
    of insertion. Rewriting the whole box in each transaction that adds a ballot (and at close)
    leaves every ballot with the same writer and a physical order that is the order of the
    hashes, random: nothing in a row says which transaction, hence which émargement, it came
    with. The box is rewritten by one transaction at a time (an advisory lock on PostgreSQL,
    SQLite's single writer otherwise); it costs one pass over the resolution's ballots.
    """
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": _BALLOT_BOX_LOCK, "key": resolution_id},
        )
    columns = (SecretBallot.ballot_hash, SecretBallot.college_id, SecretBallot.choice)
    box = [
        dict(row._mapping)
        for row in session.execute(
            select(*columns).where(SecretBallot.resolution_id == resolution_id)
        )
    ]
    if new_ballot is not None:
        box.append(new_ballot)
    if not box:
        return
    session.execute(
        delete(SecretBallot)
        .where(SecretBallot.resolution_id == resolution_id)
        .execution_options(synchronize_session=False)
    )
    box.sort(key=lambda row: str(row["ballot_hash"]))
    session.execute(insert(SecretBallot), [{**row, "resolution_id": resolution_id} for row in box])


def blank_proxy_voters(uow: UnitOfWork, resolution: Resolution) -> list[Member]:
    """Associates who gave a blank proxy and have no ballot yet on this resolution."""
    lines = uow.session.execute(
        select(Attendance).where(
            Attendance.assembly_id == resolution.assembly_id,
            Attendance.mode == "proxy",
            Attendance.holder_id.is_(None),
        )
    ).scalars()
    table = Emargement if resolution.secret else Ballot
    voters = []
    for line in lines:
        member = uow.session.get(Member, line.member_id)
        if member is None or not is_voter(member):
            continue
        cast = uow.session.execute(
            select(table.id).where(
                table.resolution_id == resolution.id, table.member_id == member.id
            )
        ).first()
        if not cast:
            voters.append(member)
    return voters


def add_blank_proxy_ballots(uow: UnitOfWork, resolution: Resolution) -> int:
    """At close, each blank proxy votes with the board (for) or against the others."""
    choice = rules.blank_proxy_choice(resolution.board_proposed)
    voters = blank_proxy_voters(uow, resolution)
    for member in voters:
        if resolution.secret:
            code = rules.new_receipt_code()
            uow.session.add(
                Emargement(
                    resolution_id=resolution.id,
                    member_id=member.id,
                    channel="blank_proxy",
                    at=uow.now(),
                )
            )
            uow.session.add(
                SecretBallot(
                    ballot_hash=rules.secret_ballot_hash(
                        resolution.id, member.college_id, choice, code
                    ),
                    resolution_id=resolution.id,
                    college_id=member.college_id,
                    choice=choice,
                )
            )
        else:
            uow.session.add(
                Ballot(
                    resolution_id=resolution.id,
                    member_id=member.id,
                    college_id=member.college_id,
                    choice=choice,
                    channel="blank_proxy",
                    cast_at=uow.now(),
                )
            )
    uow.session.flush()
    return len(voters)
