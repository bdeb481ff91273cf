"""Helpers shared by the page routes: form reading, login check, flash messages, safe redirects,
and turning a domain error into per-field messages for a form."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from governance.errors import (
    AuthenticationError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from governance.i18n import M, Message
from governance.services import orgs
from governance.services.authz import Actor
from governance.services.orgs import SLUG_RE
from governance.services.types import MAX_ID, Organisation, User
from web import i18n
from web.deps import UnitOfWork
from web.templating import is_htmx, render

FLASH_KEY = "flash"
# Ids are 32-bit integer columns (``MAX_ID``): a larger number in a URL can only mean "not found".

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


async def read_form(request: Request) -> FormData:
    """The submitted form (already parsed and cached by the CSRF check)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def text(form: FormData, name: str) -> str:
    """One text field of a form ("" when absent or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def require_user(user: User | None) -> User:
    """Anonymous visitors are sent to the login form (the app's handler redirects on 401)."""
    if user is None:
        raise AuthenticationError(M("Connectez-vous pour accéder à cette page."))
    return user


def flash(request: Request, msgid: str, **params: Any) -> None:
    """Queue a message for the next page; it is rendered in the reader's language then."""
    queued = list(request.session.get(FLASH_KEY, []))
    queued.append({"msgid": msgid, "params": {k: str(v) for k, v in params.items()}})
    request.session[FLASH_KEY] = queued[-5:]


def pop_flashes(request: Request) -> list[str]:
    queued = request.session.pop(FLASH_KEY, None) or []
    return [Message(item["msgid"], item["params"]).render(i18n.gettext) for item in queued]


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a page with its flash messages (a fragment for htmx leaves them queued)."""
    context = dict(context or {})
    if block is None or not is_htmx(request):
        context.setdefault("flashes", pop_flashes(request))
    return render(request, name, context, block=block, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None, default: str = "/orgs") -> str:
    """Follow ``next`` only to a path of this site (no scheme, host or protocol-relative URL)."""
    if not target:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 0x20 for char in target)
    ):
        return default
    return target


def message_of(error: DomainError) -> str:
    return error.message.render(i18n.gettext)


def field_errors(error: DomainError, default_field: str = "__all__") -> dict[str, str]:
    """Map each field of a refused input to its message(s), in the reader's language."""
    errors: dict[str, str] = {}
    problems = (
        [(p.field, p.message) for p in error.problems]
        if isinstance(error, ValidationError)
        else [(error.field or default_field, error.message)]
    )
    for field, message in problems:
        rendered = message.render(i18n.gettext)
        errors[field] = f"{errors[field]} {rendered}" if field in errors else rendered
    return errors


def parse_id(raw: str | None) -> int | None:
    """A positive integer id from a query string, or None (a bad value filters nothing)."""
    if raw is None:
        return None
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        return None
    return int(raw)


def find_org(uow: UnitOfWork, slug: str) -> Organisation:
    """The organisation of a URL, or NotFoundError.

    ``authz.get_org`` turns an all-digit slug into an id without bounds, so a huge number or a
    non-ASCII digit would end in a database overflow or ValueError (a 500); anything that
    cannot be a slug or an id is simply not found.
    """
    if not SLUG_RE.match(slug) or (slug.isdigit() and int(slug) > MAX_ID):
        raise NotFoundError(M("Organisation introuvable."))
    return orgs.org_by_ref(uow, slug)


def org_context(uow: UnitOfWork, actor: Actor, org: Organisation) -> dict[str, Any]:
    """What every organisation page shows: the organisation, the viewer's roles and membership."""
    header = orgs.org_header(uow, actor=actor, org=org)
    return {
        "org": org,
        "roles": header.roles,
        "is_admin": header.is_admin,
        "me": header.me,
        "setup_mode": header.setup_mode,
    }


def refusable(error: DomainError) -> bool:
    """Errors a form shows inline; permission and not-found errors go to the error page."""
    return not isinstance(error, PermissionDeniedError) and error.status in (409, 422, 400)
