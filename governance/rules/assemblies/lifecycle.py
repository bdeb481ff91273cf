"""The lifecycles of a general assembly and of each of its resolutions, declared once.

A resolution past its deadline whose close is not recorded yet is in the derived state
``DEADLINE_PASSED``: it is stored ``open`` until ``terreau tick`` (or the next write) records the
close, but every rule treats it as closed to ballots (spec: colleges-and-assemblies, "Deadlines").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from governance.errors import ValidationError
from governance.i18n import M, Message
from governance.rules.lifecycle import Lifecycle, rows


class AssemblyStatus(StrEnum):
    DRAFT = "draft"
    CONVENED = "convened"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class AssemblyAction(StrEnum):
    CONVENE = "convene"
    OPEN = "open"
    CLOSE = "close"
    PUBLISH = "publish"
    EDIT_AGENDA = "edit_agenda"
    RECORD_ATTENDANCE = "record_attendance"
    EDIT_MINUTES = "edit_minutes"


class ResolutionStatus(StrEnum):
    """What the store holds."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ResolutionState(StrEnum):
    """What the rules reason on: the stored status, plus the derived ``deadline_passed``."""

    DRAFT = "draft"
    OPEN = "open"
    DEADLINE_PASSED = "deadline_passed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ResolutionAction(StrEnum):
    OPEN = "open"
    CAST = "cast"
    CLOSE = "close"
    CANCEL = "cancel"


STATUS_LABELS: dict[AssemblyStatus, Message] = {
    AssemblyStatus.DRAFT: M("brouillon"),
    AssemblyStatus.CONVENED: M("convoquée"),
    AssemblyStatus.OPEN: M("ouverte"),
    AssemblyStatus.CLOSED: M("close"),
    AssemblyStatus.PUBLISHED: M("procès-verbal publié"),
}

# ---- the assembly ----------------------------------------------------------------------------

_A, _AA = AssemblyStatus, AssemblyAction


def _no_step(target: AssemblyStatus) -> Message:
    return M("la passer à l'état « {target} »", target=STATUS_LABELS[target])


_AGENDA_FROZEN = M("L'assemblée est close : son ordre du jour ne change plus.")
_SHEET_CLOSED = M(
    "La feuille de présence n'est ouverte que pour une assemblée convoquée ou ouverte."
)
_MINUTES_FROZEN = M("Le procès-verbal est publié : il ne se modifie plus.")


@dataclass(frozen=True)
class ConveneFacts:
    """What convening needs to know besides the state: the statutes' compliance."""

    first_error: Message | None = None
    unacknowledged_warning: Message | None = None


def _statutes_valid(facts: ConveneFacts | None) -> Message | None:
    if facts is not None and facts.first_error is not None:
        return M(
            "Les statuts ne sont pas valides ({problem}) : corrigez-les avant de convoquer.",
            problem=facts.first_error,
        )
    return None


def _warnings_acknowledged(facts: ConveneFacts | None) -> Message | None:
    if facts is not None and facts.unacknowledged_warning is not None:
        return M(
            "Avertissement de conformité non pris en compte ({problem}) : un administrateur "
            "doit le reconnaître sur le tableau de bord avant de convoquer.",
            problem=facts.unacknowledged_warning,
        )
    return None


ASSEMBLY = Lifecycle(
    name="assembly",
    states=AssemblyStatus,
    actions=AssemblyAction,
    subject=M("L'assemblée"),
    transitions=rows(
        [
            (_A.DRAFT, _AA.CONVENE, _A.CONVENED),
            (_A.DRAFT, _AA.EDIT_AGENDA, _A.DRAFT),
            (_A.DRAFT, _AA.EDIT_MINUTES, _A.DRAFT),
            (_A.CONVENED, _AA.OPEN, _A.OPEN),
            (_A.CONVENED, _AA.EDIT_AGENDA, _A.CONVENED),
            (_A.CONVENED, _AA.RECORD_ATTENDANCE, _A.CONVENED),
            (_A.CONVENED, _AA.EDIT_MINUTES, _A.CONVENED),
            (_A.OPEN, _AA.OPEN, _A.OPEN),  # opening twice changes nothing
            (_A.OPEN, _AA.CLOSE, _A.CLOSED),
            (_A.OPEN, _AA.EDIT_AGENDA, _A.OPEN),
            (_A.OPEN, _AA.RECORD_ATTENDANCE, _A.OPEN),
            (_A.OPEN, _AA.EDIT_MINUTES, _A.OPEN),
            (_A.CLOSED, _AA.CLOSE, _A.CLOSED),  # closing twice changes nothing
            (_A.CLOSED, _AA.PUBLISH, _A.PUBLISHED),
            (_A.CLOSED, _AA.EDIT_MINUTES, _A.CLOSED),
            (_A.PUBLISHED, _AA.CLOSE, _A.PUBLISHED),
        ]
    ),
    guards={_AA.CONVENE: (_statutes_valid, _warnings_acknowledged)},
    state_labels=STATUS_LABELS,
    action_labels={
        _AA.CONVENE: _no_step(_A.CONVENED),
        _AA.OPEN: _no_step(_A.OPEN),
        _AA.CLOSE: _no_step(_A.CLOSED),
        _AA.PUBLISH: _no_step(_A.PUBLISHED),
        _AA.EDIT_AGENDA: M("changer son ordre du jour"),
        _AA.RECORD_ATTENDANCE: M("enregistrer la feuille de présence"),
        _AA.EDIT_MINUTES: M("modifier le procès-verbal"),
    },
    refusals={
        **{(s, _AA.EDIT_AGENDA): _AGENDA_FROZEN for s in (_A.CLOSED, _A.PUBLISHED)},
        **{(s, _AA.RECORD_ATTENDANCE): _SHEET_CLOSED for s in (_A.DRAFT, _A.CLOSED, _A.PUBLISHED)},
        (_A.PUBLISHED, _AA.EDIT_MINUTES): _MINUTES_FROZEN,
    },
)
"""An assembly is prepared in draft, convened (which ends the statutes' setup mode), opened
(its quorum is frozen then), closed (every open vote with it), and its minutes published."""

# ---- the resolution --------------------------------------------------------------------------

_R, _RA = ResolutionState, ResolutionAction


@dataclass(frozen=True)
class ResolutionFacts:
    """What the resolution rules need besides its state."""

    assembly_status: AssemblyStatus | None = None
    deadline: datetime | None = None
    now: datetime | None = None
    closed_at: datetime | None = None
    timezone: str = "Europe/Paris"


def resolution_state(status: str, deadline: datetime | None, now: datetime) -> ResolutionState:
    """The state the rules see: an open vote past its deadline is closed to ballots already."""
    stored = ResolutionStatus(status)
    if stored is ResolutionStatus.OPEN and deadline is not None and now >= deadline:
        return ResolutionState.DEADLINE_PASSED
    return ResolutionState(stored.value)


def shown_status(state: ResolutionState) -> ResolutionStatus:
    """What a member reads: past its deadline, a vote is closed (even before tick records it)."""
    if state is ResolutionState.DEADLINE_PASSED:
        return ResolutionStatus.CLOSED
    return ResolutionStatus(state.value)


def stored_status(state: ResolutionState) -> ResolutionStatus:
    """What the store holds for a state: ``deadline_passed`` is still stored ``open``."""
    if state is ResolutionState.DEADLINE_PASSED:
        return ResolutionStatus.OPEN
    return ResolutionStatus(state.value)


def _assembly_open(facts: ResolutionFacts | None) -> Message | None:
    if facts is not None and facts.assembly_status is not AssemblyStatus.OPEN:
        return M("Ouvrez d'abord l'assemblée : le vote se fait en séance.")
    return None


def check_deadline(facts: ResolutionFacts) -> None:
    """A vote's deadline must lie ahead (an input error, 422, rather than a wrong state)."""
    if facts.deadline is not None and facts.now is not None and facts.deadline <= facts.now:
        raise ValidationError.single("deadline", M("L'échéance doit être dans le futur."))


def closed_since(facts: ResolutionFacts | None) -> Message:
    """Why a ballot comes too late: closed since when, in the organisation's time zone."""
    when = None
    if facts is not None:
        when = facts.closed_at or facts.deadline
    if when is None or facts is None:
        return M("Le vote sur cette résolution est clos.")
    local = when.astimezone(ZoneInfo(facts.timezone))
    return M(
        "Le vote est clos depuis le {day} à {time}.",
        day=f"{local:%d/%m/%Y}",
        time=f"{local:%H:%M}",
    )


_IS_CLOSED = M("Le vote sur cette résolution est clos.")

RESOLUTION = Lifecycle(
    name="resolution",
    states=ResolutionState,
    actions=ResolutionAction,
    subject=M("La résolution"),
    transitions=rows(
        [
            (_R.DRAFT, _RA.OPEN, _R.OPEN),
            (_R.DRAFT, _RA.CANCEL, _R.CANCELLED),
            (_R.OPEN, _RA.OPEN, _R.OPEN),  # opening twice changes nothing
            (_R.OPEN, _RA.CAST, _R.OPEN),
            (_R.OPEN, _RA.CLOSE, _R.CLOSED),
            (_R.OPEN, _RA.CANCEL, _R.CANCELLED),
            (_R.DEADLINE_PASSED, _RA.CLOSE, _R.CLOSED),
            (_R.DEADLINE_PASSED, _RA.CANCEL, _R.CANCELLED),
            (_R.CLOSED, _RA.CLOSE, _R.CLOSED),  # closing twice changes nothing
            (_R.CANCELLED, _RA.CLOSE, _R.CANCELLED),
        ]
    ),
    guards={_RA.OPEN: (_assembly_open,)},
    state_labels={
        _R.DRAFT: M("en préparation"),
        _R.OPEN: M("ouvert au vote"),
        _R.DEADLINE_PASSED: M("échéance passée"),
        _R.CLOSED: M("clos"),
        _R.CANCELLED: M("retiré"),
    },
    action_labels={
        _RA.OPEN: M("ouvrir le vote"),
        _RA.CAST: M("voter"),
        _RA.CLOSE: M("clore le vote"),
        _RA.CANCEL: M("retirer la résolution"),
    },
    refusals={
        (_R.DRAFT, _RA.CAST): M("Le vote sur cette résolution n'est pas encore ouvert."),
        (_R.DEADLINE_PASSED, _RA.CAST): closed_since,
        (_R.CLOSED, _RA.CAST): closed_since,
        (_R.CANCELLED, _RA.CAST): _IS_CLOSED,
        (_R.DRAFT, _RA.CLOSE): M("Le vote sur cette résolution n'a pas été ouvert."),
        (_R.DEADLINE_PASSED, _RA.OPEN): _IS_CLOSED,
        (_R.CLOSED, _RA.OPEN): _IS_CLOSED,
        (_R.CANCELLED, _RA.OPEN): _IS_CLOSED,
        (_R.CLOSED, _RA.CANCEL): M("Cette résolution est déjà close."),
        (_R.CANCELLED, _RA.CANCEL): M("Cette résolution est déjà close."),
    },
)
"""A resolution is prepared in draft, opened to the vote (text, majority, secrecy and statutes
version frozen), then closed with its tally, or cancelled without result."""


def is_open_to_ballots(status: str, deadline: datetime | None, now: datetime) -> bool:
    """The one answer to "is this vote open?": open, and not past its deadline."""
    return RESOLUTION.allows(resolution_state(status, deadline, now), ResolutionAction.CAST)
