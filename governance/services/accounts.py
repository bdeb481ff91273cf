"""Accounts: users, Argon2id passwords, login with rate limit, sessions, API tokens, invitations."""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select

from governance.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from governance.i18n import M
from governance.mail import EmailMessage
from governance.rules.audit_events import AuditAction
from governance.services.authz import ROLES, Actor
from governance.services.links import Links
from governance.store.tables import (
    ApiToken,
    Invitation,
    LoginAttempt,
    Organisation,
    User,
    WebSession,
)
from governance.store.uow import UnitOfWork

SESSION_LIFETIME = timedelta(days=14)
INVITATION_LIFETIME = timedelta(days=7)
RATE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "trr_"


def _hasher() -> PasswordHasher:
    # Argon2id always; the cheapest parameters only when the test suite asks for them.
    profile = (
        CHEAPEST if os.environ.get("TERREAU_ARGON2_PROFILE") == "test" else RFC_9106_LOW_MEMORY
    )
    return PasswordHasher.from_parameters(profile)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_email(raw: str, field: str = "email") -> str:
    """Validate an address and return it lower-cased (no deliverability check: no network)."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError.single(
            field, M("« {value} » n'est pas une adresse e-mail valide.", value=raw.strip())
        ) from None


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(
            field,
            M(
                "Le mot de passe doit compter au moins {n} caractères.",
                n=MIN_PASSWORD_LENGTH,
            ),
        )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def find_user(uow: UnitOfWork, email: str) -> User | None:
    return uow.session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()


def create_user(
    uow: UnitOfWork,
    *,
    actor: Actor,
    email: str,
    name: str,
    password: str | None = None,
    superuser: bool = False,
) -> User:
    """Create an account (operators and superusers only; members are created by invitation)."""
    if not (actor.system or actor.is_superuser):
        raise PermissionDeniedError(M("Seul un super-administrateur peut créer un compte."))
    user = _new_user(uow, actor=actor, email=email, name=name, password=password)
    user.is_superuser = superuser
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.USER_CREATED,
        subject_type="user",
        subject_id=user.id,
        payload={"superuser": superuser, "with_password": password is not None},
    )
    return user


def _new_user(
    uow: UnitOfWork, *, actor: Actor, email: str, name: str, password: str | None
) -> User:
    email = normalize_email(email)
    name = name.strip()
    if not name:
        raise ValidationError.single("name", M("Le nom est obligatoire."))
    if password is not None:
        check_password_rules(password)
    if find_user(uow, email) is not None:
        raise ConflictError(M("Un compte existe déjà pour {email}.", email=email), field="email")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password is not None else None,
        is_superuser=False,
        created_at=uow.now(),
    )
    uow.session.add(user)
    return user


def ensure_user(uow: UnitOfWork, *, actor: Actor, email: str, name: str) -> tuple[User, bool]:
    """Return the account of ``email``, creating it (without password) if needed."""
    existing = find_user(uow, normalize_email(email))
    if existing is not None:
        return existing, False
    user = _new_user(uow, actor=actor, email=email, name=name, password=None)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.USER_CREATED,
        subject_type="user",
        subject_id=user.id,
        payload={"superuser": False, "with_password": False},
    )
    return user, True


def set_password(uow: UnitOfWork, *, actor: Actor, user_id: int, password: str) -> None:
    if not (actor.system or actor.user_id == user_id):
        raise PermissionDeniedError(M("Vous ne pouvez changer que votre propre mot de passe."))
    check_password_rules(password)
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFoundError(M("Compte introuvable."))
    user.password_hash = hash_password(password)
    uow.session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    uow.record(
        actor=actor.label,
        action=AuditAction.USER_PASSWORD_SET,
        subject_type="user",
        subject_id=user_id,
        payload={},
    )


@dataclass(frozen=True)
class LoginResult:
    user: User
    session_token: str


def _seconds_blocked(uow: UnitOfWork, key: str, limit: int) -> int:
    """Seconds until ``key`` may try again: 0 below ``limit`` failures in the sliding window,
    else until its ``limit``-th most recent failure leaves it (a refused attempt records nothing,
    so that moment does not move)."""
    now = uow.now()
    nth_latest = uow.session.execute(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == key, LoginAttempt.at >= now - RATE_WINDOW)
        .order_by(LoginAttempt.at.desc())
        .offset(limit - 1)
        .limit(1)
    ).scalar_one_or_none()
    if nth_latest is None:
        return 0
    return max(1, math.ceil((nth_latest + RATE_WINDOW - now).total_seconds()))


def authenticate(uow: UnitOfWork, *, email: str, password: str, address: str) -> LoginResult:
    """Check credentials and open a session; failures are counted per account and per address.

    The message never says whether the account exists. Commits (a failure is recorded too).
    """
    email_key = f"email:{email.strip().lower()}"
    address_key = f"addr:{address}"
    wait = max(
        _seconds_blocked(uow, email_key, MAX_FAILURES_PER_ACCOUNT),
        _seconds_blocked(uow, address_key, MAX_FAILURES_PER_ADDRESS),
    )
    if wait:
        raise RateLimitedError(
            M("Trop de tentatives de connexion. Réessayez dans quelques minutes."),
            retry_after=wait,
        )
    user = find_user(uow, email)
    ok = False
    if user is not None and user.password_hash and user.disabled_at is None:
        hasher = _hasher()
        try:
            ok = hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if ok and hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hasher.hash(password)
    else:
        _hasher().hash(password)  # same cost whether or not the account exists
    if not ok or user is None:
        now = uow.now()
        uow.session.add_all(
            [LoginAttempt(key=email_key, at=now), LoginAttempt(key=address_key, at=now)]
        )
        uow.commit()
        raise AuthenticationError(M("Adresse e-mail ou mot de passe incorrect."))
    token = open_session(uow, user)
    uow.commit()
    return LoginResult(user=user, session_token=token)


def open_session(uow: UnitOfWork, user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = uow.now()
    uow.session.execute(delete(WebSession).where(WebSession.expires_at < now))
    uow.session.add(
        WebSession(
            id_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def resolve_session(uow: UnitOfWork, token: str | None) -> User | None:
    """Return the user of a live session token, or None."""
    if not token:
        return None
    row = uow.session.get(WebSession, _digest(token))
    if row is None or row.expires_at <= uow.now():
        return None
    user = uow.session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user


def end_session(uow: UnitOfWork, token: str | None) -> None:
    """Invalidate a session server-side (logout)."""
    if token:
        uow.session.execute(delete(WebSession).where(WebSession.id_hash == _digest(token)))


@dataclass(frozen=True)
class IssuedToken:
    token: str
    row: ApiToken


def create_api_token(
    uow: UnitOfWork,
    *,
    actor: Actor,
    user_id: int,
    org: Organisation | None = None,
    roles: list[str] | None = None,
    name: str = "",
) -> IssuedToken:
    """Issue a personal API token; its clear text is returned once and never stored."""
    if not (actor.system or actor.user_id == user_id):
        raise PermissionDeniedError(M("Vous ne pouvez créer de jeton que pour vous-même."))
    if roles is not None:
        unknown = sorted(set(roles) - set(ROLES) - {"member"})
        if unknown:
            raise ValidationError.single(
                "roles", M("Rôle inconnu : {roles}.", roles=", ".join(unknown))
            )
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user_id,
        org_id=org.id if org is not None else None,
        roles=",".join(sorted(roles)) if roles is not None else None,
        name=name.strip()[:100],
        prefix=clear[: len(TOKEN_PREFIX) + 6],
        token_hash=_digest(clear),
        created_at=uow.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    uow.record(
        actor=actor.label,
        action=AuditAction.TOKEN_CREATED,
        subject_type="api_token",
        subject_id=row.id,
        payload={"user": str(user_id), "org": str(org.id) if org else None, "roles": row.roles},
        org_id=None,
    )
    return IssuedToken(token=clear, row=row)


def revoke_api_token(uow: UnitOfWork, *, actor: Actor, token_id: int) -> None:
    row = uow.session.get(ApiToken, token_id)
    if row is None or not (actor.system or actor.user_id == row.user_id):
        raise NotFoundError(M("Jeton introuvable."))
    if row.revoked_at is None:
        row.revoked_at = uow.now()
        uow.record(
            actor=actor.label,
            action=AuditAction.TOKEN_REVOKED,
            subject_type="api_token",
            subject_id=row.id,
            payload={},
        )


def list_api_tokens(uow: UnitOfWork, *, actor: Actor) -> list[ApiToken]:
    return list(
        uow.session.execute(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
        ).scalars()
    )


def actor_for_token(uow: UnitOfWork, bearer: str | None) -> Actor:
    """Resolve ``Authorization: Bearer`` into an actor, or raise AuthenticationError."""
    if not bearer or not bearer.startswith(TOKEN_PREFIX):
        raise AuthenticationError(M("Jeton d'API manquant ou invalide."))
    row = uow.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(bearer))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise AuthenticationError(M("Jeton d'API manquant ou invalide."))
    user = uow.session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        raise AuthenticationError(M("Jeton d'API manquant ou invalide."))
    return Actor(
        user_id=user.id,
        is_superuser=user.is_superuser,
        token_org_id=row.org_id,
        token_roles=frozenset(row.roles.split(",")) if row.roles else None,
    )


def actor_for_user(user: User | None) -> Actor:
    if user is None:
        return Actor(user_id=None)
    return Actor(user_id=user.id, is_superuser=user.is_superuser)


def invite(
    uow: UnitOfWork, *, actor: Actor, user: User, org: Organisation, links: Links
) -> Invitation:
    """Create a one-time link (7 days) to set a password and queue the invitation email."""
    clear = secrets.token_urlsafe(32)
    now = uow.now()
    invitation = Invitation(
        user_id=user.id,
        org_id=org.id,
        token_hash=_digest(clear),
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    uow.session.add(invitation)
    uow.session.flush()
    link = links.invitation(clear)
    uow.send_after_commit(
        EmailMessage(
            to=user.email,
            subject=f"Invitation à rejoindre {org.name} sur Terreau",
            body=(
                f"Bonjour {user.name},\n\n"
                f"{org.name} vous invite à rejoindre son espace de gouvernance sur Terreau.\n"
                f"Choisissez votre mot de passe avec ce lien (valable 7 jours, à usage unique) :\n"
                f"{link}\n\n"
                "Si vous n'attendiez pas ce message, ignorez-le.\n"
            ),
        )
    )
    uow.record(
        actor=actor.label,
        action=AuditAction.INVITATION_SENT,
        subject_type="user",
        subject_id=user.id,
        payload={"expires_at": invitation.expires_at},
        org_id=org.id,
    )
    return invitation


def pending_invitation(uow: UnitOfWork, token: str) -> Invitation:
    row = uow.session.execute(
        select(Invitation).where(Invitation.token_hash == _digest(token))
    ).scalar_one_or_none()
    if row is None or row.used_at is not None:
        raise NotFoundError(M("Ce lien d'invitation n'est pas valide ou a déjà servi."))
    if row.expires_at <= uow.now():
        raise ConflictError(
            M("Ce lien d'invitation a expiré. Demandez à un administrateur de vous le renvoyer.")
        )
    return row


def accept_invitation(uow: UnitOfWork, *, token: str, password: str) -> LoginResult:
    """Set the password from a one-time link and log the person in. Commits."""
    invitation = pending_invitation(uow, token)
    check_password_rules(password)
    user = uow.session.get(User, invitation.user_id)
    if user is None:
        raise NotFoundError(M("Compte introuvable."))
    user.password_hash = hash_password(password)
    invitation.used_at = uow.now()
    uow.record(
        actor=f"user:{user.id}",
        action=AuditAction.INVITATION_ACCEPTED,
        subject_type="user",
        subject_id=user.id,
        payload={},
        org_id=invitation.org_id,
    )
    session_token = open_session(uow, user)
    uow.commit()
    return LoginResult(user=user, session_token=session_token)
