"""API: general assemblies — agenda, convocation, attendance and proxies, ballots, results, and the
procès-verbal and feuille de présence exports (HTML, PDF, CSV)."""

from __future__ import annotations

import json
import unicodedata
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from governance.errors import ConflictError, ValidationError
from governance.exports import minutes as exports
from governance.i18n import M
from governance.services import assemblies as ga
from governance.services.authz import Actor
from governance.store.tables import Assembly, Organisation, Resolution, StatutesVersion
from governance.store.uow import UnitOfWork
from web import i18n
from web.api.common import BEARER, load_org, path_id
from web.api.deps import ApiActor
from web.api.schemas import (
    BODY_RESPONSE,
    CONFLICT_RESPONSE,
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    AssemblyCreate,
    AssemblyOut,
    AssemblySummaryOut,
    AttendanceIn,
    AttendanceOut,
    BallotHashesOut,
    BallotIn,
    BallotOut,
    ConveneIn,
    MinutesPatch,
    QuorumOut,
    ReceiptOut,
    ResolutionCancel,
    ResolutionCreate,
    ResolutionOpen,
    ResolutionOut,
    ResultOut,
    VoteSlotOut,
    VotingPanelOut,
    assembly_summary_view,
    assembly_view,
    attendance_view,
    quorum_out,
    resolution_view,
    result_out,
)
from web.deps import make_uow

router = APIRouter(responses=ERROR_RESPONSES, dependencies=[BEARER])
# The procès-verbal's stylesheet is public: a saved or printed page must find it without a token.
public_router = APIRouter(tags=["exports"])

ASSEMBLIES = "assemblies"
EXPORTS = "exports"
STYLESHEET_URL = "/api/v1/exports/minutes.css"
HTML = "text/html"
PDF = "application/pdf"
CSV = "text/csv"


def _assembly_id(raw: str) -> int:
    return path_id(raw, M("Assemblée introuvable."))


def _resolution_id(raw: str) -> int:
    return path_id(raw, M("Résolution introuvable."))


def _base_url(request: Request) -> str:
    base: str = request.app.state.settings.base_url
    return base


def _versions(uow: UnitOfWork, resolutions: list[Resolution]) -> dict[int, int]:
    """Statutes version id → its number, for the versions these resolutions froze."""
    ids = {r.statutes_version_id for r in resolutions if r.statutes_version_id is not None}
    return {
        version_id: version.number
        for version_id in ids
        if (version := uow.session.get(StatutesVersion, version_id)) is not None
    }


def _resolutions_out(
    uow: UnitOfWork, org: Organisation, resolutions: list[Resolution]
) -> list[ResolutionOut]:
    versions = _versions(uow, resolutions)
    now = uow.now()
    return [
        resolution_view(
            r,
            org=org,
            status=ga.effective_status(r, now),
            statutes_version=versions.get(r.statutes_version_id or 0),
        )
        for r in resolutions
    ]


def _quorum_out(uow: UnitOfWork, actor: Actor, org: Organisation, assembly: Assembly) -> QuorumOut:
    """Once the assembly is open, the computation recorded then; before, today's projection."""
    if assembly.quorum_record:
        return quorum_out(json.loads(assembly.quorum_record), frozen=True)
    view = ga.quorum(uow, actor=actor, org=org, assembly_id=assembly.id)
    return quorum_out(view.to_dict(), frozen=False)


def _assembly_out(uow: UnitOfWork, org: Organisation, assembly: Assembly) -> AssemblyOut:
    quorum = (
        quorum_out(json.loads(assembly.quorum_record), frozen=True)
        if assembly.quorum_record
        else None
    )
    return assembly_view(
        assembly,
        org=org,
        agenda=_resolutions_out(uow, org, ga.list_resolutions(uow, assembly)),
        quorum=quorum,
    )


def _visible_resolution(uow: UnitOfWork, actor: Actor, org: Organisation, raw: str) -> Resolution:
    """A resolution the actor may read: an agenda still in draft is the organisers' only."""
    resolution = ga.get_resolution(uow, org, _resolution_id(raw))
    ga.view_assembly(uow, actor=actor, org=org, assembly_id=resolution.assembly_id)
    return resolution


def _attachment(name: str) -> str:
    """Content-Disposition for a French file name, with a plain ASCII fallback."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _file_name(prefix: str, data: exports.MinutesData, extension: str) -> str:
    day = data.assembly.scheduled_at.astimezone(data.tz).date().isoformat()
    return f"{prefix}-{data.org.slug}-{day}.{extension}"


def _format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValidationError.single(
            "format", M("format vaut {values}.", values=", ".join(allowed))
        )
    return value


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
            base_url=_base_url(request),
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
        names = ga.member_names(uow, [line.member_id, line.holder_id or line.member_id])
        result = attendance_view(line, org=organisation, names=names)
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
        result = _quorum_out(uow, actor, organisation, assembly)
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
        return _quorum_out(uow, actor, organisation, assembly)


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


# ---- resolutions ----------------------------------------------------------------------------


@router.get(
    "/orgs/{org}/resolutions/{resolution_id}",
    tags=[ASSEMBLIES],
    summary="One resolution, with the status a member sees",
    response_model=ResolutionOut,
)
def read_resolution(
    org: str, resolution_id: str, request: Request, actor: ApiActor
) -> ResolutionOut:
    """Return the resolution (past its deadline an open vote shows closed)."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        resolution = _visible_resolution(uow, actor, organisation, resolution_id)
        (result,) = _resolutions_out(uow, organisation, [resolution])
        return result


@router.post(
    "/orgs/{org}/resolutions/{resolution_id}/open",
    tags=[ASSEMBLIES],
    summary="Open the vote (admin, secretary); idempotent",
    description="Text, majority, secrecy and statutes version are frozen from now on. An "
    "optional `deadline` closes the vote automatically; without one the secretary closes it.",
    response_model=ResolutionOut,
    responses=WRITE_RESPONSES,
)
def open_resolution(
    org: str,
    resolution_id: str,
    request: Request,
    actor: ApiActor,
    body: ResolutionOpen | None = None,
) -> ResolutionOut:
    """Open the vote on one resolution of an open assembly."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        resolution = ga.open_resolution(
            uow,
            actor=actor,
            org=organisation,
            resolution_id=_resolution_id(resolution_id),
            deadline=body.deadline if body is not None else None,
            base_url=_base_url(request),
        )
        (result,) = _resolutions_out(uow, organisation, [resolution])
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/resolutions/{resolution_id}/close",
    tags=[ASSEMBLIES],
    summary="Close the vote and store its result (admin, secretary); idempotent",
    description="Blank proxies are counted now. No ballot is accepted afterwards.",
    response_model=ResolutionOut,
    responses=CONFLICT_RESPONSE,
)
def close_resolution(
    org: str, resolution_id: str, request: Request, actor: ApiActor
) -> ResolutionOut:
    """Close the vote (a second call changes nothing)."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        resolution = ga.close_resolution(
            uow, actor=actor, org=organisation, resolution_id=_resolution_id(resolution_id)
        )
        (result,) = _resolutions_out(uow, organisation, [resolution])
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/votes/open",
    tags=[ASSEMBLIES],
    summary="Open together every resolution of the agenda still in draft (admin, secretary)",
    description="In agenda order, in one transaction: if one cannot open, none does (409 or "
    "422). The optional `deadline` applies to each. Returns the resolutions opened.",
    response_model=list[ResolutionOut],
    responses=WRITE_RESPONSES,
)
def open_all_votes(
    org: str,
    assembly_id: str,
    request: Request,
    actor: ApiActor,
    body: ResolutionOpen | None = None,
) -> list[ResolutionOut]:
    """Open the vote on every draft resolution of an open assembly."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        opened = ga.open_all_resolutions(
            uow,
            actor=actor,
            org=organisation,
            assembly_id=_assembly_id(assembly_id),
            deadline=body.deadline if body is not None else None,
            base_url=_base_url(request),
        )
        result = _resolutions_out(uow, organisation, opened)
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/assemblies/{assembly_id}/votes/close",
    tags=[ASSEMBLIES],
    summary="Close together every open vote of the assembly (admin, secretary)",
    description="Each result is stored as by closing the votes one by one; the assembly stays "
    "open. 409 when no vote is open. Returns the resolutions closed.",
    response_model=list[ResolutionOut],
    responses=CONFLICT_RESPONSE,
)
def close_all_votes(
    org: str, assembly_id: str, request: Request, actor: ApiActor
) -> list[ResolutionOut]:
    """Close every open vote of the assembly."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        closed = ga.close_all_resolutions(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        result = _resolutions_out(uow, organisation, closed)
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/resolutions/{resolution_id}/cancel",
    tags=[ASSEMBLIES],
    summary="Withdraw a resolution without result (admin, secretary)",
    description="To change a resolution whose vote is open, withdraw it and add a new one.",
    response_model=ResolutionOut,
    responses=WRITE_RESPONSES,
)
def cancel_resolution(
    org: str, resolution_id: str, body: ResolutionCancel, request: Request, actor: ApiActor
) -> ResolutionOut:
    """Close the resolution without result, recording why."""
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        resolution = ga.cancel_resolution(
            uow,
            actor=actor,
            org=organisation,
            resolution_id=_resolution_id(resolution_id),
            reason=body.reason,
        )
        (result,) = _resolutions_out(uow, organisation, [resolution])
        uow.commit()
    return result


@router.post(
    "/orgs/{org}/resolutions/{resolution_id}/ballots",
    tags=[ASSEMBLIES],
    summary="Vote: for oneself, for a principal (proxy), or a paper form (secretary)",
    description="The token's member votes for themself, or with `on_behalf_of` for a principal "
    "whose proxy they hold (403 otherwise). The secretary records a paper correspondence form "
    'with `{member, channel: "correspondence"}`. A public ballot may change until the vote '
    "closes; a secret ballot is final (409 on a second one) and returns a receipt whose hash "
    "appears in the ballot hashes once the vote closes. After the close: 409.",
    status_code=201,
    response_model=BallotOut,
    responses=WRITE_RESPONSES,
)
def cast_ballot(
    org: str, resolution_id: str, body: BallotIn, request: Request, actor: ApiActor
) -> BallotOut:
    """Cast or change a ballot."""
    if body.member is not None and body.channel != "correspondence":
        raise ValidationError.single(
            "member",
            M(
                "member ne s'indique qu'avec channel « correspondence » (formulaire papier "
                "saisi par le secrétariat) ; pour voter avec un pouvoir, utilisez on_behalf_of."
            ),
        )
    if body.on_behalf_of is not None and body.channel == "correspondence":
        raise ValidationError.single(
            "on_behalf_of",
            M("Un formulaire par correspondance s'enregistre avec member, pas on_behalf_of."),
        )
    with make_uow(request) as uow:
        organisation = load_org(uow, org)
        receipt = ga.cast_ballot(
            uow,
            actor=actor,
            org=organisation,
            resolution_id=_resolution_id(resolution_id),
            choice=body.choice,
            on_behalf_of=body.on_behalf_of,
            member_id=body.member,
            channel=body.channel,
        )
        uow.commit()
    return BallotOut(
        member=str(receipt.member_id),
        choice=receipt.choice,
        changed=receipt.changed,
        receipt=(
            ReceiptOut(code=receipt.code, ballot_hash=receipt.ballot_hash)
            if receipt.code is not None and receipt.ballot_hash is not None
            else None
        ),
    )


@router.get(
    "/orgs/{org}/resolutions/{resolution_id}/voting-panel",
    tags=[ASSEMBLIES],
    summary="What the token's member may vote on this resolution: themself and each proxy",
    response_model=VotingPanelOut,
)
def read_voting_panel(
    org: str, resolution_id: str, request: Request, actor: ApiActor
) -> VotingPanelOut:
    """One slot per ballot the member may cast, with what they already chose."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        resolution = _visible_resolution(uow, actor, organisation, resolution_id)
        panel = ga.voting_panel(uow, actor=actor, org=organisation, resolution_id=resolution.id)
        return VotingPanelOut(
            resolution=str(resolution.id),
            status=panel.status,
            reason=panel.reason.render(i18n.gettext) if panel.reason else None,
            slots=[
                VoteSlotOut(
                    member=str(slot.principal.id),
                    member_name=slot.principal.name,
                    on_behalf=slot.on_behalf,
                    voted=slot.voted,
                    choice=slot.choice,
                    can_vote=slot.can_change,
                )
                for slot in panel.slots
            ],
        )


@router.get(
    "/orgs/{org}/resolutions/{resolution_id}/ballot-hashes",
    tags=[ASSEMBLIES],
    summary="The public list of secret ballot hashes, once the vote is closed",
    description="Each voter finds the hash of their receipt here. 409 before the close or for "
    "a public vote.",
    response_model=BallotHashesOut,
    responses=CONFLICT_RESPONSE,
)
def read_ballot_hashes(
    org: str, resolution_id: str, request: Request, actor: ApiActor
) -> BallotHashesOut:
    """List the hashes of the counted secret ballots, sorted."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        resolution = _visible_resolution(uow, actor, organisation, resolution_id)
        if not resolution.secret:
            raise ConflictError(
                M("Cette résolution n'est pas votée à bulletin secret : pas de liste de hachés.")
            )
        if resolution.status != "closed":
            raise ConflictError(
                M("La liste des bulletins secrets est publiée à la clôture du vote.")
            )
        hashes = ga.ballot_hashes(uow, resolution)
        return BallotHashesOut(resolution=str(resolution.id), count=len(hashes), hashes=hashes)


@router.get(
    "/orgs/{org}/resolutions/{resolution_id}/result",
    tags=[ASSEMBLIES],
    summary="The result with its per-college breakdown, the rule and the statutes version",
    description="Until the result may be shown (after the close, unless the statutes make "
    "results live) only `{status, visible: false}`. Ratios are exact fractions with a "
    "percentage for display; `adopted` needs the majority and the quorum.",
    response_model=ResultOut,
    response_model_exclude_unset=True,
)
def read_result(org: str, resolution_id: str, request: Request, actor: ApiActor) -> ResultOut:
    """Return the stored (or live) tally as the actor may see it."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        resolution = _visible_resolution(uow, actor, organisation, resolution_id)
        if not ga.close_is_due(resolution, uow.now()):
            return result_out(
                ga.result_view(uow, actor=actor, org=organisation, resolution_id=resolution.id)
            )
        keys = (organisation.id, resolution.id)
    # Past its deadline and not yet recorded: record the close now, as tick would, then read.
    ga.settle_deadline(
        lambda: make_uow(request),
        org_key=keys[0],
        resolution_id=keys[1],
        base_url=_base_url(request),
    )
    return read_result(org, resolution_id, request, actor)


# ---- procès-verbal and feuille de présence ---------------------------------------------------


@router.get(
    "/orgs/{org}/assemblies/{assembly_id}/minutes",
    tags=[EXPORTS],
    summary="The procès-verbal, as HTML or PDF",
    description="Secretaries, admins and auditors read it at any time; members once published. "
    "It carries the quorum computation, each result per college with the rule applied, and the "
    "head hash of the audit log.",
    response_class=Response,
    responses={200: {"content": {HTML: {}, PDF: {}}}},
)
def read_minutes(
    org: str,
    assembly_id: str,
    request: Request,
    actor: ApiActor,
    output: Annotated[str, Query(alias="format", description="html or pdf.")] = "html",
) -> Response:
    """Render the procès-verbal."""
    output = _format(output, ("html", "pdf"))
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        data = exports.minutes_data(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        if output == "html":
            return HTMLResponse(exports.render_minutes_html(data, stylesheet=STYLESHEET_URL))
        html = exports.render_minutes_html(data)
        name = _file_name("procès-verbal", data, "pdf")
    return Response(
        exports.html_to_pdf(html),
        media_type=PDF,
        headers={"Content-Disposition": _attachment(name)},
    )


@router.get(
    "/orgs/{org}/assemblies/{assembly_id}/attendance-sheet",
    tags=[EXPORTS],
    summary="The feuille de présence, as HTML, PDF or CSV",
    description="CSV is UTF-8 with a BOM, `;`-separated by default (`separator=,` otherwise), "
    "times in ISO 8601: it opens as is in French spreadsheets.",
    response_class=Response,
    responses={200: {"content": {HTML: {}, PDF: {}, CSV: {}}}},
)
def read_attendance_sheet(
    org: str,
    assembly_id: str,
    request: Request,
    actor: ApiActor,
    output: Annotated[str, Query(alias="format", description="html, pdf or csv.")] = "html",
    separator: Annotated[str, Query(description="CSV separator: ; or ,")] = ";",
) -> Response:
    """Render the attendance sheet."""
    output = _format(output, ("html", "pdf", "csv"))
    if separator not in (";", ","):
        raise ValidationError.single("separator", M("separator vaut « ; » ou « , »."))
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        data = exports.minutes_data(
            uow, actor=actor, org=organisation, assembly_id=_assembly_id(assembly_id)
        )
        if output == "html":
            return HTMLResponse(exports.render_attendance_html(data, stylesheet=STYLESHEET_URL))
        if output == "csv":
            return Response(
                exports.attendance_csv(data, separator=separator),
                media_type=f"{CSV}; charset=utf-8",
                headers={
                    "Content-Disposition": _attachment(
                        _file_name("feuille-de-présence", data, "csv")
                    )
                },
            )
        html = exports.render_attendance_html(data)
        name = _file_name("feuille-de-présence", data, "pdf")
    return Response(
        exports.html_to_pdf(html),
        media_type=PDF,
        headers={"Content-Disposition": _attachment(name)},
    )


@public_router.get(
    "/exports/minutes.css",
    tags=[EXPORTS],
    summary="The stylesheet of the procès-verbal and the feuille de présence (public)",
    response_class=FileResponse,
    responses={200: {"content": {"text/css": {}}}},
)
def minutes_stylesheet() -> FileResponse:
    """Serve the stylesheet the HTML exports link to."""
    return FileResponse(
        exports.STYLESHEET,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
