"""What the assembly pages and the API show, read once: each view authorizes, reads, and returns
plain dataclasses that the HTML route and the JSON endpoint both render. Views never write: past
a deadline they show the close that ``terreau tick`` (or the next write) will record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from governance.errors import ConflictError, NotFoundError
from governance.i18n import M, Message
from governance.rules import assemblies as rules
from governance.services.authz import Actor, membership, require, require_member_area, roles_in
from governance.services.orgs import current_version, is_setup_mode, load_statutes
from governance.store.tables import (
    Assembly,
    Ballot,
    Emargement,
    Member,
    Organisation,
    Resolution,
    StatutesVersion,
)
from governance.store.uow import UnitOfWork

from ._common import (
    ORGANISERS,
    READERS,
    associates,
    attendance_of,
    effective_status,
    get_assembly,
    get_resolution,
    is_voter,
    list_resolutions,
    member_names,
)
from .attendance import AttendanceRow, QuorumView, assembly_quorum, attendance_rows
from .results import ballot_hashes, visible_result

RECORD_READERS = frozenset({"secretary", "admin", "auditor"})


# ---- who looks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The reader of a page: their roles in the organisation and their membership."""

    roles: frozenset[str]
    me: Member | None
    setup_mode: bool

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_organiser(self) -> bool:
        return bool(self.roles & ORGANISERS)

    @property
    def can_read_records(self) -> bool:
        return bool(self.roles & RECORD_READERS)


def viewer(uow: UnitOfWork, actor: Actor, org: Organisation) -> Viewer:
    me = membership(uow.session, actor, org.id)
    return Viewer(
        roles=roles_in(uow.session, actor, org.id),
        me=me,
        setup_mode=is_setup_mode(org),
    )


def list_assemblies(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[Assembly]:
    """The organisation's assemblies, latest first; drafts only for the organisers."""
    require(uow.session, actor, org, READERS)
    roles = roles_in(uow.session, actor, org.id)
    stmt = select(Assembly).where(Assembly.org_id == org.id)
    if not roles & ORGANISERS:
        stmt = stmt.where(Assembly.status != rules.AssemblyStatus.DRAFT)
    return list(uow.session.execute(stmt.order_by(Assembly.scheduled_at.desc())).scalars())


def view_assembly(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> Assembly:
    """An assembly the actor may read: one in draft is the organisers' only (404 otherwise)."""
    require(uow.session, actor, org, READERS)
    assembly = get_assembly(uow, org, assembly_id)
    if (
        assembly.status == rules.AssemblyStatus.DRAFT
        and not roles_in(uow.session, actor, org.id) & ORGANISERS
    ):
        raise NotFoundError(M("Assemblée introuvable."))
    return assembly


def view_resolution(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    resolution_id: int | str,
    assembly_id: int | str | None = None,
) -> Resolution:
    """A resolution of an assembly the actor may read (and of ``assembly_id`` when given)."""
    resolution = get_resolution(uow, org, resolution_id)
    if assembly_id is not None and str(resolution.assembly_id) != str(assembly_id).strip():
        raise NotFoundError(M("Résolution introuvable."))
    view_assembly(uow, actor=actor, org=org, assembly_id=resolution.assembly_id)
    return resolution


# ---- quorum --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumShown:
    """The quorum a page shows: frozen once the assembly opened, else the live projection; or
    why it cannot be computed (statutes without a quorum, say)."""

    quorum: QuorumView | None
    error: Message | None = None


def quorum_shown(uow: UnitOfWork, org: Organisation, assembly: Assembly) -> QuorumShown:
    try:
        return QuorumShown(assembly_quorum(uow, org, assembly))
    except ConflictError as error:
        return QuorumShown(None, error.message)


# ---- the voting panel ----------------------------------------------------------------------


@dataclass(frozen=True)
class VoteSlot:
    """One ballot a member may cast: for themself or for a principal."""

    principal: Member
    on_behalf: bool
    choice: str | None
    voted: bool
    can_change: bool


@dataclass
class VotingPanel:
    resolution: Resolution
    status: str
    slots: list[VoteSlot] = field(default_factory=list)
    reason: Message | None = None


def _panel(
    uow: UnitOfWork, org: Organisation, me: Member | None, resolution: Resolution
) -> VotingPanel:
    status = effective_status(resolution, uow.now())
    panel = VotingPanel(resolution=resolution, status=status)
    if me is None or me.departed_on is not None:
        panel.reason = M("Vous n'êtes pas membre d'un collège votant.")
        return panel
    lines = {
        line.member_id: line
        for line in attendance_of(uow, get_assembly(uow, org, resolution.assembly_id))
    }
    principals: list[tuple[Member, bool]] = []
    own = lines.get(me.id)
    if not is_voter(me):
        # Not a voter in their own right, but possibly the holder of a proxy.
        panel.reason = M("Vous n'êtes pas membre d'un collège votant.")
    elif own is None or own.mode != "proxy":
        principals.append((me, False))
    else:
        panel.reason = M("Vous avez donné pouvoir pour cette assemblée.")
    for line in lines.values():
        if line.mode == "proxy" and line.holder_id == me.id:
            principal = uow.session.get(Member, line.member_id)
            if principal is not None:
                principals.append((principal, True))
    if not is_voter(me) and principals:
        panel.reason = M(
            "Vous n'êtes pas associé(e) : vous votez seulement pour les pouvoirs que vous détenez."
        )
    for principal, on_behalf in principals:
        if resolution.secret:
            voted = (
                uow.session.execute(
                    select(Emargement.id).where(
                        Emargement.resolution_id == resolution.id,
                        Emargement.member_id == principal.id,
                    )
                ).first()
                is not None
            )
            choice = None
        else:
            choice = uow.session.execute(
                select(Ballot.choice).where(
                    Ballot.resolution_id == resolution.id, Ballot.member_id == principal.id
                )
            ).scalar_one_or_none()
            voted = choice is not None
        is_open = rules.is_open_to_ballots(resolution.status, resolution.deadline, uow.now())
        can_change = is_open and not (resolution.secret and voted)
        panel.slots.append(VoteSlot(principal, on_behalf, choice, voted, can_change))
    return panel


def voting_panel(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    resolution_id: int | str,
    assembly_id: int | str | None = None,
) -> VotingPanel:
    """What the actor may do on this resolution: one slot for themself and one per proxy."""
    resolution = view_resolution(
        uow, actor=actor, org=org, resolution_id=resolution_id, assembly_id=assembly_id
    )
    return _panel(uow, org, membership(uow.session, actor, org.id), resolution)


# ---- pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    resolution: Resolution
    status: str  # what a member reads: past its deadline an open vote is closed
    statutes_version: int | None
    panel: VotingPanel | None  # only while the vote is open


@dataclass(frozen=True)
class AssemblyPage:
    viewer: Viewer
    assembly: Assembly
    agenda: list[AgendaItem]
    quorum: QuorumShown
    attendance: list[AttendanceRow]
    mine: AttendanceRow | None
    is_associate: bool
    has_voted: bool
    holders: list[Member]
    remote_allowed: bool
    records_open: bool


def _versions(uow: UnitOfWork, resolutions: list[Resolution]) -> dict[int, int]:
    """Statutes version id → its number, for the versions these resolutions froze."""
    ids = {r.statutes_version_id for r in resolutions if r.statutes_version_id is not None}
    if not ids:
        return {}
    return {
        v.id: v.number
        for v in uow.session.execute(
            select(StatutesVersion).where(StatutesVersion.id.in_(ids))
        ).scalars()
    }


def agenda_of(
    uow: UnitOfWork,
    org: Organisation,
    resolutions: list[Resolution],
    *,
    me: Member | None = None,
    with_panels: bool = False,
) -> list[AgendaItem]:
    """Each resolution with the status a member sees, its statutes version and, while it is
    open and ``with_panels``, what the member may vote."""
    now = uow.now()
    versions = _versions(uow, resolutions)
    items = []
    for resolution in resolutions:
        status = effective_status(resolution, now)
        panel = _panel(uow, org, me, resolution) if with_panels and status == "open" else None
        items.append(
            AgendaItem(resolution, status, versions.get(resolution.statutes_version_id or 0), panel)
        )
    return items


def _has_voted(uow: UnitOfWork, member: Member, assembly: Assembly) -> bool:
    return any(r.assembly_id == assembly.id for r, _choice in my_history(uow, member))


def assembly_page(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> AssemblyPage:
    """The assembly as one member sees it: agenda with their ballots, quorum, participation."""
    assembly = view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
    who = viewer(uow, actor, org)
    me = who.me
    statutes = load_statutes(current_version(uow, org))
    attendance = attendance_rows(uow, org, assembly)
    return AssemblyPage(
        viewer=who,
        assembly=assembly,
        agenda=agenda_of(uow, org, list_resolutions(uow, assembly), me=me, with_panels=True),
        quorum=quorum_shown(uow, org, assembly),
        attendance=attendance,
        mine=next((row for row in attendance if me and row.member_id == me.id), None),
        is_associate=is_voter(me),
        has_voted=me is not None and _has_voted(uow, me, assembly),
        holders=[m for m in associates(uow, org) if me is None or m.id != me.id],
        remote_allowed=statutes.allow_remote and assembly.remote,
        records_open=who.can_read_records or assembly.status == rules.AssemblyStatus.PUBLISHED,
    )


@dataclass(frozen=True)
class ResolutionPage:
    viewer: Viewer
    assembly: Assembly
    resolution: Resolution
    status: str
    panel: VotingPanel


def resolution_page(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    resolution_id: int | str,
) -> ResolutionPage:
    resolution = view_resolution(
        uow, actor=actor, org=org, resolution_id=resolution_id, assembly_id=assembly_id
    )
    who = viewer(uow, actor, org)
    return ResolutionPage(
        viewer=who,
        assembly=get_assembly(uow, org, resolution.assembly_id),
        resolution=resolution,
        status=effective_status(resolution, uow.now()),
        panel=_panel(uow, org, who.me, resolution),
    )


@dataclass(frozen=True)
class ResultsPage:
    viewer: Viewer
    assembly: Assembly
    resolution: Resolution
    result: dict[str, Any]
    visible: bool
    recorded: bool  # False: past the deadline, the close is not recorded yet (tick records it)
    hashes_public: bool
    hashes: list[str]


def results_page(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    resolution_id: int | str,
    assembly_id: int | str | None = None,
) -> ResultsPage:
    """The result as the actor may see it now, and the public list of secret ballot hashes."""
    resolution = view_resolution(
        uow, actor=actor, org=org, resolution_id=resolution_id, assembly_id=assembly_id
    )
    result = visible_result(uow, org, resolution)
    public = rules.hashes_are_public(resolution.secret, resolution.status)
    return ResultsPage(
        viewer=viewer(uow, actor, org),
        assembly=get_assembly(uow, org, resolution.assembly_id),
        resolution=resolution,
        result=result,
        visible=result.get("visible", True),
        recorded=result.get("recorded", True),
        hashes_public=public,
        hashes=ballot_hashes(uow, resolution) if public else [],
    )


def result_view(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, resolution_id: int | str
) -> dict[str, Any]:
    """The result as the actor may see it: stored after close, live only if the statutes say so
    (and then, for a secret vote, colleges with fewer than 3 expressed ballots stay hidden)."""
    return results_page(uow, actor=actor, org=org, resolution_id=resolution_id).result


@dataclass(frozen=True)
class ConsolePage:
    viewer: Viewer
    assembly: Assembly
    agenda: list[AgendaItem]
    quorum: QuorumShown
    attendance: list[AttendanceRow]
    associates: list[Member]
    remote_allowed: bool

    @property
    def open_resolutions(self) -> list[Resolution]:
        return [item.resolution for item in self.agenda if item.status == "open"]

    @property
    def attendance_modes(self) -> list[str]:
        return [m for m in rules.ATTENDANCE_MODES if m != "remote" or self.remote_allowed]


def console_page(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> ConsolePage:
    """The secretary's console (admin, secretary)."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = view_assembly(uow, actor=actor, org=org, assembly_id=assembly_id)
    statutes = load_statutes(current_version(uow, org))
    return ConsolePage(
        viewer=viewer(uow, actor, org),
        assembly=assembly,
        agenda=agenda_of(uow, org, list_resolutions(uow, assembly)),
        quorum=quorum_shown(uow, org, assembly),
        attendance=attendance_rows(uow, org, assembly),
        associates=associates(uow, org),
        remote_allowed=statutes.allow_remote and assembly.remote,
    )


# ---- a member's own record ------------------------------------------------------------------


def my_history(uow: UnitOfWork, member: Member) -> list[tuple[Resolution, str | None]]:
    """Votes a member cast (never the content of secret ones)."""
    public = uow.session.execute(
        select(Resolution, Ballot.choice)
        .join(Ballot, Ballot.resolution_id == Resolution.id)
        .where(Ballot.member_id == member.id)
    ).all()
    secret = (
        uow.session.execute(
            select(Resolution)
            .join(Emargement, Emargement.resolution_id == Resolution.id)
            .where(Emargement.member_id == member.id)
        )
        .scalars()
        .all()
    )
    rows: list[tuple[Resolution, str | None]] = [(r, c) for r, c in public]
    rows.extend((r, None) for r in secret)
    return sorted(rows, key=lambda row: row[0].id)


def require_reader(uow: UnitOfWork, actor: Actor, org: Organisation) -> None:
    require_member_area(uow.session, actor, org)


def member_name(uow: UnitOfWork, org: Organisation, member_id: int | None) -> str:
    """A member's name for a confirmation message ("" when unknown)."""
    if member_id is None:
        return ""
    return member_names(uow, [member_id]).get(member_id, "")
