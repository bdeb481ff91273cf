"""Running the meeting: opening the assembly (its quorum frozen), opening and closing the votes,
cancelling a resolution, closing the assembly. Each step is a row of the declared lifecycles
(``governance.rules.assemblies.lifecycle``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from governance.errors import ConflictError, ValidationError
from governance.i18n import M
from governance.rules import assemblies as rules
from governance.rules.audit_events import AuditAction
from governance.rules.orgs import StatutesStatus
from governance.rules.statutes import diff_statutes
from governance.services.authz import Actor, require
from governance.services.links import Links
from governance.services.orgs import check_draft_complete, current_version, load_statutes
from governance.store.tables import Assembly, Organisation, Resolution, StatutesVersion
from governance.store.uow import UnitOfWork

from . import notifications
from ._common import (
    ORGANISERS,
    associates,
    get_assembly,
    get_resolution,
    list_resolutions,
    parse_when,
    resolution_facts,
    resolution_state,
)
from .attendance import QuorumView, assembly_quorum, compute_quorum, is_quorate
from .ballots import add_blank_proxy_ballots, reseal_ballot_box
from .results import ballot_hashes, compute_result

_A, _R = rules.AssemblyAction, rules.ResolutionAction


def _rowcount(uow: UnitOfWork, statement: Any) -> int:
    """Rows touched by a conditional UPDATE (the compare-and-set that makes closing race-safe)."""
    result = uow.session.execute(statement)
    return int(getattr(result, "rowcount", 0))


def open_assembly(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> QuorumView:
    """Open the meeting and freeze its quorum computation (a non-quorate one may still debate)."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    if not rules.ASSEMBLY.changes(rules.AssemblyStatus(assembly.status), _A.OPEN):
        return assembly_quorum(uow, org, assembly)  # open already: nothing changes
    view = compute_quorum(uow, org, assembly)
    assembly.status = rules.AssemblyStatus.OPEN
    assembly.opened_at = uow.now()
    assembly.quorum_record = view.to_dict()
    uow.record(
        actor=actor.label,
        action=AuditAction.ASSEMBLY_OPENED,
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={"quorum": view.to_dict()},
    )
    return view


def open_resolution(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    resolution_id: int | str,
    deadline: datetime | str | None = None,
    links: Links | None = None,
) -> Resolution:
    """Open the vote; text, majority, secrecy and statutes version are frozen from now on.

    With a deadline (a vote at a distance) every associate is told by email that it is open.
    """
    require(uow.session, actor, org, ORGANISERS)
    resolution = get_resolution(uow, org, resolution_id, lock="update")
    now = uow.now()
    state = resolution_state(resolution, now)
    if rules.RESOLUTION.target(state, _R.OPEN) == state:
        return resolution  # open already: nothing changes
    assembly = get_assembly(uow, org, resolution.assembly_id)
    facts = resolution_facts(resolution, org, now, assembly)
    rules.RESOLUTION.apply(state, _R.OPEN, facts)  # state, then the assembly open
    when = parse_when(deadline, "deadline") if deadline not in (None, "") else None
    facts = rules.ResolutionFacts(
        assembly_status=facts.assembly_status, deadline=when, now=now, timezone=org.timezone
    )
    rules.check_deadline(facts)
    target = rules.RESOLUTION.apply(state, _R.OPEN, facts)
    if resolution.adopts_statutes_id is not None:
        draft = uow.session.get(StatutesVersion, resolution.adopts_statutes_id)
        if draft is None or draft.status != "draft":
            raise ConflictError(
                M("Ce projet de statuts n'est plus un projet : ouvrez une nouvelle résolution.")
            )
        check_draft_complete(draft)
    version = current_version(uow, org)
    resolution.status = rules.stored_status(target)
    resolution.opened_at = now
    resolution.deadline = when
    resolution.statutes_version_id = version.id
    uow.record(
        actor=actor.label,
        action=AuditAction.RESOLUTION_OPENED,
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={
            "title": resolution.title,
            "text": resolution.text,
            "majority": resolution.majority,
            "secret": resolution.secret,
            "statutes_version": version.number,
            "deadline": when,
        },
    )
    if when is not None:  # a vote that runs until a deadline: tell every associate it is open
        notifications.send_vote_opened(uow, org, resolution, associates(uow, org), links)
    return resolution


def open_all_resolutions(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    deadline: datetime | str | None = None,
    links: Links | None = None,
) -> list[Resolution]:
    """Open the vote on every resolution of the agenda still in draft, in order, together.

    One transaction: if one of them cannot open (a statutes draft with errors…), none does.
    """
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    waiting = [
        r for r in list_resolutions(uow, assembly) if r.status == rules.ResolutionStatus.DRAFT
    ]
    if not waiting:
        raise ConflictError(M("Aucune résolution de l'ordre du jour n'attend l'ouverture du vote."))
    return [
        open_resolution(
            uow, actor=actor, org=org, resolution_id=resolution.id, deadline=deadline, links=links
        )
        for resolution in waiting
    ]


def close_resolution(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, resolution_id: int | str
) -> Resolution:
    """Close the vote and store its tally. Idempotent; safe when several closers race."""
    if not actor.system:
        require(uow.session, actor, org, ORGANISERS)
    resolution = get_resolution(uow, org, resolution_id)
    state = resolution_state(resolution, uow.now())
    if not rules.RESOLUTION.changes(state, _R.CLOSE):
        return resolution  # closed (or cancelled) already: closing twice changes nothing
    # The conditional update is the lock: one closer wins, the others see it closed. It waits
    # for the ballots in flight (they hold a share lock on the row), so the closing time is read
    # only once it has won: every ballot counted is then earlier than the close.
    won = _rowcount(
        uow,
        update(Resolution)
        .where(Resolution.id == resolution.id, Resolution.status == rules.ResolutionStatus.OPEN)
        .values(status=rules.ResolutionStatus.CLOSED)
        .execution_options(synchronize_session=False),
    )
    uow.session.refresh(resolution)
    if not won:
        return resolution
    now = uow.now()
    past = resolution.deadline is not None and now >= resolution.deadline
    resolution.closed_at = resolution.deadline if past else now
    add_blank_proxy_ballots(uow, resolution)
    if resolution.secret:
        reseal_ballot_box(uow, resolution.id)
    assembly = get_assembly(uow, org, resolution.assembly_id)
    result = compute_result(uow, org, resolution, quorate=is_quorate(assembly))
    resolution.result = result
    resolution.adopted = bool(result["adopted"])
    payload: dict[str, Any] = {"result": result}
    if resolution.secret:
        payload["ballot_hashes"] = ballot_hashes(uow, resolution)
    uow.record(
        actor=actor.label,
        action=AuditAction.RESOLUTION_CLOSED,
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload=payload,
    )
    if resolution.adopted and resolution.adopts_statutes_id is not None:
        _adopt_statutes(uow, actor, org, resolution)
    uow.session.info[("closed_here", resolution.id)] = True  # this transaction won the close
    return resolution


def _adopt_statutes(
    uow: UnitOfWork, actor: Actor, org: Organisation, resolution: Resolution
) -> None:
    draft = uow.session.get(StatutesVersion, resolution.adopts_statutes_id)
    if draft is None or draft.status != "draft":
        return
    current = current_version(uow, org)
    diff = diff_statutes(load_statutes(current), load_statutes(draft))
    current.status = StatutesStatus.SUPERSEDED
    uow.session.flush()
    draft.status = StatutesStatus.CURRENT
    draft.effective_at = uow.now()
    draft.adopted_by = f"resolution:{resolution.id}"
    uow.record(
        actor=actor.label,
        action=AuditAction.STATUTES_ADOPTED,
        subject_type="statutes_version",
        subject_id=draft.id,
        org_id=org.id,
        payload={
            "version": draft.number,
            "previous_version": current.number,
            "resolution": resolution.id,
            "diff": diff,
        },
    )


def cancel_resolution(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, resolution_id: int | str, reason: str
) -> Resolution:
    """Close without result (to change a frozen resolution, open a new one instead)."""
    require(uow.session, actor, org, ORGANISERS)
    resolution = get_resolution(uow, org, resolution_id, lock="update")
    target = rules.RESOLUTION.apply(resolution_state(resolution, uow.now()), _R.CANCEL)
    if not reason.strip():
        raise ValidationError.single("reason", M("Indiquez pourquoi la résolution est retirée."))
    resolution.status = rules.stored_status(target)
    resolution.closed_at = uow.now()
    uow.record(
        actor=actor.label,
        action=AuditAction.RESOLUTION_CANCELLED,
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={"reason": reason.strip()},
    )
    return resolution


def close_all_resolutions(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> list[Resolution]:
    """Close every open vote of the assembly together; the assembly itself stays open."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    voting = [r for r in list_resolutions(uow, assembly) if r.status == rules.ResolutionStatus.OPEN]
    if not voting:
        raise ConflictError(M("Aucun vote n'est ouvert dans cette assemblée."))
    return [
        close_resolution(uow, actor=actor, org=org, resolution_id=resolution.id)
        for resolution in voting
    ]


def close_assembly(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> Assembly:
    """Close every open resolution, then the assembly. Idempotent."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    if not rules.ASSEMBLY.changes(rules.AssemblyStatus(assembly.status), _A.CLOSE):
        return assembly  # closed (or published) already: closing twice changes nothing
    for resolution in list_resolutions(uow, assembly):
        if resolution.status == rules.ResolutionStatus.OPEN:
            close_resolution(uow, actor=actor, org=org, resolution_id=resolution.id)
    won = _rowcount(
        uow,
        update(Assembly)
        .where(Assembly.id == assembly.id, Assembly.status == rules.AssemblyStatus.OPEN)
        .values(status=rules.AssemblyStatus.CLOSED, closed_at=uow.now())
        .execution_options(synchronize_session=False),
    )
    uow.session.refresh(assembly)
    if won:
        uow.record(
            actor=actor.label,
            action=AuditAction.ASSEMBLY_CLOSED,
            subject_type="assembly",
            subject_id=assembly.id,
            org_id=org.id,
            payload={},
        )
    return assembly
