"""Who takes part in an assembly and how: attendance modes, proxies (and blank proxies), and
what counts towards the quorum.

Sources: Code de commerce L225-106 (proxies, blank proxy), loi 1947 (SCOP proxy cap preset),
the colleges spec of Terreau ("Assemblies", "Proxies", "Quorum").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from governance.errors import ConflictError, ValidationError
from governance.i18n import M


class AttendanceMode(StrEnum):
    """How an associate takes part: in the room, remotely, by a paper form, or by proxy."""

    PRESENT = "present"
    REMOTE = "remote"
    CORRESPONDENCE = "correspondence"
    PROXY = "proxy"


ATTENDANCE_MODES = tuple(mode.value for mode in AttendanceMode)
ATTENDANCE_LABELS = {
    "present": M("présent(e)"),
    "remote": M("à distance"),
    "correspondence": M("vote par correspondance"),
    "proxy": M("représenté(e)"),
}


@dataclass(frozen=True)
class ProxyFacts:
    """What the proxy rules need to know about a proposed proxy."""

    principal_name: str
    holder_name: str | None
    holder_is_associate: bool
    holder_is_member: bool
    holder_gave_proxy: bool
    principal_holds_proxies: int
    holder_current_proxies: int
    cap: int | None
    holder_must_be_member: bool


def check_proxy(facts: ProxyFacts) -> None:
    """Apply every proxy rule of the spec; the message says which rule refused it."""
    if facts.holder_name is None:
        return  # blank proxy: votes with the board, checked nowhere else
    if facts.principal_holds_proxies:
        raise ValidationError.single(
            "mode",
            M(
                "Pouvoir refusé : {principal} détient déjà {n} pouvoir(s) et doit donc "
                "participer à l'assemblée ; un pouvoir ne se transmet pas.",
                principal=facts.principal_name,
                n=facts.principal_holds_proxies,
            ),
        )
    if facts.holder_gave_proxy:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} est lui-même représenté(e) ; un pouvoir ne se "
                "transmet pas.",
                holder=facts.holder_name,
            ),
        )
    if facts.holder_must_be_member and not facts.holder_is_associate:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} n'est pas associé(e), et les statuts exigent que le "
                "mandataire le soit.",
                holder=facts.holder_name,
            ),
        )
    if not facts.holder_is_member:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} n'est pas membre de l'organisation.",
                holder=facts.holder_name,
            ),
        )
    if facts.cap is not None and facts.holder_current_proxies >= facts.cap:
        raise ValidationError.single(
            "holder",
            M(
                "Pouvoir refusé : {holder} détient déjà {n} pouvoir(s) (maximum {cap}).",
                holder=facts.holder_name,
                n=facts.holder_current_proxies,
                cap=facts.cap,
            ),
        )


@dataclass(frozen=True)
class AttendanceModeFacts:
    """What decides whether an associate may take part in this mode."""

    mode: str
    holder_given: bool
    statutes_allow_remote: bool
    assembly_remote: bool
    has_voted: bool
    member_name: str


def check_attendance_mode(facts: AttendanceModeFacts) -> None:
    """Refuse an unknown mode, remote attendance the statutes or the convocation do not offer,
    a holder without a proxy, and any change once the associate has voted."""
    if facts.mode not in ATTENDANCE_MODES:
        raise ValidationError.single(
            "mode", M("mode vaut {values}.", values=", ".join(ATTENDANCE_MODES))
        )
    if facts.mode == "remote" and not facts.statutes_allow_remote:
        raise ValidationError.single(
            "mode", M("Les statuts ne prévoient pas la participation à distance.")
        )
    if facts.mode == "remote" and not facts.assembly_remote:
        raise ValidationError.single(
            "mode", M("Cette assemblée n'est pas ouverte à la participation à distance.")
        )
    if facts.mode != "proxy" and facts.holder_given:
        raise ValidationError.single("holder", M("Un mandataire ne se donne qu'avec un pouvoir."))
    if facts.has_voted:
        raise ConflictError(
            M("{name} a déjà voté : sa participation ne peut plus changer.", name=facts.member_name)
        )


def blank_proxy_choice(board_proposed: bool) -> str:
    """A blank proxy votes for the board's resolutions and against all others (L225-106)."""
    return "for" if board_proposed else "against"


@dataclass(frozen=True)
class AttendanceLine:
    """One line of the feuille de présence, as the quorum sees it."""

    member_id: int
    mode: str
    before_meeting: bool


@dataclass(frozen=True)
class QuorumCount:
    """Associates counted towards the quorum, by mode and by college."""

    by_mode: Mapping[str, int]
    attending: Mapping[int | None, int] = field(default_factory=dict)
    members: Mapping[int | None, int] = field(default_factory=dict)

    @property
    def eligible(self) -> int:
        return sum(self.members.values())


def count_for_quorum(
    voters: Iterable[tuple[int, int | None]], lines: Mapping[int, AttendanceLine]
) -> QuorumCount:
    """Count each current associate (member id, college id) who takes part, by mode and college.

    A correspondence form counts only if it was received before the meeting (spec "Quorum").
    """
    by_mode = {"present": 0, "remote": 0, "proxy": 0, "correspondence": 0}
    attending: dict[int | None, int] = {}
    members: dict[int | None, int] = {}
    for member_id, college_id in voters:
        members[college_id] = members.get(college_id, 0) + 1
        line = lines.get(member_id)
        if line is None:
            continue
        if line.mode == "correspondence" and not line.before_meeting:
            continue
        by_mode[line.mode] += 1
        attending[college_id] = attending.get(college_id, 0) + 1
    return QuorumCount(by_mode=by_mode, attending=attending, members=members)
