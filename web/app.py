"""The application factory: one isolated app (settings, database, mailer, clock) per call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic_core.core_schema import ErrorType
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from governance.errors import DomainError, ValidationError
from governance.i18n import M, Message
from governance.mail import mailer_from_url
from web import deps, i18n
from web.api import routers as api_routers
from web.config import Settings
from web.deps import Mailer, make_engine, make_session_factory, utcnow
from web.routes import routers as page_routers
from web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware, verify_csrf
from web.templating import render

STATIC_DIR = Path(__file__).resolve().parent / "static"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(
    settings: Settings | None = None,
    *,
    mailer: Mailer | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """Build the Terreau web application."""
    settings = settings or Settings.from_env()
    settings.check()
    app = FastAPI(
        title="Terreau",
        version="1.0",
        description="JSON API of Terreau. Conventions (exact numbers, errors) are in the *API* "
        "section of the README; the contract is the Terreau API specification (`spec/api.md`). "
        "Authenticate with `Authorization: Bearer <token>` (tokens from `terreau token create` "
        "or the account page).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.mailer = mailer or mailer_from_url(settings.smtp_url)
    app.state.clock = clock

    @app.middleware("http")
    async def record_due_closes(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Reads never write; the next write records the closes that fell due (and sends their
        # notifications) before its own work, so they need not wait for `terreau tick`.
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            await run_in_threadpool(deps.record_due_closes, request)
        return await call_next(request)

    @app.middleware("http")
    async def language(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        chosen = i18n.pick_language(
            request.query_params.get("lang") if is_api(request) else None,
            request.cookies.get(i18n.LANGUAGE_COOKIE),
            request.headers.get("accept-language", "")[:2] if is_api(request) else None,
        )
        token = i18n.current_language.set(chosen)
        try:
            return await call_next(request)
        finally:
            i18n.current_language.reset(token)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="terreau_session",
        same_site="lax",
        https_only=settings.https,
        max_age=14 * 24 * 3600,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    _install_error_handlers(app)

    for router in page_routers:
        app.include_router(router, dependencies=[Depends(verify_csrf)], include_in_schema=False)
    for router in api_routers:
        app.include_router(router, prefix="/api/v1")
    return app


def _problem_list(error: ValidationError) -> list[dict[str, str]]:
    return [{"field": p.field, "message": p.message.render(i18n.gettext)} for p in error.problems]


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        message = error.message.render(i18n.gettext)
        if is_api(request):
            body: dict[str, Any] = {"detail": message}
            if isinstance(error, ValidationError):
                body["errors"] = _problem_list(error)
            elif error.field:
                body["errors"] = [{"field": error.field, "message": message}]
            return JSONResponse(body, status_code=error.status)
        anonymous = getattr(request.state, "user", None) is None
        if error.status == 401 or (error.status == 403 and anonymous):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return render(
            request, "errors/error.html", {"status": error.status, "message": message},
            status_code=error.status,
        )

    # Starlette's class: also catches the router's own 404 and 405 (FastAPI's is a subclass).
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.detail == "csrf":
            message = i18n.gettext(
                "Le formulaire a expiré ou ne vient pas de Terreau (jeton CSRF invalide). "
                "Rechargez la page et recommencez."
            )
        else:
            message = i18n.gettext(_STATUS_TEXT.get(error.status_code, "Erreur."))
        if is_api(request):
            return JSONResponse(
                {"detail": message}, status_code=error.status_code, headers=error.headers
            )
        return render(
            request, "errors/error.html", {"status": error.status_code, "message": message},
            status_code=error.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def request_validation(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {"field": validation_field(item), "message": validation_message(item)}
            for item in error.errors()
        ]
        if is_api(request):
            return JSONResponse(
                {"detail": i18n.gettext("Données invalides."), "errors": errors}, status_code=422
            )
        return render(
            request, "errors/error.html",
            {"status": 422, "message": i18n.gettext("Données invalides."), "errors": errors},
            status_code=422,
        )


_STATUS_TEXT = {
    400: "Requête invalide.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Page introuvable.",
    405: "Méthode non autorisée.",
    409: "Conflit avec l'état actuel.",
    413: "Requête trop volumineuse.",
    429: "Trop de requêtes. Réessayez dans quelques minutes.",
}


# ---- Pydantic's validation errors, in the reader's language ---------------------------------

PYDANTIC_ERROR_TYPES = frozenset(get_args(ErrorType))
"""Pydantic's own error types; any other type is ours, already translated when raised."""


# Parts of a location that name the member of a union tried, not a field ("str",
# "dict[str,str]", "function-after[_no_nul(), str]", "literal['a','b']"…).
_TYPE_NAMES = frozenset({"str", "int", "float", "bool", "dict", "list", "none", "bytes"})


def _is_field_part(part: Any) -> bool:
    if isinstance(part, int):
        return True  # a position in a list
    text = str(part)
    return text != "body" and text not in _TYPE_NAMES and not any(c in text for c in "[(,")


def validation_field(item: Any) -> str:
    """The dotted path of the field (``departure.on``); ``body`` for the body as a whole."""
    if item["type"] == "json_invalid":
        return "body"  # its location ends with a character position, not a field
    return ".".join(str(part) for part in item["loc"] if _is_field_part(part)) or "body"


def validation_message(item: Any) -> str:
    """Pydantic's English message for ``item``, in the current language (French first)."""
    kind: str = item["type"]
    ctx: dict[str, Any] = item.get("ctx") or {}
    if kind not in PYDANTIC_ERROR_TYPES:
        return str(item["msg"])  # raised by our validators with a translated message
    if kind in ("value_error", "assertion_error"):
        # A ValueError of a validator carries its own message; Pydantic prefixes it.
        cause = ctx.get("error")
        return str(cause) if cause is not None else str(item["msg"]).split(", ", 1)[-1]
    if kind in ("too_short", "too_long") and isinstance(item.get("input"), str):
        kind = f"string_{kind}"  # a length bound on an annotated text says "too_long" too
    return _pydantic_message(kind, item["loc"], ctx).render(i18n.gettext)


def _pydantic_message(kind: str, loc: tuple[Any, ...], ctx: dict[str, Any]) -> Message:
    if kind == "missing" and tuple(loc) == ("body",):
        return M("Corps de la requête manquant : un objet JSON est attendu.")
    if kind == "json_invalid":
        position = loc[-1] if loc and isinstance(loc[-1], int) else None
        if position is None:
            return M("Corps de la requête illisible : JSON invalide.")
        return M(
            "Corps de la requête illisible : JSON invalide à la position {position}.",
            position=position,
        )
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        if i18n.current_language.get() == "fr":
            expected = expected.replace(" or ", " ou ")  # Pydantic joins the choices in English
        return M("Valeur inconnue : {expected} attendu.", expected=expected)
    bounded = _BOUNDED.get(kind)
    if bounded is not None:
        key, template = bounded
        return Message(template.msgid, {key: ctx.get(key, "")})
    fixed = _FIXED.get(kind)
    if fixed is not None:
        return fixed
    if kind.startswith(("datetime", "time")):
        return M(
            "Date et heure invalides : format ISO 8601 attendu (ex. 2026-06-20T14:00:00+02:00)."
        )
    if kind.startswith("date"):
        return M("Date invalide : format AAAA-MM-JJ attendu.")
    return M("Valeur invalide.")


# Error type → (context key, message with that placeholder).
_BOUNDED: dict[str, tuple[str, Message]] = {
    "string_too_short": (
        "min_length", M("Texte trop court : au moins {min_length} caractère(s).")
    ),
    "string_too_long": ("max_length", M("Texte trop long : au plus {max_length} caractères.")),
    "too_short": ("min_length", M("Trop peu d'éléments : au moins {min_length}.")),
    "too_long": ("max_length", M("Trop d'éléments : au plus {max_length}.")),
    "greater_than": ("gt", M("La valeur doit être strictement supérieure à {gt}.")),
    "greater_than_equal": ("ge", M("La valeur doit être supérieure ou égale à {ge}.")),
    "less_than": ("lt", M("La valeur doit être strictement inférieure à {lt}.")),
    "less_than_equal": ("le", M("La valeur doit être inférieure ou égale à {le}.")),
    "multiple_of": ("multiple_of", M("La valeur doit être un multiple de {multiple_of}.")),
    "string_pattern_mismatch": (
        "pattern", M("Format invalide : le texte doit suivre le motif {pattern}.")
    ),
}
_TEXT = M("Texte attendu.")
_INTEGER = M("Nombre entier attendu.")
_NUMBER = M("Nombre attendu.")
_BOOLEAN = M("Booléen attendu : true ou false.")
_LIST = M("Liste attendue.")
_OBJECT = M("Objet JSON attendu.")
_FIXED: dict[str, Message] = {
    "missing": M("Champ obligatoire."),
    "extra_forbidden": M("Champ inconnu : il n'est pas accepté ici (vérifiez son nom)."),
    "string_type": _TEXT,
    "string_unicode": _TEXT,
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": M("Nombre entier attendu, sans partie décimale."),
    "int_parsing_size": M("Nombre entier trop grand."),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "none_required": M("Valeur nulle attendue."),
    "uuid_type": M("Identifiant UUID invalide."),
    "uuid_parsing": M("Identifiant UUID invalide."),
    "url_type": M("Adresse URL invalide."),
    "url_parsing": M("Adresse URL invalide."),
}
