"""``terreau import members``: the registre des associés from a CSV file."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from governance.errors import ValidationError
from governance.services import accounts, members, orgs
from governance.services.authz import SYSTEM, Actor
from governance.services.types import Organisation
from web.cli.apps import import_app
from web.cli.plumbing import base_url, database, fail, progress_bar
from web.deps import UnitOfWork
from web.links import WebLinks


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
            fail(f"{path} : CSV illisible à la ligne {reader.line_num} ({error}).")


def _import_actor(uow: UnitOfWork, org: Organisation, as_email: str | None) -> Actor:
    """The user the import runs as: ``--as``, else the organisation's first admin, else system."""
    if as_email:
        user = accounts.find_user(uow, as_email)
        if user is None:
            fail(f"aucun compte pour {as_email}.")
        return accounts.actor_for_user(user)
    first_admin = members.first_admin_user_id(uow, org)
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
        fail(f"fichier introuvable : {file}")
    source = CsvFile(file)
    missing = [c for c in ("name", "email") if c not in source.header]
    if missing:
        fail(
            f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)} "
            f"(colonnes possibles : {', '.join(members.IMPORT_COLUMNS)})."
        )
    if not source.rows:
        fail(f"{file} ne contient aucune ligne de données.")
    rows = [
        (line, {k: v for k, v in row.items() if k != REJECTION_COLUMN}) for line, row in source.rows
    ]
    with database() as factory, factory() as uow, progress_bar() as progress:
        organisation = orgs.org_by_ref(uow, org)
        actor = _import_actor(uow, organisation, as_email)
        task = progress.add_task("Import", total=len(rows))
        try:
            report = members.import_members(
                uow,
                actor=actor,
                org=organisation,
                rows=rows,
                links=WebLinks(base_url()),
                skip_invalid=skip_invalid,
                invite=not no_invite,
                progress=lambda n: progress.update(task, completed=n),
            )
        except ValidationError as error:
            progress.stop()
            for problem in error.problems:
                typer.echo(problem.message.render(), err=True)
            lines = len({p.field.split(":")[0] for p in error.problems})
            fail(
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
