"""API: an assembly's life — creation, agenda, convocation, attendance, opening, quorum, the
minutes' content, closing and publication."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from governance.errors import ValidationError
from governance.i18n import M
from governance.services import assemblies as ga
from web.api.common import load_org
from web.api.deps import ApiActor
from web.api.schemas import (
    BODY_RESPONSE,
    CONFLICT_RESPONSE,
    WRITE_RESPONSES,
    AssemblyCreate,
    AssemblyOut,
    AssemblySummaryOut,
    AttendanceIn,
    AttendanceOut,
    ConveneIn,
    MinutesPatch,
    QuorumOut,
    ResolutionCreate,
    ResolutionOut,
    assembly_summary_view,
    attendance_view,
)
from web.deps import get_links, make_uow

from ._shared import (
    ASSEMBLIES,
    _assembly_id,
    _assembly_out,
    _quorum_out,
    _resolutions_out,
    router,
)

# ---- assemblies -----------------------------------------------------------------------------


@router.post(
    "/orgs/{org}/assemblies",
    tags=[ASSEMBLIES],
    summary="Create a general assembly in draft (admin, secretary)",
    status_code=201,
    response_model=AssemblyOut,
    responses=BODY_RESPONSE,
)
def create_assembly(
    org: str, body: AssemblyCreate, request: Request, actor: ApiActor
) -> AssemblyOut:
    """Create an AGO, AGE or AGO réunie extraordinairement; its agenda follows."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        assembly = ga.create_assembly(
            uow,
            actor=actor,
            org=organisation,
            title=body.title,
            kind=body.kind,
            convocation=body.convocation,
            scheduled_at=body.scheduled_at,
            place=body.place,
            remote=body.remote,
        )
        result = _assembly_out(uow, organisation, assembly)
        uow.commit()
    return result


@router.get(
    "/orgs/{org}/assemblies",
    tags=[ASSEMBLIES],
    summary="General assemblies, latest first (drafts: organisers only)",
    response_model=list[AssemblySummaryOut],
)
def read_assemblies(org: str, request: Request, actor: ApiActor) -> list[AssemblySummaryOut]:
    """List the organisation's assemblies."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        return [
            assembly_summary_view(a, organisation)
            for a in ga.list_assemblies(uow, actor=actor, org=organisation)
        ]


@router.get(
    "/orgs/{org}/assemblies/{assembly_id}",
    tags=[ASSEMBLIES],
    summary="One assembly with its agenda, convocation and quorum records",
    description="Each resolution shows the status a member sees: past its deadline an open "
    "vote is closed, even before `terreau tick` records it.",
    response_model=AssemblyOut,
)
def read_assembly(org: str, assembly_id: str, request: Request, actor: ApiActor) -> AssemblyOut:
    """Return the assembly, its agenda in order and what was recorded so far."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        assembly = ga.view_assembly(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        return _assembly_out(uow, organisation, assembly)


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/convene",
    tags=[ASSEMBLIES],
    summary="Convene the associates (admin, secretary); ends the statutes' setup mode",
    description="Records the convocation (date, mode, recipients). With `email` or `both` "
    "every associate receives the agenda and a link, once the convocation is recorded.",
    response_model=AssemblyOut,
    responses=WRITE_RESPONSES,
)
def convene(
    org: str, assembly_id: str, body: ConveneIn, request: Request, actor: ApiActor
) -> AssemblyOut:
    """Send the convocation and record it."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        assembly = ga.convene(
            uow,
            actor=actor,
            org=organisation,
            assembly_id=_assembly_id(assembly_id),
            mode=body.mode,
            links=get_links(request),
        )
        result = _assembly_out(uow, organisation, assembly)
        uow.commit()  # the convocations leave only now
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/resolutions",
    tags=[ASSEMBLIES],
    summary="Add a resolution to the agenda (admin, secretary)",
    description="The majority defaults from the resolution's kind and the statutes. "
    "`adopts_statutes_draft` links the pending statutes draft: adopting the resolution brings "
    "it into force.",
    status_code=201,
    response_model=ResolutionOut,
    responses=WRITE_RESPONSES,
)
def create_resolution(
    org: str, assembly_id: str, body: ResolutionCreate, request: Request, actor: ApiActor
) -> ResolutionOut:
    """Append a resolution to the agenda."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        resolution = ga.add_resolution(
            uow,
            actor=actor,
            org=organisation,
            assembly_id=_assembly_id(assembly_id),
            title=body.title,
            text=body.text,
            kind=body.kind,
            majority=body.majority,
            secret=body.secret,
            board_proposed=body.board_proposed,
            adopts_statutes_draft=body.adopts_statutes_draft,
        )
        (result,) = _resolutions_out(uow, organisation, [resolution])
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/attendance",
    tags=[ASSEMBLIES],
    summary="Record how an associate takes part: present, remote, correspondence or proxy",
    description="The secretary records anyone; an associate records their own line. With "
    "`proxy` the member is the principal and `holder` the member who votes for them; without "
    "`holder` it is a blank proxy, which votes for the board's resolutions and against the "
    "others. 201 for a new line, 200 when it replaces the member's line.",
    status_code=201,
    response_model=AttendanceOut,
    responses={**WRITE_RESPONSES, 200: {"model": AttendanceOut}},
)
def record_attendance(
    org: str,
    assembly_id: str,
    body: AttendanceIn,
    request: Request,
    response: Response,
    actor: ApiActor,
) -> AttendanceOut:
    """Add or replace the member's line of the feuille de présence."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        assembly = ga.get_assembly(uow, organisation, _assembly_id(assembly_id))
        known = {line.member_id for line in ga.attendance_of(uow, assembly)}
        line = ga.record_attendance(
            uow,
            actor=actor,
            org=organisation,
            assembly_id=assembly.id,
            member_id=body.member,
            mode=body.mode,
            holder_id=body.holder,
        )
        if line.member_id in known:
            response.status_code = 200
        row = ga.attendance_row(uow, organisation, assembly.id, line.member_id)
        result = attendance_view(row, org=organisation)
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/open",
    tags=[ASSEMBLIES],
    summary="Open the assembly and record its quorum (admin, secretary)",
    description="A non-quorate assembly still opens for debate, but adopts no resolution. "
    "Opening again returns the recorded quorum.",
    response_model=QuorumOut,
    responses=CONFLICT_RESPONSE,
)
def open_assembly(org: str, assembly_id: str, request: Request, actor: ApiActor) -> QuorumOut:
    """Open the meeting; the quorum computation is frozen now."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        key = _assembly_id(assembly_id)
        ga.open_assembly(uow, actor=actor, org=organisation, assembly_id=key)
        assembly = ga.get_assembly(uow, organisation, key)
        result = _quorum_out(uow, organisation, assembly)
        uow.commit()
    return result


@router.get(
    "/orgs/{org}/assemblies/{assembly_id}/quorum",
    tags=[ASSEMBLIES],
    summary="The quorum: recorded at the opening, or projected from the attendance so far",
    response_model=QuorumOut,
    responses=CONFLICT_RESPONSE,
)
def read_quorum(org: str, assembly_id: str, request: Request, actor: ApiActor) -> QuorumOut:
    """Counts per mode, eligible associates, required and reached proportions (exact)."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        assembly = ga.view_assembly(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        return _quorum_out(uow, organisation, assembly)


@router.patch(
    "/orgs/{org}/assemblies/{assembly_id}/minutes",
    tags=[ASSEMBLIES],
    summary="Edit the procès-verbal's content: bureau, documents, debates, incidents (secretary)",
    response_model=AssemblyOut,
    responses=WRITE_RESPONSES,
)
def update_minutes(
    org: str, assembly_id: str, body: MinutesPatch, request: Request, actor: ApiActor
) -> AssemblyOut:
    """Change the fields sent; refused once the minutes are published."""
    fields = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if not fields:
        raise ValidationError.single(
            "body",
            M(
                "Indiquez au moins un champ à modifier : chair, secretary_name, scrutineers, "
                "documents, debates, incidents."
            ),
        )
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        assembly = ga.update_minutes(
            uow,
            actor=actor,
            org=organisation,
            assembly_id=_assembly_id(assembly_id),
            **fields,
        )
        result = _assembly_out(uow, organisation, assembly)
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/close",
    tags=[ASSEMBLIES],
    summary="Close every open vote, then the assembly (admin, secretary); idempotent",
    response_model=AssemblyOut,
    responses=CONFLICT_RESPONSE,
)
def close_assembly(org: str, assembly_id: str, request: Request, actor: ApiActor) -> AssemblyOut:
    """Close the open resolutions (their results are stored) and the assembly."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        assembly = ga.close_assembly(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        result = _assembly_out(uow, organisation, assembly)
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/publish",
    tags=[ASSEMBLIES],
    summary="Publish the procès-verbal (secretary); members may read it from then on",
    response_model=AssemblyOut,
    responses=CONFLICT_RESPONSE,
)
def publish_minutes(org: str, assembly_id: str, request: Request, actor: ApiActor) -> AssemblyOut:
    """Publish the minutes of a closed assembly; their content no longer changes."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        assembly = ga.publish_minutes(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        result = _assembly_out(uow, organisation, assembly)
        uow.commit()
    return result
