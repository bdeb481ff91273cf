"""What the assembly pages share: the viewer's context, labels, form helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request

from governance.errors import DomainError, PermissionDeniedError
from governance.i18n import M
from governance.services.assemblies import Viewer
from governance.services.types import Organisation
from web import i18n
from web.routes.common import safe_next
from web.templating import is_htmx

FRAGMENT_HEADER = "X-Terreau-Fragment"
"""Marks an htmx fragment that may be swapped in even with a 4xx status (a refusal to show)."""

CHOICE_LABELS = {
    "for": M("pour"),
    "against": M("contre"),
    "abstain": M("abstention"),
    "blank": M("blanc"),
    "null": M("nul"),
}


def context(org: Organisation, who: Viewer) -> dict[str, Any]:
    """What every assembly page shows: the organisation and the viewer's roles and membership."""
    return {
        "org": org,
        "roles": who.roles,
        "is_admin": who.is_admin,
        "is_organiser": who.is_organiser,
        "can_read_records": who.can_read_records,
        "me": who.me,
        "setup_mode": who.setup_mode,
        "active": "assemblies",
    }


def refusable(error: DomainError) -> bool:
    """Errors a form shows inline; permission and not-found errors go to the error page."""
    return not isinstance(error, PermissionDeniedError) and error.status in (400, 409, 422)


def local_to_iso(raw: str, timezone: str) -> str:
    """Read a ``datetime-local`` value as a time in the organisation's timezone (ISO 8601).

    A value that is not a date and time goes to the service as typed, which explains the refusal.
    """
    raw = raw.strip()
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return when.isoformat()


def choice_label(choice: str) -> str:
    label = CHOICE_LABELS.get(choice)
    return label.render(i18n.gettext) if label else choice


def current_path(request: Request) -> str:
    """The page a fragment lives in (htmx tells it), so its forms come back there without JS."""
    if is_htmx(request):
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        if parts.path:
            return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), "")
    return request.url.path
