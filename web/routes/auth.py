"""Login, logout, invitations, language choice and the account page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from governance.errors import (
    AuthenticationError,
    DomainError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from governance.services import accounts, orgs
from governance.services.authz import ROLES
from web import i18n
from web.deps import SESSION_KEY, CurrentActor, CurrentUser, UowDep, make_uow
from web.i18n import LANGUAGE_COOKIE
from web.routes.common import (
    FormDep,
    IdPath,
    field_errors,
    find_org,
    flash,
    message_of,
    page,
    redirect,
    require_user,
    safe_next,
    text,
    texts,
)
from web.security import rotate_csrf

router = APIRouter()

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@router.get("/")
def home(user: CurrentUser) -> Response:
    return redirect("/orgs" if user is not None else "/login")


# ---- login and logout ---------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, user: CurrentUser, next: str = "") -> Response:  # noqa: A002
    if user is not None:
        return redirect(safe_next(next))
    return page(request, "auth/login.html", {"next": safe_next(next, default=""), "email": ""})


@router.post("/login")
def login(request: Request, uow: UowDep, form: FormDep) -> Response:
    email, target = text(form, "email"), safe_next(text(form, "next"), default="")
    address = request.client.host if request.client else "unknown"
    try:
        with uow:
            result = accounts.authenticate(
                uow, email=email, password=text(form, "password"), address=address
            )
    except (AuthenticationError, RateLimitedError) as error:
        response = page(
            request,
            "auth/login.html",
            {"next": target, "email": email, "error": message_of(error)},
            status_code=error.status,
        )
        if isinstance(error, RateLimitedError):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    _open_browser_session(request, result.session_token)
    return redirect(target or "/orgs")


def _open_browser_session(request: Request, token: str) -> None:
    """Start a fresh cookie session for the user: nothing of the anonymous one carries over."""
    request.session.clear()
    request.session[SESSION_KEY] = token
    rotate_csrf(request)


@router.post("/logout")
def logout(request: Request, uow: UowDep) -> Response:
    with uow:
        accounts.end_session(uow, request.session.get(SESSION_KEY))
        uow.commit()
    request.session.clear()
    flash(request, "Vous êtes déconnecté·e.")
    return redirect("/login")


# ---- invitations --------------------------------------------------------------------------


@router.get("/invitation/{token}")
def invitation_form(request: Request, token: str) -> Response:
    with make_uow(request, write=False) as uow:
        accounts.pending_invitation(uow, token)  # 404 or 409 (expired) explain themselves
    return page(request, "auth/invitation.html", {"token": token, "errors": {}})


@router.post("/invitation/{token}")
def accept_invitation(request: Request, token: str, uow: UowDep, form: FormDep) -> Response:
    password, confirmation = text(form, "password"), text(form, "password_confirmation")
    errors: dict[str, str] = {}
    if password != confirmation:
        errors["password_confirmation"] = i18n.gettext("Les deux mots de passe diffèrent.")
    else:
        try:
            with uow:
                result = accounts.accept_invitation(uow, token=token, password=password)
        except ValidationError as error:
            errors = field_errors(error)
    if errors:
        return page(
            request,
            "auth/invitation.html",
            {"token": token, "errors": errors},
            status_code=422,
        )
    _open_browser_session(request, result.session_token)
    flash(request, "Bienvenue, {name} : votre mot de passe est enregistré.", name=result.user.name)
    return redirect("/orgs")


# ---- language -----------------------------------------------------------------------------


@router.post("/language")
def choose_language(form: FormDep) -> Response:
    language = i18n.pick_language(text(form, "language"))
    response = redirect(safe_next(text(form, "next"), default="/"))
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_AGE, httponly=True, samesite="lax"
    )
    return response


# ---- account and API tokens ---------------------------------------------------------------


@router.get("/account")
def account(request: Request, user: CurrentUser, actor: CurrentActor) -> Response:
    require_user(user)
    return _account_page(request, actor)


def _account_page(
    request: Request,
    actor: CurrentActor,
    *,
    issued: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with make_uow(request, write=False) as uow:
        tokens = accounts.list_api_tokens(uow, actor=actor)
        my_orgs = orgs.list_orgs_for(uow, actor=actor)
        response = page(
            request,
            "auth/account.html",
            {
                "tokens": tokens,
                "orgs": my_orgs,
                "org_names": {o.id: o.name for o in my_orgs},
                "roles": ROLES,
                "issued": issued,
                "errors": errors or {},
            },
            status_code=status_code,
        )
    if issued:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/tokens")
def create_token(
    request: Request, user: CurrentUser, actor: CurrentActor, uow: UowDep, form: FormDep
) -> Response:
    me = require_user(user)
    roles = texts(form, "roles")
    slug = text(form, "org")
    try:
        with uow:
            org = find_org(uow, slug) if slug else None
            issued = accounts.create_api_token(
                uow,
                actor=actor,
                user_id=me.id,
                org=org,
                roles=roles or None,
                name=text(form, "name"),
            )
            uow.commit()
            clear = issued.token
    except DomainError as error:
        if isinstance(error, PermissionDeniedError):
            raise
        return _account_page(request, actor, errors=field_errors(error), status_code=error.status)
    return _account_page(request, actor, issued=clear)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: IdPath, user: CurrentUser, actor: CurrentActor, uow: UowDep
) -> Response:
    require_user(user)
    with uow:
        accounts.revoke_api_token(uow, actor=actor, token_id=token_id)
        uow.commit()
    flash(request, "Jeton révoqué.")
    return redirect("/account")
