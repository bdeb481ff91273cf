"""The ``terreau`` application and its command groups (the commands register on them)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="terreau",
    help="Terreau : gouvernance des coopératives (collèges, consentement, tours de table).",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Comptes utilisateurs.", no_args_is_help=True)
token_app = typer.Typer(help="Jetons d'API personnels.", no_args_is_help=True)
import_app = typer.Typer(help="Imports de données.", no_args_is_help=True)
audit_app = typer.Typer(help="Journal d'audit : vérification et export.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.add_typer(audit_app, name="audit")
