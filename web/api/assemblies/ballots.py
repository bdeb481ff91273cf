"""API: ballots, the voting panel, the public list of secret ballot hashes and the result."""

from __future__ import annotations

from fastapi import Request

from governance.errors import ConflictError, ValidationError
from governance.i18n import M
from governance.services import assemblies as ga
from web import i18n
from web.api.common import load_org
from web.api.deps import ApiActor
from web.api.schemas import (
    CONFLICT_RESPONSE,
    WRITE_RESPONSES,
    BallotHashesOut,
    BallotIn,
    BallotOut,
    ReceiptOut,
    ResultOut,
    VoteSlotOut,
    VotingPanelOut,
    result_out,
)
from web.deps import make_uow

from ._shared import (
    ASSEMBLIES,
    _resolution_id,
    _visible_resolution,
    router,
)


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
        panel = ga.voting_panel(
            uow, actor=actor, org=organisation, resolution_id=_resolution_id(resolution_id)
        )
        return VotingPanelOut(
            resolution=str(panel.resolution.id),
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
        view = ga.results_page(uow, actor=actor, org=organisation, resolution_id=resolution.id)
        if not view.hashes_public:
            raise ConflictError(
                M("La liste des bulletins secrets est publiée à la clôture du vote.")
            )
        hashes = view.hashes
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
        view = ga.results_page(
            uow, actor=actor, org=organisation, resolution_id=_resolution_id(resolution_id)
        )
        return result_out(view.result)
