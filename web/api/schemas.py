"""Request and response models of the JSON API, and the views that turn rows into responses.

Conventions (the Terreau API specification, ``spec/api.md``, summed up in the README's API
section): ids are strings, exact numbers are ``{"exact", "display"}`` objects, times are ISO 8601
with the organisation's UTC offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from governance.rules.assemblies import ASSEMBLY_KIND_LABELS
from governance.rules.statutes import Finding, Statutes, parse_exact
from governance.services.audit import AuditReport
from governance.store.ids import MAX_ID, parse_id
from governance.store.tables import (
    Assembly,
    Attendance,
    Category,
    College,
    Member,
    Organisation,
    Resolution,
    StatutesVersion,
)
from web import i18n
from web.api.deps import exact

# ---- input types ----------------------------------------------------------------------------


def _exact_text(value: Any) -> Any:
    """Accept an exact number as text or integer; refuse floats, which are never exact."""
    if isinstance(value, bool | float):
        raise PydanticCustomError(
            "exact_number",
            i18n.gettext(
                "Nombre exact attendu, écrit en texte : entier, décimal ou fraction "
                "(ex. « 40 », « 33.5 », « 2/3 »)."
            ),
        )
    if isinstance(value, int):
        return str(value)
    return value


def _id_text(value: Any) -> Any:
    """Accept an id as a string (the API's convention) or as a bare integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _no_nul(value: str) -> str:
    """Refuse the NUL character, which no database text column stores."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", i18n.gettext("Caractère nul interdit."))
    return value


MAX_INT = MAX_ID

Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[Text, Field(max_length=200)]
Count = Annotated[int, Field(le=MAX_INT)]

ExactNumber = Annotated[
    str,
    BeforeValidator(_exact_text),
    Field(
        description='Exact number as text: integer, decimal or fraction ("40", "33.5", "2/3").',
        examples=["40"],
    ),
]
IdRef = Annotated[
    Text,
    BeforeValidator(_id_text),
    Field(description="The id returned when the object was created (its name also works)."),
]
DateText = Annotated[
    Text,
    Field(description="A date, YYYY-MM-DD.", json_schema_extra={"format": "date"}),
]


def _not_utf8(value: Any) -> bool:
    """True if a text in ``value`` (a key, an item, at any depth) cannot be written as UTF-8.

    JSON may carry a lone UTF-16 surrogate (``"\\ud800"``): Python reads it, but no database,
    page or JSON answer can write it back. Walked without recursion, however deep the body.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode()
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class ApiModel(BaseModel):
    """A request body: unknown fields are refused, so a typo never passes silently; texts that
    are not valid Unicode are refused before any field is read."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _unicode_only(cls, data: Any) -> Any:
        if _not_utf8(data):
            fields = (
                [k for k, v in data.items() if not _not_utf8(k) and _not_utf8(v)]
                if isinstance(data, dict)
                else []
            )
            raise PydanticCustomError(
                "unicode",
                i18n.gettext(
                    "Texte invalide : caractère Unicode isolé (demi-paire UTF-16) interdit{where}."
                ),
                {"where": f" ({', '.join(fields)})" if fields else ""},
            )
        return data


class OrgCreate(ApiModel):
    slug: Text = Field(description="Lower-case letters, digits and dashes; used in every path.")
    name: Name
    legal_form: Text = Field(
        description="SCIC_SA, SCIC_SAS, SCIC_SARL, SCOP_SA, SCOP_SARL, ASSOCIATION or OTHER."
    )
    timezone: Text = Field("Europe/Paris", description="IANA time zone of the organisation.")
    description: Annotated[Text, Field(max_length=10_000)] = ""


class CategoryCreate(ApiModel):
    name: Name
    kind: Text = Field(
        "other", description="beneficiaries, employees, producers, public_body or other."
    )


class CollegeCreate(ApiModel):
    name: Name
    weight: ExactNumber


class MemberCreate(ApiModel):
    name: Name
    email: Annotated[Text, Field(max_length=254)]
    associate: bool = Field(True, description="false: a participant (no share, no AG vote).")
    category: IdRef | None = Field(None, description="Required for an associate.")
    college: IdRef | None = Field(None, description="Required for an associate with colleges.")
    shares: Count | None = Field(None, description="Capital shares (default 1 for an associate).")
    legal_person: bool = False
    representative_name: Name | None = Field(
        None, description="Named representative of a legal person (required for one)."
    )
    admitted_on: DateText | None = None
    roles: list[Text] = Field(
        default_factory=list,
        description="facilitator, secretary, jardinier, auditor, admin, funder.",
    )


class DepartureIn(ApiModel):
    on: DateText
    reason: Annotated[Text, Field(max_length=10_000)]
    shares_returned: Count | None = None


class MemberPatch(ApiModel):
    roles: list[Text] | None = Field(
        None, description="The full new list of roles (replaces the current one)."
    )
    college: IdRef | None = None
    category: IdRef | None = None
    shares: Count | None = None
    departure: DepartureIn | None = None


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


# ---- output models --------------------------------------------------------------------------


class Exact(BaseModel):
    exact: str = Field(description="Exact fraction string.", examples=["19/27"])
    display: str = Field(description="Rounded to two places, for display only.", examples=["70.37"])


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    detail: str
    errors: list[ErrorItem] | None = None


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


class OrgOut(BaseModel):
    id: str
    slug: str
    name: str
    legal_form: str
    timezone: str
    description: str
    created_at: str
    setup_mode: bool
    setup_closed_at: str | None
    statutes_version: int
    statutes: StatutesOut


class CategoryOut(BaseModel):
    id: str
    name: str
    kind: str


class CollegeOut(BaseModel):
    id: str
    name: str
    weight: Exact
    members: int = Field(description="Current associates in the college.")


class MemberOut(BaseModel):
    id: str
    name: str
    email: str | None = Field(
        description="Shown to admins, secretaries, auditors and the member themselves."
    )
    status: str = Field(description="associate, participant or external.")
    associate: bool
    category: str | None
    category_name: str | None
    college: str | None
    college_name: str | None
    shares: int
    legal_person: bool
    representative_name: str | None
    roles: list[str]
    admitted_on: str | None
    departed_on: str | None
    departure_reason: str | None
    shares_returned: int | None
    created_at: str


class AuditFindingOut(BaseModel):
    check: str
    record: str
    message: str


class AuditHeadOut(BaseModel):
    seq: int
    hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    events: int
    findings: list[AuditFindingOut]
    head: AuditHeadOut
    first_broken_seq: int | None


# ---- views ----------------------------------------------------------------------------------


def local_time(value: datetime | None, org: Organisation) -> str | None:
    """ISO 8601 in the organisation's time zone, with its offset."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(org.timezone)).isoformat()


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def exact_or_none(text: str | None) -> Exact | None:
    return None if text is None else Exact(**exact(parse_exact(text, "value")))


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


def org_view(org: Organisation, statutes: StatutesOut) -> OrgOut:
    return OrgOut(
        id=str(org.id),
        slug=org.slug,
        name=org.name,
        legal_form=org.legal_form,
        timezone=org.timezone,
        description=org.description,
        created_at=local_time(org.created_at, org) or "",
        setup_mode=org.setup_closed_at is None,
        setup_closed_at=local_time(org.setup_closed_at, org),
        statutes_version=statutes.version,
        statutes=statutes,
    )


def category_view(category: Category) -> CategoryOut:
    return CategoryOut(id=str(category.id), name=category.name, kind=category.kind)


def college_view(college: College, weight: Fraction, members: int) -> CollegeOut:
    return CollegeOut(
        id=str(college.id), name=college.name, weight=Exact(**exact(weight)), members=members
    )


def member_view(
    member: Member,
    *,
    org: Organisation,
    category: Category | None,
    college: College | None,
    show_email: bool,
) -> MemberOut:
    return MemberOut(
        id=str(member.id),
        name=member.name,
        email=member.user.email if show_email else None,
        status=member.status,
        associate=member.status == "associate",
        category=str(member.category_id) if member.category_id is not None else None,
        category_name=category.name if category is not None else None,
        college=str(member.college_id) if member.college_id is not None else None,
        college_name=college.name if college is not None else None,
        shares=member.shares,
        legal_person=member.legal_person,
        representative_name=member.representative_name,
        roles=sorted(r.role for r in member.roles),
        admitted_on=_day(member.admitted_on),
        departed_on=_day(member.departed_on),
        departure_reason=member.departure_reason,
        shares_returned=member.shares_returned,
        created_at=local_time(member.created_at, org) or "",
    )


def audit_view(report: AuditReport) -> AuditVerifyOut:
    return AuditVerifyOut(
        ok=report.ok,
        events=report.events,
        findings=[AuditFindingOut(**f.to_dict(i18n.gettext)) for f in report.findings],
        head=AuditHeadOut(seq=report.head_seq, hash=report.head_hash),
        first_broken_seq=report.first_broken_seq,
    )


# ---- assemblies: requests -------------------------------------------------------------------


def _member_id_text(value: str) -> str:
    """A member reference is the member's id: digits, within the database's integer range."""
    digits = value.strip()
    if parse_id(digits) is None:
        raise PydanticCustomError(
            "member_id",
            i18n.gettext("Identifiant de membre attendu (le nombre renvoyé à sa création)."),
        )
    return digits


def _no_bool(value: Any) -> Any:
    """Refuse true/false where a number is expected (JSON booleans would pass as 1 and 0)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number", i18n.gettext("Nombre entier attendu."))
    return value


def _when_text(value: str) -> str:
    """Refuse an instant no database stores; the services explain every other problem."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value  # the service names the field and the expected format
    if when.tzinfo is not None:
        try:
            when.astimezone(UTC)
        except OverflowError:
            raise PydanticCustomError(
                "datetime_range", i18n.gettext("Date hors des limites acceptées.")
            ) from None
    return value


MemberRef = Annotated[
    Text,
    BeforeValidator(_id_text),
    AfterValidator(_member_id_text),
    Field(description="A member's id (as returned when the member was created)."),
]
WhenText = Annotated[
    Text,
    AfterValidator(_when_text),
    Field(
        max_length=64,
        description="ISO 8601 date and time with its UTC offset.",
        examples=["2026-06-20T14:00:00+02:00"],
    ),
]
LongText = Annotated[Text, Field(max_length=20_000)]


class AssemblyCreate(ApiModel):
    title: Name
    kind: Text = Field(description="AGO, AGE or AGO_EXTRA (AGO réunie extraordinairement).")
    convocation: Annotated[int, BeforeValidator(_no_bool), Field(le=MAX_INT)] = Field(
        1, description="1 (first convocation) or 2 (second)."
    )
    scheduled_at: WhenText
    place: Annotated[Text, Field(max_length=300)] = ""
    remote: bool = Field(False, description="Members may also take part remotely.")


class ConveneIn(ApiModel):
    mode: Text = Field(description="email, post or both; email sends the convocations.")


class ResolutionCreate(ApiModel):
    title: Annotated[Text, Field(max_length=300)]
    text: LongText
    kind: Text = Field(
        "ordinary", description="ordinary, extraordinary, statutes_change or election."
    )
    majority: Annotated[Text, Field(max_length=40)] | None = Field(
        None,
        description="simple, two_thirds, three_quarters, unanimity or custom:>=3/5; "
        "default from the kind and the statutes.",
    )
    secret: bool = Field(False, description="Secret ballot: voters get a receipt.")
    board_proposed: bool = Field(
        True, description="Proposed by the board: blank proxies vote for it (else against)."
    )
    adopts_statutes_draft: bool = Field(
        False, description="Adopting it brings the pending statutes draft into force."
    )


class AttendanceIn(ApiModel):
    member: MemberRef
    mode: Text = Field(description="present, remote, correspondence or proxy.")
    holder: MemberRef | None = Field(
        None, description="With mode proxy: the member who holds it; omitted: a blank proxy."
    )


class MinutesPatch(ApiModel):
    """The procès-verbal's content kept by the secretary; only the fields sent change."""

    chair: Name | None = None
    secretary_name: Name | None = None
    scrutineers: Annotated[Text, Field(max_length=400)] | None = None
    documents: LongText | None = None
    debates: LongText | None = None
    incidents: LongText | None = None


class ResolutionOpen(ApiModel):
    deadline: WhenText | None = Field(
        None, description="Closes the vote automatically (none: the secretary closes it)."
    )


class ResolutionCancel(ApiModel):
    reason: Annotated[Text, Field(max_length=2_000)]


class BallotIn(ApiModel):
    choice: Text = Field(description="for, against, abstain or blank.")
    on_behalf_of: MemberRef | None = Field(
        None, description="Vote for a principal whose proxy the token's member holds."
    )
    member: MemberRef | None = Field(
        None, description="Secretary only, with channel correspondence: whose paper form it is."
    )
    channel: Text = Field(
        "direct", description="direct, or correspondence for a paper form (secretary)."
    )


# ---- assemblies: responses ------------------------------------------------------------------


class ConvocationOut(BaseModel):
    mode: str = Field(description="email, post or both.")
    sent_at: str
    recipients: int = Field(description="Associates convened.")


class QuorumOut(BaseModel):
    basis: str = Field(description="per_head or college_weighted.")
    rule: str = Field(description="The rule applied, in words.")
    present: int
    remote: int
    represented: int = Field(description="Associates represented by a proxy.")
    correspondence: int = Field(description="Forms received before the meeting.")
    eligible: int = Field(description="Associates with voting rights.")
    required: Exact | None = Field(description="Required proportion; null: no quorum.")
    ratio: Exact = Field(description="Proportion reached (display in percent).")
    reached: bool
    frozen: bool = Field(
        description="True once the assembly is open: the computation recorded at the opening, "
        "which every result of the assembly uses."
    )


class MinutesOut(BaseModel):
    chair: str
    secretary_name: str
    scrutineers: str
    documents: str
    debates: str
    incidents: str


class ResolutionOut(BaseModel):
    id: str
    assembly: str
    position: int
    title: str
    text: str
    kind: str
    majority: str
    secret: bool
    board_proposed: bool
    adopts_statutes_draft: bool
    status: str = Field(
        description="draft, open, closed or cancelled; past its deadline a vote shows closed."
    )
    opened_at: str | None
    deadline: str | None
    closed_at: str | None
    adopted: bool | None = Field(description="Known once the vote is closed.")
    statutes_version: int | None = Field(description="Frozen when the vote opens.")


class AssemblySummaryOut(BaseModel):
    id: str
    title: str
    kind: str
    kind_label: str
    convocation: int = Field(description="1 (first convocation) or 2 (second).")
    scheduled_at: str
    place: str
    remote: bool
    status: str = Field(description="draft, convened, open, closed or published.")
    created_at: str
    convened_at: str | None
    opened_at: str | None
    closed_at: str | None
    published_at: str | None


class AssemblyOut(AssemblySummaryOut):
    convocation_record: ConvocationOut | None = Field(description="Once convened.")
    quorum: QuorumOut | None = Field(description="Recorded when the assembly opened.")
    minutes: MinutesOut
    agenda: list[ResolutionOut]


class AttendanceOut(BaseModel):
    id: str
    member: str
    member_name: str
    college: str | None
    mode: str = Field(description="present, remote, correspondence or proxy.")
    holder: str | None
    holder_name: str | None
    blank_proxy: bool
    at: str
    before_meeting: bool


class ReceiptOut(BaseModel):
    code: str = Field(description="Shown once: keep it to find your ballot in the list.")
    ballot_hash: str = Field(description="Listed in the ballot hashes once the vote closes.")


class BallotOut(BaseModel):
    member: str = Field(description="Whose ballot it is (the principal for a proxy vote).")
    choice: str | None = Field(description="null for a secret ballot.")
    changed: bool = Field(description="A public ballot replaced the previous one.")
    receipt: ReceiptOut | None = Field(description="Secret ballots only.")


class BallotHashesOut(BaseModel):
    resolution: str
    count: int
    hashes: list[str] = Field(description="Sorted hashes of every counted secret ballot.")


class VoteSlotOut(BaseModel):
    member: str
    member_name: str
    on_behalf: bool = Field(description="A proxy vote for this principal.")
    voted: bool
    choice: str | None = Field(description="null for a secret ballot or before voting.")
    can_vote: bool


class VotingPanelOut(BaseModel):
    resolution: str
    status: str
    reason: str | None = Field(description="Why the token's member has no ballot, if so.")
    slots: list[VoteSlotOut]


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


def quorum_out(record: dict[str, Any], *, frozen: bool) -> QuorumOut:
    """A quorum computation (``QuorumView.to_dict()`` or its canonical JSON record)."""
    required = record.get("required")
    return QuorumOut(
        basis=str(record["basis"]),
        rule=str(record["rule"]),
        present=int(record["present"]),
        remote=int(record["remote"]),
        represented=int(record["represented"]),
        correspondence=int(record["correspondence"]),
        eligible=int(record["eligible"]),
        required=None if required is None else ratio(required),
        ratio=ratio(record["ratio"]),
        reached=bool(record["reached"]),
        frozen=frozen,
    )


def resolution_view(
    resolution: Resolution, *, org: Organisation, status: str, statutes_version: int | None
) -> ResolutionOut:
    return ResolutionOut(
        id=str(resolution.id),
        assembly=str(resolution.assembly_id),
        position=resolution.position,
        title=resolution.title,
        text=resolution.text,
        kind=resolution.kind,
        majority=resolution.majority,
        secret=resolution.secret,
        board_proposed=resolution.board_proposed,
        adopts_statutes_draft=resolution.adopts_statutes_id is not None,
        status=status,
        opened_at=local_time(resolution.opened_at, org),
        deadline=local_time(resolution.deadline, org),
        closed_at=local_time(resolution.closed_at, org),
        adopted=resolution.adopted,
        statutes_version=statutes_version,
    )


def _assembly_fields(assembly: Assembly, org: Organisation) -> dict[str, Any]:
    return {
        "id": str(assembly.id),
        "title": assembly.title,
        "kind": assembly.kind,
        "kind_label": ASSEMBLY_KIND_LABELS.get(assembly.kind, assembly.kind),
        "convocation": assembly.convocation,
        "scheduled_at": local_time(assembly.scheduled_at, org) or "",
        "place": assembly.place,
        "remote": assembly.remote,
        "status": assembly.status,
        "created_at": local_time(assembly.created_at, org) or "",
        "convened_at": local_time(assembly.convened_at, org),
        "opened_at": local_time(assembly.opened_at, org),
        "closed_at": local_time(assembly.closed_at, org),
        "published_at": local_time(assembly.published_at, org),
    }


def assembly_summary_view(assembly: Assembly, org: Organisation) -> AssemblySummaryOut:
    return AssemblySummaryOut(**_assembly_fields(assembly, org))


def assembly_view(
    assembly: Assembly,
    *,
    org: Organisation,
    agenda: list[ResolutionOut],
    quorum: QuorumOut | None,
) -> AssemblyOut:
    convocation = None
    if assembly.convened_at is not None:
        convocation = ConvocationOut(
            mode=assembly.convocation_mode or "",
            sent_at=local_time(assembly.convened_at, org) or "",
            recipients=assembly.convocation_recipients or 0,
        )
    return AssemblyOut(
        **_assembly_fields(assembly, org),
        convocation_record=convocation,
        quorum=quorum,
        minutes=MinutesOut(
            chair=assembly.chair,
            secretary_name=assembly.secretary_name,
            scrutineers=assembly.scrutineers,
            documents=assembly.documents,
            debates=assembly.debates,
            incidents=assembly.incidents,
        ),
        agenda=agenda,
    )


def attendance_view(line: Attendance, *, org: Organisation, names: dict[int, str]) -> AttendanceOut:
    return AttendanceOut(
        id=str(line.id),
        member=str(line.member_id),
        member_name=names.get(line.member_id, ""),
        college=str(line.college_id) if line.college_id is not None else None,
        mode=line.mode,
        holder=str(line.holder_id) if line.holder_id is not None else None,
        holder_name=names.get(line.holder_id) if line.holder_id is not None else None,
        blank_proxy=line.mode == "proxy" and line.holder_id is None,
        at=local_time(line.at, org) or "",
        before_meeting=line.before_meeting,
    )


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


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid API token."},
    403: {"model": ErrorBody, "description": "Authenticated but not allowed; says why."},
    404: {"model": ErrorBody, "description": "Unknown organisation or object."},
    422: {"model": ErrorBody, "description": "Invalid input: every field and rule."},
}
CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The current state forbids it (duplicate, phase)."}
}
BODY_RESPONSE: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body cannot be read as JSON text (not UTF-8)."}
}
"""Routes that read a JSON body: FastAPI answers 400 when the bytes are not even text."""
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {**BODY_RESPONSE, **CONFLICT_RESPONSE}
