"""Statutes page: the version in force, direct edits in setup mode, drafts afterwards, and the
category and college forms, with every refusal shown next to its field (never a 500)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from governance.services import orgs
from governance.services.authz import get_org
from governance.store.uow import UnitOfWork
from tests.conftest import Clock
from tests.factories import OrgFixture
from tests.web.conftest import Browser


def statutes_view(uow: Callable[[], UnitOfWork], coop: OrgFixture) -> orgs.StatutesView:
    with uow() as u:
        return orgs.view_statutes(u, actor=coop.admin_actor, org=get_org(u.session, "coop"))


def weights(statutes: object) -> dict[str, str]:
    return {cw.name: str(cw.weight) for cw in statutes.colleges}  # type: ignore[attr-defined]


@pytest.fixture
def admin(browser: Browser, coop: OrgFixture) -> Browser:
    browser.login("admin@coop.example")
    return browser


def close_setup(uow: Callable[[], UnitOfWork], clock: Clock) -> None:
    """Leave setup mode as convening the first assembly does (that service is not under test)."""
    with uow() as u:
        get_org(u.session, "coop").setup_closed_at = clock()
        u.commit()


def test_statutes_page_shows_the_version_in_force_with_every_policy(
    admin: Browser, coop: OrgFixture
) -> None:
    page = admin.get("/orgs/coop/statutes")

    assert page.status_code == 200
    html = page.text
    assert "Statuts en vigueur — version 1" in html
    assert "Mode installation" in html
    for text in (
        "Fondateurs",
        "40\u00a0%",
        "exclues des suffrages exprimés",
        "Base du quorum",
        "Pouvoirs par porteur",
        "Majorité par défaut selon le type de résolution",
        "AGO réunie extraordinairement",
        "Modifier les statuts en vigueur",
        "Ajouter une catégorie d&#39;associés",
    ):
        assert text in html or text.replace("&#39;", "'") in html, text


def test_in_setup_mode_weights_not_summing_to_100_are_saved_and_flagged(
    admin: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    founders = coop.colleges["Fondateurs"].id

    response = admin.post("/orgs/coop/statutes", {f"colleges.{founders}": "30"})

    assert response.status_code == 303
    page = admin.get("/orgs/coop/statutes").text
    assert "Statuts en vigueur modifiés (mode installation)." in page
    assert "La somme des poids des collèges doit être exactement 100 % (actuellement 90 %)." in page
    assert weights(statutes_view(uow, coop).statutes)["Fondateurs"] == "30"


def test_a_weight_outside_the_scic_bounds_is_refused_next_to_its_field(
    admin: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    founders = coop.colleges["Fondateurs"].id

    response = admin.post(
        "/orgs/coop/statutes", {f"colleges.{founders}": "60", "abstention_policy": "excluded"}
    )

    assert response.status_code == 422
    assert f'id="policy-college-{founders}-error"' in response.text
    assert "Le collège Fondateurs pèse 60 % : chaque collège doit peser entre 10 % et 50 %" in (
        response.text
    )
    assert f'name="colleges.{founders}" type="text" value="60"' in response.text
    assert weights(statutes_view(uow, coop).statutes)["Fondateurs"] == "40"


@pytest.mark.parametrize(
    ("field", "value", "input_id", "message"),
    [
        ("quorum.AGO.1", "beaucoup", "policy-quorum-AGO-1", "n&#39;est pas un nombre exact"),
        ("quorum.AGE.2", "3/2", "policy-quorum-AGE-2", "Un quorum est une fraction entre 0 et 1."),
        (
            "majority_defaults.ordinary",
            "deux tiers",
            "policy-majority-ordinary",
            "majorité inconnue",
        ),
        ("max_proxies_per_holder", "-1", "policy-proxies", "entier positif, « scop » ou vide"),
        ("abstention_policy", "au hasard", "policy-abstention", "abstention_policy doit valoir"),
        ("empty_college_policy", "merge_into:999", "policy-empty", "n&#39;existe pas"),
    ],
)
def test_bad_policy_input_is_refused_inline_with_422(
    admin: Browser, coop: OrgFixture, field: str, value: str, input_id: str, message: str
) -> None:
    response = admin.post("/orgs/coop/statutes", {field: value})

    assert response.status_code == 422
    assert f'id="{input_id}-error"' in response.text
    assert message in response.text or message.replace("&#39;", "'") in response.text
    assert "Les statuts n&#39;ont pas été enregistrés" in response.text or (
        "Les statuts n'ont pas été enregistrés" in response.text
    )


def test_an_unknown_college_in_the_form_is_explained_not_a_500(admin: Browser) -> None:
    response = admin.post("/orgs/coop/statutes", {"colleges.9999": "10"})

    assert response.status_code == 422
    assert "Collège inconnu : 9999." in response.text


def test_after_setup_an_edit_becomes_a_draft_and_the_statutes_in_force_stay(
    admin: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork], clock: Clock
) -> None:
    close_setup(uow, clock)
    ids = {name: college.id for name, college in coop.colleges.items()}
    page = admin.get("/orgs/coop/statutes").text
    assert "Préparer un projet de statuts" in page

    too_heavy = admin.post("/orgs/coop/statutes", {f"colleges.{ids['Fondateurs']}": "55"})
    draft_after_refusal = statutes_view(uow, coop).draft
    unbalanced = admin.post("/orgs/coop/statutes", {f"colleges.{ids['Fondateurs']}": "30"})
    unbalanced_page = admin.get(unbalanced.headers["location"]).text
    balanced = admin.post("/orgs/coop/statutes", {f"colleges.{ids['Salariés']}": "20"})

    assert too_heavy.status_code == 422
    founders = ids["Fondateurs"]
    assert f'id="policy-college-{founders}-error"' in too_heavy.text
    assert draft_after_refusal is None  # nothing written
    # A draft may stay incomplete while it is worked on; the page says what is missing.
    assert unbalanced.status_code == 303
    assert "Projet de statuts enregistré" in unbalanced_page
    draft_section = unbalanced_page.split("Projet de statuts — version 2")[1]
    draft_section = draft_section.split("</section>")[0]
    assert "Points à corriger dans le projet" in draft_section
    assert "exactement 100 % (actuellement 90 %)" in draft_section
    assert balanced.status_code == 303
    view = statutes_view(uow, coop)
    assert weights(view.statutes)["Fondateurs"] == "40"  # the statutes in force stay
    assert view.draft_statutes is not None
    assert weights(view.draft_statutes) == {
        "Fondateurs": "30",
        "Partenaires": "25",
        "Bénéficiaires": "25",
        "Salariés": "20",
    }
    assert [f.code for f in view.draft_findings if f.severity == "error"] == []


def test_admin_adds_a_category_and_a_college_with_errors_inline(
    admin: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    empty = admin.post("/orgs/coop/categories", {"name": "  ", "kind": "other"})
    duplicate = admin.post("/orgs/coop/categories", {"name": "Salariés", "kind": "employees"})
    added = admin.post("/orgs/coop/categories", {"name": "Producteurs", "kind": "producers"})
    added_page = admin.get(added.headers["location"]).text
    too_heavy = admin.post("/orgs/coop/colleges", {"name": "Usagers", "weight": "60"})
    not_a_number = admin.post("/orgs/coop/colleges", {"name": "Usagers", "weight": "beaucoup"})
    college = admin.post("/orgs/coop/colleges", {"name": "Usagers", "weight": "10"})

    assert empty.status_code == 422
    assert 'id="category-name-error"' in empty.text and "Le nom est obligatoire." in empty.text
    assert duplicate.status_code == 409
    assert 'id="category-name-error"' in duplicate.text
    assert "La catégorie Salariés existe déjà." in duplicate.text
    assert added.status_code == 303
    assert "Catégorie « Producteurs » ajoutée." in added_page
    assert too_heavy.status_code == 422
    assert 'id="college-weight-error"' in too_heavy.text
    assert "entre 10 % et 50 %" in too_heavy.text
    assert 'value="Usagers"' in too_heavy.text
    assert not_a_number.status_code == 422
    assert 'id="college-weight-error"' in not_a_number.text
    assert college.status_code == 303
    assert weights(statutes_view(uow, coop).statutes)["Usagers"] == "10"
