"""General assemblies: convocation, attendance and proxies, ballots (public and secret), closing,
results, statutes adoption and the procès-verbal data. Every use case checks roles itself."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from governance.errors import (
    ConflictError,
    FieldProblem,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from governance.i18n import M, Message
from governance.mail import EmailMessage
from governance.rules import assemblies as rules
from governance.rules.audit_chain import canonical_json, canonical_value
from governance.rules.statutes import Majority, Statutes, diff_statutes, proxy_cap
from governance.services import tally as tallies
from governance.services.authz import (
    SYSTEM,
    Actor,
    get_org,
    membership,
    require,
    require_member_area,
    roles_in,
)
from governance.services.orgs import (
    INCOMPLETE_CODES,
    check_draft_complete,
    compliance_findings,
    current_version,
    load_statutes,
)
from governance.store.tables import (
    Assembly,
    Attendance,
    Ballot,
    College,
    Emargement,
    Member,
    Organisation,
    Resolution,
    SecretBallot,
    StatutesVersion,
)
from governance.store.uow import UnitOfWork

ORGANISERS = frozenset({"admin", "secretary"})
READERS = frozenset(
    {"member", "participant", "secretary", "auditor", "admin", "facilitator", "jardinier"}
)


# ---- loading ----------------------------------------------------------------------------------


def _db_id(value: int | str | None) -> int:
    """An id as the database can hold it (32-bit); anything else matches no row (-1)."""
    try:
        key = int(str(value))
    except (TypeError, ValueError):
        return -1
    return key if 0 < key <= 2**31 - 1 else -1


def get_assembly(uow: UnitOfWork, org: Organisation, assembly_id: int | str) -> Assembly:
    key = _db_id(assembly_id)
    assembly = uow.session.get(Assembly, key)
    if assembly is None or assembly.org_id != org.id:
        raise NotFoundError(M("Assemblée introuvable."))
    return assembly


def get_resolution(
    uow: UnitOfWork, org: Organisation, resolution_id: int | str, *, lock: str | None = None
) -> Resolution:
    key = _db_id(resolution_id)
    stmt = select(Resolution).where(Resolution.id == key, Resolution.org_id == org.id)
    if lock == "share":
        stmt = stmt.with_for_update(read=True)
    elif lock == "update":
        stmt = stmt.with_for_update()
    resolution = uow.session.execute(stmt).scalar_one_or_none()
    if resolution is None:
        raise NotFoundError(M("Résolution introuvable."))
    return resolution


def _member(uow: UnitOfWork, org: Organisation, member_id: int | str, field_name: str) -> Member:
    key = _db_id(member_id)
    member = uow.session.get(Member, key)
    if member is None or member.org_id != org.id:
        raise ValidationError.single(field_name, M("Membre inconnu : {id}.", id=member_id))
    return member


def is_voter(member: Member | None) -> bool:
    return member is not None and member.status == "associate" and member.departed_on is None


def list_assemblies(uow: UnitOfWork, *, actor: Actor, org: Organisation) -> list[Assembly]:
    require(uow.session, actor, org, READERS)
    roles = roles_in(uow.session, actor, org.id)
    stmt = select(Assembly).where(Assembly.org_id == org.id)
    if not roles & ORGANISERS:
        stmt = stmt.where(Assembly.status != "draft")
    return list(uow.session.execute(stmt.order_by(Assembly.scheduled_at.desc())).scalars())


def list_resolutions(uow: UnitOfWork, assembly: Assembly) -> list[Resolution]:
    return list(
        uow.session.execute(
            select(Resolution)
            .where(Resolution.assembly_id == assembly.id)
            .order_by(Resolution.position)
        ).scalars()
    )


def view_assembly(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> Assembly:
    require(uow.session, actor, org, READERS)
    assembly = get_assembly(uow, org, assembly_id)
    if assembly.status == "draft" and not roles_in(uow.session, actor, org.id) & ORGANISERS:
        raise NotFoundError(M("Assemblée introuvable."))
    return assembly


# ---- preparing --------------------------------------------------------------------------------

# Instants that every time zone can show: two days away from the calendar's ends (years 1, 9999).
_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=2)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)


def _parse_when(value: datetime | str, field_name: str) -> datetime:
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


def create_assembly(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    title: str,
    kind: str,
    convocation: int | str,
    scheduled_at: datetime | str,
    place: str = "",
    remote: bool = False,
) -> Assembly:
    """Create an assembly in draft (admin or secretary)."""
    require(uow.session, actor, org, ORGANISERS)
    problems: list[FieldProblem] = []
    if not title.strip():
        problems.append(FieldProblem("title", M("Le titre est obligatoire.")))
    if kind not in rules.ASSEMBLY_KINDS:
        problems.append(
            FieldProblem(
                "kind", M("kind doit valoir {values}.", values=", ".join(rules.ASSEMBLY_KINDS))
            )
        )
    if str(convocation) not in ("1", "2"):
        problems.append(FieldProblem("convocation", M("convocation vaut 1 ou 2.")))
    when = None
    try:
        when = _parse_when(scheduled_at, "scheduled_at")
    except ValidationError as error:
        problems.extend(error.problems)
    if problems or when is None:
        raise ValidationError(problems)
    assembly = Assembly(
        org_id=org.id,
        title=title.strip(),
        kind=kind,
        convocation=int(str(convocation)),
        scheduled_at=when,
        place=place.strip(),
        remote=bool(remote),
        status="draft",
        created_at=uow.now(),
    )
    uow.session.add(assembly)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action="assembly.created",
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={
            "title": assembly.title,
            "kind": kind,
            "convocation": assembly.convocation,
            "scheduled_at": when,
            "place": assembly.place,
            "remote": assembly.remote,
        },
    )
    return assembly


def add_resolution(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    title: str,
    text: str,
    kind: str = "ordinary",
    majority: str | None = None,
    secret: bool = False,
    board_proposed: bool = True,
    adopts_statutes_draft: bool = False,
) -> Resolution:
    """Add a resolution to the agenda (before the assembly closes)."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    if assembly.status in ("closed", "published"):
        raise ConflictError(M("L'assemblée est close : son ordre du jour ne change plus."))
    statutes = load_statutes(current_version(uow, org))
    problems: list[FieldProblem] = []
    if not title.strip():
        problems.append(FieldProblem("title", M("Le titre est obligatoire.")))
    if not text.strip():
        problems.append(FieldProblem("text", M("Le texte de la résolution est obligatoire.")))
    if kind not in rules.RESOLUTION_KINDS:
        problems.append(
            FieldProblem(
                "kind", M("kind doit valoir {values}.", values=", ".join(rules.RESOLUTION_KINDS))
            )
        )
    name = majority or rules.default_majority_name(kind, assembly.kind, statutes.majority_defaults)
    try:
        name = Majority.parse(name, "majority").name
        if len(name) > 40:
            raise ValidationError.single(
                "majority", M("Majorité trop longue : écrivez la fraction en plus court.")
            )
    except ValidationError as error:
        problems.extend(error.problems)
    draft_id = None
    if adopts_statutes_draft:
        draft = uow.session.execute(
            select(StatutesVersion).where(
                StatutesVersion.org_id == org.id, StatutesVersion.status == "draft"
            )
        ).scalar_one_or_none()
        if draft is None:
            problems.append(
                FieldProblem(
                    "adopts_statutes_draft",
                    M("Il n'y a pas de projet de statuts à adopter : préparez-le d'abord."),
                )
            )
        else:
            check_draft_complete(draft)
            draft_id = draft.id
    if problems:
        raise ValidationError(problems)
    position = (
        uow.session.execute(
            select(func.max(Resolution.position)).where(Resolution.assembly_id == assembly.id)
        ).scalar_one()
        or 0
    ) + 1
    resolution = Resolution(
        org_id=org.id,
        assembly_id=assembly.id,
        position=position,
        title=title.strip(),
        text=text.strip(),
        kind=kind,
        majority=name,
        secret=bool(secret),
        board_proposed=bool(board_proposed),
        adopts_statutes_id=draft_id,
        status="draft",
    )
    uow.session.add(resolution)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action="resolution.created",
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={
            "assembly": assembly.id,
            "position": position,
            "title": resolution.title,
            "text": resolution.text,
            "kind": kind,
            "majority": name,
            "secret": resolution.secret,
            "board_proposed": resolution.board_proposed,
            "adopts_statutes_version": draft_id,
        },
    )
    return resolution


def update_minutes(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    **fields: str,
) -> Assembly:
    """Edit the minutes' content: bureau, documents, summary of debates, incidents (secretary)."""
    require(uow.session, actor, org, {"secretary", "admin"})
    assembly = get_assembly(uow, org, assembly_id)
    if assembly.status == "published":
        raise ConflictError(M("Le procès-verbal est publié : il ne se modifie plus."))
    allowed = ("chair", "secretary_name", "scrutineers", "documents", "debates", "incidents")
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError.single(unknown[0], M("Champ inconnu : {f}.", f=unknown[0]))
    changed = {}
    for name, value in fields.items():
        value = (value or "").strip()
        if len(value) > 20000:
            raise ValidationError.single(name, M("Texte trop long (20 000 caractères au plus)."))
        if getattr(assembly, name) != value:
            setattr(assembly, name, value)
            changed[name] = value
    if changed:
        uow.record(
            actor=actor.label,
            action="assembly.minutes_edited",
            subject_type="assembly",
            subject_id=assembly.id,
            org_id=org.id,
            payload=changed,
        )
    return assembly


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


def convene(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    mode: str,
    base_url: str,
) -> Assembly:
    """Send the convocation (agenda and link) and record it; ends the statutes' setup mode."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    rules.check_transition(assembly.status, "convened")
    if mode not in rules.CONVOCATION_MODES:
        raise ValidationError.single(
            "mode", M("mode vaut {values}.", values=", ".join(rules.CONVOCATION_MODES))
        )
    statutes = load_statutes(current_version(uow, org))
    tallies.required_quorum(statutes, org.legal_form, assembly.kind, assembly.convocation)
    findings = compliance_findings(uow, org)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ConflictError(
            M(
                "Les statuts ne sont pas valides ({problem}) : corrigez-les avant de convoquer.",
                problem=errors[0].message,
            )
        )
    warnings = [
        f
        for f in findings
        if f.severity == "warning" and f.code not in INCOMPLETE_CODES and f.code != "quorum_missing"
    ]
    if warnings and org.compliance_acknowledged_at is None:
        raise ConflictError(
            M(
                "Avertissement de conformité non pris en compte ({problem}) : un administrateur "
                "doit le reconnaître sur le tableau de bord avant de convoquer.",
                problem=warnings[0].message,
            )
        )
    agenda = list_resolutions(uow, assembly)
    recipients = associates(uow, org)
    now = uow.now()
    assembly.status = "convened"
    assembly.convened_at = now
    assembly.convocation_mode = mode
    assembly.convocation_recipients = len(recipients)
    if org.setup_closed_at is None:
        org.setup_closed_at = now
    link = f"{base_url.rstrip('/')}/orgs/{org.slug}/assemblies/{assembly.id}"
    if mode in ("email", "both"):
        lines = "\n".join(f"  {r.position}. {r.title}" for r in agenda) or "  (à venir)"
        for member in recipients:
            uow.send_after_commit(
                EmailMessage(
                    to=member.user.email,
                    subject=f"Convocation : {assembly.title} — {org.name}",
                    body=(
                        f"Bonjour {member.name},\n\n"
                        f"Vous êtes convoqué(e) à l'{rules.ASSEMBLY_KIND_LABELS[assembly.kind]} "
                        f"« {assembly.title} » de {org.name}, "
                        f"le {_local(assembly.scheduled_at, org):%d/%m/%Y à %H:%M} ({org.timezone})"
                        f"{', ' + assembly.place if assembly.place else ''}.\n\n"
                        f"Ordre du jour :\n{lines}\n\n"
                        f"Consultez les documents, donnez pouvoir ou votez : {link}\n"
                    ),
                )
            )
    uow.record(
        actor=actor.label,
        action="assembly.convened",
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={
            "mode": mode,
            "recipients": len(recipients),
            "at": now,
            "agenda": [r.id for r in agenda],
            "statutes_version": current_version(uow, org).number,
        },
    )
    return assembly


# ---- attendance and proxies ------------------------------------------------------------------


def attendance_of(uow: UnitOfWork, assembly: Assembly) -> list[Attendance]:
    return list(
        uow.session.execute(
            select(Attendance).where(Attendance.assembly_id == assembly.id).order_by(Attendance.id)
        ).scalars()
    )


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
    if assembly.status not in ("convened", "open"):
        raise ConflictError(
            M("La feuille de présence n'est ouverte que pour une assemblée convoquée ou ouverte.")
        )
    member = _member(uow, org, member_id, "member")
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
    if mode == "remote" and not statutes.allow_remote:
        raise ValidationError.single(
            "mode", M("Les statuts ne prévoient pas la participation à distance.")
        )
    if mode == "remote" and not assembly.remote:
        raise ValidationError.single(
            "mode", M("Cette assemblée n'est pas ouverte à la participation à distance.")
        )
    if mode != "proxy" and holder_id not in (None, ""):
        raise ValidationError.single("holder", M("Un mandataire ne se donne qu'avec un pouvoir."))
    if (
        uow.session.execute(
            select(Ballot.id)
            .join(Resolution, Resolution.id == Ballot.resolution_id)
            .where(Resolution.assembly_id == assembly.id, Ballot.member_id == member.id)
            .limit(1)
        ).first()
        or uow.session.execute(
            select(Emargement.id)
            .join(Resolution, Resolution.id == Emargement.resolution_id)
            .where(Resolution.assembly_id == assembly.id, Emargement.member_id == member.id)
            .limit(1)
        ).first()
    ):
        raise ConflictError(
            M("{name} a déjà voté : sa participation ne peut plus changer.", name=member.name)
        )
    lines = attendance_of(uow, assembly)
    holder = None
    if mode == "proxy":
        holder = _member(uow, org, holder_id, "holder") if holder_id not in (None, "") else None
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
    before_meeting = assembly.status == "convened"
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
        action = "attendance.recorded"
    else:
        existing.mode = mode
        existing.holder_id = holder.id if holder else None
        existing.at = uow.now()
        existing.before_meeting = before_meeting
        action = "attendance.changed"
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
    statutes = load_statutes(current_version(uow, org))
    voters = associates(uow, org)
    lines = {line.member_id: line for line in attendance_of(uow, assembly)}
    counted: dict[str, int] = {"present": 0, "remote": 0, "proxy": 0, "correspondence": 0}
    per_college_attending: dict[int | None, int] = {}
    per_college_total: dict[int | None, int] = {}
    for member in voters:
        per_college_total[member.college_id] = per_college_total.get(member.college_id, 0) + 1
        line = lines.get(member.id)
        if line is None:
            continue
        if line.mode == "correspondence" and not line.before_meeting:
            continue  # only forms received before the meeting count for quorum
        counted[line.mode] += 1
        per_college_attending[member.college_id] = (
            per_college_attending.get(member.college_id, 0) + 1
        )
    required = tallies.required_quorum(
        statutes, org.legal_form, assembly.kind, assembly.convocation
    )
    check = tallies.quorum_check(
        statutes,
        legal_form=org.legal_form,
        kind=assembly.kind,
        convocation=assembly.convocation,
        attending=per_college_attending,
        members=per_college_total,
    )
    return QuorumView(
        basis=statutes.quorum_basis,
        rule=check.rule,
        present=counted["present"],
        remote=counted["remote"],
        represented=counted["proxy"],
        correspondence=counted["correspondence"],
        eligible=len(voters),
        attending_ratio=check.ratio,
        required=required,
        reached=check.reached,
    )


def quorum(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> QuorumView:
    """The quorum: frozen at the opening once the assembly is open, else the live projection."""
    require(uow.session, actor, org, READERS)
    assembly = get_assembly(uow, org, assembly_id)
    return frozen_quorum(assembly) or compute_quorum(uow, org, assembly)


def frozen_quorum(assembly: Assembly) -> QuorumView | None:
    """The quorum computation recorded when the assembly opened (what the results use)."""
    if not assembly.quorum_record:
        return None
    data = json.loads(assembly.quorum_record)
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
    )


def open_assembly(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> QuorumView:
    """Open the meeting and freeze its quorum computation (a non-quorate one may still debate)."""
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    if assembly.status == "open":
        return frozen_quorum(assembly) or compute_quorum(uow, org, assembly)
    rules.check_transition(assembly.status, "open")
    view = compute_quorum(uow, org, assembly)
    assembly.status = "open"
    assembly.opened_at = uow.now()
    assembly.quorum_record = canonical_json(view.to_dict())
    uow.record(
        actor=actor.label,
        action="assembly.opened",
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={"quorum": view.to_dict()},
    )
    return view


# ---- resolutions: open, vote, close ------------------------------------------------------------


def is_past_deadline(resolution: Resolution, now: datetime) -> bool:
    return resolution.deadline is not None and now >= resolution.deadline


def close_is_due(resolution: Resolution, now: datetime) -> bool:
    """True when the vote is past its deadline but its close is not recorded yet."""
    return resolution.status == "open" and is_past_deadline(resolution, now)


def effective_status(resolution: Resolution, now: datetime) -> str:
    """The status a user sees: past its deadline, an open resolution is closed already."""
    if resolution.status == "open" and is_past_deadline(resolution, now):
        return "closed"
    return resolution.status


def open_resolution(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    resolution_id: int | str,
    deadline: datetime | str | None = None,
    base_url: str = "",
) -> Resolution:
    """Open the vote; text, majority, secrecy and statutes version are frozen from now on.

    With a deadline (a vote at a distance) every associate is told by email that it is open.
    """
    require(uow.session, actor, org, ORGANISERS)
    resolution = get_resolution(uow, org, resolution_id, lock="update")
    if resolution.status == "open":
        return resolution
    if resolution.status != "draft":
        raise ConflictError(M("Le vote sur cette résolution est clos."))
    assembly = get_assembly(uow, org, resolution.assembly_id)
    if assembly.status != "open":
        raise ConflictError(M("Ouvrez d'abord l'assemblée : le vote se fait en séance."))
    when = None
    if deadline not in (None, ""):
        when = _parse_when(deadline, "deadline")
        if when <= uow.now():
            raise ValidationError.single("deadline", M("L'échéance doit être dans le futur."))
    if resolution.adopts_statutes_id is not None:
        draft = uow.session.get(StatutesVersion, resolution.adopts_statutes_id)
        if draft is None or draft.status != "draft":
            raise ConflictError(
                M("Ce projet de statuts n'est plus un projet : ouvrez une nouvelle résolution.")
            )
        check_draft_complete(draft)
    version = current_version(uow, org)
    resolution.status = "open"
    resolution.opened_at = uow.now()
    resolution.deadline = when
    resolution.statutes_version_id = version.id
    uow.record(
        actor=actor.label,
        action="resolution.opened",
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
        local = _local(when, org)
        for member in associates(uow, org):
            uow.send_after_commit(
                EmailMessage(
                    to=member.user.email,
                    subject=f"Vote ouvert : {resolution.title} — {org.name}",
                    body=(
                        f"Bonjour {member.name},\n\n"
                        f"Le vote sur la résolution « {resolution.title} » est ouvert jusqu'au "
                        f"{local:%d/%m/%Y à %H:%M} ({org.timezone}).\n\n"
                        f"Votez ici : {_assembly_link(base_url, org, resolution.assembly_id)}\n"
                    ),
                )
            )
    return resolution


def open_all_resolutions(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org: Organisation,
    assembly_id: int | str,
    deadline: datetime | str | None = None,
    base_url: str = "",
) -> list[Resolution]:
    """Open the vote on every resolution of the agenda still in draft, in order, together.

    One transaction: if one of them cannot open (a statutes draft with errors…), none does.
    """
    require(uow.session, actor, org, ORGANISERS)
    assembly = get_assembly(uow, org, assembly_id)
    waiting = [r for r in list_resolutions(uow, assembly) if r.status == "draft"]
    if not waiting:
        raise ConflictError(M("Aucune résolution de l'ordre du jour n'attend l'ouverture du vote."))
    return [
        open_resolution(
            uow,
            actor=actor,
            org=org,
            resolution_id=resolution.id,
            deadline=deadline,
            base_url=base_url,
        )
        for resolution in waiting
    ]


@dataclass(frozen=True)
class BallotReceipt:
    """What a voter keeps: for a secret ballot, the code and the hash listed at close."""

    member_id: int
    choice: str | None
    code: str | None = None
    ballot_hash: str | None = None
    changed: bool = False


def _local(when: datetime, org: Organisation) -> datetime:
    """A stored UTC time in the organisation's time zone (what members read)."""
    return when.astimezone(ZoneInfo(org.timezone))


def _closed_message(resolution: Resolution, org: Organisation) -> ConflictError:
    when = resolution.closed_at or resolution.deadline
    if when is not None:
        local = _local(when, org)
        return ConflictError(
            M(
                "Le vote est clos depuis le {day} à {time}.",
                day=f"{local:%d/%m/%Y}",
                time=f"{local:%H:%M}",
            )
        )
    return ConflictError(M("Le vote sur cette résolution est clos."))


class _AttendanceLookup:
    """The attendance lines of one assembly, loaded one member at a time and cached."""

    def __init__(self, uow: UnitOfWork, assembly_id: int) -> None:
        self._uow = uow
        self._assembly_id = assembly_id
        self._cache: dict[int, Attendance | None] = {}

    def get(self, member_id: int) -> Attendance | None:
        if member_id not in self._cache:
            self._cache[member_id] = self._uow.session.execute(
                select(Attendance).where(
                    Attendance.assembly_id == self._assembly_id,
                    Attendance.member_id == member_id,
                )
            ).scalar_one_or_none()
        return self._cache[member_id]

    def __contains__(self, member_id: int) -> bool:
        return self.get(member_id) is not None

    def __getitem__(self, member_id: int) -> Attendance:
        line = self.get(member_id)
        if line is None:
            raise KeyError(member_id)
        return line


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
) -> BallotReceipt:
    """Cast (or change) a ballot: for oneself, for a principal one holds a proxy from, or — by
    the secretary — a paper correspondence form for ``member_id``."""
    roles = require(uow.session, actor, org, READERS)
    # A share lock: ballots run side by side, closing waits for them (no ballot after close).
    resolution = get_resolution(uow, org, resolution_id, lock="share")
    now = uow.now()
    if effective_status(resolution, now) != "open":
        if resolution.status == "draft":
            raise ConflictError(M("Le vote sur cette résolution n'est pas encore ouvert."))
        raise _closed_message(resolution, org)
    rules.check_choice(choice)
    assembly = get_assembly(uow, org, resolution.assembly_id)
    me = membership(uow.session, actor, org.id)
    lines = _AttendanceLookup(uow, assembly.id)  # one row at a time: no full sheet per ballot
    if channel == "correspondence":
        if not roles & ORGANISERS:
            raise PermissionDeniedError(
                M("Seul le secrétariat enregistre les formulaires de vote par correspondance.")
            )
        if member_id in (None, ""):
            raise ValidationError.single("member", M("Indiquez l'associé dont c'est le vote."))
        principal = _member(uow, org, member_id, "member")
        cast_by = me
    elif channel == "direct":
        # A proxy holder need not vote in their own right (statutes may let a participant hold
        # one): only a vote for oneself needs an associate.
        if me is None or me.departed_on is not None:
            raise PermissionDeniedError(M("Vous n'êtes pas membre d'un collège votant."))
        cast_by = me
        if on_behalf_of in (None, "") or str(on_behalf_of) == str(me.id):
            if not is_voter(me):
                raise PermissionDeniedError(M("Vous n'êtes pas membre d'un collège votant."))
            principal = me
            own = lines.get(me.id)
            if own is not None and own.mode == "proxy":
                raise ConflictError(
                    M(
                        "Vous avez donné pouvoir pour cette assemblée : votre mandataire vote "
                        "pour vous."
                    )
                )
        else:
            principal = _member(uow, org, on_behalf_of, "on_behalf_of")
            line = lines.get(principal.id)
            if line is None or line.mode != "proxy" or line.holder_id != me.id:
                raise PermissionDeniedError(
                    M(
                        "Vous ne détenez pas de pouvoir de {name} pour cette assemblée.",
                        name=principal.name,
                    )
                )
            channel = "proxy"
    else:
        raise ValidationError.single("channel", M("channel vaut direct ou correspondence."))
    if not is_voter(principal):
        raise ValidationError.single(
            "member",
            M(
                "{name} n'est pas associé(e) : pas de vote à l'assemblée générale.",
                name=principal.name,
            ),
        )
    if (
        principal.college_id is None
        and load_statutes(
            uow.session.get(StatutesVersion, resolution.statutes_version_id)  # type: ignore[arg-type]
        ).uses_colleges
    ):
        raise PermissionDeniedError(M("Vous n'êtes pas membre d'un collège votant."))
    if principal.id not in lines:
        try:
            with uow.session.begin_nested():  # a concurrent first ballot may record it too
                uow.session.add(
                    Attendance(
                        assembly_id=assembly.id,
                        member_id=principal.id,
                        mode="correspondence" if channel == "correspondence" else "present",
                        college_id=principal.college_id,
                        at=now,
                        before_meeting=False,
                    )
                )
                uow.session.flush()
        except IntegrityError:
            pass  # already on the feuille de présence: nothing to add
    elif channel == "correspondence" and lines[principal.id].mode != "correspondence":
        raise ConflictError(
            M(
                "{name} participe déjà à l'assemblée ({mode}).",
                name=principal.name,
                mode=rules.ATTENDANCE_LABELS[lines[principal.id].mode],
            )
        )
    # Every time the ballot records is ``now``, read when the vote was found open: a ballot let
    # in just before a deadline is never stamped after it.
    cast = _cast_secret if resolution.secret else _cast_public
    return cast(uow, actor, org, resolution, principal, cast_by, choice, channel, now)


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
        ballot.choice = choice
        ballot.channel = channel
        ballot.cast_by_id = cast_by.id if cast_by else None
        ballot.cast_at = now
        ballot.changes += 1
    uow.record(
        actor=actor.label,
        action="ballot.changed" if changed else "ballot.cast",
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
        raise ConflictError(
            M(
                "Vote à bulletin secret : le bulletin de {name} est déjà déposé et ne peut plus "
                "changer.",
                name=principal.name,
            )
        )
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
        raise ConflictError(
            M(
                "Vote à bulletin secret : le bulletin de {name} est déjà déposé et ne peut plus "
                "changer.",
                name=principal.name,
            )
        ) from None
    _reseal_ballot_box(
        uow,
        resolution.id,
        {"ballot_hash": digest, "college_id": principal.college_id, "choice": choice},
    )
    # Émargement only: no choice, no college, nothing that re-links the ballot.
    uow.record(
        actor=actor.label,
        action="ballot.cast",
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={"member": principal.id, "secret": True, "channel": channel},
    )
    return BallotReceipt(member_id=principal.id, choice=None, code=code, ballot_hash=digest)


# Namespace of the PostgreSQL advisory locks that serialise the writes to one ballot box.
_BALLOT_BOX_LOCK = 0x7465_7272  # "terr"


def _reseal_ballot_box(
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


def _statutes_of(uow: UnitOfWork, resolution: Resolution) -> tuple[StatutesVersion, Statutes]:
    version = uow.session.get(StatutesVersion, resolution.statutes_version_id)
    assert version is not None
    return version, load_statutes(version)


def _add_blank_proxy_ballots(uow: UnitOfWork, resolution: Resolution) -> int:
    """At close, each blank proxy votes with the board (for) or against the others."""
    blank = (
        uow.session.execute(
            select(Attendance).where(
                Attendance.assembly_id == resolution.assembly_id,
                Attendance.mode == "proxy",
                Attendance.holder_id.is_(None),
            )
        )
        .scalars()
        .all()
    )
    choice = rules.blank_proxy_choice(resolution.board_proposed)
    added = 0
    for line in blank:
        member = uow.session.get(Member, line.member_id)
        if not is_voter(member):
            continue
        assert member is not None
        if resolution.secret:
            if uow.session.execute(
                select(Emargement.id).where(
                    Emargement.resolution_id == resolution.id, Emargement.member_id == member.id
                )
            ).first():
                continue
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
            if uow.session.execute(
                select(Ballot.id).where(
                    Ballot.resolution_id == resolution.id, Ballot.member_id == member.id
                )
            ).first():
                continue
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
        added += 1
    uow.session.flush()
    return added


def counts_by_college(uow: UnitOfWork, resolution: Resolution) -> dict[int | None, dict[str, int]]:
    table = SecretBallot if resolution.secret else Ballot
    rows = uow.session.execute(
        select(table.college_id, table.choice, func.count())
        .where(table.resolution_id == resolution.id)
        .group_by(table.college_id, table.choice)
    ).all()
    counts: dict[int | None, dict[str, int]] = {}
    for college_id, choice, n in rows:
        counts.setdefault(college_id, {})[choice] = int(n)
    return counts


def members_by_college(uow: UnitOfWork, org: Organisation) -> dict[int | None, int]:
    rows = uow.session.execute(
        select(Member.college_id, func.count())
        .where(Member.org_id == org.id, Member.status == "associate", Member.departed_on.is_(None))
        .group_by(Member.college_id)
    ).all()
    return {college_id: int(n) for college_id, n in rows}


def _college_names(uow: UnitOfWork, org: Organisation) -> dict[int, str]:
    return {
        c.id: c.name
        for c in uow.session.execute(select(College).where(College.org_id == org.id)).scalars()
    }


def compute_result(
    uow: UnitOfWork,
    org: Organisation,
    resolution: Resolution,
    *,
    quorate: bool,
    members: dict[int | None, int] | None = None,
) -> dict[str, Any]:
    """Tally the stored ballots with the statutes version frozen at opening (plain JSON dict).

    ``members`` (college → associates) defaults to today's; a recount passes the stored ones.
    """
    version, statutes = _statutes_of(uow, resolution)
    assembly = get_assembly(uow, org, resolution.assembly_id)
    if (
        rules.is_sarl_second_ordinary_consultation(
            org.legal_form, assembly.kind, assembly.convocation
        )
        and statutes.abstention_policy == "counts_against"
    ):
        # A SARL's ordinary decisions need more than half of all votes at the first
        # consultation, then a majority of the votes cast at the second (C. com. L223-29).
        statutes = replace(statutes, abstention_policy="excluded")
    return tallies.tally_resolution(
        statutes=statutes,
        statutes_version=version.number,
        majority=Majority.parse(resolution.majority),
        counts=counts_by_college(uow, resolution),
        members=members if members is not None else members_by_college(uow, org),
        college_names=_college_names(uow, org),
        quorate=quorate,
    )


def _rowcount(uow: UnitOfWork, statement: Any) -> int:
    """Rows touched by a conditional UPDATE (the compare-and-set that makes closing race-safe)."""
    result = uow.session.execute(statement)
    return int(getattr(result, "rowcount", 0))


def _assembly_quorate(assembly: Assembly) -> bool:
    if not assembly.quorum_record:
        return False
    return bool(json.loads(assembly.quorum_record).get("reached"))


def close_resolution(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, resolution_id: int | str
) -> Resolution:
    """Close the vote and store its tally. Idempotent; safe when several closers race."""
    if not actor.system:
        require(uow.session, actor, org, ORGANISERS)
    resolution = get_resolution(uow, org, resolution_id)
    if resolution.status in ("closed", "cancelled"):
        return resolution
    if resolution.status == "draft":
        raise ConflictError(M("Le vote sur cette résolution n'a pas été ouvert."))
    # The conditional update is the lock: one closer wins, the others see it closed. It waits
    # for the ballots in flight (they hold a share lock on the row), so the closing time is read
    # only once it has won: every ballot counted is then earlier than the close.
    won = _rowcount(
        uow,
        update(Resolution)
        .where(Resolution.id == resolution.id, Resolution.status == "open")
        .values(status="closed")
        .execution_options(synchronize_session=False),
    )
    uow.session.refresh(resolution)
    if not won:
        return resolution
    now = uow.now()
    resolution.closed_at = resolution.deadline if is_past_deadline(resolution, now) else now
    _add_blank_proxy_ballots(uow, resolution)
    if resolution.secret:
        _reseal_ballot_box(uow, resolution.id)
    assembly = get_assembly(uow, org, resolution.assembly_id)
    result = compute_result(uow, org, resolution, quorate=_assembly_quorate(assembly))
    resolution.result = canonical_json(result)
    resolution.adopted = bool(result["adopted"])
    payload: dict[str, Any] = {"result": result}
    if resolution.secret:
        payload["ballot_hashes"] = ballot_hashes(uow, resolution)
    uow.record(
        actor=actor.label,
        action="resolution.closed",
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
    current.status = "superseded"
    uow.session.flush()
    draft.status = "current"
    draft.effective_at = uow.now()
    draft.adopted_by = f"resolution:{resolution.id}"
    uow.record(
        actor=actor.label,
        action="statutes.adopted",
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


def ballot_hashes(uow: UnitOfWork, resolution: Resolution) -> list[str]:
    return sorted(
        uow.session.execute(
            select(SecretBallot.ballot_hash).where(SecretBallot.resolution_id == resolution.id)
        ).scalars()
    )


def cancel_resolution(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, resolution_id: int | str, reason: str
) -> Resolution:
    """Close without result (to change a frozen resolution, open a new one instead)."""
    require(uow.session, actor, org, ORGANISERS)
    resolution = get_resolution(uow, org, resolution_id, lock="update")
    if resolution.status in ("closed", "cancelled"):
        raise ConflictError(M("Cette résolution est déjà close."))
    if not reason.strip():
        raise ValidationError.single("reason", M("Indiquez pourquoi la résolution est retirée."))
    resolution.status = "cancelled"
    resolution.closed_at = uow.now()
    uow.record(
        actor=actor.label,
        action="resolution.cancelled",
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
    voting = [r for r in list_resolutions(uow, assembly) if r.status == "open"]
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
    if assembly.status in ("closed", "published"):
        return assembly
    rules.check_transition(assembly.status, "closed")
    for resolution in list_resolutions(uow, assembly):
        if resolution.status == "open":
            close_resolution(uow, actor=actor, org=org, resolution_id=resolution.id)
    won = _rowcount(
        uow,
        update(Assembly)
        .where(Assembly.id == assembly.id, Assembly.status == "open")
        .values(status="closed", closed_at=uow.now())
        .execution_options(synchronize_session=False),
    )
    uow.session.refresh(assembly)
    if won:
        uow.record(
            actor=actor.label,
            action="assembly.closed",
            subject_type="assembly",
            subject_id=assembly.id,
            org_id=org.id,
            payload={},
        )
    return assembly


def publish_minutes(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, assembly_id: int | str
) -> Assembly:
    """Publish the procès-verbal (secretary); its content no longer changes."""
    require(uow.session, actor, org, {"secretary", "admin"})
    assembly = get_assembly(uow, org, assembly_id)
    rules.check_transition(assembly.status, "published")
    assembly.status = "published"
    assembly.published_at = uow.now()
    uow.record(
        actor=actor.label,
        action="minutes.published",
        subject_type="assembly",
        subject_id=assembly.id,
        org_id=org.id,
        payload={"at": assembly.published_at},
    )
    return assembly


def due_resolutions(uow: UnitOfWork, now: datetime) -> list[tuple[int, int]]:
    """(organisation id, resolution id) of open resolutions whose deadline has passed."""
    return [
        (org_id, rid)
        for org_id, rid in uow.session.execute(
            select(Resolution.org_id, Resolution.id).where(
                Resolution.status == "open",
                Resolution.deadline.is_not(None),
                Resolution.deadline <= now,
            )
        ).all()
    ]


def _assembly_link(base_url: str, org: Organisation, assembly_id: int) -> str:
    return f"{base_url.rstrip('/')}/orgs/{org.slug}/assemblies/{assembly_id}"


REMINDER_BEFORE = timedelta(hours=24)


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


def remind_voters(uow: UnitOfWork, org: Organisation, resolution: Resolution, base_url: str) -> int:
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
    local = _local(resolution.deadline, org)
    sent = 0
    for member in associates(uow, org):
        if member.id in proxies or _has_voted(uow, resolution, member.id):
            continue
        uow.send_after_commit(
            EmailMessage(
                to=member.user.email,
                subject=f"Dernier jour pour voter : {resolution.title} — {org.name}",
                body=(
                    f"Bonjour {member.name},\n\n"
                    f"Le vote sur la résolution « {resolution.title} » se clôt le "
                    f"{local:%d/%m/%Y à %H:%M} ({org.timezone}) et vous n'avez pas encore "
                    f"voté.\n\nVotez ici : "
                    f"{_assembly_link(base_url, org, resolution.assembly_id)}\n"
                ),
            )
        )
        sent += 1
    uow.record(
        actor=SYSTEM.label,
        action="resolution.reminder_sent",
        subject_type="resolution",
        subject_id=resolution.id,
        org_id=org.id,
        payload={"recipients": sent},
    )
    return sent


def _notify_closed(
    uow: UnitOfWork, org: Organisation, resolution: Resolution, base_url: str
) -> None:
    """Tell the associates that a vote closed at its deadline and where to read the result."""
    outcome = "adoptée" if resolution.adopted else "non adoptée"
    link = (
        f"{_assembly_link(base_url, org, resolution.assembly_id)}"
        f"/resolutions/{resolution.id}/results"
    )
    for member in associates(uow, org):
        uow.send_after_commit(
            EmailMessage(
                to=member.user.email,
                subject=f"Vote clos : {resolution.title} — {org.name}",
                body=(
                    f"Bonjour {member.name},\n\n"
                    f"Le vote sur la résolution « {resolution.title} » est clos : résolution "
                    f"{outcome}.\n\nRésultat détaillé par collège : {link}\n"
                ),
            )
        )


def record_deadline_close(
    uow: UnitOfWork, *, org: Organisation, resolution_id: int | str, base_url: str = ""
) -> bool:
    """Record the close of a vote past its deadline (as ``system``) and announce it.

    What ``terreau tick`` does for each due vote, and what a request that finds a vote past its
    deadline does at once (so results never wait for the cron). True if this call closed it.
    """
    resolution = get_resolution(uow, org, resolution_id)
    if not close_is_due(resolution, uow.now()):
        return False
    resolution = close_resolution(uow, actor=SYSTEM, org=org, resolution_id=resolution.id)
    if not uow.session.info.get(("closed_here", resolution.id)):
        return False
    _notify_closed(uow, org, resolution, base_url)
    return True


def settle_deadline(
    uow_factory: Callable[[], UnitOfWork],
    *,
    org_key: str | int,
    resolution_id: int | str,
    base_url: str = "",
) -> None:
    """In a transaction of its own, record the close of a vote found past its deadline."""
    with uow_factory() as uow:
        org = get_org(uow.session, org_key)
        if record_deadline_close(uow, org=org, resolution_id=resolution_id, base_url=base_url):
            uow.commit()


@dataclass
class TickReport:
    closed: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)


def tick(uow_factory: Callable[[], UnitOfWork], base_url: str = "") -> TickReport:
    """Record the closing of every resolution past its deadline and send the notifications
    (closing, and the reminder 24 h before); safe to run concurrently, from cron."""
    report = TickReport()
    with uow_factory() as uow:
        now = uow.now()
        due = due_resolutions(uow, now)
        soon = [
            (org_id, rid)
            for org_id, rid in uow.session.execute(
                select(Resolution.org_id, Resolution.id).where(
                    Resolution.status == "open",
                    Resolution.deadline.is_not(None),
                    Resolution.deadline > now,
                    Resolution.deadline <= now + REMINDER_BEFORE,
                    Resolution.reminded_at.is_(None),
                )
            ).all()
        ]
    for org_id, resolution_id in due:
        with uow_factory() as uow:
            org = uow.session.get(Organisation, org_id)
            assert org is not None
            if record_deadline_close(uow, org=org, resolution_id=resolution_id, base_url=base_url):
                report.closed.append(resolution_id)
            uow.commit()
    for org_id, resolution_id in soon:
        with uow_factory() as uow:
            org = uow.session.get(Organisation, org_id)
            assert org is not None
            resolution = get_resolution(uow, org, resolution_id)
            if remind_voters(uow, org, resolution, base_url):
                report.reminded.append(resolution_id)
            uow.commit()
    return report


# ---- what a member sees ----------------------------------------------------------------------


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


def voting_panel(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, resolution_id: int | str
) -> VotingPanel:
    """What the actor may do on this resolution: one slot for themself and one per proxy."""
    require(uow.session, actor, org, READERS)
    resolution = get_resolution(uow, org, resolution_id)
    status = effective_status(resolution, uow.now())
    panel = VotingPanel(resolution=resolution, status=status)
    me = membership(uow.session, actor, org.id)
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
        can_change = status == "open" and not (resolution.secret and voted)
        panel.slots.append(VoteSlot(principal, on_behalf, choice, voted, can_change))
    return panel


def result_view(
    uow: UnitOfWork, *, actor: Actor, org: Organisation, resolution_id: int | str
) -> dict[str, Any]:
    """The result as the actor may see it: stored after close, live only if the statutes say so
    (and then, for a secret vote, colleges with fewer than 3 expressed ballots stay hidden)."""
    require(uow.session, actor, org, READERS)
    resolution = get_resolution(uow, org, resolution_id)
    status = effective_status(resolution, uow.now())
    if resolution.status == "closed" and resolution.result:
        return {"status": "closed", **json.loads(resolution.result)}
    if resolution.status in ("draft", "cancelled"):
        return {"status": resolution.status, "visible": False}
    _version, statutes = _statutes_of(uow, resolution)
    if statutes.results_visibility != "live" or status != "open":
        return {"status": status, "visible": False}
    assembly = get_assembly(uow, org, resolution.assembly_id)
    live = compute_result(uow, org, resolution, quorate=_assembly_quorate(assembly))
    live = canonical_value(live)
    if resolution.secret and any(int(c["expressed"]) < 3 for c in live["colleges"]):
        # A college with fewer than 3 expressed ballots shows only its name, weight and size;
        # the overall figures wait for the close too, since with the other colleges' parts
        # they would give the hidden one away.
        for college in live["colleges"]:
            if int(college["expressed"]) < 3:
                college["hidden"] = True
                for key in _HIDDEN_COLLEGE_KEYS:
                    college[key] = None
        live["overall_hidden"] = True
        for key in _HIDDEN_OVERALL_KEYS:
            live[key] = None
    return {"status": "open", "live": True, **live}


# What a live secret result hides of a college with fewer than 3 expressed ballots, and of the
# whole result while such a college exists (everything but names, weights and sizes).
_HIDDEN_COLLEGE_KEYS = (
    "for",
    "against",
    "abstain",
    "blank",
    "null",
    "not_voted",
    "expressed",
    "status",
    "treatment",
    "live",
    "weight_used",
    "share_for",
    "share_against",
    "contribution_for",
    "contribution_against",
    "merged_into",
    "bloc_side",
)
_HIDDEN_OVERALL_KEYS = (
    "for_ratio",
    "for_ratio_display",
    "majority_met",
    "adopted",
    "for_total",
    "against_total",
    "kept_total",
    "totals",
)


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


def member_names(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        m.id: m.name
        for m in uow.session.execute(select(Member).where(Member.id.in_(wanted))).scalars()
    }
