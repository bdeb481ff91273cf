"""Reads never write: past a deadline the pages and the API show the close that ``terreau tick``
(or the next write request) will record, and record nothing themselves; a draft agenda stays
hidden from every read, the voting panel and the result included."""

# ruff: noqa: F811 — the page tests' fixtures (scic, call) are imported and used by name

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from governance.services import accounts
from governance.services import assemblies as ga
from governance.services.audit import head_of
from governance.services.authz import SYSTEM, Actor, get_org
from governance.store.tables import AuditEvent, Resolution
from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.web.conftest import Browser
from tests.web.test_pages_assemblies import (  # noqa: F401
    Coop,
    call,
    new_assembly,
    open_vote,
    scic,
    text_of,
)

Uow = Callable[[], UnitOfWork]
Call = Callable[..., Any]


def bearer(uow: Uow, user_id: int) -> dict[str, str]:
    with uow() as u:
        issued = accounts.create_api_token(u, actor=SYSTEM, user_id=user_id, name="tests")
        u.commit()
    return {"Authorization": f"Bearer {issued.token}"}


def stored(uow: Uow, resolution_id: int) -> tuple[str, int, tuple[int, str]]:
    """The stored status of the resolution, the number of audit events, the chain's head."""
    with uow() as u:
        status = u.session.execute(
            select(Resolution.status).where(Resolution.id == resolution_id)
        ).scalar_one()
        events = u.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        head = head_of(u, get_org(u.session, "coop"))
    return str(status), int(events), head


def deadline_vote(call: Call, scic: Coop, clock: Clock) -> tuple[int, int]:
    """An open vote until 12:00 (Paris) with one ballot and one blank proxy."""
    opened = open_vote(call, scic, proxies={})
    call(
        ga.record_attendance,
        assembly_id=opened.assembly_id,
        member_id=scic.member("Bénéficiaires").id,
        mode="proxy",
    )  # a blank proxy: it votes "for" a board resolution, at the close
    later = call(ga.add_resolution, assembly_id=opened.assembly_id, title="Budget", text="Budget.")
    call(ga.open_resolution, resolution_id=later.id, deadline="2026-06-15T12:00:00+02:00")
    call(
        ga.cast_ballot,
        actor=_actor(scic, "Partenaires"),
        resolution_id=later.id,
        choice="against",
    )
    return opened.assembly_id, later.id


def _actor(scic: Coop, college: str) -> Actor:
    return Actor(user_id=scic.member(college).user_id)


def test_pages_and_api_past_a_deadline_show_the_close_to_come_and_write_nothing(
    browser: Browser, scic: Coop, call: Call, clock: Clock, uow: Uow, outbox: Outbox
) -> None:
    assembly_id, rid = deadline_vote(call, scic, clock)
    token = bearer(uow, scic.member("Fondateurs").user_id)
    browser.login(scic.email("Fondateurs"))  # before the deadline: a login is a write
    clock.advance(hours=2)  # 09:00 UTC → 11:00 UTC: past noon in Paris
    before = stored(uow, rid)
    mails_before = len(outbox.messages)
    base = f"/orgs/coop/assemblies/{assembly_id}"

    page = browser.get(base).text
    results = browser.get(f"{base}/resolutions/{rid}/results").text
    panel = browser.get(f"{base}/resolutions/{rid}").text
    api_result = browser.client.get(f"/api/v1/orgs/coop/resolutions/{rid}/result", headers=token)
    api_one = browser.client.get(f"/api/v1/orgs/coop/resolutions/{rid}", headers=token)

    assert before[0] == "open"
    assert stored(uow, rid) == before  # still open, no event, same head: nothing written
    assert not any(m.subject.startswith("Vote clos") for m in outbox.messages[mails_before:])
    assert "Résolution n° 2 — Budget Vote clos" in text_of(page)
    assert "Résultat par collège" in results and "voici le résultat que sa clôture" in results
    assert f'id="vote-{rid}-' not in panel
    shown = api_result.json()
    assert shown["status"] == "closed" and shown["recorded"] is False
    assert api_one.json()["status"] == "closed"

    assert ga.tick(uow).closed == [rid]  # tick records the close the reads showed
    recorded = browser.client.get(
        f"/api/v1/orgs/coop/resolutions/{rid}/result", headers=token
    ).json()
    assert "recorded" not in recorded
    # The projection counted the blank proxy as the close did: the same result, figure by figure.
    assert {k: v for k, v in shown.items() if k != "recorded"} == recorded
    assert recorded["totals"]["for"] == 1 and recorded["totals"]["against"] == 1


def test_the_next_write_records_a_close_that_fell_due_and_announces_it(
    browser: Browser, scic: Coop, call: Call, clock: Clock, uow: Uow, outbox: Outbox
) -> None:
    assembly_id, rid = deadline_vote(call, scic, clock)
    browser.login(scic.secretary.user.email)
    clock.advance(hours=2)  # past the deadline: the next write records the close first
    edited = browser.post(
        f"/orgs/coop/assemblies/{assembly_id}/minutes",
        {"chair": "Camille Martin"},
        page=f"/orgs/coop/assemblies/{assembly_id}/console",
    )

    assert edited.status_code == 303
    assert stored(uow, rid)[0] == "closed"
    assert any(m.subject.startswith("Vote clos : Budget") for m in outbox.messages)
    assert ga.tick(uow).closed == []  # nothing left for the cron


def test_a_draft_agenda_stays_hidden_from_the_voting_panel_and_the_result(
    browser: Browser, scic: Coop, call: Call, uow: Uow
) -> None:
    draft = new_assembly(call, "AG en préparation")
    resolution = call(ga.add_resolution, assembly_id=draft.id, title="Budget", text="Budget.")
    member = bearer(uow, scic.member("Fondateurs").user_id)
    admin = bearer(uow, scic.fx.admin.id)
    api = f"/api/v1/orgs/coop/resolutions/{resolution.id}"

    for path in (api, f"{api}/voting-panel", f"{api}/result", f"{api}/ballot-hashes"):
        hidden = browser.client.get(path, headers=member)
        assert hidden.status_code == 404, path
    assert browser.client.get(f"{api}/result", headers=admin).status_code == 200
    ballot = browser.client.post(f"{api}/ballots", json={"choice": "for"}, headers=member)
    assert ballot.status_code == 404  # not 409 "not open yet": a draft agenda is not shown
