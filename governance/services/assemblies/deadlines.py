"""Votes that run until a deadline: the close recorded by ``terreau tick`` (or by the next write
request), its notification, and the reminder 24 h before. Reads never record a close: past its
deadline a vote is shown closed, with the result the close will record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from governance.rules import assemblies as rules
from governance.rules.audit_events import AuditAction
from governance.services.authz import SYSTEM
from governance.services.links import Links
from governance.store.tables import Ballot, Emargement, Organisation, Resolution
from governance.store.uow import UnitOfWork

from . import notifications
from ._common import associates, attendance_of, close_is_due, get_assembly, get_resolution
from .lifecycle import _rowcount, close_resolution

REMINDER_BEFORE = timedelta(hours=24)


def due_resolutions(uow: UnitOfWork, now: datetime) -> list[tuple[int, int]]:
    """(organisation id, resolution id) of open resolutions whose deadline has passed."""
    return [
        (org_id, rid)
        for org_id, rid in uow.session.execute(
            select(Resolution.org_id, Resolution.id).where(
                Resolution.status == rules.ResolutionStatus.OPEN,
                Resolution.deadline.is_not(None),
                Resolution.deadline <= now,
            )
        ).all()
    ]


def _has_voted(uow: UnitOfWork, resolution: Resolution, member_id: int) -> bool:
    table = Emargement if resolution.secret else Ballot
    return (
        uow.session.execute(
            select(table.id).where(
                table.resolution_id == resolution.id, table.member_id == member_id
            )
        ).first()
        is not None
    )


def remind_voters(
    uow: UnitOfWork, org: Organisation, resolution: Resolution, links: Links | None = None
) -> int:
    """Send the "closing in 24 h" reminder once to associates who have not voted.

    The conditional update claims the reminder, so concurrent ticks send it once.
    """
    claimed = _rowcount(
        uow,
        update(Resolution)
        .where(Resolution.id == resolution.id, Resolution.reminded_at.is_(None))
        .values(reminded_at=uow.now())
        .execution_options(synchronize_session=False),
    )
    if not claimed or resolution.deadline is None:
        return 0
    proxies = {
        line.member_id
        for line in attendance_of(uow, get_assembly(uow, org, resolution.assembly_id))
        if line.mode == "proxy"
    }
    sent = 0
    for member in associates(uow, org):
        if member.id in proxies or _has_voted(uow, resolution, member.id):
            continue
        notifications.send_reminder(uow, org, resolution, member, links)
        sent += 1
    uow.record(
        actor=SYSTEM.label,
        action=AuditAction.RESOLUTION_REMINDER_SENT,
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={"recipients": sent},
    )
    return sent


def record_deadline_close(
    uow: UnitOfWork, *, org: Organisation, resolution_id: int | str, links: Links | None = None
) -> bool:
    """Record the close of a vote past its deadline (as ``system``) and announce it.

    What ``terreau tick`` does for each due vote, and what the next write request does before
    its own work. True if this call closed it.
    """
    resolution = get_resolution(uow, org, resolution_id)
    if not close_is_due(resolution, uow.now()):
        return False
    resolution = close_resolution(uow, actor=SYSTEM, org=org, resolution_id=resolution.id)
    if not uow.session.info.get(("closed_here", resolution.id)):
        return False
    notifications.send_vote_closed(uow, org, resolution, associates(uow, org), links)
    return True


@dataclass
class TickReport:
    closed: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)


def record_due_closes(
    uow_factory: Callable[[], UnitOfWork], links: Links | None = None
) -> list[int]:
    """Record the close of every vote past its deadline, each in a transaction of its own.

    What the next write request does first (one indexed query when nothing is due), so that a
    close is recorded, and announced, without waiting for the cron.
    """
    with uow_factory() as uow:
        due = due_resolutions(uow, uow.now())
    closed = []
    for org_id, resolution_id in due:
        with uow_factory() as uow:
            org = uow.session.get(Organisation, org_id)
            assert org is not None
            if record_deadline_close(uow, org=org, resolution_id=resolution_id, links=links):
                closed.append(resolution_id)
            uow.commit()
    return closed


def tick(uow_factory: Callable[[], UnitOfWork], links: Links | None = None) -> TickReport:
    """Record the closing of every resolution past its deadline and send the notifications
    (closing, and the reminder 24 h before); safe to run concurrently, from cron."""
    report = TickReport(closed=record_due_closes(uow_factory, links))
    with uow_factory() as uow:
        now = uow.now()
        soon = [
            (org_id, rid)
            for org_id, rid in uow.session.execute(
                select(Resolution.org_id, Resolution.id).where(
                    Resolution.status == rules.ResolutionStatus.OPEN,
                    Resolution.deadline.is_not(None),
                    Resolution.deadline > now,
                    Resolution.deadline <= now + REMINDER_BEFORE,
                    Resolution.reminded_at.is_(None),
                )
            ).all()
        ]
    for org_id, resolution_id in soon:
        with uow_factory() as uow:
            org = uow.session.get(Organisation, org_id)
            assert org is not None
            resolution = get_resolution(uow, org, resolution_id)
            if remind_voters(uow, org, resolution, links):
                report.reminded.append(resolution_id)
            uow.commit()
    return report
