"""In Chromium: three associates of different colleges vote in the htmx panel (one of the ballots
by proxy) without a page reload; the secretary closes the vote from the console; the results page
shows the per-college table and chart; axe-core finds no serious or critical issue."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from governance.services import assemblies as ga
from governance.store.engine import make_engine, make_session_factory
from governance.store.uow import UnitOfWork
from tests.conftest import Outbox
from tests.e2e.conftest import LiveServer, Tab
from tests.e2e.test_members_browser import serious_violations
from tests.factories import LINKS, PASSWORD, add_member, set_statutes

pytestmark = pytest.mark.e2e

SECRETARY = "sophie@coop.example"
# Per college: weight, weight used, for, against, abstain, blank, not voted, share for,
# contribution. Salariés cast nothing: their weight goes to the others (65/90 for = 72.22 %).
EXPECTED_ROWS = {
    "Fondateurs": "40 % | 44,44 % | 1 | 0 | 0 | 0 | 1 | 100 % | 44,44 %",
    "Partenaires": "25 % | 27,78 % | 0 | 1 | 0 | 0 | 0 | 0 % | 0 %",
    "Bénéficiaires": "25 % | 27,78 % | 1 | 0 | 0 | 0 | 0 | 100 % | 27,78 %",
    "Salariés": "10 % | 0 % | 0 | 0 | 0 | 0 | 1 | — | 0 %",
}


@dataclass
class Assembly:
    url: str
    resolution_id: int


@pytest.fixture
def open_assembly(live_server: LiveServer, tmp_path: Path) -> Assembly:
    """Through the services, on the live server's database (the ``live_server`` fixture serves
    ``tmp_path / "terreau.db"``): an open AG with one open resolution, where Chloé
    (Bénéficiaires) gave her proxy to Bruno (Partenaires)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'terreau.db'}")
    factory = make_session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(factory, mailer=Outbox([]))

    coop = live_server.coop
    set_statutes(uow, coop, quorum={"AGO": {"1": "1/5", "2": "0"}})
    add_member(
        uow,
        coop,
        "Sophie Secrétaire",
        email=SECRETARY,
        associate=False,
        category=None,
        college=None,
        roles=("secretary",),
    )

    def run(fn: Callable[..., Any], **kwargs: Any) -> Any:
        with uow() as u:
            result = fn(u, actor=coop.admin_actor, org=u.session.merge(coop.org), **kwargs)
            u.commit()
        return result

    with uow() as u:
        names = {m.name: m.id for m in ga.associates(u, u.session.merge(coop.org))}
    assembly = run(
        ga.create_assembly,
        title="AG ordinaire 2026",
        kind="AGO",
        convocation=1,
        scheduled_at="2026-06-20T14:00:00+02:00",
        place="Salle des fêtes",
    )
    resolution = run(
        ga.add_resolution,
        assembly_id=assembly.id,
        title="Approbation des comptes 2025",
        text="L'assemblée générale approuve les comptes de l'exercice 2025.",
    )
    run(ga.convene, assembly_id=assembly.id, mode="email", links=LINKS)
    run(
        ga.record_attendance,
        assembly_id=assembly.id,
        member_id=names["Chloé Durand"],
        mode="proxy",
        holder_id=names["Bruno Petit"],
    )
    for name in ("Alice Martin", "Bruno Petit"):
        run(ga.record_attendance, assembly_id=assembly.id, member_id=names[name], mode="present")
    run(ga.open_assembly, assembly_id=assembly.id)
    run(ga.open_resolution, resolution_id=resolution.id)
    engine.dispose()
    return Assembly(f"{live_server.url}/orgs/coop/assemblies/{assembly.id}", resolution.id)


def log_in(page: Any, url: str, email: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{url}/orgs")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def vote(page: Any, group: str, choice: str, confirmation: str) -> None:
    """Click a vote button and wait for the panel's confirmation, in the same document."""
    from playwright.sync_api import expect

    before = page.url
    page.evaluate("() => { window.terreauMark = 'same document'; }")
    page.get_by_role("group", name=group).get_by_role("button", name=choice, exact=True).click()
    expect(page.get_by_text(confirmation)).to_be_visible()
    assert page.url == before
    assert page.evaluate("() => window.terreauMark") == "same document"  # no reload


def table_cells(page: Any, college: str) -> list[str]:
    row = page.locator("table.results tbody tr", has=page.locator("th", has_text=college))
    return [" ".join(text.split()) for text in row.locator("td").all_inner_texts()]


def test_three_associates_vote_one_by_proxy_and_the_secretary_closes(
    tab: Tab, live_server: LiveServer, open_assembly: Assembly, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page, url = tab.page, live_server.url

    log_in(page, url, "alice.martin@coop.example")
    page.goto(open_assembly.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("AG ordinaire 2026")
    vote(page, "Mon vote", "Pour", "Votre vote « pour » est enregistré.")
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "assembly-page.png"), full_page=True)
    log_out(page)

    log_in(page, url, "bruno.petit@coop.example")
    page.goto(open_assembly.url)
    expect(page.locator(".vote-panel").get_by_role("group")).to_have_count(2)  # him, Chloé
    vote(page, "Mon vote", "Contre", "Votre vote « contre » est enregistré.")
    vote(
        page,
        "Pour Chloé Durand (pouvoir)",
        "Pour",
        "Le vote « pour » de Chloé Durand est enregistré (par pouvoir).",
    )
    page.screenshot(path=str(tmp_path / "assembly-page-proxy.png"), full_page=True)
    log_out(page)

    log_in(page, url, SECRETARY)
    page.goto(f"{open_assembly.url}/console")
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "console-page.png"), full_page=True)
    page.get_by_role("button", name="Clore le vote sur la résolution n° 1").click()
    expect(page.get_by_text("Vote clos sur la résolution n° 1 : adoptée.")).to_be_visible()
    page.get_by_role("link", name="Résultats de la résolution n° 1").click()

    expect(page).to_have_url(re.compile(rf"/resolutions/{open_assembly.resolution_id}/results$"))
    expect(page.locator(".outcome")).to_have_text("Résolution adoptée")
    expect(page.get_by_text("(valeur exacte : 13/18)")).to_be_visible()
    shown = {college: " | ".join(table_cells(page, college)[:9]) for college in EXPECTED_ROWS}
    assert shown == EXPECTED_ROWS
    chart = page.get_by_role("img", name="Pour et contre par collège")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.chart__bar--for")).to_have_count(3)
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "results-page.png"), full_page=True)
    assert tab.errors == [], "console errors (CSP violations?)"
