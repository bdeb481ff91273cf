"""Assemblies, their agenda, attendance, ballots and results: requests, responses and views."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from governance.rules.assemblies import ASSEMBLY_KIND_LABELS
from governance.services.assemblies import AttendanceRow
from governance.services.types import Assembly, Organisation, Resolution, parse_id
from web import i18n
from web.api.schemas.common import MAX_INT, ApiModel, Exact, Name, Text, _id_text, local_time
from web.api.schemas.results import ratio

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


def attendance_view(line: AttendanceRow, *, org: Organisation) -> AttendanceOut:
    return AttendanceOut(
        id=str(line.id),
        member=str(line.member_id),
        member_name=line.name,
        college=str(line.college_id) if line.college_id is not None else None,
        mode=line.mode,
        holder=str(line.holder_id) if line.holder_id is not None else None,
        holder_name=line.holder if line.holder_id is not None else None,
        blank_proxy=line.blank_proxy,
        at=local_time(line.at, org) or "",
        before_meeting=line.before_meeting,
    )
