"""`terreau tick` on SQLite and PostgreSQL: it records the closing of votes past their deadline."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from governance.services import assemblies as ga
from governance.store.tables import AuditEvent, Resolution
from governance.store.uow import UnitOfWork, org_chain
from tests.conftest import Clock, Outbox
from tests.factories import LINKS, actor_of, make_assembly_org
from tests.integration.test_assemblies import prepared, run
from web.cli import app

Uow = Callable[[], UnitOfWork]


@pytest.fixture
def earlier() -> Clock:
    """Two hours ago: the arrangement happens in the past, `terreau tick` runs on real time."""
    return Clock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))


@pytest.fixture
def past_uow(session_factory: sessionmaker[Session], earlier: Clock, outbox: Outbox) -> Uow:
    return lambda: UnitOfWork(session_factory, clock=earlier, mailer=outbox)


@pytest.fixture
def cli_env(database_url: str, engine: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the command line at the test's database (``engine`` empties PostgreSQL first)."""
    monkeypatch.setenv("TERREAU_DATABASE_URL", database_url)
    monkeypatch.delenv("TERREAU_SMTP_URL", raising=False)


def status_of(uow: Uow, rid: int) -> tuple[str, datetime | None]:
    with uow() as u:
        resolution = u.session.get(Resolution, rid)
        assert resolution is not None
        return resolution.status, resolution.closed_at


def test_tick_closes_the_votes_past_their_deadline_once(
    cli_env: None, past_uow: Uow, earlier: Clock
) -> None:
    fx, people = make_assembly_org(past_uow)
    assembly_id, (due, later, open_ended) = prepared(past_uow, fx, resolutions=3)
    run(past_uow, ga.convene, fx, assembly_id=assembly_id, mode="email", links=LINKS)
    for member in people["Fondateurs"] + people["Bénéficiaires"]:
        run(
            past_uow,
            ga.record_attendance,
            fx,
            assembly_id=assembly_id,
            member_id=member.id,
            mode="present",
        )
    run(past_uow, ga.open_assembly, fx, assembly_id=assembly_id)
    deadline = earlier.now + timedelta(hours=1)  # an hour ago, in real time
    run(past_uow, ga.open_resolution, fx, resolution_id=due, deadline=deadline)
    run(
        past_uow,
        ga.open_resolution,
        fx,
        resolution_id=later,
        deadline=earlier.now + timedelta(days=1),
    )
    run(past_uow, ga.open_resolution, fx, resolution_id=open_ended)
    voter = people["Fondateurs"][0]
    run(past_uow, ga.cast_ballot, fx, actor=actor_of(voter.user), resolution_id=due, choice="for")
    runner = CliRunner()

    first = runner.invoke(app, ["tick"])
    assert first.exit_code == 0, first.output
    # Without TERREAU_SMTP_URL the closing notifications are printed before the summary.
    assert first.stdout.strip().splitlines()[-1] == f"1 résolution(s) close(s) : n° {due}."
    assert "Vote clos : " in first.stdout
    assert status_of(past_uow, due) == ("closed", deadline)
    assert status_of(past_uow, later)[0] == "open"
    assert status_of(past_uow, open_ended)[0] == "open"
    with past_uow() as u:
        closing = u.session.execute(
            select(AuditEvent).where(
                AuditEvent.chain == org_chain(fx.org.id), AuditEvent.action == "resolution.closed"
            )
        ).scalar_one()
        assert closing.actor == "system" and closing.subject_id == str(due)
        assert json.loads(closing.payload)["result"]["adopted"] is True

    second = runner.invoke(app, ["tick"])
    assert second.exit_code == 0, second.output
    assert second.stdout.strip() == "Aucune résolution à clore."
