"""The ``terreau`` command line (Typer): serve, migrate, demo, tick, users, tokens, import, audit.

Messages are in French (an operator tool for French cooperatives). Without a named user the
commands act as the system actor; every write goes through the services. ``server``,
``members`` and ``audit_log`` hold their commands; the account commands live here.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from governance.services import accounts, orgs
from governance.services.authz import SYSTEM
from web.cli import audit_log, members, server  # importing them registers their commands
from web.cli.apps import app, audit_app, import_app, token_app, user_app
from web.cli.plumbing import database, fail

__all__ = [
    "app",
    "audit_app",
    "audit_log",
    "import_app",
    "main",
    "members",
    "server",
    "token_app",
    "user_app",
]


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


# ---- accounts and tokens --------------------------------------------------------------------


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Adresse e-mail (identifiant de connexion).")],
    name: Annotated[str, typer.Option(help="Nom affiché.")],
    password: Annotated[
        str | None,
        typer.Option(help="Mot de passe ; demandé s'il manque (vide : compte sans mot de passe)."),
    ] = None,
    superuser: Annotated[
        bool,
        typer.Option("--superuser", help="Super-administrateur : peut créer des organisations."),
    ] = False,
) -> None:
    """Créer un compte."""
    if password is None and _stdin_is_terminal():
        password = (
            typer.prompt(
                "Mot de passe (vide : aucun)",
                default="",
                show_default=False,
                hide_input=True,
                confirmation_prompt=True,
            )
            or None
        )
    with database() as factory, factory() as uow:
        user = accounts.create_user(
            uow, actor=SYSTEM, email=email, name=name, password=password, superuser=superuser
        )
        uow.commit()
    kind = "super-administrateur" if superuser else "compte"
    typer.echo(f"Compte créé : {user.email} ({kind}, n° {user.id}).")
    if password is None:
        typer.echo("Sans mot de passe : connexion impossible avant une invitation.")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="Compte titulaire du jeton.")],
    org: Annotated[
        str | None, typer.Option(help="Limiter le jeton à cette organisation (identifiant).")
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help="Limiter le jeton à ce rôle (répétable)."),
    ] = None,
    name: Annotated[str, typer.Option(help="Nom du jeton, pour s'en souvenir.")] = "",
) -> None:
    """Créer un jeton d'API ; il est affiché une seule fois."""
    with database() as factory, factory() as uow:
        user = accounts.find_user(uow, email)
        if user is None:
            fail(f"aucun compte pour {email}.")
        organisation = orgs.org_by_ref(uow, org) if org else None
        issued = accounts.create_api_token(
            uow, actor=SYSTEM, user_id=user.id, org=organisation, roles=role or None, name=name
        )
        uow.commit()
        scope = f"organisation {organisation.slug}" if organisation else "toutes organisations"
    if role:
        scope += f", rôles {', '.join(sorted(role))}"
    typer.echo(
        f"Jeton créé pour {user.email} ({scope}). Copiez-le, il ne sera plus affiché :", err=True
    )
    typer.echo(issued.token)


def main() -> None:
    """Entry point of the ``terreau`` console script."""
    app()
