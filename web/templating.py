"""Jinja2 templates (autoescaped) with htmx fragments: a swap renders a named block of the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2_fragments.fastapi import Jinja2Blocks

from web import i18n
from web.security import csrf_token

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

templates = Jinja2Blocks(directory=str(TEMPLATE_DIR))
env = templates.env
env.autoescape = True
env.add_extension("jinja2.ext.i18n")
env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
)
env.globals.update(
    csrf_token=csrf_token,
    languages=i18n.LANGUAGES,
    current_language=lambda: i18n.current_language.get(),
)
env.filters.update(
    number=i18n.fmt_number,
    percent=i18n.fmt_percent,
    datetime=i18n.fmt_datetime,
    date=i18n.fmt_date,
    tr=lambda message: message.render(i18n.gettext) if hasattr(message, "render") else message,
)


def is_htmx(request: Request) -> bool:
    """An htmx swap asking for a fragment (a history restore after a cache miss wants the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a page, or only ``block`` when htmx asks for a fragment. Varies on HX-Request."""
    context = dict(context or {})
    context.setdefault("user", getattr(request.state, "user", None))
    if block is not None and is_htmx(request):
        response: Response = templates.TemplateResponse(
            request, name, context, status_code=status_code, block_name=block
        )
    else:
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request, Cookie"
    return response
