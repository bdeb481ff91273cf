"""The statutes (policies) of an organisation: the patch, the response and its findings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from governance.rules.statutes import Finding, Statutes
from governance.services.types import Organisation, StatutesVersion
from web import i18n
from web.api.deps import exact
from web.api.schemas.common import ApiModel, Exact, ExactNumber, exact_or_none, local_time


class StatutesPatch(ApiModel):
    """Partial policies: only the fields sent are changed (names as in the colleges spec)."""

    colleges: dict[str, ExactNumber | None] | None = Field(
        None, description="College id (or name) → weight in percent; null removes the college."
    )
    abstention_policy: str | None = Field(
        None, description="excluded, counts_against or counts_for."
    )
    empty_college_policy: str | None = Field(
        None, description="redistribute, keep_in_denominator or merge_into:<college>."
    )
    silent_college_policy: str | None = Field(
        None, description="redistribute, keep_in_denominator or merge_into:<college>."
    )
    aggregation: dict[str, str] | str | None = Field(
        None, description='"proportional" or {"kind": "bloc", "threshold", "second_round"}.'
    )
    quorum_basis: str | None = Field(None, description="per_head or college_weighted.")
    quorum: dict[str, dict[str, ExactNumber | None]] | None = Field(
        None,
        description='Per assembly kind and convocation: {"AGO": {"1": "1/5", "2": "0"}}.',
    )
    majority_defaults: dict[str, str] | None = Field(
        None,
        description="Per resolution kind (ordinary, extraordinary, statutes_change, election): "
        "simple, two_thirds, three_quarters, unanimity or custom:>=3/5.",
    )
    max_proxies_per_holder: int | str | None = Field(
        None, description='An integer, "scop" (1 below 20 associates, else N/20) or null.'
    )
    proxy_holder_must_be_member: bool | None = None
    allow_remote: bool | None = None
    results_visibility: str | None = Field(None, description="after_close or live.")
    multi_college_members: bool | None = None
    college_weight_min: ExactNumber | None = Field(None, description="Outside a SCIC only.")
    college_weight_max: ExactNumber | None = Field(None, description="Outside a SCIC only.")


class FindingOut(BaseModel):
    code: str
    severity: str = Field(description="error (refused) or warning (shown, blocks convening).")
    field: str
    message: str
    subject: str | None = None


class CollegeWeightOut(BaseModel):
    id: str
    name: str
    weight: Exact


class VersionRef(BaseModel):
    version: int
    url: str


class StatutesOut(BaseModel):
    version: int
    status: str = Field(description="current or draft.")
    setup_mode: bool = Field(description="True until the first assembly is convened.")
    effective_at: str | None
    legal_form: str
    colleges: list[CollegeWeightOut]
    abstention_policy: str
    empty_college_policy: str
    silent_college_policy: str
    aggregation: dict[str, str]
    quorum_basis: str
    quorum: dict[str, dict[str, Exact | None]]
    majority_defaults: dict[str, str]
    max_proxies_per_holder: int | str | None
    proxy_holder_must_be_member: bool
    allow_remote: bool
    results_visibility: str
    multi_college_members: bool
    college_weight_min: Exact
    college_weight_max: Exact
    findings: list[FindingOut]
    draft: VersionRef | None = Field(None, description="The pending draft, if any.")


def finding_view(finding: Finding) -> FindingOut:
    return FindingOut(
        code=finding.code,
        severity=finding.severity,
        field=finding.field,
        message=finding.message.render(i18n.gettext),
        subject=finding.subject,
    )


def statutes_view(
    row: StatutesVersion,
    statutes: Statutes,
    findings: list[Finding],
    *,
    org: Organisation,
    setup_mode: bool,
    draft: StatutesVersion | None = None,
) -> StatutesOut:
    document = statutes.to_document()
    cap = document["max_proxies_per_holder"]
    return StatutesOut(
        version=row.number,
        status=row.status,
        setup_mode=setup_mode,
        effective_at=local_time(row.effective_at, org),
        legal_form=statutes.legal_form,
        colleges=[
            CollegeWeightOut(id=cw.college_id, name=cw.name, weight=Exact(**exact(cw.weight)))
            for cw in statutes.colleges
        ],
        abstention_policy=statutes.abstention_policy,
        empty_college_policy=statutes.empty_college_policy,
        silent_college_policy=statutes.silent_college_policy,
        aggregation=dict(document["aggregation"]),
        quorum_basis=statutes.quorum_basis,
        quorum={
            kind: {conv: exact_or_none(value) for conv, value in by_conv.items()}
            for kind, by_conv in document["quorum"].items()
        },
        majority_defaults=dict(statutes.majority_defaults),
        max_proxies_per_holder=int(cap) if cap is not None and cap.isdigit() else cap,
        proxy_holder_must_be_member=statutes.proxy_holder_must_be_member,
        allow_remote=statutes.allow_remote,
        results_visibility=statutes.results_visibility,
        multi_college_members=statutes.multi_college_members,
        college_weight_min=Exact(**exact(statutes.college_weight_min)),
        college_weight_max=Exact(**exact(statutes.college_weight_max)),
        findings=[finding_view(f) for f in findings],
        draft=(
            VersionRef(version=draft.number, url=f"/api/v1/orgs/{org.slug}/statutes/draft")
            if draft is not None
            else None
        ),
    )
