"""``terreau audit``: verify the hash chains of the audit log, export one as JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TaskID

from governance.services import audit, orgs
from governance.services.authz import SYSTEM
from web.cli.apps import audit_app
from web.cli.plumbing import database, progress_bar


def _chain_label(chain: str, slugs: dict[str, str]) -> str:
    return f"{chain} ({slugs[chain]})" if chain in slugs else chain


@audit_app.command("verify")
def audit_verify(
    org: Annotated[str | None, typer.Option(help="Vérifier seulement cette organisation.")] = None,
) -> None:
    """Recalculer la chaîne de hachage du journal ; code de sortie 0 seulement si tout tient."""
    failures = 0
    with database() as factory, factory(write=False) as uow:
        slugs = orgs.audit_chain_slugs(uow)
        chains = [orgs.audit_chain(orgs.org_by_ref(uow, org))] if org else audit.all_chains(uow)
        for chain in chains:
            total = audit.count_events(uow, chain)
            with progress_bar() as progress:
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
    with database() as factory, factory(write=False) as uow:
        organisation = orgs.org_by_ref(uow, org)
        chain = orgs.audit_chain(organisation)
        total = audit.count_events(uow, chain)
        count = 0
        with progress_bar() as progress, file.open("w", encoding="utf-8", newline="\n") as out:
            task = progress.add_task("Export", total=total)
            for line in audit.export_org_events(uow, actor=SYSTEM, org=organisation):
                out.write(line + "\n")
                count += 1
                progress.advance(task)
        seq, digest = audit.head_of(uow, organisation)
    typer.echo(f"{count} événement(s) exporté(s) dans {file} (tête n° {seq} {digest}).")
    typer.echo(f"Vérification hors ligne : python -m governance.audit verify {file}")
