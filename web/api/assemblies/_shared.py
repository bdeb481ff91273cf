"""What the assembly endpoints share: the routers, id parsing and the common JSON shapes."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from fastapi import APIRouter

from governance.errors import ValidationError
from governance.exports import minutes as exports
from governance.i18n import M
from governance.services import assemblies as ga
from governance.services.authz import Actor
from governance.services.types import Assembly, Organisation, Resolution
from web.api.common import BEARER, path_id
from web.api.schemas import (
    ERROR_RESPONSES,
    AssemblyOut,
    QuorumOut,
    ResolutionOut,
    assembly_view,
    quorum_out,
    resolution_view,
)
from web.deps import UnitOfWork

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


def _resolutions_out(
    uow: UnitOfWork, org: Organisation, resolutions: list[Resolution]
) -> list[ResolutionOut]:
    return [
        resolution_view(
            item.resolution, org=org, status=item.status, statutes_version=item.statutes_version
        )
        for item in ga.agenda_of(uow, org, resolutions)
    ]


def _quorum_out(uow: UnitOfWork, org: Organisation, assembly: Assembly) -> QuorumOut:
    """Once the assembly is open, the computation recorded then; before, today's projection."""
    view = ga.assembly_quorum(uow, org, assembly)
    return quorum_out(view.to_dict(), frozen=view.frozen)


def _assembly_out(uow: UnitOfWork, org: Organisation, assembly: Assembly) -> AssemblyOut:
    frozen = ga.frozen_quorum(assembly)
    return assembly_view(
        assembly,
        org=org,
        agenda=_resolutions_out(uow, org, ga.list_resolutions(uow, assembly)),
        quorum=quorum_out(frozen.to_dict(), frozen=True) if frozen else None,
    )


def _visible_resolution(uow: UnitOfWork, actor: Actor, org: Organisation, raw: str) -> Resolution:
    """A resolution the actor may read: an agenda still in draft is the organisers' only."""
    return ga.view_resolution(uow, actor=actor, org=org, resolution_id=_resolution_id(raw))


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
