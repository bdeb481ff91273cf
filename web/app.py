"""The application factory: one isolated app (settings, database, mailer, clock) per call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from governance.errors import DomainError, ValidationError
from governance.mail import mailer_from_url
from governance.store.engine import make_engine, make_session_factory
from governance.store.uow import Mailer, utcnow
from web import i18n
from web.config import Settings
from web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware, verify_csrf
from web.templating import render

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANGUAGE_COOKIE = "terreau_lang"


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
    async def language(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        chosen = i18n.pick_language(
            request.query_params.get("lang") if is_api(request) else None,
            request.cookies.get(LANGUAGE_COOKIE),
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

    from web.api import routers as api_routers
    from web.routes import routers as page_routers

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
            {
                "field": ".".join(str(part) for part in item["loc"] if part != "body"),
                "message": item["msg"],
            }
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
