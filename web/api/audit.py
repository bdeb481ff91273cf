"""API: verification of an organisation's audit log and its JSONL event stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from governance.services import audit, orgs
from governance.services.authz import Actor
from web.api.common import BEARER, load_org
from web.api.deps import ApiActor
from web.api.schemas import ERROR_RESPONSES, MAX_INT, AuditVerifyOut, audit_view
from web.deps import make_uow

router = APIRouter(responses=ERROR_RESPONSES, dependencies=[BEARER], tags=["audit"])

JSONL = "application/x-ndjson"


@router.get(
    "/orgs/{org}/audit/verify",
    summary="Recompute the organisation's hash chain (auditor, admin)",
    description="`ok` is true only if every event holds; a finding names the first broken "
    "sequence number. `head` is the last event's sequence number and hash.",
    response_model=AuditVerifyOut,
)
def verify(org: str, request: Request, actor: ApiActor) -> AuditVerifyOut:
    """Verify the chain and report its head."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        return audit_view(audit.verify_org(uow, actor=actor, org=organisation))


@router.get(
    "/orgs/{org}/audit/events",
    summary="The organisation's events as JSON lines (auditor, admin)",
    description="One canonical JSON event per line with `prev_hash` and `hash`, in sequence "
    "order, streamed. Saved to a file it verifies offline with "
    "`python -m governance.audit verify FILE`.",
    response_class=StreamingResponse,
    responses={200: {"content": {JSONL: {"schema": {"type": "string"}}}}},
)
def events(
    org: str,
    request: Request,
    actor: ApiActor,
    after: Annotated[
        int, Query(ge=0, le=MAX_INT, description="Only events after this sequence number.")
    ] = 0,
) -> StreamingResponse:
    """Stream the events after ``after`` (0: from the start)."""
    with make_uow(request, write=False) as uow:
        organisation = load_org(uow, org)
        # Checks the actor's role now, so a refusal is a plain 403 and not a broken stream.
        audit.export_org_events(uow, actor=actor, org=organisation, after=after)
        org_id = organisation.id
    return StreamingResponse(_stream(request, actor, org_id, after), media_type=JSONL)


def _stream(request: Request, actor: Actor, org_id: int, after: int) -> Iterator[bytes]:
    """Read the events in their own unit of work, which lives as long as the response."""
    with make_uow(request, write=False) as uow:
        organisation = orgs.org_by_ref(uow, org_id)
        for line in audit.export_org_events(uow, actor=actor, org=organisation, after=after):
            yield (line + "\n").encode()
