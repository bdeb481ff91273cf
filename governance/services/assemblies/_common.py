"""What every assembly use case and view loads: the assembly, the resolution, members and the
feuille de présence, each scoped to the organisation (an id of another one is not found)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from governance.errors import NotFoundError, ValidationError
from governance.i18n import M
from governance.rules import assemblies as rules
from governance.rules.statutes import Statutes
from governance.services.orgs import load_statutes
from governance.store.ids import parse_id
from governance.store.tables import (
    Assembly,
    Attendance,
    Member,
    Organisation,
    Resolution,
    StatutesVersion,
)
from governance.store.uow import UnitOfWork

ORGANISERS = frozenset({"admin", "secretary"})
READERS = frozenset(
    {"member", "participant", "secretary", "auditor", "admin", "facilitator", "jardinier"}
)


def db_id(value: int | str | None) -> int:
    """An id as the database can hold it (32-bit); anything else matches no row (-1)."""
    key = parse_id(str(value).strip()) if value is not None else None
    return key if key else -1


def get_assembly(uow: UnitOfWork, org: Organisation, assembly_id: int | str) -> Assembly:
    assembly = uow.session.get(Assembly, db_id(assembly_id))
    if assembly is None or assembly.org_id != org.id:
        raise NotFoundError(M("Assemblée introuvable."))
    return assembly


def get_resolution(
    uow: UnitOfWork, org: Organisation, resolution_id: int | str, *, lock: str | None = None
) -> Resolution:
    stmt = select(Resolution).where(
        Resolution.id == db_id(resolution_id), Resolution.org_id == org.id
    )
    if lock == "share":
        stmt = stmt.with_for_update(read=True)
    elif lock == "update":
        stmt = stmt.with_for_update()
    resolution = uow.session.execute(stmt).scalar_one_or_none()
    if resolution is None:
        raise NotFoundError(M("Résolution introuvable."))
    return resolution


def find_member(
    uow: UnitOfWork, org: Organisation, member_id: int | str | None, field_name: str
) -> Member:
    member = uow.session.get(Member, db_id(member_id))
    if member is None or member.org_id != org.id:
        raise ValidationError.single(field_name, M("Membre inconnu : {id}.", id=member_id))
    return member


def is_voter(member: Member | None) -> bool:
    return member is not None and member.status == "associate" and member.departed_on is None


def voter(member: Member) -> rules.Voter:
    """A member as the ballot rules see them."""
    return rules.Voter(
        id=member.id,
        name=member.name,
        is_associate=is_voter(member),
        departed=member.departed_on is not None,
        college_id=member.college_id,
    )


def list_resolutions(uow: UnitOfWork, assembly: Assembly) -> list[Resolution]:
    return list(
        uow.session.execute(
            select(Resolution)
            .where(Resolution.assembly_id == assembly.id)
            .order_by(Resolution.position)
        ).scalars()
    )


def associates(uow: UnitOfWork, org: Organisation) -> list[Member]:
    """Current associates (members with voting rights at the general assembly)."""
    return list(
        uow.session.execute(
            select(Member)
            .where(
                Member.org_id == org.id,
                Member.status == "associate",
                Member.departed_on.is_(None),
            )
            .order_by(Member.name, Member.id)
        ).scalars()
    )


def attendance_of(uow: UnitOfWork, assembly: Assembly) -> list[Attendance]:
    return list(
        uow.session.execute(
            select(Attendance).where(Attendance.assembly_id == assembly.id).order_by(Attendance.id)
        ).scalars()
    )


def attendance_line(uow: UnitOfWork, assembly_id: int, member_id: int) -> Attendance | None:
    """One member's line of the feuille de présence (one row: no full sheet per ballot)."""
    return uow.session.execute(
        select(Attendance).where(
            Attendance.assembly_id == assembly_id, Attendance.member_id == member_id
        )
    ).scalar_one_or_none()


def member_names(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        m.id: m.name
        for m in uow.session.execute(select(Member).where(Member.id.in_(wanted))).scalars()
    }


def statutes_of(uow: UnitOfWork, resolution: Resolution) -> tuple[StatutesVersion, Statutes]:
    """The statutes version frozen when the vote opened."""
    version = uow.session.get(StatutesVersion, resolution.statutes_version_id)
    assert version is not None
    return version, load_statutes(version)


def local_time(when: datetime, org: Organisation) -> datetime:
    """A stored UTC time in the organisation's time zone (what members read)."""
    return when.astimezone(ZoneInfo(org.timezone))


def resolution_state(resolution: Resolution, now: datetime) -> rules.ResolutionState:
    """The lifecycle state of a resolution now (past its deadline: ``deadline_passed``)."""
    return rules.resolution_state(resolution.status, resolution.deadline, now)


def resolution_facts(
    resolution: Resolution, org: Organisation, now: datetime, assembly: Assembly | None = None
) -> rules.ResolutionFacts:
    return rules.ResolutionFacts(
        assembly_status=rules.AssemblyStatus(assembly.status) if assembly is not None else None,
        deadline=resolution.deadline,
        now=now,
        closed_at=resolution.closed_at,
        timezone=org.timezone,
    )


def effective_status(resolution: Resolution, now: datetime) -> str:
    """The status a user sees: past its deadline, an open resolution is closed already."""
    return rules.shown_status(resolution_state(resolution, now)).value


def close_is_due(resolution: Resolution, now: datetime) -> bool:
    """True when the vote is past its deadline but its close is not recorded yet."""
    return resolution_state(resolution, now) is rules.ResolutionState.DEADLINE_PASSED


# Instants that every time zone can show: two days away from the calendar's ends (years 1, 9999).
_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=2)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)


def parse_when(value: datetime | str, field_name: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError.single(
                field_name,
                M(
                    "Date et heure invalides « {value} » : format ISO 8601 attendu "
                    "(2026-06-20T14:00+02:00).",
                    value=value,
                ),
            ) from None
    if when.tzinfo is None:
        raise ValidationError.single(
            field_name, M("Précisez le fuseau horaire de la date (ex. +02:00).")
        )
    if not _EARLIEST <= when <= _LATEST:
        raise ValidationError.single(field_name, M("Date hors des limites acceptées."))
    return when
