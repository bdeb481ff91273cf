"""The `terreau` command line on a migrated SQLite copy: accounts, tokens, import, demo, audit."""

from __future__ import annotations

import codecs
import csv
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from governance.services import accounts
from governance.store.engine import make_engine, make_session_factory
from governance.store.tables import AuditEvent, Invitation, Member, User
from governance.store.uow import UnitOfWork, org_chain
from tests.factories import OrgFixture, add_member, make_org
from web import cli
from web.cli import app

Uow = Callable[[], UnitOfWork]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_db(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite database that the CLI uses through TERREAU_DATABASE_URL."""
    target = tmp_path / "cli.db"
    shutil.copy(sqlite_template, target)
    monkeypatch.setenv("TERREAU_DATABASE_URL", f"sqlite:///{target}")
    monkeypatch.setenv("TERREAU_BASE_URL", "http://testserver")
    monkeypatch.delenv("TERREAU_SMTP_URL", raising=False)
    return target


@pytest.fixture
def db(cli_db: Path) -> Iterator[Uow]:
    """Units of work on the CLI's database, to arrange and check outcomes."""
    engine = make_engine(f"sqlite:///{cli_db}")
    sessions = make_session_factory(engine)
    yield lambda: UnitOfWork(sessions)
    engine.dispose()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def coop(db: Uow) -> OrgFixture:
    return make_org(db)


def member_names(db: Uow, org_id: int) -> list[str]:
    with db() as u:
        return sorted(
            u.session.execute(
                select(Member.name).where(Member.org_id == org_id, Member.status != "external")
            ).scalars()
        )


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


HEADER = ["name", "email", "associate", "category", "college", "shares"]


# ---- accounts and tokens --------------------------------------------------------------------


def test_user_create_makes_an_account_that_can_log_in(runner: CliRunner, db: Uow) -> None:
    result = runner.invoke(
        app,
        ["user", "create", "--email", "Ana@Example.org", "--name", "Ana", "--password",
         "un-mot-de-passe", "--superuser"],
    )
    assert result.exit_code == 0, result.output
    assert "Compte créé : ana@example.org" in result.stdout
    with db() as u:
        login = accounts.authenticate(
            u, email="ana@example.org", password="un-mot-de-passe", address="cli"
        )
        assert login.user.is_superuser


def test_user_create_without_a_password_off_a_terminal_makes_a_passwordless_account(
    runner: CliRunner, db: Uow
) -> None:
    result = runner.invoke(app, ["user", "create", "--email", "bo@example.org", "--name", "Bo"])
    assert result.exit_code == 0, result.output
    assert "Sans mot de passe" in result.stdout
    with db() as u:
        user = accounts.find_user(u, "bo@example.org")
        assert user is not None and user.password_hash is None and not user.is_superuser


def test_user_create_asks_for_the_password_on_a_terminal(
    runner: CliRunner, db: Uow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: True)
    result = runner.invoke(
        app,
        ["user", "create", "--email", "eve@example.org", "--name", "Ève"],
        input="mot-de-passe-tapé\nmot-de-passe-tapé\n",
    )
    assert result.exit_code == 0, result.output
    assert "mot-de-passe-tapé" not in result.output  # typed, never echoed
    with db() as u:
        login = accounts.authenticate(
            u, email="eve@example.org", password="mot-de-passe-tapé", address="cli"
        )
        assert login.user.name == "Ève"


def test_user_create_explains_a_refusal_in_french(runner: CliRunner, db: Uow) -> None:
    runner.invoke(app, ["user", "create", "--email", "cy@example.org", "--name", "Cy"])
    again = runner.invoke(app, ["user", "create", "--email", "cy@example.org", "--name", "Cy"])
    assert again.exit_code == 1 and "Un compte existe déjà pour cy@example.org" in again.stderr
    short = runner.invoke(
        app, ["user", "create", "--email", "dé@example.org", "--name", "D", "--password", "court"]
    )
    assert short.exit_code == 1 and "au moins 10 caractères" in short.stderr


def test_token_create_prints_a_working_scoped_token_once(
    runner: CliRunner, db: Uow, coop: OrgFixture
) -> None:
    result = runner.invoke(
        app,
        ["token", "create", "--email", coop.admin.email, "--org", "coop", "--role", "auditor",
         "--name", "export nocturne"],
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("trr_") and len(result.stdout.splitlines()) == 1
    assert "ne sera plus affiché" in result.stderr
    with db() as u:
        actor = accounts.actor_for_token(u, token)
    assert actor.user_id == coop.admin.id and actor.token_org_id == coop.org.id
    assert actor.token_roles == frozenset({"auditor"})


def test_token_create_for_an_unknown_account_or_organisation_fails(
    runner: CliRunner, coop: OrgFixture
) -> None:
    nobody = runner.invoke(app, ["token", "create", "--email", "nobody@example.org"])
    assert nobody.exit_code == 1 and "aucun compte" in nobody.stderr
    nowhere = runner.invoke(
        app, ["token", "create", "--email", coop.admin.email, "--org", "nowhere"]
    )
    assert nowhere.exit_code == 1 and "Organisation introuvable" in nowhere.stderr


# ---- import members -------------------------------------------------------------------------


def test_import_members_adds_every_row_as_the_first_admin_and_invites_them(
    runner: CliRunner, db: Uow, coop: OrgFixture, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "registre.csv",
        [
            HEADER,
            ["Alix Prem", "alix@example.org", "oui", "Bénéficiaires", "Bénéficiaires", "2"],
            ["Basile Deux", "basile@example.org", "", "Salariés", "Salariés", ""],
            ["Cléo Trois", "cleo@example.org", "non", "", "", ""],
        ],
    )
    result = runner.invoke(app, ["import", "members", "coop", str(source)])
    assert result.exit_code == 0, result.output
    assert "3 membre(s) importé(s)" in result.stdout
    assert member_names(db, coop.org.id) == ["Alix Prem", "Basile Deux", "Cléo Trois"]
    with db() as u:
        invitations = u.session.execute(select(func.count()).select_from(Invitation)).scalar()
        actors = set(
            u.session.execute(
                select(AuditEvent.actor).where(AuditEvent.action == "member.added")
            ).scalars()
        )
    assert invitations == 3
    assert actors == {f"user:{coop.admin.id}"}


def test_import_with_errors_reports_every_line_and_imports_nothing(
    runner: CliRunner, db: Uow, coop: OrgFixture, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "registre.csv",
        [
            HEADER,
            ["Alix Prem", "alix@example.org", "oui", "Bénéficiaires", "Bénéficiaires", "1"],
            ["", "pas-une-adresse", "oui", "Bénéficiaires", "Bénéficiaires", "1"],
            ["Basile Deux", "basile@example.org", "peut-être", "Salariés", "Salariés", "1"],
            ["Cléo Trois", "alix@example.org", "oui", "Inconnue", "Salariés", "1"],
        ],
    )
    result = runner.invoke(app, ["import", "members", "coop", str(source), "--no-invite"])
    assert result.exit_code == 1
    errors = result.stderr
    assert "ligne 3, name" in errors and "ligne 3, email" in errors
    assert "ligne 4, associate" in errors
    assert "ligne 5, category" in errors
    assert not [line for line in errors.splitlines() if line.startswith("ligne 2,")]
    assert "aucun membre importé" in errors
    assert member_names(db, coop.org.id) == []


def test_skip_invalid_imports_the_valid_rows_and_writes_the_rejected_ones(
    runner: CliRunner, db: Uow, coop: OrgFixture, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "registre.csv",
        [
            HEADER,
            ["Alix Prem", "alix@example.org", "oui", "Bénéficiaires", "Bénéficiaires", "1"],
            ["Basile Deux", "pas-une-adresse", "oui", "Bénéficiaires", "Bénéficiaires", "1"],
        ],
    )
    rejected = tmp_path / "rejets.csv"
    result = runner.invoke(
        app,
        ["import", "members", "coop", str(source), "--skip-invalid", "--rejected-file",
         str(rejected), "--no-invite"],
    )
    assert result.exit_code == 0, result.output
    assert member_names(db, coop.org.id) == ["Alix Prem"]
    with rejected.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["name"], r["email"]) for r in rows] == [("Basile Deux", "pas-une-adresse")]
    assert rows[0]["errors"].startswith("ligne 3, email")
    # Corrected, the rejected file imports as it is (its errors column is ignored).
    rejected.write_text(rejected.read_text(encoding="utf-8").replace(
        "pas-une-adresse", "basile@example.org"), encoding="utf-8")
    again = runner.invoke(app, ["import", "members", "coop", str(rejected), "--no-invite"])
    assert again.exit_code == 0, again.output
    assert member_names(db, coop.org.id) == ["Alix Prem", "Basile Deux"]


def test_a_semicolon_file_with_a_bom_from_french_excel_imports(
    runner: CliRunner, db: Uow, coop: OrgFixture, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "registre.csv",
        [
            ["Name", "Email", "Category", "College", "Shares", "Admitted_On"],
            ["Éloïse Château", "eloise@example.org", "Bénéficiaires", "Bénéficiaires", "3",
             "2024-05-01"],
        ],
        delimiter=";",
        bom=True,
    )
    assert source.read_bytes().startswith(codecs.BOM_UTF8)
    result = runner.invoke(
        app, ["import", "members", "coop", str(source), "--no-invite", "--skip-invalid"]
    )
    assert result.exit_code == 0, result.output
    with db() as u:
        member = u.session.execute(select(Member).where(Member.name == "Éloïse Château")).scalar()
        assert member is not None and member.shares == 3
        assert member.admitted_on is not None and member.admitted_on.isoformat() == "2024-05-01"
    assert not (tmp_path / "registre-rejets.csv").exists()


def test_a_windows_1252_export_from_excel_imports(
    runner: CliRunner, db: Uow, coop: OrgFixture, tmp_path: Path
) -> None:
    source = tmp_path / "registre.csv"
    source.write_bytes(
        "name;email;category;college\r\nFrançoise Hérault;fh@example.org;Salariés;Salariés\r\n"
        .encode("cp1252")
    )
    result = runner.invoke(app, ["import", "members", "coop", str(source), "--no-invite"])
    assert result.exit_code == 0, result.output
    assert member_names(db, coop.org.id) == ["Françoise Hérault"]


def test_an_import_run_as_a_non_admin_is_refused(
    runner: CliRunner, db: Uow, coop: OrgFixture, tmp_path: Path
) -> None:
    plain = add_member(db, coop, "Simple Membre")
    with db() as u:
        email = u.session.get(User, plain.user_id).email  # type: ignore[union-attr]
    source = write_csv(
        tmp_path / "registre.csv",
        [HEADER, ["Alix Prem", "alix@example.org", "oui", "Bénéficiaires", "Bénéficiaires", "1"]],
    )
    result = runner.invoke(app, ["import", "members", "coop", str(source), "--as", email])
    assert result.exit_code == 1 and "admin" in result.stderr
    assert member_names(db, coop.org.id) == ["Simple Membre"]


def test_an_import_without_the_required_columns_says_which(
    runner: CliRunner, coop: OrgFixture, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "registre.csv", [["nom", "courriel"], ["Alix", "a@ex.org"]])
    result = runner.invoke(app, ["import", "members", "coop", str(source)])
    assert result.exit_code == 1 and "name, email" in result.stderr
    missing = runner.invoke(app, ["import", "members", "coop", str(tmp_path / "absent.csv")])
    assert missing.exit_code == 1 and "fichier introuvable" in missing.stderr


# ---- demo and audit -------------------------------------------------------------------------


def demo_chain(db: Uow) -> str:
    from governance.services.demo import DEMO_SLUG
    from governance.store.tables import Organisation

    with db() as u:
        org_id = u.session.execute(
            select(Organisation.id).where(Organisation.slug == DEMO_SLUG)
        ).scalar_one()
    return org_chain(org_id)


def tamper(database: Path, chain: str, seq: int) -> None:
    """Alter one stored event by hand, as an attacker with database access would."""
    connection = sqlite3.connect(database)
    with connection:
        # The table refuses UPDATE through its append-only trigger: drop it first.
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute(
            "UPDATE audit_events SET payload = ? WHERE chain = ? AND seq = ?",
            ('{"name":"Falsifié"}', chain, seq),
        )
    connection.close()


def test_the_demo_prints_its_logins_and_audit_verify_passes(
    runner: CliRunner, db: Uow, cli_db: Path
) -> None:
    seeded = runner.invoke(app, ["demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "Démo créée" in seeded.stdout
    assert "camille.martin@terreau-commun.example" in seeded.stdout
    assert "demo-terreau-2026" in seeded.stdout
    assert (
        "Assemblée générale ouverte, votes en cours : "
        "http://testserver/orgs/terreau-commun/assemblies/1 "
        "(API : /api/v1/orgs/terreau-commun/assemblies/1)"
    ) in seeded.stdout
    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0 and "inchangée" in again.stdout
    assert "/orgs/terreau-commun/assemblies/1" in again.stdout
    ticked = runner.invoke(app, ["tick"])  # the demo's votes have no deadline
    assert ticked.exit_code == 0 and "Aucune résolution à clore." in ticked.stdout
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "Journal d'audit intègre" in verified.stdout
    assert "(terreau-commun)" in verified.stdout
    only = runner.invoke(app, ["audit", "verify", "--org", "terreau-commun"])
    assert only.exit_code == 0 and only.stdout.count("OK ") == 1


def test_audit_verify_fails_naming_the_first_altered_event(
    runner: CliRunner, db: Uow, cli_db: Path
) -> None:
    runner.invoke(app, ["demo"])
    tamper(cli_db, demo_chain(db), 5)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "ÉCHEC" in result.stdout and "n° 5" in result.stdout
    assert "altéré" in result.stdout


def erase_chain(database: Path, chain: str, *, head_too: bool) -> None:
    """Delete a whole chain by hand (and its head), past the append-only trigger."""
    connection = sqlite3.connect(database)
    with connection:
        connection.execute("DROP TRIGGER audit_events_no_delete")
        connection.execute("DELETE FROM audit_events WHERE chain = ?", (chain,))
        if head_too:
            connection.execute("DELETE FROM audit_heads WHERE chain = ?", (chain,))
    connection.close()


@pytest.mark.parametrize("head_too", [False, True], ids=["events", "events-and-head"])
def test_audit_verify_fails_when_an_organisations_whole_chain_was_deleted(
    runner: CliRunner, db: Uow, cli_db: Path, head_too: bool
) -> None:
    runner.invoke(app, ["demo"])
    chain = demo_chain(db)
    erase_chain(cli_db, chain, head_too=head_too)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"ÉCHEC  {chain} (terreau-commun) :" in result.stdout
    assert "L'organisation terreau-commun (Terreau Commun) n'a aucun événement" in result.stdout
    assert ("est absente" in result.stdout) == head_too
    assert "OK     site" in result.stdout
    assert "1 chaîne(s) en échec" in result.stdout
    only = runner.invoke(app, ["audit", "verify", "--org", "terreau-commun"])
    assert only.exit_code == 1 and "aucun événement" in only.stdout


def test_an_exported_log_verifies_offline_and_a_tampered_copy_does_not(
    runner: CliRunner, db: Uow, tmp_path: Path
) -> None:
    runner.invoke(app, ["demo"])
    export = tmp_path / "journal.jsonl"
    result = runner.invoke(app, ["audit", "export", "--org", "terreau-commun", str(export)])
    assert result.exit_code == 0, result.output
    lines = export.read_text(encoding="utf-8").splitlines()
    assert f"{len(lines)} événement(s) exporté(s)" in result.stdout
    offline = [sys.executable, "-m", "governance.audit", "verify"]
    ok = subprocess.run([*offline, str(export)], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    events = [json.loads(line) for line in lines]
    events[6]["payload"] = {"name": "Falsifié"}
    forged = tmp_path / "falsifie.jsonl"
    forged.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    broken = subprocess.run([*offline, str(forged)], capture_output=True, text=True, cwd=REPO)
    assert broken.returncode == 1 and "n° 7" in broken.stdout


def test_commands_on_an_unmigrated_database_say_to_migrate(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERREAU_DATABASE_URL", f"sqlite:///{tmp_path / 'vide.db'}")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "terreau migrate" in result.stderr
    migrated = runner.invoke(app, ["migrate"])
    assert migrated.exit_code == 0 and "Base à jour" in migrated.stdout
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    monkeypatch.setenv("TERREAU_DATABASE_URL", "pas-une-url")
    unreadable = runner.invoke(app, ["migrate"])
    assert unreadable.exit_code == 1 and "TERREAU_DATABASE_URL invalide" in unreadable.stderr
