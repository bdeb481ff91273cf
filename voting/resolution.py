"""Tally of one resolution: college-weighted (standard proportional method or bloc) or one member
one vote, with the statutes' abstention, empty-college and silent-college policies. Exact rationals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voting.errors import PolicyError, VotingInputError
from voting.majority import SIMPLE, Majority

N_CHOICES = 5
_CHUNK = 1 << 20


class Choice(IntEnum):
    """A ballot's choice on a resolution, as stored in the choice array (one byte per ballot)."""

    FOR = 0
    AGAINST = 1
    ABSTAIN = 2
    BLANK = 3
    NULL = 4


class AbstentionPolicy(StrEnum):
    """How abstentions count: ``excluded`` (default), ``counts_against``, ``counts_for``.

    Blank and null ballots are never expressed votes, whatever the policy.
    """

    EXCLUDED = "excluded"
    COUNTS_AGAINST = "counts_against"
    COUNTS_FOR = "counts_for"


class AbsentKind(StrEnum):
    """What happens to the weight of an empty or silent college."""

    REDISTRIBUTE = "redistribute"
    KEEP_IN_DENOMINATOR = "keep_in_denominator"
    MERGE_INTO = "merge_into"


@dataclass(frozen=True)
class AbsentCollegePolicy:
    """``redistribute`` (default), ``keep_in_denominator`` or ``merge_into:<college index>``."""

    kind: AbsentKind = AbsentKind.REDISTRIBUTE
    target: int | None = None

    def __post_init__(self) -> None:
        if (self.kind is AbsentKind.MERGE_INTO) != (self.target is not None):
            raise PolicyError("« merge_into » demande un collège cible, et lui seul.")
        if self.target is not None and (
            isinstance(self.target, bool) or not isinstance(self.target, int) or self.target < 0
        ):
            raise PolicyError(f"Collège cible invalide : {self.target!r}.")

    @classmethod
    def parse(cls, text: str) -> AbsentCollegePolicy:
        """Read "redistribute", "keep_in_denominator" or "merge_into:2" (a college index)."""
        value = text.strip()
        if value.startswith(f"{AbsentKind.MERGE_INTO}:"):
            target = value.split(":", 1)[1].strip()
            if not target.isdigit():
                raise PolicyError(f"Collège cible illisible dans {text!r}.")
            return cls(AbsentKind.MERGE_INTO, int(target))
        try:
            return cls(AbsentKind(value))
        except ValueError as error:
            raise PolicyError(
                f"Règle inconnue pour un collège vide ou muet : {text!r} (attendu redistribute, "
                "keep_in_denominator ou merge_into:<collège>)."
            ) from error

    @property
    def code(self) -> str:
        """Text form that :meth:`parse` reads back."""
        if self.kind is AbsentKind.MERGE_INTO:
            return f"{self.kind}:{self.target}"
        return str(self.kind)


REDISTRIBUTE = AbsentCollegePolicy(AbsentKind.REDISTRIBUTE)
KEEP_IN_DENOMINATOR = AbsentCollegePolicy(AbsentKind.KEEP_IN_DENOMINATOR)


def merge_into(college: int) -> AbsentCollegePolicy:
    """The ``merge_into:<college>`` policy."""
    return AbsentCollegePolicy(AbsentKind.MERGE_INTO, college)


@dataclass(frozen=True)
class Proportional:
    """Standard method: each college contributes ``weight × share`` to each side."""

    @property
    def code(self) -> str:
        return "proportional"


@dataclass(frozen=True)
class Bloc:
    """Bloc aggregation: a college gives its whole weight to the side with more than ``threshold``
    of its expressed votes; otherwise, if ``second_round``, to the side with a simple majority
    (> 1/2). A college still undecided (no second round, or an exact half/half) is split in
    proportion to its votes, as in the standard method.
    """

    threshold: Fraction = Fraction(1, 2)
    second_round: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.threshold, Fraction) or not Fraction(1, 2) <= self.threshold < 1:
            raise PolicyError("Le seuil d'un vote en bloc doit être une fraction dans [1/2, 1[.")

    @property
    def code(self) -> str:
        rounds = "second_round" if self.second_round else "no_second_round"
        return f"bloc({self.threshold},{rounds})"


Aggregation = Proportional | Bloc


@dataclass(frozen=True)
class TallyPolicies:
    """The policies of the statutes that a tally applies (defaults: the spec's defaults)."""

    abstention: AbstentionPolicy = AbstentionPolicy.EXCLUDED
    empty_college: AbsentCollegePolicy = REDISTRIBUTE
    silent_college: AbsentCollegePolicy = REDISTRIBUTE
    aggregation: Aggregation = field(default_factory=Proportional)

    @property
    def is_atypical(self) -> bool:
        """Abstention counted for, or bloc aggregation: the minutes flag the tally as atypical."""
        return self.abstention is AbstentionPolicy.COUNTS_FOR or isinstance(self.aggregation, Bloc)


@dataclass(frozen=True)
class ChoiceCounts:
    """Raw counts of one college (or of the whole assembly)."""

    for_: int = 0
    against: int = 0
    abstain: int = 0
    blank: int = 0
    null: int = 0
    not_voted: int = 0

    @property
    def ballots(self) -> int:
        """Ballots cast (every choice, blank and null included)."""
        return self.for_ + self.against + self.abstain + self.blank + self.null

    @property
    def members(self) -> int:
        return self.ballots + self.not_voted

    def expressed(self, policy: AbstentionPolicy) -> int:
        """Expressed votes under ``policy``: for + against, plus abstentions unless excluded."""
        if policy is AbstentionPolicy.EXCLUDED:
            return self.for_ + self.against
        return self.for_ + self.against + self.abstain

    def sides(self, policy: AbstentionPolicy) -> tuple[int, int]:
        """Votes counted for and against under ``policy``."""
        if policy is AbstentionPolicy.COUNTS_FOR:
            return self.for_ + self.abstain, self.against
        if policy is AbstentionPolicy.COUNTS_AGAINST:
            return self.for_, self.against + self.abstain
        return self.for_, self.against


class CollegeStatus(StrEnum):
    LIVE = "live"  # at least one expressed vote
    EMPTY = "empty"  # no member
    SILENT = "silent"  # members, but no expressed vote on this resolution


class Treatment(StrEnum):
    COUNTED = "counted"
    REDISTRIBUTED = "redistributed"
    KEPT_IN_DENOMINATOR = "kept_in_denominator"
    MERGED = "merged"


class BlocSide(StrEnum):
    FOR = "for"
    AGAINST = "against"
    SPLIT = "split"


@dataclass(frozen=True)
class CollegeTally:
    """One college in a tally.

    ``weight`` is the declared weight as a share of the total (40 % → 2/5); ``weight_used`` is the
    share of the denominator it ends up with (its own weight plus merged ones, rescaled so that the
    weights used sum to 1; 0 when redistributed or merged away). ``merge_path`` lists the colleges
    followed by ``merge_into`` (empty when not merged). Contributions are ``weight_used × share``.
    """

    index: int
    counts: ChoiceCounts
    weight: Fraction
    status: CollegeStatus
    treatment: Treatment
    weight_used: Fraction
    share_for: Fraction | None
    share_against: Fraction | None
    contribution_for: Fraction
    contribution_against: Fraction
    merged_into: int | None = None
    merge_path: tuple[int, ...] = ()
    bloc_side: BlocSide | None = None


@dataclass(frozen=True)
class ResolutionTally:
    """Result of one resolution: exact ``for_ratio`` (``None`` if nobody expressed a vote), outcome,
    totals, per-college detail and the policies and majority applied.

    College-weighted: ``for_total``, ``against_total`` and ``kept_total`` are shares of the
    denominator (they sum to 1 when someone voted). One member one vote (``colleges == ()``): they
    are vote counts and ``kept_total`` is 0.
    """

    method: str
    majority: Majority
    policies: TallyPolicies
    counts: ChoiceCounts
    colleges: tuple[CollegeTally, ...]
    for_total: Fraction
    against_total: Fraction
    kept_total: Fraction
    for_ratio: Fraction | None
    adopted: bool

    def percent(self, digits: int = 2) -> str | None:
        """``for_ratio`` as a percentage for display only (half-up), e.g. "70.37"."""
        if self.for_ratio is None:
            return None
        value = Decimal(self.for_ratio.numerator * 100) / Decimal(self.for_ratio.denominator)
        return str(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


COLLEGE_WEIGHTED = "college_weighted"
ONE_MEMBER_ONE_VOTE = "one_member_one_vote"


def count_ballots(
    colleges: NDArray[np.integer[Any]] | None,
    choices: NDArray[np.integer[Any]],
    n_colleges: int = 1,
) -> NDArray[np.int64]:
    """Count ballots per college and choice: an (n_colleges, 5) array, by ``bincount`` on
    ``college * 5 + choice`` in cache-sized chunks; ``colleges=None`` puts all ballots in college 0.
    """
    choice_array = np.asarray(choices)
    if choice_array.ndim != 1 or not np.issubdtype(choice_array.dtype, np.integer):
        raise VotingInputError("Les choix doivent être un tableau d'entiers à une dimension.")
    if colleges is None:
        college_array = None
        n_colleges = 1
    else:
        college_array = np.asarray(colleges)
        if college_array.shape != choice_array.shape or not np.issubdtype(
            college_array.dtype, np.integer
        ):
            raise VotingInputError("Il faut un collège (entier) par bulletin.")
    if n_colleges < 1:
        raise VotingInputError("Il faut au moins un collège.")
    size = n_colleges * N_CHOICES
    small = np.uint8 if size <= 256 else np.int64
    counts = np.zeros(size, dtype=np.int64)
    for start in range(0, choice_array.shape[0], _CHUNK):
        chunk_choices = choice_array[start : start + _CHUNK]
        _check_range(chunk_choices, N_CHOICES, "Choix de vote inconnu")
        if college_array is None:
            counts[:N_CHOICES] += np.bincount(chunk_choices.astype(small), minlength=N_CHOICES)
            continue
        chunk_colleges = college_array[start : start + _CHUNK]
        _check_range(chunk_colleges, n_colleges, "Collège inconnu")
        index: NDArray[Any] = chunk_colleges.astype(small)
        index *= N_CHOICES
        index += chunk_choices.astype(small)
        counts += np.bincount(index, minlength=size)
    return counts.reshape(n_colleges, N_CHOICES)


def _check_range(values: NDArray[np.integer[Any]], stop: int, message: str) -> None:
    if values.size == 0:
        return
    if int(values.max()) >= stop or (
        np.issubdtype(values.dtype, np.signedinteger) and int(values.min()) < 0
    ):
        raise VotingInputError(f"{message} : les valeurs doivent être entre 0 et {stop - 1}.")


def tally_resolution(
    colleges: NDArray[np.integer[Any]] | None,
    choices: NDArray[np.integer[Any]],
    *,
    members: Sequence[int],
    weights: Sequence[Fraction | int] | None,
    majority: Majority = SIMPLE,
    policies: TallyPolicies | None = None,
) -> ResolutionTally:
    """Tally a resolution from raw ballots: one college index and one :class:`Choice` per ballot.

    Standard proportional method of the spec (or bloc aggregation), exact rationals; see
    :func:`tally_resolution_counts`. Without colleges pass ``colleges=None, weights=None`` and
    ``members=[number of members with voting rights]``.
    """
    n_colleges = len(members) if colleges is not None else 1
    counts = count_ballots(colleges, choices, n_colleges)
    return tally_resolution_counts(
        counts, members=members, weights=weights, majority=majority, policies=policies
    )


def tally_resolution_counts(
    counts: Sequence[Sequence[int]] | NDArray[np.integer[Any]],
    *,
    members: Sequence[int],
    weights: Sequence[Fraction | int] | None,
    majority: Majority = SIMPLE,
    policies: TallyPolicies | None = None,
) -> ResolutionTally:
    """Tally a resolution from per-college counts (rows: for, against, abstain, blank, null).

    Method (spec "The tally of one resolution"): per live college ``share_for = for / expressed``
    under the abstention policy; ``FOR = Σ w·share_for``, ``AGAINST = Σ w·share_against``;
    ``for_ratio = FOR / (FOR + AGAINST + kept weight)``, adopted iff it meets ``majority``.
    ``weights=None`` is one member one vote (rows are summed). Weights are exact and relative (40,
    25, 25, 10 or Fractions); ``members`` gives each college's members with voting rights.

    Edge cases: no expressed vote anywhere → ``for_ratio`` None, not adopted. A ``merge_into``
    target that is itself empty or silent passes the weight on by its own policy; a chain that
    comes back to a college already visited ends in ``redistribute``. There is no tie-break:
    an exact tie is decided by the majority's comparison (a simple majority needs > 1/2).
    """
    rules = policies or TallyPolicies()
    table = _counts_table(counts)
    if len(members) != table.shape[0]:
        raise VotingInputError(
            f"{table.shape[0]} lignes de décompte pour {len(members)} effectifs de collège."
        )
    for index, value in enumerate(members):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise VotingInputError(
                f"L'effectif du collège {index} doit être un entier positif ou nul "
                f"(reçu {value!r})."
            )
    rows = tuple(_college_counts(table[i], int(members[i]), i) for i in range(table.shape[0]))
    if weights is None:
        return _tally_per_head(rows, majority, rules)
    if len(weights) != len(rows):
        raise VotingInputError(f"{len(rows)} collèges pour {len(weights)} poids.")
    return _tally_colleges(rows, _normalised_weights(weights), majority, rules)


def _counts_table(counts: Sequence[Sequence[int]] | NDArray[np.integer[Any]]) -> NDArray[np.int64]:
    table = np.asarray(counts, dtype=object)
    if table.ndim != 2 or table.shape[1] != N_CHOICES:
        raise VotingInputError("Le décompte doit avoir une ligne par collège et 5 colonnes.")
    for value in table.flat:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise VotingInputError("Les décomptes doivent être des entiers positifs ou nuls.")
    return np.asarray(table, dtype=np.int64)


def _college_counts(row: NDArray[np.int64], members: int, index: int) -> ChoiceCounts:
    values = [int(v) for v in row]
    cast = sum(values)
    if members < cast:
        raise VotingInputError(
            f"Le collège {index} compte {cast} bulletins pour {members} membres votants."
        )
    for_, against, abstain, blank, null = values
    return ChoiceCounts(for_, against, abstain, blank, null, not_voted=members - cast)


def _normalised_weights(weights: Sequence[Fraction | int]) -> tuple[Fraction, ...]:
    exact: list[Fraction] = []
    for index, weight in enumerate(weights):
        if isinstance(weight, bool) or not isinstance(weight, Fraction | int | np.integer):
            raise VotingInputError(
                f"Le poids du collège {index} doit être exact (entier ou fraction)."
            )
        value = Fraction(int(weight)) if isinstance(weight, np.integer) else Fraction(weight)
        if value <= 0:
            raise VotingInputError(f"Le poids du collège {index} doit être strictement positif.")
        exact.append(value)
    total = sum(exact, Fraction(0))
    return tuple(w / total for w in exact)


def _sum_counts(rows: Sequence[ChoiceCounts]) -> ChoiceCounts:
    return ChoiceCounts(
        for_=sum(r.for_ for r in rows),
        against=sum(r.against for r in rows),
        abstain=sum(r.abstain for r in rows),
        blank=sum(r.blank for r in rows),
        null=sum(r.null for r in rows),
        not_voted=sum(r.not_voted for r in rows),
    )


def _tally_per_head(
    rows: Sequence[ChoiceCounts], majority: Majority, rules: TallyPolicies
) -> ResolutionTally:
    if isinstance(rules.aggregation, Bloc):
        raise PolicyError("Le vote en bloc suppose des collèges.")
    total = _sum_counts(rows)
    for_votes, against_votes = total.sides(rules.abstention)
    expressed = for_votes + against_votes
    ratio = Fraction(for_votes, expressed) if expressed else None
    return ResolutionTally(
        method=ONE_MEMBER_ONE_VOTE,
        majority=majority,
        policies=rules,
        counts=total,
        colleges=(),
        for_total=Fraction(for_votes),
        against_total=Fraction(against_votes),
        kept_total=Fraction(0),
        for_ratio=ratio,
        adopted=majority.is_met(ratio),
    )


@dataclass
class _Fate:
    treatment: Treatment
    merged_into: int | None = None
    path: tuple[int, ...] = ()


def _status(row: ChoiceCounts, policy: AbstentionPolicy) -> CollegeStatus:
    if row.members == 0:
        return CollegeStatus.EMPTY
    if row.expressed(policy) == 0:
        return CollegeStatus.SILENT
    return CollegeStatus.LIVE


def _fate(index: int, statuses: Sequence[CollegeStatus], rules: TallyPolicies) -> _Fate:
    """Follow the empty/silent policies from a college that has no expressed vote."""
    visited = [index]
    current = index
    while True:
        policy = (
            rules.empty_college
            if statuses[current] is CollegeStatus.EMPTY
            else rules.silent_college
        )
        path = tuple(visited[1:])
        if policy.kind is AbsentKind.REDISTRIBUTE:
            return _Fate(Treatment.REDISTRIBUTED, path=path)
        if policy.kind is AbsentKind.KEEP_IN_DENOMINATOR:
            return _Fate(Treatment.KEPT_IN_DENOMINATOR, path=path)
        target = policy.target
        assert target is not None  # guaranteed by AbsentCollegePolicy
        if target >= len(statuses):
            raise PolicyError(f"« merge_into » vise le collège {target}, qui n'existe pas.")
        if target in visited:
            # A merge chain that loops among colleges without votes: nobody can receive it.
            return _Fate(Treatment.REDISTRIBUTED, path=(*path, target))
        visited.append(target)
        if statuses[target] is CollegeStatus.LIVE:
            return _Fate(Treatment.MERGED, merged_into=target, path=tuple(visited[1:]))
        current = target


def _tally_colleges(
    rows: Sequence[ChoiceCounts],
    weights: Sequence[Fraction],
    majority: Majority,
    rules: TallyPolicies,
) -> ResolutionTally:
    statuses = [_status(row, rules.abstention) for row in rows]
    fates = [
        _Fate(Treatment.COUNTED) if status is CollegeStatus.LIVE else _fate(i, statuses, rules)
        for i, status in enumerate(statuses)
    ]
    raw = [Fraction(0)] * len(rows)
    kept = [Fraction(0)] * len(rows)
    for i, fate in enumerate(fates):
        if fate.treatment is Treatment.COUNTED:
            raw[i] += weights[i]
        elif fate.treatment is Treatment.MERGED:
            assert fate.merged_into is not None
            raw[fate.merged_into] += weights[i]
        elif fate.treatment is Treatment.KEPT_IN_DENOMINATOR:
            kept[i] = weights[i]
    denominator = sum(raw, Fraction(0)) + sum(kept, Fraction(0))
    any_live = any(status is CollegeStatus.LIVE for status in statuses)

    colleges: list[CollegeTally] = []
    for i, row in enumerate(rows):
        used = (raw[i] + kept[i]) / denominator if denominator else Fraction(0)
        share_for: Fraction | None = None
        share_against: Fraction | None = None
        contribution_for = contribution_against = Fraction(0)
        side: BlocSide | None = None
        if statuses[i] is CollegeStatus.LIVE:
            for_votes, against_votes = row.sides(rules.abstention)
            share_for = Fraction(for_votes, for_votes + against_votes)
            share_against = 1 - share_for
            given_for = share_for
            if isinstance(rules.aggregation, Bloc):
                side = _bloc_side(share_for, rules.aggregation)
                given_for = {BlocSide.FOR: Fraction(1), BlocSide.AGAINST: Fraction(0)}.get(
                    side, share_for
                )
            contribution_for = used * given_for
            contribution_against = used * (1 - given_for)
        colleges.append(
            CollegeTally(
                index=i,
                counts=row,
                weight=weights[i],
                status=statuses[i],
                treatment=fates[i].treatment,
                weight_used=used,
                share_for=share_for,
                share_against=share_against,
                contribution_for=contribution_for,
                contribution_against=contribution_against,
                merged_into=fates[i].merged_into,
                merge_path=fates[i].path,
                bloc_side=side,
            )
        )
    for_total = sum((c.contribution_for for c in colleges), Fraction(0))
    against_total = sum((c.contribution_against for c in colleges), Fraction(0))
    kept_total = sum(
        (c.weight_used for c in colleges if c.treatment is Treatment.KEPT_IN_DENOMINATOR),
        Fraction(0),
    )
    ratio = for_total / (for_total + against_total + kept_total) if any_live else None
    return ResolutionTally(
        method=COLLEGE_WEIGHTED,
        majority=majority,
        policies=rules,
        counts=_sum_counts(rows),
        colleges=tuple(colleges),
        for_total=for_total,
        against_total=against_total,
        kept_total=kept_total,
        for_ratio=ratio,
        adopted=majority.is_met(ratio),
    )


def _bloc_side(share_for: Fraction, bloc: Bloc) -> BlocSide:
    share_against = 1 - share_for
    if share_for > bloc.threshold:
        return BlocSide.FOR
    if share_against > bloc.threshold:
        return BlocSide.AGAINST
    if bloc.second_round:
        if share_for > Fraction(1, 2):
            return BlocSide.FOR
        if share_against > Fraction(1, 2):
            return BlocSide.AGAINST
    return BlocSide.SPLIT
