"""Ballots: the choices, who may cast which ballot (one's own, a proxy held, a paper
correspondence form), and the receipt of a secret ballot.

Sources: the colleges spec of Terreau ("Voting", "Proxies", "Secret ballot").
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from governance.errors import ConflictError, PermissionDeniedError, ValidationError
from governance.i18n import M

from .attendance import ATTENDANCE_LABELS


class BallotChoice(StrEnum):
    """What a ballot says; ``null`` (nul) is no choice a member makes (``MEMBER_CHOICES``)."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    BLANK = "blank"
    NULL = "null"


class BallotChannel(StrEnum):
    """How a ballot (or the émargement of a secret one) reached the ballot box."""

    DIRECT = "direct"  # cast by the associate
    PROXY = "proxy"  # cast by the holder of the associate's proxy
    CORRESPONDENCE = "correspondence"  # a paper form recorded by the secretariat
    BLANK_PROXY = "blank_proxy"  # a blank proxy (pouvoir en blanc), voted when the vote closes


CHOICES = tuple(choice.value for choice in BallotChoice)
MEMBER_CHOICES = tuple(choice.value for choice in BallotChoice if choice is not BallotChoice.NULL)
CHANNELS = (BallotChannel.DIRECT.value, BallotChannel.CORRESPONDENCE.value)  # asked for


def check_choice(choice: str, *, allow_null: bool = False) -> str:
    allowed = CHOICES if allow_null else MEMBER_CHOICES
    if choice not in allowed:
        raise ValidationError.single(
            "choice",
            M(
                "Choix de vote inconnu « {value} » ; choix possibles : {choices}.",
                value=choice,
                choices=", ".join(allowed),
            ),
        )
    return choice


@dataclass(frozen=True)
class Voter:
    """A member as the ballot rules see them."""

    id: int
    name: str
    is_associate: bool  # an associate who has not left: votes at the general assembly
    departed: bool
    college_id: int | None


@dataclass(frozen=True)
class AttendanceOf:
    """The principal's line on the feuille de présence, if any."""

    mode: str
    holder_id: int | None


@dataclass(frozen=True)
class BallotFacts:
    """Everything that decides whether this ballot may be cast, and on which channel."""

    channel: str  # asked for: "direct" (oneself or a proxy held) or "correspondence"
    actor_is_organiser: bool
    me: Voter | None
    principal: Voter | None  # whom the ballot is for (None: oneself)
    principal_line: AttendanceOf | None
    uses_colleges: bool


@dataclass(frozen=True)
class BallotDecision:
    principal: Voter
    channel: str  # "direct", "proxy" or "correspondence"
    add_attendance: str | None  # the attendance mode to record first, if none is recorded


_NOT_A_VOTER = M("Vous n'êtes pas membre d'un collège votant.")


def check_ballot(facts: BallotFacts) -> BallotDecision:
    """Decide who the ballot is for and on which channel, or refuse with the reason."""
    if facts.channel == "correspondence":
        if not facts.actor_is_organiser:
            raise PermissionDeniedError(
                M("Seul le secrétariat enregistre les formulaires de vote par correspondance.")
            )
        if facts.principal is None:
            raise ValidationError.single("member", M("Indiquez l'associé dont c'est le vote."))
        principal, channel = facts.principal, "correspondence"
    elif facts.channel == "direct":
        me = facts.me
        # A proxy holder need not vote in their own right (statutes may let a participant hold
        # one): only a vote for oneself needs an associate.
        if me is None or me.departed:
            raise PermissionDeniedError(_NOT_A_VOTER)
        if facts.principal is None or facts.principal.id == me.id:
            if not me.is_associate:
                raise PermissionDeniedError(_NOT_A_VOTER)
            if facts.principal_line is not None and facts.principal_line.mode == "proxy":
                raise ConflictError(
                    M(
                        "Vous avez donné pouvoir pour cette assemblée : votre mandataire vote "
                        "pour vous."
                    )
                )
            principal, channel = me, "direct"
        else:
            line = facts.principal_line
            if line is None or line.mode != "proxy" or line.holder_id != me.id:
                raise PermissionDeniedError(
                    M(
                        "Vous ne détenez pas de pouvoir de {name} pour cette assemblée.",
                        name=facts.principal.name,
                    )
                )
            principal, channel = facts.principal, "proxy"
    else:
        raise ValidationError.single("channel", M("channel vaut direct ou correspondence."))
    if not principal.is_associate:
        raise ValidationError.single(
            "member",
            M(
                "{name} n'est pas associé(e) : pas de vote à l'assemblée générale.",
                name=principal.name,
            ),
        )
    if principal.college_id is None and facts.uses_colleges:
        raise PermissionDeniedError(_NOT_A_VOTER)
    line = facts.principal_line
    if line is None:
        mode = "correspondence" if channel == "correspondence" else "present"
        return BallotDecision(principal, channel, add_attendance=mode)
    if channel == "correspondence" and line.mode != "correspondence":
        raise ConflictError(
            M(
                "{name} participe déjà à l'assemblée ({mode}).",
                name=principal.name,
                mode=ATTENDANCE_LABELS[line.mode],
            )
        )
    return BallotDecision(principal, channel, add_attendance=None)


def new_receipt_code() -> str:
    """A random receipt code for a secret ballot (128 bits, shown once to the voter)."""
    return secrets.token_hex(16)


def secret_ballot_hash(resolution_id: int, college_id: int | None, choice: str, code: str) -> str:
    """The public hash of a secret ballot: it proves inclusion, reveals nothing without the code."""
    material = f"terreau-ballot|{resolution_id}|{college_id or ''}|{choice}|{code}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
