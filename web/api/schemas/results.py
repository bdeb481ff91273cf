"""API shapes of a result (what `GET …/result` returns): per college, the rule applied, exact
ratios."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, Field

from web.api.deps import exact
from web.api.schemas.common import Exact

# ---- assemblies: requests -------------------------------------------------------------------


class MajorityOut(BaseModel):
    name: str
    threshold: Exact
    strict: bool = Field(description="true: more than the threshold; false: at least.")


class RuleOut(BaseModel):
    abstention_policy: str
    empty_college_policy: str
    silent_college_policy: str
    aggregation: dict[str, str]
    atypical: bool
    statutes_version: int


class CountsOut(BaseModel):
    for_: int = Field(serialization_alias="for")
    against: int
    abstain: int
    blank: int
    null: int
    not_voted: int


class CollegeResultOut(BaseModel):
    """One college's part; a hidden one (live secret vote, < 3 ballots) shows no counts."""

    college: str
    name: str
    weight: Exact
    members: int
    for_: int | None = Field(serialization_alias="for")
    against: int | None
    abstain: int | None
    blank: int | None
    null: int | None
    not_voted: int | None
    expressed: int | None
    share_for: Exact | None
    share_against: Exact | None
    contribution_for: Exact | None
    contribution_against: Exact | None
    weight_used: Exact | None
    status: str | None = Field(description="live, silent or empty; null when hidden.")
    treatment: str | None
    live: bool | None
    hidden: bool


class ResultOut(BaseModel):
    """Only ``status`` and ``visible`` until the result may be shown (after close by default)."""

    status: str
    visible: bool
    live: bool | None = Field(default=None, description="A provisional tally of an open vote.")
    overall_hidden: bool | None = Field(
        default=None,
        description="Live secret vote with a hidden college: the overall figures (ratio, "
        "adopted, totals) are null until the close.",
    )
    recorded: bool | None = Field(
        default=None,
        description="false: the vote is past its deadline and shown closed, with the result its "
        "close will record; `terreau tick` (or the next write) records it.",
    )
    adopted: bool | None = None
    majority_met: bool | None = None
    quorate: bool | None = None
    for_ratio: Exact | None = Field(default=None, description="null when nobody expressed a vote.")
    majority: MajorityOut | None = None
    method: str | None = None
    rule: RuleOut | None = None
    totals: CountsOut | None = None
    colleges: list[CollegeResultOut] | None = None


# ---- assemblies: views ----------------------------------------------------------------------


def ratio(value: Fraction | str) -> Exact:
    """An exact proportion; its display is a percentage rounded half-up to 2 places."""
    value = Fraction(value)
    percent = Decimal(value.numerator * 100) / Decimal(value.denominator)
    display = str(percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return Exact(exact=exact(value)["exact"], display=display)


def _ratio_or_none(value: str | None) -> Exact | None:
    return None if value is None else ratio(value)


def _count(value: str | None) -> int | None:
    return None if value is None else int(value)


def _college_result(college: dict[str, Any]) -> CollegeResultOut:
    return CollegeResultOut(
        college=str(college["id"]),
        name=str(college["name"]),
        weight=Exact(**exact(Fraction(college["weight"]))),
        members=int(college["members"]),
        for_=_count(college["for"]),
        against=_count(college["against"]),
        abstain=_count(college["abstain"]),
        blank=_count(college["blank"]),
        null=_count(college["null"]),
        not_voted=_count(college["not_voted"]),
        expressed=_count(college["expressed"]),
        share_for=_ratio_or_none(college["share_for"]),
        share_against=_ratio_or_none(college.get("share_against")),
        contribution_for=_ratio_or_none(college["contribution_for"]),
        contribution_against=_ratio_or_none(college.get("contribution_against")),
        weight_used=_ratio_or_none(college.get("weight_used")),
        status=None if college["status"] is None else str(college["status"]),
        treatment=None if college["treatment"] is None else str(college["treatment"]),
        live=None if college["live"] is None else bool(college["live"]),
        hidden=bool(college.get("hidden", False)),
    )


def result_out(document: dict[str, Any]) -> ResultOut:
    """Map the services' result document (exact numbers as strings) to the API's shape."""
    if "colleges" not in document:
        return ResultOut(status=str(document["status"]), visible=False)
    majority = document["majority"]
    rule = document["rule"]
    totals = document["totals"]
    overall_hidden = bool(document.get("overall_hidden", False))
    # Named only when it applies: the answer lists the fields that were set.
    hidden: dict[str, Any] = {"overall_hidden": True} if overall_hidden else {}
    if document.get("recorded") is False:  # past its deadline, the close not recorded yet
        hidden["recorded"] = False
    return ResultOut(
        status=str(document["status"]),
        visible=True,
        live=bool(document.get("live", False)),
        **hidden,
        adopted=None if overall_hidden else bool(document["adopted"]),
        majority_met=None if overall_hidden else bool(document["majority_met"]),
        quorate=bool(document["quorate"]),
        for_ratio=_ratio_or_none(document["for_ratio"]),
        majority=MajorityOut(
            name=str(majority["name"]),
            threshold=ratio(majority["threshold"]),
            strict=bool(majority["strict"]),
        ),
        method=str(document["method"]),
        rule=RuleOut(
            abstention_policy=str(rule["abstention_policy"]),
            empty_college_policy=str(rule["empty_college_policy"]),
            silent_college_policy=str(rule["silent_college_policy"]),
            aggregation={str(k): str(v) for k, v in rule["aggregation"].items()},
            atypical=bool(rule["atypical"]),
            statutes_version=int(rule["statutes_version"]),
        ),
        totals=None
        if totals is None
        else CountsOut(
            for_=int(totals["for"]),
            against=int(totals["against"]),
            abstain=int(totals["abstain"]),
            blank=int(totals["blank"]),
            null=int(totals["null"]),
            not_voted=int(totals["not_voted"]),
        ),
        colleges=[_college_result(c) for c in document["colleges"]],
    )
