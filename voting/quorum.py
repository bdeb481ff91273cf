"""Quorum of a general assembly: default table by legal form, assembly kind and convocation, and the
per-head or college-weighted computation. Pure functions, exact fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from numbers import Integral

import numpy as np

from voting.errors import (
    MajorityNotSetError,
    QuorumNotSetError,
    QuorumOverrideError,
    VotingInputError,
)
from voting.majority import SIMPLE, TWO_THIRDS, Majority
from voting.resolution import AbstentionPolicy


class LegalForm(StrEnum):
    SCIC_SA = "SCIC_SA"
    SCIC_SAS = "SCIC_SAS"
    SCIC_SARL = "SCIC_SARL"
    SCOP_SA = "SCOP_SA"
    SCOP_SARL = "SCOP_SARL"
    ASSOCIATION = "ASSOCIATION"
    OTHER = "OTHER"


class AssemblyKind(StrEnum):
    """AGO, AGE, and AGO réunie extraordinairement (an ordinary assembly held outside the annual
    one: it follows the AGO rules). For a SARL, "ordinary" is AGO and "statutes change" is AGE."""

    AGO = "AGO"
    AGE = "AGE"
    AGO_EXTRA = "AGO_EXTRA"


class QuorumBasis(StrEnum):
    PER_HEAD = "per_head"
    COLLEGE_WEIGHTED = "college_weighted"


class QuorumSource(StrEnum):
    LAW_DEFAULT = "law_default"
    STATUTES = "statutes"


_SA = frozenset({LegalForm.SCIC_SA, LegalForm.SCOP_SA})
_SARL = frozenset({LegalForm.SCIC_SARL, LegalForm.SCOP_SARL})

# (form family, kind) -> (1st convocation, 2nd convocation); None = no quorum.
# SA: C. com. L225-98 (ordinary) and L225-96 (extraordinary); SARL: L223-29 / L223-30.
_DEFAULTS: dict[tuple[str, AssemblyKind], tuple[Fraction | None, Fraction | None]] = {
    ("SA", AssemblyKind.AGO): (Fraction(1, 5), None),
    ("SA", AssemblyKind.AGO_EXTRA): (Fraction(1, 5), None),
    ("SA", AssemblyKind.AGE): (Fraction(1, 4), Fraction(1, 5)),
    ("SARL", AssemblyKind.AGO): (None, None),
    ("SARL", AssemblyKind.AGO_EXTRA): (None, None),
    ("SARL", AssemblyKind.AGE): (Fraction(1, 4), Fraction(1, 5)),
}

_KIND_LABELS = {
    AssemblyKind.AGO: "de l'AGO",
    AssemblyKind.AGE: "de l'AGE",
    AssemblyKind.AGO_EXTRA: "de l'AGO réunie extraordinairement",
}


def _family(form: LegalForm | str) -> str | None:
    if form in _SA:
        return "SA"
    if form in _SARL:
        return "SARL"
    return None


def legal_quorum_table(
    legal_form: LegalForm | str,
) -> dict[AssemblyKind, tuple[Fraction | None, Fraction | None]] | None:
    """The law's quorum for this form: per assembly kind, (1st, 2nd convocation); ``None`` in a
    pair means no quorum. ``None`` for a form without a legal default (SAS, association, other):
    the statutes must fix the quorum. The one table the statutes' defaults are derived from.
    """
    family = _family(legal_form)
    if family is None:
        return None
    return {kind: _DEFAULTS[(family, kind)] for kind in AssemblyKind}


def sarl_second_consultation(
    legal_form: LegalForm | str, kind: AssemblyKind | str, convocation: int
) -> bool:
    """True for an ordinary assembly of a SARL on its second consultation, where the majority is
    of the votes cast (abstentions excluded) rather than of all the shares (C. com. L223-29)."""
    return _family(legal_form) == "SARL" and kind != AssemblyKind.AGE and convocation == 2


def _convocation_label(convocation: int) -> str:
    return "1re convocation" if convocation == 1 else "2e convocation"


@dataclass(frozen=True)
class QuorumRule:
    """The quorum rule that applies, and where it comes from (for the minutes)."""

    legal_form: LegalForm
    kind: AssemblyKind
    convocation: int
    basis: QuorumBasis
    required: Fraction | None  # None: no quorum
    source: QuorumSource


def quorum_rule(
    legal_form: LegalForm | str,
    kind: AssemblyKind | str,
    convocation: int,
    override: Fraction | None = None,
    *,
    basis: QuorumBasis | str = QuorumBasis.PER_HEAD,
) -> QuorumRule:
    """Return the quorum rule for this assembly (spec "Quorum", default table by legal form).

    ``override`` is the statutes' quorum: it may raise the legal default, never lower it
    (:class:`QuorumOverrideError`); ``Fraction(0)`` states "no quorum" where the law sets none.
    SAS, association and other forms have no default: without an override,
    :class:`QuorumNotSetError`.
    """
    form = LegalForm(legal_form)
    assembly = AssemblyKind(kind)
    valid = not isinstance(convocation, bool) and isinstance(convocation, Integral)
    if not valid or convocation not in (1, 2):
        raise VotingInputError(f"Convocation {convocation!r} : seules la 1re et la 2e existent.")
    convocation = int(convocation)
    family = _family(form)
    default = _DEFAULTS[(family, assembly)][convocation - 1] if family else None
    if override is None:
        if family is None:
            raise QuorumNotSetError(
                f"Les statuts doivent fixer le quorum {_KIND_LABELS[assembly]} "
                f"({_convocation_label(convocation)}) avant de convoquer."
            )
        return QuorumRule(
            form, assembly, convocation, QuorumBasis(basis), default, QuorumSource.LAW_DEFAULT
        )
    if isinstance(override, float | bool) or not isinstance(override, Fraction | int):
        raise VotingInputError("Le quorum des statuts doit être une fraction exacte.")
    required = Fraction(override)
    if not 0 <= required <= 1:
        raise VotingInputError(f"Un quorum de {required} n'a pas de sens (entre 0 et 1).")
    if default is not None and required < default:
        raise QuorumOverrideError(
            f"Les statuts ne peuvent pas abaisser le quorum {_KIND_LABELS[assembly]} "
            f"({_convocation_label(convocation)}) sous le minimum légal de {default} "
            f"(reçu {required})."
        )
    return QuorumRule(
        form,
        assembly,
        convocation,
        QuorumBasis(basis),
        required if required else None,
        QuorumSource.STATUTES,
    )


def quorum_required(
    legal_form: LegalForm | str,
    kind: AssemblyKind | str,
    convocation: int,
    override: Fraction | None = None,
) -> Fraction | None:
    """The quorum fraction required (``None``: no quorum); see :func:`quorum_rule`."""
    return quorum_rule(legal_form, kind, convocation, override).required


@dataclass(frozen=True)
class QuorumResult:
    """The quorum computation recorded in the minutes: rule, counts, exact fraction, outcome.

    ``present`` and ``members`` are per college (one entry without colleges); present means
    present, represented or voting by correspondence (forms received before the meeting).
    ``fraction`` is ``None`` when nobody has voting rights.
    """

    rule: QuorumRule
    present: tuple[int, ...]
    members: tuple[int, ...]
    weights: tuple[Fraction, ...] | None
    fraction: Fraction | None
    reached: bool

    @property
    def required(self) -> Fraction | None:
        return self.rule.required

    @property
    def present_total(self) -> int:
        return sum(self.present)

    @property
    def members_total(self) -> int:
        return sum(self.members)


def _row(values: int | Sequence[int], what: str) -> tuple[int, ...]:
    """Head counts as exact integers (one per college, or a single total); no float, no NaN."""
    items = list(values) if isinstance(values, Sequence | np.ndarray) else [values]
    for index, value in enumerate(items):
        if isinstance(value, bool | np.bool_) or not isinstance(value, Integral):
            where = f" (collège {index})" if len(items) > 1 else ""
            raise VotingInputError(f"Le nombre de {what}{where} doit être un entier : {value!r}.")
    return tuple(int(v) for v in items)


def _college_weights(weights: Sequence[Fraction | int], n_colleges: int) -> tuple[Fraction, ...]:
    """Exact, strictly positive college weights, one per college."""
    if len(weights) != n_colleges:
        raise VotingInputError(
            f"Le quorum pondéré par collège demande un poids par collège "
            f"({len(weights)} poids pour {n_colleges} collèges)."
        )
    exact: list[Fraction] = []
    for index, weight in enumerate(weights):
        if isinstance(weight, bool | np.bool_) or not isinstance(weight, Integral | Fraction):
            raise VotingInputError(
                f"Quorum pondéré : le poids du collège {index} doit être exact, entier ou "
                f"fraction (reçu {weight!r})."
            )
        value = Fraction(int(weight)) if isinstance(weight, Integral) else Fraction(weight)
        if value <= 0:
            raise VotingInputError(
                f"Quorum pondéré : le poids du collège {index} doit être strictement positif "
                f"(reçu {value})."
            )
        exact.append(value)
    return tuple(exact)


def quorum_reached(
    rule: QuorumRule,
    present: int | Sequence[int],
    members: int | Sequence[int],
    weights: Sequence[Fraction | int] | None = None,
) -> QuorumResult:
    """Compute the quorum: reached iff fraction >= required (exact; "au moins le quart").

    Per head: present / members over every member with voting rights. College-weighted:
    ``Σ w_c · present_c / members_c`` over colleges that have members, divided by the sum of their
    weights (an empty college drops out). No quorum required: always reached.
    """
    present_row = _row(present, "présents")
    member_row = _row(members, "membres")
    if len(present_row) != len(member_row):
        raise VotingInputError("Il faut autant de présents que d'effectifs (un par collège).")
    for index, (here, total) in enumerate(zip(present_row, member_row, strict=True)):
        if total < 0 or not 0 <= here <= total:
            where = f"collège {index} : " if len(member_row) > 1 else ""
            raise VotingInputError(f"{where}{here} présents pour {total} membres : impossible.")
    exact_weights: tuple[Fraction, ...] | None = None
    if rule.basis is QuorumBasis.COLLEGE_WEIGHTED:
        if weights is None:
            raise VotingInputError("Le quorum pondéré par collège demande un poids par collège.")
        exact_weights = _college_weights(weights, len(member_row))
        live = [i for i, total in enumerate(member_row) if total > 0]
        weight_sum = sum((exact_weights[i] for i in live), Fraction(0))
        fraction = (
            sum(
                (exact_weights[i] * Fraction(present_row[i], member_row[i]) for i in live),
                Fraction(0),
            )
            / weight_sum
            if weight_sum
            else None
        )
    else:
        if weights is not None:
            raise VotingInputError(
                "Le quorum par tête ne prend pas de poids de collège (règle pondérée attendue)."
            )
        total_members = sum(member_row)
        fraction = Fraction(sum(present_row), total_members) if total_members else None
    reached = rule.required is None or (fraction is not None and fraction >= rule.required)
    return QuorumResult(rule, present_row, member_row, exact_weights, fraction, reached)


@dataclass(frozen=True)
class MajorityRule:
    """Default majority and abstention policy for a resolution (the statutes may change them)."""

    majority: Majority
    abstention: AbstentionPolicy


def default_majority(
    legal_form: LegalForm | str, kind: AssemblyKind | str, consultation: int = 1
) -> MajorityRule:
    """Default majority from the spec's table: SA ordinary simple and extraordinary two thirds of
    expressed votes; SARL ordinary > 1/2 of all votes at the 1st consultation (abstention counts
    against) then of expressed votes, statutes change two thirds of present/represented
    (abstention counts against). Other forms: :class:`MajorityNotSetError`.
    """
    form = LegalForm(legal_form)
    assembly = AssemblyKind(kind)
    family = _family(form)
    extraordinary = assembly is AssemblyKind.AGE
    if family == "SA":
        return MajorityRule(TWO_THIRDS if extraordinary else SIMPLE, AbstentionPolicy.EXCLUDED)
    if family == "SARL":
        if extraordinary:
            return MajorityRule(TWO_THIRDS, AbstentionPolicy.COUNTS_AGAINST)
        policy = AbstentionPolicy.COUNTS_AGAINST if consultation == 1 else AbstentionPolicy.EXCLUDED
        return MajorityRule(SIMPLE, policy)
    raise MajorityNotSetError(
        f"Les statuts doivent fixer la majorité {_KIND_LABELS[assembly]} avant de convoquer."
    )
