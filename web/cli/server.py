"""Commands that run Terreau: serve, migrate, demo, tick."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from governance.services import assemblies
from governance.services.demo import seed_demo
from web.cli.apps import app
from web.cli.plumbing import base_url, console, database, engine_on, fail, progress_bar, safe_url
from web.config import ConfigError, Settings
from web.deps import database_url, migrate_database
from web.links import WebLinks


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port d'écoute.")] = 8000,
    reload: Annotated[
        bool, typer.Option("--reload", help="Recharger à chaque modification du code.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Nombre de processus (sans --reload).")] = 1,
) -> None:
    """Lancer le serveur web."""
    import uvicorn

    _check_settings()  # here, not in each worker: one clear line instead of a traceback
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
    )


def _check_settings() -> None:
    """Refuse to serve with settings the application would refuse, with a French message."""
    try:
        Settings.from_env()
    except ConfigError as error:
        if "TERREAU_SECRET_KEY" not in str(error):
            fail(str(error))
        environment = os.environ.get("TERREAU_ENV", "").strip()
        fail(
            f"TERREAU_SECRET_KEY doit être une valeur aléatoire d'au moins 32 caractères hors "
            f"développement (TERREAU_ENV={environment}) : démarrage refusé. Générez-en une avec "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


@app.command()
def migrate() -> None:
    """Créer ou mettre à jour le schéma de la base de données."""
    url = database_url()
    engine_on(url).dispose()  # refuses an unreadable URL with a clear message
    try:
        migrate_database(url)
    except DBAPIError as error:
        fail(f"migration impossible sur {safe_url(url)} : {error.orig}")
    typer.echo(f"Base à jour : {safe_url(url)}")


@app.command()
def demo() -> None:
    """Créer la SCIC de démonstration « Terreau Commun » (sans effet si elle existe)."""
    with database() as factory, progress_bar() as progress:
        task = progress.add_task("Démo", total=None)
        report = seed_demo(
            factory,
            WebLinks(base_url()),
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if report.created:
        typer.echo(f"Démo créée : {report.name} ({report.members} membres).")
    else:
        typer.echo(f"Démo déjà en place : {report.name} ({report.members} membres), inchangée.")
    if report.assembly_path is not None:
        typer.echo(
            f"Assemblée générale ouverte, votes en cours : {base_url()}{report.assembly_path} "
            f"(API : /api/v1{report.assembly_path})"
        )
    table = Table(title=f"Connexions de démonstration — {report.login_url}")
    for column in ("Nom", "E-mail", "Mot de passe", "Rôle"):
        table.add_column(column, no_wrap=column != "Rôle")
    for login in report.logins:
        table.add_row(login.name, login.email, login.password, login.role)
    Console(highlight=False, width=max(console.width, 120)).print(table)


@app.command()
def tick() -> None:
    """Enregistrer la clôture des votes arrivés à échéance (à lancer chaque minute par cron).

    Un vote échu est déjà clos pour les membres ; tick enregistre sa clôture et son résultat,
    prévient les associés, et envoie le rappel « clôture dans 24 h » à ceux qui n'ont pas voté.
    """
    base_url = os.environ.get("TERREAU_BASE_URL", "http://127.0.0.1:8000")
    with database() as factory:
        report = assemblies.tick(factory, links=WebLinks(base_url))
    if report.reminded:
        numbers = ", ".join(f"n° {rid}" for rid in report.reminded)
        typer.echo(f"Rappel « clôture dans 24 h » envoyé pour : {numbers}.")
    if not report.closed:
        typer.echo("Aucune résolution à clore.")
        return
    numbers = ", ".join(f"n° {rid}" for rid in report.closed)
    typer.echo(f"{len(report.closed)} résolution(s) close(s) : {numbers}.")
