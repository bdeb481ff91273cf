"""The feuille de présence: how each associate takes part (present, remote, correspondence,
proxy), and the quorum it gives, live before the opening and frozen at it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from governance.errors import PermissionDeniedError, ValidationError
from governance.i18n import M
from governance.rules import assemblies as rules
from governance.rules.assemblies.tally import quorum_check, required_quorum
from governance.rules.audit_events import AuditAction
from governance.rules.statutes import proxy_cap
from governance.services.authz import Actor, membership, require
from governance.services.orgs import current_version, load_statutes
from governance.store.tables import (
    Assembly,
    Attendance,
    Ballot,
    College,
    Emargement,
    Organisation,
    Resolution,
)
from governance.store.uow import UnitOfWork

from ._common import (
    ORGANISERS,
    READERS,
    associates,
    attendance_of,
    find_member,
    get_assembly,
    is_voter,
    member_names,
)


def _has_voted_in(uow: UnitOfWork, assembly: Assembly, member_id: int) -> bool:
    """Whether the member cast any ballot (public or secret) in this assembly."""
    for table in (Ballot, Emargement):
        found = uow.session.execute(
            select(table.id)
            .join(Resolution, Resolution.id == table.resolution_id)
            .where(Resolution.assembly_id == assembly.id, table.member_id == member_id)
            .limit(1)
        ).first()
        if found:
            return True
    return False


def record_attendance(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    member_id: int | str,
    mode: str,
    holder_id: int | str | None = None,
) -> Attendance:
    """Record how an associate takes part: present, remote, correspondence or proxy.

    The secretary records anyone; an associate records their own attendance or proxy.
    """
    roles = require(uow.session, actor, org, READERS)
    assembly = get_assembly(uow, org, assembly_id)
    rules.ASSEMBLY.apply(
        rules.AssemblyStatus(assembly.status), rules.AssemblyAction.RECORD_ATTENDANCE
    )
    member = find_member(uow, org, member_id, "member")
    me = membership(uow.session, actor, org.id)
    if not roles & ORGANISERS and (me is None or me.id != member.id):
        raise PermissionDeniedError(
            M("Seul le secrétariat enregistre la présence d'un autre associé.")
        )
    if not is_voter(member):
        raise ValidationError.single(
            "member",
            M(
                "{name} n'est pas associé(e) : seuls les associés votent à l'assemblée générale.",
                name=member.name,
            ),
        )
    if mode not in rules.ATTENDANCE_MODES:
        raise ValidationError.single(
            "mode", M("mode vaut {values}.", values=", ".join(rules.ATTENDANCE_MODES))
        )
    statutes = load_statutes(current_version(uow, org))
    rules.check_attendance_mode(
        rules.AttendanceModeFacts(
            mode=mode,
            holder_given=holder_id not in (None, ""),
            statutes_allow_remote=statutes.allow_remote,
            assembly_remote=assembly.remote,
            has_voted=_has_voted_in(uow, assembly, member.id),
            member_name=member.name,
        )
    )
    lines = attendance_of(uow, assembly)
    holder = None
    if mode == "proxy":
        holder = find_member(uow, org, holder_id, "holder") if holder_id not in (None, "") else None
        if holder is not None and holder.id == member.id:
            raise ValidationError.single("holder", M("On ne se donne pas pouvoir à soi-même."))
        held_by = {line.member_id: line.holder_id for line in lines if line.mode == "proxy"}
        rules.check_proxy(
            rules.ProxyFacts(
                principal_name=member.name,
                holder_name=holder.name if holder else None,
                holder_is_associate=is_voter(holder),
                holder_is_member=holder is not None and holder.departed_on is None,
                holder_gave_proxy=holder is not None and holder.id in held_by,
                principal_holds_proxies=sum(1 for h in held_by.values() if h == member.id),
                holder_current_proxies=sum(
                    1
                    for p, h in held_by.items()
                    if holder is not None and h == holder.id and p != member.id
                ),
                cap=proxy_cap(statutes, len(associates(uow, org))),
                holder_must_be_member=statutes.proxy_holder_must_be_member,
            )
        )
    existing = next((line for line in lines if line.member_id == member.id), None)
    before_meeting = assembly.status == rules.AssemblyStatus.CONVENED
    if existing is None:
        existing = Attendance(
            assembly_id=assembly.id,
            member_id=member.id,
            mode=mode,
            holder_id=holder.id if holder else None,
            college_id=member.college_id,
            at=uow.now(),
            before_meeting=before_meeting,
        )
        uow.session.add(existing)
        action = AuditAction.ATTENDANCE_RECORDED
    else:
        existing.mode = rules.AttendanceMode(mode)
        existing.holder_id = holder.id if holder else None
        existing.at = uow.now()
        existing.before_meeting = before_meeting
        action = AuditAction.ATTENDANCE_CHANGED
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=action,
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={
            "member": member.id,
            "mode": mode,
            "holder": holder.id if holder else None,
            "blank_proxy": mode == "proxy" and holder is None,
            "college": member.college_id,
            "before_meeting": before_meeting,
        },
    )
    return existing


@dataclass(frozen=True)
class QuorumView:
    basis: str
    rule: str
    present: int
    remote: int
    represented: int
    correspondence: int
    eligible: int
    attending_ratio: Fraction
    required: Fraction | None
    reached: bool
    frozen: bool = False  # computed at the opening (what the results use), not live

    @property
    def attending(self) -> int:
        return self.present + self.remote + self.represented + self.correspondence

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "rule": self.rule,
            "present": self.present,
            "remote": self.remote,
            "represented": self.represented,
            "correspondence": self.correspondence,
            "eligible": self.eligible,
            "ratio": self.attending_ratio,
            "required": self.required,
            "reached": self.reached,
        }


def compute_quorum(uow: UnitOfWork, org: Organisation, assembly: Assembly) -> QuorumView:
    """The live quorum: today's associates and the feuille de présence as it stands."""
    statutes = load_statutes(current_version(uow, org))
    voters = associates(uow, org)
    lines = {
        line.member_id: rules.AttendanceLine(line.member_id, line.mode, line.before_meeting)
        for line in attendance_of(uow, assembly)
    }
    count = rules.count_for_quorum(((m.id, m.college_id) for m in voters), lines)
    required = required_quorum(statutes, org.legal_form, assembly.kind, assembly.convocation)
    check = quorum_check(
        statutes,
        legal_form=org.legal_form,
        kind=assembly.kind,
        convocation=assembly.convocation,
        attending=count.attending,
        members=count.members,
    )
    return QuorumView(
        basis=statutes.quorum_basis,
        rule=check.rule,
        present=count.by_mode["present"],
        remote=count.by_mode["remote"],
        represented=count.by_mode["proxy"],
        correspondence=count.by_mode["correspondence"],
        eligible=len(voters),
        attending_ratio=check.ratio,
        required=required,
        reached=check.reached,
    )


def frozen_quorum(assembly: Assembly) -> QuorumView | None:
    """The quorum computation recorded when the assembly opened (what the results use)."""
    data = assembly.quorum_record
    if not data:
        return None
    return QuorumView(
        basis=data["basis"],
        rule=data["rule"],
        present=int(data["present"]),
        remote=int(data["remote"]),
        represented=int(data["represented"]),
        correspondence=int(data["correspondence"]),
        eligible=int(data["eligible"]),
        attending_ratio=Fraction(data["ratio"]),
        required=Fraction(data["required"]) if data.get("required") is not None else None,
        reached=bool(data["reached"]),
        frozen=True,
    )


def assembly_quorum(uow: UnitOfWork, org: Organisation, assembly: Assembly) -> QuorumView:
    """The quorum to show: frozen once the assembly opened, the live projection before."""
    return frozen_quorum(assembly) or compute_quorum(uow, org, assembly)


def is_quorate(assembly: Assembly) -> bool:
    """Whether the quorum frozen at the opening was reached (no opening: not quorate)."""
    frozen = frozen_quorum(assembly)
    return frozen is not None and frozen.reached


def quorum(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> QuorumView:
    """The quorum: frozen at the opening once the assembly is open, else the live projection."""
    require(uow.session, actor, org, READERS)
    return assembly_quorum(uow, org, get_assembly(uow, org, assembly_id))


# ---- the feuille de présence ----------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    """One line of the feuille de présence, with names (one builder for page, PV and API)."""

    id: int
    member_id: int
    name: str
    college_id: int | None
    college: str
    mode: str
    holder_id: int | None
    holder: str
    at: datetime
    before_meeting: bool

    @property
    def blank_proxy(self) -> bool:
        return self.mode == "proxy" and self.holder_id is None

    def __getitem__(self, key: str) -> Any:  # templates written for rows as dicts
        return getattr(self, key)


def attendance_rows(uow: UnitOfWork, org: Organisation, assembly: Assembly) -> list[AttendanceRow]:
    """The feuille de présence, sorted by college then name."""
    lines = attendance_of(uow, assembly)
    names = member_names(
        uow, [line.member_id for line in lines] + [h for line in lines if (h := line.holder_id)]
    )
    colleges = {
        c.id: c.name
        for c in uow.session.execute(select(College).where(College.org_id == org.id)).scalars()
    }
    rows = [
        AttendanceRow(
            id=line.id,
            member_id=line.member_id,
            name=names.get(line.member_id, str(line.member_id)),
            college_id=line.college_id,
            college=colleges.get(line.college_id, "") if line.college_id else "",
            mode=line.mode,
            holder_id=line.holder_id,
            holder=names.get(line.holder_id, "") if line.holder_id else "",
            at=line.at,
            before_meeting=line.before_meeting,
        )
        for line in lines
    ]
    return sorted(rows, key=lambda row: (row.college, row.name))


def attendance_row(
    uow: UnitOfWork, org: Organisation, assembly_id: int, member_id: int
) -> AttendanceRow:
    """One member's line, as the API returns it after recording it."""
    assembly = get_assembly(uow, org, assembly_id)
    return next(r for r in attendance_rows(uow, org, assembly) if r.member_id == member_id)
