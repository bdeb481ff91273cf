"""Bridge from statutes and stored counts to the pure kernels of `voting` (quorum and tally).

The result is a plain JSON document (exact numbers as strings): what the results page, the PV,
the API and the audit log show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from governance.errors import ConflictError
from governance.i18n import M
from governance.rules.audit_chain import canonical_value
from governance.rules.statutes import Majority, Statutes, fraction_text
from voting.errors import VotingError
from voting.majority import custom_majority, parse_majority
from voting.quorum import QuorumRule, quorum_reached, quorum_rule, sarl_second_consultation
from voting.resolution import (
    AbsentCollegePolicy,
    AbstentionPolicy,
    Bloc,
    Proportional,
    ResolutionTally,
    TallyPolicies,
    tally_resolution_counts,
)

CHOICE_ORDER = ("for", "against", "abstain", "blank", "null")


def _rule(statutes: Statutes, legal_form: str, kind: str, convocation: int) -> QuorumRule:
    configured = statutes.quorum.get(kind, {}).get(str(convocation))
    override = Fraction(configured) if configured is not None else None
    try:
        return quorum_rule(legal_form, kind, convocation, override, basis=statutes.quorum_basis)
    except VotingError as error:
        raise ConflictError(M("{reason}", reason=str(error))) from None


def required_quorum(
    statutes: Statutes, legal_form: str, kind: str, convocation: int
) -> Fraction | None:
    """The quorum this assembly needs (None: none); refuses an unset or unlawful quorum (409)."""
    return _rule(statutes, legal_form, kind, convocation).required


@dataclass(frozen=True)
class QuorumCheck:
    rule: str
    ratio: Fraction
    reached: bool


def quorum_check(
    statutes: Statutes,
    *,
    legal_form: str,
    kind: str,
    convocation: int,
    attending: Mapping[int | None, int],
    members: Mapping[int | None, int],
) -> QuorumCheck:
    """Per head or college-weighted quorum (colleges of the statutes in force)."""
    rule = _rule(statutes, legal_form, kind, convocation)
    if statutes.quorum_basis == "college_weighted" and statutes.colleges:
        ids = [int(cw.college_id) for cw in statutes.colleges]
        result = quorum_reached(
            rule,
            [attending.get(i, 0) for i in ids],
            [members.get(i, 0) for i in ids],
            [cw.weight for cw in statutes.colleges],
        )
    else:
        result = quorum_reached(rule, sum(attending.values()), sum(members.values()))
    required = "aucun quorum" if rule.required is None else f"au moins {rule.required}"
    source = "statuts" if rule.source == "statutes" else "défaut légal"
    basis = "par collège pondéré" if rule.basis == "college_weighted" else "par tête"
    return QuorumCheck(
        rule=f"{kind}, {convocation}{'re' if convocation == 1 else 'e'} convocation : "
        f"{required} ({basis}, {source})",
        ratio=result.fraction if result.fraction is not None else Fraction(0),
        reached=result.reached,
    )


def _policies(statutes: Statutes, index_of: Mapping[str, int]) -> TallyPolicies:
    def absent(policy: str) -> AbsentCollegePolicy:
        if policy.startswith("merge_into:"):
            target = policy.split(":", 1)[1]
            by_name = {cw.name.lower(): cw.college_id for cw in statutes.colleges}
            college_id = target if target in index_of else by_name.get(target.lower(), "")
            if college_id not in index_of:
                return AbsentCollegePolicy.parse("redistribute")
            return AbsentCollegePolicy.parse(f"merge_into:{index_of[college_id]}")
        return AbsentCollegePolicy.parse(policy)

    aggregation: Proportional | Bloc = Proportional()
    if statutes.aggregation.get("kind") == "bloc":
        aggregation = Bloc(
            threshold=Fraction(statutes.aggregation.get("threshold", "1/2")),
            second_round=statutes.aggregation.get("second_round", "true") == "true",
        )
    return TallyPolicies(
        abstention=AbstentionPolicy(statutes.abstention_policy),
        empty_college=absent(statutes.empty_college_policy),
        silent_college=absent(statutes.silent_college_policy),
        aggregation=aggregation,
    )


def _kernel_majority(majority: Majority) -> Any:
    if majority.name in ("simple", "two_thirds", "three_quarters", "unanimity"):
        return parse_majority(majority.name)
    return custom_majority(majority.threshold, strict=majority.strict)


def tally_resolution(
    *,
    statutes: Statutes,
    statutes_version: int,
    majority: Majority,
    counts: Mapping[int | None, Mapping[str, int]],
    members: Mapping[int | None, int],
    college_names: Mapping[int, str],
    quorate: bool,
) -> dict[str, Any]:
    """Tally stored counts (per college id and choice) with the statutes version of the vote."""
    colleges = [int(cw.college_id) for cw in statutes.colleges]
    index_of = {cw.college_id: i for i, cw in enumerate(statutes.colleges)}
    policies = _policies(statutes, index_of)
    if colleges:
        rows = [
            [int(counts.get(c, {}).get(choice, 0)) for choice in CHOICE_ORDER] for c in colleges
        ]
        sizes = [
            max(int(members.get(c, 0)), sum(row)) for c, row in zip(colleges, rows, strict=True)
        ]
        weights: list[Fraction] | None = [cw.weight for cw in statutes.colleges]
    else:
        rows = [[sum(int(by.get(choice, 0)) for by in counts.values()) for choice in CHOICE_ORDER]]
        sizes = [max(sum(members.values()), sum(rows[0]))]
        weights = None
    tally = tally_resolution_counts(
        rows, members=sizes, weights=weights, majority=_kernel_majority(majority), policies=policies
    )
    return result_document(
        tally,
        statutes=statutes,
        statutes_version=statutes_version,
        majority=majority,
        college_ids=colleges,
        college_names=college_names,
        quorate=quorate,
    )


def result_document(
    tally: ResolutionTally,
    *,
    statutes: Statutes,
    statutes_version: int,
    majority: Majority,
    college_ids: list[int],
    college_names: Mapping[int, str],
    quorate: bool,
) -> dict[str, Any]:
    by_index = {c.index: c for c in tally.colleges}
    colleges = []
    for i, college_id in enumerate(college_ids):
        c = by_index[i]
        counts = c.counts
        colleges.append(
            {
                "id": str(college_id),
                "name": college_names.get(college_id, str(college_id)),
                "weight": statutes.colleges[i].weight,
                "members": counts.members,
                "for": counts.for_,
                "against": counts.against,
                "abstain": counts.abstain,
                "blank": counts.blank,
                "null": counts.null,
                "not_voted": counts.not_voted,
                "expressed": counts.expressed(tally.policies.abstention),
                "status": str(c.status),
                "treatment": str(c.treatment),
                "live": str(c.status) == "live",
                "weight_used": c.weight_used,
                "share_for": c.share_for,
                "share_against": c.share_against,
                "contribution_for": c.contribution_for,
                "contribution_against": c.contribution_against,
                "merged_into": (
                    str(college_ids[c.merged_into]) if c.merged_into is not None else None
                ),
                "bloc_side": str(c.bloc_side) if c.bloc_side is not None else None,
            }
        )
    ratio = tally.for_ratio
    document = {
        "method": tally.method,
        "for_ratio": ratio,
        "for_ratio_display": tally.percent(),
        "majority": {
            "name": majority.name,
            "threshold": fraction_text(majority.threshold),
            "strict": majority.strict,
        },
        "majority_met": tally.adopted,
        "quorate": quorate,
        "adopted": bool(tally.adopted and quorate),
        "for_total": tally.for_total,
        "against_total": tally.against_total,
        "kept_total": tally.kept_total,
        "totals": {
            "for": tally.counts.for_,
            "against": tally.counts.against,
            "abstain": tally.counts.abstain,
            "blank": tally.counts.blank,
            "null": tally.counts.null,
            "not_voted": tally.counts.not_voted,
        },
        "rule": {
            "abstention_policy": statutes.abstention_policy,
            "empty_college_policy": statutes.empty_college_policy,
            "silent_college_policy": statutes.silent_college_policy,
            "aggregation": dict(statutes.aggregation),
            "atypical": tally.policies.is_atypical,
            "statutes_version": statutes_version,
        },
        "colleges": colleges,
    }
    value: dict[str, Any] = canonical_value(document)
    return value


def statutes_for_tally(
    statutes: Statutes, *, legal_form: str, kind: str, convocation: int
) -> Statutes:
    """The statutes as the tally applies them: a SARL's ordinary decisions need more than half of
    all votes at the first consultation, then a majority of the votes cast at the second
    (C. com. L223-29), so abstentions stop counting against there."""
    if (
        sarl_second_consultation(legal_form, kind, convocation)
        and statutes.abstention_policy == "counts_against"
    ):
        return replace(statutes, abstention_policy="excluded")
    return statutes


def with_blank_proxies(
    counts: Mapping[int | None, Mapping[str, int]], colleges: list[int | None], choice: str
) -> dict[int | None, dict[str, int]]:
    """The counts once the blank proxies (one per college listed) have voted ``choice``: what
    the close will record, for a result read before the close is recorded."""
    merged = {college: dict(by) for college, by in counts.items()}
    for college in colleges:
        by = merged.setdefault(college, {})
        by[choice] = by.get(choice, 0) + 1
    return merged
