"""The ``terreau`` command line (Typer): serve, migrate, demo, tick, users, tokens, import, audit.

Messages are in French (an operator tool for French cooperatives). Without a named user the
commands act as the system actor; every write goes through the services.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from governance.errors import DomainError, ValidationError
from governance.mail import mailer_from_url
from governance.services import accounts, assemblies, audit, members
from governance.services.authz import SYSTEM, Actor, get_org
from governance.services.demo import seed_demo
from governance.store.engine import database_url, make_engine, make_session_factory
from governance.store.migrate import upgrade
from governance.store.tables import Member, MemberRole, Organisation
from governance.store.uow import UnitOfWork, org_chain
from web.config import ConfigError, Settings

UowFactory = Callable[..., UnitOfWork]

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

console = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


# ---- plumbing -------------------------------------------------------------------------------


def _base_url() -> str:
    return os.environ.get("TERREAU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _fail(message: str) -> NoReturn:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(1)


def _fail_domain(error: DomainError) -> NoReturn:
    """Print every problem of a refused use case, then exit with code 1."""
    if isinstance(error, ValidationError):
        for problem in error.problems:
            typer.echo(f"Erreur : {problem.field} : {problem.message.render()}", err=True)
        raise typer.Exit(1)
    _fail(error.message.render())


@contextmanager
def _database() -> Iterator[UowFactory]:
    """Yield a unit-of-work factory on TERREAU_DATABASE_URL; refusals become French errors."""
    url = database_url()
    try:
        mailer = mailer_from_url(os.environ.get("TERREAU_SMTP_URL"))
    except ValueError as error:
        _fail(f"TERREAU_SMTP_URL invalide : {error}")
    engine = _engine(url)
    sessions = make_session_factory(engine)

    def factory(write: bool = True) -> UnitOfWork:
        return UnitOfWork(sessions, mailer=mailer, write=write)

    try:
        yield factory
    except DomainError as error:
        _fail_domain(error)
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0] if error.orig else str(error)
        _fail(
            f"base de données {_safe_url(url)} inaccessible ou non migrée "
            f"(lancez « terreau migrate ») : {reason}"
        )
    finally:
        engine.dispose()


def _engine(url: str) -> Engine:
    try:
        return make_engine(url)
    except ArgumentError as error:
        _fail(f"TERREAU_DATABASE_URL invalide ({_safe_url(url)}) : {error}")


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<URL illisible>"


def _progress() -> Progress:
    """A progress bar on the terminal's error stream (silent when it is not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )


# ---- serve, migrate, demo -------------------------------------------------------------------


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
            _fail(str(error))
        environment = os.environ.get("TERREAU_ENV", "").strip()
        _fail(
            f"TERREAU_SECRET_KEY doit être une valeur aléatoire d'au moins 32 caractères hors "
            f"développement (TERREAU_ENV={environment}) : démarrage refusé. Générez-en une avec "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


@app.command()
def migrate() -> None:
    """Créer ou mettre à jour le schéma de la base de données."""
    url = database_url()
    _engine(url).dispose()  # refuses an unreadable URL with a clear message
    try:
        upgrade(url)
    except DBAPIError as error:
        _fail(f"migration impossible sur {_safe_url(url)} : {error.orig}")
    typer.echo(f"Base à jour : {_safe_url(url)}")


@app.command()
def demo() -> None:
    """Créer la SCIC de démonstration « Terreau Commun » (sans effet si elle existe)."""
    with _database() as factory, _progress() as progress:
        task = progress.add_task("Démo", total=None)
        report = seed_demo(
            factory,
            _base_url(),
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if report.created:
        typer.echo(f"Démo créée : {report.name} ({report.members} membres).")
    else:
        typer.echo(f"Démo déjà en place : {report.name} ({report.members} membres), inchangée.")
    if report.assembly_path is not None:
        typer.echo(
            f"Assemblée générale ouverte, votes en cours : {_base_url()}{report.assembly_path} "
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
    with _database() as factory:
        report = assemblies.tick(factory, base_url=base_url)
    if report.reminded:
        numbers = ", ".join(f"n° {rid}" for rid in report.reminded)
        typer.echo(f"Rappel « clôture dans 24 h » envoyé pour : {numbers}.")
    if not report.closed:
        typer.echo("Aucune résolution à clore.")
        return
    numbers = ", ".join(f"n° {rid}" for rid in report.closed)
    typer.echo(f"{len(report.closed)} résolution(s) close(s) : {numbers}.")


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
    with _database() as factory, factory() as uow:
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
    with _database() as factory, factory() as uow:
        user = accounts.find_user(uow, email)
        if user is None:
            _fail(f"aucun compte pour {email}.")
        organisation = get_org(uow.session, org) if org else None
        issued = accounts.create_api_token(
            uow, actor=SYSTEM, user_id=user.id, org=organisation, roles=role or None, name=name
        )
        uow.commit()
        scope = f"organisation {organisation.slug}" if organisation else "toutes organisations"
    if role:
        scope += f", rôles {', '.join(sorted(role))}"
    typer.echo(f"Jeton créé pour {user.email} ({scope}). Copiez-le, il ne sera plus affiché :",
               err=True)
    typer.echo(issued.token)


# ---- import members -------------------------------------------------------------------------


class CsvFile:
    """A CSV file as French spreadsheets write it: `,` or `;`, with or without a UTF-8 BOM."""

    def __init__(self, path: Path) -> None:
        raw = path.read_bytes()
        self.bom = raw.startswith(codecs.BOM_UTF8)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel's plain "CSV (séparateur : point-virgule)" is Windows-1252, not UTF-8.
            text = raw.decode("cp1252", errors="replace")
        first = text.split("\n", 1)[0]
        self.delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        try:
            self.header = [cell.strip().lower() for cell in next(reader, [])]
            self.rows: list[tuple[int, dict[str, str]]] = []
            start = reader.line_num + 1
            for record in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in record):
                    continue
                row = {
                    column: record[i] if i < len(record) else ""
                    for i, column in enumerate(self.header)
                }
                for i in range(len(self.header), len(record)):
                    if record[i].strip():
                        row[f"colonne {i + 1}"] = record[i]
                self.rows.append((line, row))
        except csv.Error as error:
            _fail(f"{path} : CSV illisible à la ligne {reader.line_num} ({error}).")


def _import_actor(uow: UnitOfWork, org: Organisation, as_email: str | None) -> Actor:
    """The user the import runs as: ``--as``, else the organisation's first admin, else system."""
    if as_email:
        user = accounts.find_user(uow, as_email)
        if user is None:
            _fail(f"aucun compte pour {as_email}.")
        return accounts.actor_for_user(user)
    first_admin = uow.session.execute(
        select(Member.user_id)
        .join(MemberRole, MemberRole.member_id == Member.id)
        .where(Member.org_id == org.id, MemberRole.role == "admin", Member.departed_on.is_(None))
        .order_by(Member.id)
        .limit(1)
    ).scalar_one_or_none()
    return Actor(user_id=first_admin) if first_admin is not None else SYSTEM


REJECTION_COLUMN = "errors"


def _write_rejected(
    path: Path, source: CsvFile, rejected: Sequence[tuple[dict[str, str], list[str]]]
) -> None:
    """Write the rejected rows as they were plus an `errors` column (the import ignores it)."""
    header = [c for c in source.header if c != REJECTION_COLUMN]
    extra = sorted({k for row, _e in rejected for k in row if k not in source.header})
    with path.open("w", encoding="utf-8-sig" if source.bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=source.delimiter)
        writer.writerow([*header, *extra, REJECTION_COLUMN])
        for row, errors in rejected:
            writer.writerow([*(row.get(c, "") for c in [*header, *extra]), " | ".join(errors)])


@import_app.command("members")
def import_members(
    org: Annotated[str, typer.Argument(help="Identifiant de l'organisation.")],
    file: Annotated[Path, typer.Argument(help="Fichier CSV avec une ligne d'en-tête.")],
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Importer les lignes valides et écarter les autres."),
    ] = False,
    rejected_file: Annotated[
        Path | None,
        typer.Option(help="Où écrire les lignes écartées (défaut : FICHIER-rejets.csv)."),
    ] = None,
    no_invite: Annotated[
        bool, typer.Option("--no-invite", help="Ne pas envoyer d'invitation.")
    ] = False,
    as_email: Annotated[
        str | None, typer.Option("--as", help="Importer au nom de ce compte (un admin).")
    ] = None,
) -> None:
    """Importer le registre des associés (colonnes : name, email, associate, category,
    college, shares, legal_person, representative_name, admitted_on).

    Un fichier de rejets corrigé se réimporte tel quel : sa colonne errors est ignorée.
    """
    if not file.is_file():
        _fail(f"fichier introuvable : {file}")
    source = CsvFile(file)
    missing = [c for c in ("name", "email") if c not in source.header]
    if missing:
        _fail(
            f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)} "
            f"(colonnes possibles : {', '.join(members.IMPORT_COLUMNS)})."
        )
    if not source.rows:
        _fail(f"{file} ne contient aucune ligne de données.")
    rows = [
        (line, {k: v for k, v in row.items() if k != REJECTION_COLUMN})
        for line, row in source.rows
    ]
    with _database() as factory, factory() as uow, _progress() as progress:
        organisation = get_org(uow.session, org)
        actor = _import_actor(uow, organisation, as_email)
        task = progress.add_task("Import", total=len(rows))
        try:
            report = members.import_members(
                uow,
                actor=actor,
                org=organisation,
                rows=rows,
                base_url=_base_url(),
                skip_invalid=skip_invalid,
                invite=not no_invite,
                progress=lambda n: progress.update(task, completed=n),
            )
        except ValidationError as error:
            progress.stop()
            for problem in error.problems:
                typer.echo(problem.message.render(), err=True)
            lines = len({p.field.split(":")[0] for p in error.problems})
            _fail(
                f"{lines} ligne(s) invalide(s) : aucun membre importé "
                "(corrigez le fichier, ou --skip-invalid pour importer les lignes valides)."
            )
        uow.commit()
    typer.echo(f"{len(report.imported)} membre(s) importé(s) dans {organisation.name}.")
    if report.rejected:
        target = rejected_file or file.with_name(f"{file.stem}-rejets.csv")
        rejected = [
            (dict(row), [f"ligne {line}, {p.field} : {p.message.render()}" for p in problems])
            for line, row, problems in report.rejected
        ]
        _write_rejected(target, source, rejected)
        for _row, errors in rejected:
            for text in errors:
                typer.echo(text, err=True)
        typer.echo(f"{len(rejected)} ligne(s) écartée(s), écrites dans {target}.")


# ---- audit ----------------------------------------------------------------------------------


def _chain_label(chain: str, slugs: dict[str, str]) -> str:
    return f"{chain} ({slugs[chain]})" if chain in slugs else chain


@audit_app.command("verify")
def audit_verify(
    org: Annotated[
        str | None, typer.Option(help="Vérifier seulement cette organisation.")
    ] = None,
) -> None:
    """Recalculer la chaîne de hachage du journal ; code de sortie 0 seulement si tout tient."""
    failures = 0
    with _database() as factory, factory(write=False) as uow:
        slugs = {
            org_chain(o.id): o.slug
            for o in uow.session.execute(select(Organisation)).scalars()
        }
        chains = [org_chain(get_org(uow.session, org).id)] if org else audit.all_chains(uow)
        for chain in chains:
            total = audit.count_events(uow, chain)
            with _progress() as progress:
                task = progress.add_task(chain, total=total)

                def advance(done: int, bar: Progress = progress, task: TaskID = task) -> None:
                    bar.update(task, completed=done)

                report = audit.verify_chain(uow, chain, progress=advance)
            label = _chain_label(chain, slugs)
            if report.ok:
                typer.echo(
                    f"OK     {label} : {report.events} événement(s), "
                    f"tête n° {report.head_seq} {report.head_hash}"
                )
                continue
            failures += 1
            typer.echo(f"ÉCHEC  {label} :")
            for finding in report.findings:
                typer.echo(f"       {finding.message.render()}")
    if failures:
        typer.echo(f"Journal d'audit altéré : {failures} chaîne(s) en échec.")
        raise typer.Exit(1)
    typer.echo("Journal d'audit intègre.")


@audit_app.command("export")
def audit_export(
    org: Annotated[str, typer.Option(help="Organisation dont exporter le journal.")],
    file: Annotated[Path, typer.Argument(help="Fichier JSONL à écrire.")],
) -> None:
    """Exporter le journal d'une organisation en JSONL, vérifiable hors ligne."""
    with _database() as factory, factory(write=False) as uow:
        organisation = get_org(uow.session, org)
        chain = org_chain(organisation.id)
        total = audit.count_events(uow, chain)
        count = 0
        with _progress() as progress, file.open("w", encoding="utf-8", newline="\n") as out:
            task = progress.add_task("Export", total=total)
            for line in audit.export_org_events(uow, actor=SYSTEM, org=organisation):
                out.write(line + "\n")
                count += 1
                progress.advance(task)
        seq, digest = audit.head_of(uow, organisation)
    typer.echo(f"{count} événement(s) exporté(s) dans {file} (tête n° {seq} {digest}).")
    typer.echo(f"Vérification hors ligne : python -m governance.audit verify {file}")


def main() -> None:
    """Entry point of the ``terreau`` console script."""
    app()
