"""Organisation pages: my organisations, the dashboard, and who may see or change what."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from governance.store.uow import UnitOfWork
from tests.factories import OrgFixture, add_member, make_org
from tests.web.conftest import Browser


@pytest.fixture
def other_coop(uow: Callable[[], UnitOfWork]) -> OrgFixture:
    return make_org(uow, slug="autre", name="Autre Coop")


def test_my_organisations_lists_only_mine(
    browser: Browser, coop: OrgFixture, other_coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    add_member(uow, coop, "Alice Martin")
    browser.login("alice.martin@coop.example")

    page = browser.get("/orgs")

    assert "Coop du Terreau" in page.text
    assert "Autre Coop" not in page.text


def test_dashboard_shows_college_weights_as_svg_with_a_text_alternative(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    add_member(uow, coop, "Alice Martin", college="Fondateurs", category="Fondateurs")
    add_member(uow, coop, "Bruno Petit", college="Fondateurs", category="Fondateurs")
    browser.login("alice.martin@coop.example")

    page = browser.get("/orgs/coop")

    assert page.status_code == 200
    assert '<svg class="chart__svg"' in page.text
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in page.text
    assert "Fondateurs : 40\u00a0% ; Partenaires : 25\u00a0%" in page.text  # the <desc>
    assert "<caption>Collèges : poids et nombre d'associés</caption>" in page.text
    row = page.text.split("members?college=")[1].split("</tr>")[0]
    assert "Fondateurs" in row and "40\u00a0%" in row and '<td class="num">2</td>' in row
    assert "Mode installation." in page.text


def test_dashboard_shows_compliance_findings_and_an_admin_acknowledges_them(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    add_member(uow, coop, "Alice Martin")
    browser.login("admin@coop.example")

    before = browser.get("/orgs/coop")
    assert "Une SCIC réunit au moins 3 catégories" in before.text
    assert "Prendre en compte ces avertissements" in before.text

    response = browser.post("/orgs/coop/compliance/acknowledge")

    assert response.status_code == 303
    after = browser.get("/orgs/coop")
    assert "Avertissements de conformité pris en compte." in after.text  # flash message
    assert "Avertissements pris en compte par un administrateur le" in after.text


def test_a_plain_member_sees_no_admin_forms_and_is_refused_admin_actions(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    add_member(uow, coop, "Alice Martin")
    browser.login("alice.martin@coop.example")

    assert "Prendre en compte ces avertissements" not in browser.get("/orgs/coop").text
    assert "Ajouter un membre" not in browser.get("/orgs/coop/members").text
    statutes = browser.get("/orgs/coop/statutes")
    assert "Modifier les statuts en vigueur" not in statutes.text

    refusals = [
        browser.post("/orgs/coop/compliance/acknowledge"),
        browser.post("/orgs/coop/members", {"name": "Intrus", "email": "intrus@coop.example"}),
        browser.post("/orgs/coop/statutes", {"colleges.1": "50"}),
        browser.post("/orgs/coop/categories", {"name": "Nouvelle", "kind": "other"}),
        browser.post("/orgs/coop/colleges", {"name": "Nouveau", "weight": "10"}),
    ]

    for response in refusals:
        assert response.status_code == 403
        assert "Cette action est réservée aux rôles : admin." in response.text
    assert "Intrus" not in browser.get("/orgs/coop/members").text
    assert "Nouvelle" not in browser.get("/orgs/coop/statutes").text


def test_a_member_of_another_organisation_can_neither_read_nor_change_it(
    browser: Browser, coop: OrgFixture, other_coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    victim = add_member(uow, coop, "Alice Martin")
    add_member(uow, other_coop, "Oscar Autre")
    browser.login("oscar.autre@autre.example")

    for path in (
        "/orgs/coop",
        "/orgs/coop/members",
        f"/orgs/coop/members/{victim.id}",
        "/orgs/coop/statutes",
        "/orgs/coop/members?college=1",
    ):
        page = browser.get(path)
        assert page.status_code == 403, path
        assert "Vous n&#39;êtes pas membre de l&#39;organisation Coop du Terreau." in page.text
        assert "Alice Martin" not in page.text
    # Reaching a member of organisation A through organisation B's address finds nobody.
    assert browser.get(f"/orgs/autre/members/{victim.id}").status_code == 404

    writes = [
        browser.post(f"/orgs/coop/members/{victim.id}/profile", {"presentation": "piraté"}),
        browser.post(f"/orgs/autre/members/{victim.id}/profile", {"presentation": "piraté"}),
        browser.post("/orgs/coop/members", {"name": "Intrus", "email": "intrus@coop.example"}),
        browser.post("/orgs/coop/compliance/acknowledge"),
    ]

    assert [w.status_code for w in writes] == [403, 404, 403, 403]
    browser.post("/logout")
    browser.login("alice.martin@coop.example")
    assert "piraté" not in browser.get(f"/orgs/coop/members/{victim.id}").text


def test_an_admin_of_one_organisation_is_not_admin_of_another(
    browser: Browser, coop: OrgFixture, other_coop: OrgFixture
) -> None:
    browser.login("admin@autre.example")

    response = browser.post("/orgs/coop/categories", {"name": "Piratée", "kind": "other"})

    assert response.status_code == 403


def test_an_unknown_organisation_or_page_is_a_404_page(browser: Browser, coop: OrgFixture) -> None:
    browser.login("admin@coop.example")

    missing_org = browser.get("/orgs/nulle-part")
    missing_page = browser.get("/nulle-part")

    assert missing_org.status_code == 404
    assert "Organisation introuvable." in missing_org.text
    assert missing_page.status_code == 404
    assert "Page introuvable." in missing_page.text
    assert "<html" in missing_page.text


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/99999999999999999999999",
        "/orgs/%C2%B2",
        "/orgs/coop/members/99999999999999999999999",
        "/orgs/coop/members?college=99999999999999999999&category=%C2%B2",
    ],
)
def test_out_of_range_ids_in_urls_are_not_found_never_a_500(
    browser: Browser, coop: OrgFixture, path: str
) -> None:
    browser.login("admin@coop.example")

    response = browser.get(path)

    assert response.status_code in (200, 404, 422), response.text
