"""JSON API on SQLite and PostgreSQL: tokens, organisations, colleges, members, statutes, audit."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from datetime import timedelta

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from governance.rules.audit_chain import verify_events
from governance.services import accounts
from governance.services.authz import SYSTEM
from governance.store.tables import Organisation
from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.factories import OrgFixture, add_member, make_org, make_user
from web import i18n

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its test client; httpx (the dev dependency) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

Uow = Callable[[], UnitOfWork]




def token_for(
    uow: Uow, user_id: int, org: Organisation | None = None, roles: list[str] | None = None
) -> str:
    """Issue an API token for an account (optionally scoped to an organisation or roles)."""
    with uow() as u:
        issued = accounts.create_api_token(
            u, actor=SYSTEM, user_id=user_id, org=org, roles=roles, name="tests"
        )
        u.commit()
    return issued.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def root(uow: Uow) -> dict[str, str]:
    """Headers of a superuser, who may create organisations."""
    return bearer(token_for(uow, make_user(uow, "root@example.org", "Root", superuser=True).id))


@pytest.fixture
def coop(uow: Uow) -> OrgFixture:
    """A SCIC with four colleges (40/25/25/10) and four categories."""
    return make_org(uow)


@pytest.fixture
def admin(uow: Uow, coop: OrgFixture) -> dict[str, str]:
    return bearer(token_for(uow, coop.admin.id))


def problems(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    return {item["field"]: item["message"] for item in body["errors"]}


# ---- authentication -------------------------------------------------------------------------


def test_requests_without_a_valid_token_get_401(
    client: TestClient, uow: Uow, coop: OrgFixture
) -> None:
    assert client.get("/api/v1/orgs/coop").status_code == 401
    assert client.get("/api/v1/orgs/coop", headers=bearer("nonsense")).status_code == 401
    assert client.get("/api/v1/orgs/coop", headers=bearer("trr_forged")).status_code == 401
    response = client.get("/api/v1/orgs/coop", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401 and response.json()["detail"]


def test_a_revoked_token_stops_working(client: TestClient, uow: Uow, coop: OrgFixture) -> None:
    with uow() as u:
        issued = accounts.create_api_token(u, actor=SYSTEM, user_id=coop.admin.id)
        u.commit()
    assert client.get("/api/v1/orgs/coop", headers=bearer(issued.token)).status_code == 200
    with uow() as u:
        accounts.revoke_api_token(u, actor=SYSTEM, token_id=issued.row.id)
        u.commit()
    assert client.get("/api/v1/orgs/coop", headers=bearer(issued.token)).status_code == 401


# ---- organisations --------------------------------------------------------------------------


def test_a_superuser_creates_an_organisation_and_becomes_its_admin(
    client: TestClient, root: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orgs",
        json={"slug": "terre-vive", "name": "Terre vive", "legal_form": "SCIC_SA"},
        headers=root,
    )
    assert response.status_code == 201, response.text
    org = response.json()
    assert org["id"].isdigit() and org["slug"] == "terre-vive"
    assert org["setup_mode"] is True and org["statutes_version"] == 1
    assert org["created_at"] == "2026-06-15T11:00:00+02:00"  # Europe/Paris, with its offset
    assert org["statutes"]["quorum"]["AGE"]["1"] == {"exact": "1/4", "display": "0.25"}
    listed = client.get("/api/v1/orgs/terre-vive/members", headers=root).json()
    assert [(m["name"], m["roles"]) for m in listed] == [("Root", ["admin"])]
    again = client.get(f"/api/v1/orgs/{org['id']}", headers=root)
    assert again.status_code == 200 and again.json()["name"] == "Terre vive"


def test_only_a_superuser_creates_an_organisation(client: TestClient, uow: Uow) -> None:
    plain = bearer(token_for(uow, make_user(uow, "plain@example.org").id))
    response = client.post(
        "/api/v1/orgs", json={"slug": "x", "name": "X", "legal_form": "SCIC_SA"}, headers=plain
    )
    assert response.status_code == 403
    assert "super-administrateur" in response.json()["detail"]


def test_bad_organisation_input_lists_every_field_and_unknown_fields_are_refused(
    client: TestClient, root: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orgs",
        json={"slug": "-Bad-", "name": " ", "legal_form": "SCI", "timezone": "Mars/Olympus"},
        headers=root,
    )
    assert response.status_code == 422
    assert set(problems(response)) == {"slug", "name", "legal_form", "timezone"}
    extra = client.post(
        "/api/v1/orgs",
        json={"slug": "ok", "name": "Ok", "legal_form": "SCIC_SA", "colour": "green"},
        headers=root,
    )
    assert extra.status_code == 422 and "colour" in problems(extra)
    missing = client.post("/api/v1/orgs", json={"slug": "ok"}, headers=root)
    assert missing.status_code == 422 and {"name", "legal_form"} <= set(problems(missing))
    broken = client.post(
        "/api/v1/orgs", content=b"{not json", headers=root | {"content-type": "application/json"}
    )
    assert broken.status_code == 422


def test_a_duplicate_slug_is_a_conflict(
    client: TestClient, root: dict[str, str], coop: OrgFixture
) -> None:
    response = client.post(
        "/api/v1/orgs", json={"slug": "coop", "name": "Bis", "legal_form": "SCIC_SA"}, headers=root
    )
    assert response.status_code == 409 and problems(response).keys() == {"slug"}


def test_an_unknown_organisation_is_404(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get("/api/v1/orgs/nowhere", headers=admin).status_code == 404
    assert client.get("/api/v1/orgs/nowhere/members", headers=admin).status_code == 404


# ---- categories and colleges ----------------------------------------------------------------


def test_categories_are_created_with_their_kind(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orgs/coop/categories",
        json={"name": "Producteurs", "kind": "producers"},
        headers=admin,
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "producers" and response.json()["id"].isdigit()
    bad = client.post(
        "/api/v1/orgs/coop/categories", json={"name": "X", "kind": "friends"}, headers=admin
    )
    assert bad.status_code == 422 and "kind" in problems(bad)
    names = [c["name"] for c in client.get("/api/v1/orgs/coop/categories", headers=admin).json()]
    assert "Producteurs" in names


def test_college_weights_are_exact_strings(
    client: TestClient, uow: Uow, root: dict[str, str]
) -> None:
    client.post(
        "/api/v1/orgs",
        json={"slug": "scic", "name": "Scic", "legal_form": "SCIC_SAS"},
        headers=root,
    )
    first = client.post(
        "/api/v1/orgs/scic/colleges", json={"name": "Usagers", "weight": "40"}, headers=root
    )
    assert first.status_code == 201, first.text
    assert first.json()["weight"] == {"exact": "40", "display": "40.00"}
    second = client.post(
        "/api/v1/orgs/scic/colleges", json={"name": "Salariés", "weight": "33.5"}, headers=root
    )
    assert second.json()["weight"] == {"exact": "67/2", "display": "33.50"}
    client.post(
        "/api/v1/orgs",
        json={"slug": "asso", "name": "Asso", "legal_form": "ASSOCIATION"},
        headers=root,
    )
    third = client.post(
        "/api/v1/orgs/asso/colleges", json={"name": "Tiers", "weight": "2/3"}, headers=root
    )
    assert third.json()["weight"] == {"exact": "2/3", "display": "0.67"}
    statutes = client.get("/api/v1/orgs/scic/statutes", headers=root).json()
    assert [(c["name"], c["weight"]["exact"]) for c in statutes["colleges"]] == [
        ("Usagers", "40"),
        ("Salariés", "67/2"),
    ]


@pytest.mark.parametrize("weight", ["abc", "-5", "1/0", 33.5, True, ""])
def test_a_bad_weight_is_422_naming_the_field(
    client: TestClient, coop: OrgFixture, admin: dict[str, str], weight: object
) -> None:
    response = client.post(
        "/api/v1/orgs/coop/colleges", json={"name": "Nouveaux", "weight": weight}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert "weight" in problems(response)


def test_a_scic_college_above_fifty_percent_is_refused_naming_the_college_and_bound(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orgs/coop/colleges", json={"name": "Géants", "weight": "60"}, headers=admin
    )
    assert response.status_code == 422
    message = problems(response)["weight"]
    assert "Géants" in message and "10 %" in message and "50 %" in message
    names = [c["name"] for c in client.get("/api/v1/orgs/coop/colleges", headers=admin).json()]
    assert "Géants" not in names


def test_a_duplicate_college_is_a_conflict(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orgs/coop/colleges", json={"name": "Fondateurs", "weight": "10"}, headers=admin
    )
    assert response.status_code == 409


# ---- members --------------------------------------------------------------------------------


def test_an_admin_adds_a_member_who_is_invited(
    client: TestClient, coop: OrgFixture, admin: dict[str, str], outbox: Outbox
) -> None:
    college = str(coop.colleges["Bénéficiaires"].id)
    category = str(coop.categories["Bénéficiaires"].id)
    response = client.post(
        "/api/v1/orgs/coop/members",
        json={
            "name": "Aline Dupont",
            "email": "Aline@Example.org",
            "category": category,
            "college": college,
            "shares": 2,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    member = response.json()
    assert member["id"].isdigit() and member["email"] == "aline@example.org"
    assert (member["status"], member["college"], member["category"]) == (
        "associate", college, category,
    )
    assert member["college_name"] == "Bénéficiaires" and member["shares"] == 2
    assert member["admitted_on"] == "2026-06-15"
    assert [m.to for m in outbox.messages] == ["aline@example.org"]
    fetched = client.get(f"/api/v1/orgs/coop/members/{member['id']}", headers=admin)
    assert fetched.json() == member


def test_an_associate_without_a_category_is_422_and_a_participant_needs_none(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orgs/coop/members",
        json={"name": "Sans Catégorie", "email": "sc@example.org", "college": "Fondateurs"},
        headers=admin,
    )
    assert response.status_code == 422
    assert "category" in problems(response)
    participant = client.post(
        "/api/v1/orgs/coop/members",
        json={"name": "Pionnière", "email": "p@example.org", "associate": False},
        headers=admin,
    )
    assert participant.status_code == 201
    assert participant.json()["status"] == "participant" and participant.json()["shares"] == 0


def test_adding_the_same_person_twice_is_a_conflict(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str]
) -> None:
    add_member(uow, coop, "Bruno Petit", email="bruno@example.org")
    response = client.post(
        "/api/v1/orgs/coop/members",
        json={"name": "Bruno", "email": "bruno@example.org", "associate": False},
        headers=admin,
    )
    assert response.status_code == 409 and "email" in problems(response)


def test_patch_changes_roles_and_college_then_records_a_departure(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str]
) -> None:
    member = add_member(uow, coop, "Chloé Roux")
    path = f"/api/v1/orgs/coop/members/{member.id}"
    response = client.patch(
        path, json={"roles": ["facilitator", "secretary"], "college": "Fondateurs"}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["facilitator", "secretary"]
    assert response.json()["college_name"] == "Fondateurs"
    bad = client.patch(path, json={"roles": ["king"], "shares": 0}, headers=admin)
    assert bad.status_code == 422 and {"roles", "shares"} <= set(problems(bad))
    left = client.patch(
        path,
        json={"departure": {"on": "2026-06-15", "reason": "Déménagement", "shares_returned": 1}},
        headers=admin,
    )
    assert left.status_code == 200
    assert (left.json()["departed_on"], left.json()["shares_returned"]) == ("2026-06-15", 1)
    assert client.patch(path, json={"roles": []}, headers=admin).status_code == 409
    empty = client.patch(path, json={}, headers=admin)
    assert empty.status_code == 422 and "body" in problems(empty)
    listed = client.get("/api/v1/orgs/coop/members", headers=admin).json()
    assert member.id not in {int(m["id"]) for m in listed}
    everyone = client.get("/api/v1/orgs/coop/members?include_departed=true", headers=admin)
    assert str(member.id) in {m["id"] for m in everyone.json()}


def test_a_departure_with_a_bad_date_names_the_nested_field(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str]
) -> None:
    member = add_member(uow, coop, "Denis Blanc")
    response = client.patch(
        f"/api/v1/orgs/coop/members/{member.id}",
        json={"departure": {"on": "30/06/2026", "reason": " "}},
        headers=admin,
    )
    assert response.status_code == 422
    assert {"departure.on", "departure.reason"} <= set(problems(response))


def test_a_departure_before_the_admission_or_in_the_future_is_422_naming_the_rule(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    created = client.post(
        "/api/v1/orgs/coop/members",
        json={"name": "Lou Garnier", "email": "lou@example.org", "category": "Salariés",
              "college": "Salariés", "admitted_on": "2025-09-01"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    path = f"/api/v1/orgs/coop/members/{created.json()['id']}"

    early = client.patch(
        path, json={"departure": {"on": "2025-08-31", "reason": "Erreur"}}, headers=admin
    )
    future = client.patch(
        path, json={"departure": {"on": "2026-07-01", "reason": "Départ annoncé"}}, headers=admin
    )
    english = client.patch(
        path,
        json={"departure": {"on": "2026-07-01", "reason": "Leaving"}},
        headers={**admin, "Accept-Language": "en"},
    )

    assert early.status_code == 422
    assert problems(early) == {
        "departure.on": "La date de départ (2025-08-31) ne peut pas précéder l'admission, le "
        "2025-09-01."
    }
    assert future.status_code == 422
    assert problems(future) == {
        "departure.on": "La date de départ (2026-07-01) ne peut pas être dans le futur : au plus "
        "tard aujourd'hui, 2026-06-15."
    }
    assert problems(english) == {
        "departure.on": "The departure date (2026-07-01) cannot be in the future: today, "
        "2026-06-15, at the latest."
    }
    assert client.get(path, headers=admin).json()["departed_on"] is None


def test_an_admission_date_in_the_future_is_422(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/orgs/coop/members",
        json={"name": "Noé Brun", "email": "noe@example.org", "category": "Salariés",
              "college": "Salariés", "admitted_on": "2026-06-16"},
        headers=admin,
    )
    assert response.status_code == 422
    assert "dans le futur" in problems(response)["admitted_on"]
    listed = client.get("/api/v1/orgs/coop/members", headers=admin).json()
    assert "Noé Brun" not in {m["name"] for m in listed}


def test_a_plain_member_cannot_change_roles(
    client: TestClient, uow: Uow, coop: OrgFixture
) -> None:
    member = add_member(uow, coop, "Émile Vert")
    user_id = member.user_id
    response = client.patch(
        f"/api/v1/orgs/coop/members/{member.id}",
        json={"roles": ["admin"]},
        headers=bearer(token_for(uow, user_id)),
    )
    assert response.status_code == 403 and "admin" in response.json()["detail"]


def test_members_are_listed_with_filters(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str]
) -> None:
    add_member(uow, coop, "Fanny Bleu", category="Salariés", college="Salariés")
    add_member(uow, coop, "Gaël Noir")
    add_member(uow, coop, "Hugo Gris", associate=False)

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/orgs/coop/members{query}", headers=admin)
        assert response.status_code == 200, response.text
        return [m["name"] for m in response.json()]

    assert names("?college=Salariés") == ["Fanny Bleu"]
    assert names(f"?college={coop.colleges['Bénéficiaires'].id}") == ["Gaël Noir"]
    assert names("?category=salariés") == ["Fanny Bleu"]
    assert names("?status=participant") == ["Hugo Gris"]
    assert names("?q=gaël") == ["Gaël Noir"]
    bad = client.get("/api/v1/orgs/coop/members?status=king&college=Nowhere", headers=admin)
    assert bad.status_code == 422


def test_emails_are_shown_to_admins_and_to_oneself_only(
    client: TestClient, uow: Uow, coop: OrgFixture
) -> None:
    one = add_member(uow, coop, "Inès Jaune")
    other = add_member(uow, coop, "Jules Rose")
    user_id = one.user_id
    headers = bearer(token_for(uow, user_id))
    own = client.get(f"/api/v1/orgs/coop/members/{one.id}", headers=headers).json()
    theirs = client.get(f"/api/v1/orgs/coop/members/{other.id}", headers=headers).json()
    assert own["email"] == "inès.jaune@coop.example" and theirs["email"] is None
    assert client.get("/api/v1/orgs/coop/members/abc", headers=headers).status_code == 404
    assert client.get("/api/v1/orgs/coop/members/999999", headers=headers).status_code == 404


# ---- statutes -------------------------------------------------------------------------------


def test_statutes_are_edited_directly_in_setup_mode(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.put(
        "/api/v1/orgs/coop/statutes",
        json={
            "quorum": {"AGO": {"1": "1/5", "2": "0"}, "AGE": {"1": "1/4", "2": "1/5"}},
            "max_proxies_per_holder": 2,
            "allow_remote": True,
            "colleges": {"Fondateurs": "30", "Salariés": "20"},
        },
        headers=admin,
    )
    assert response.status_code == 200, response.text
    statutes = response.json()
    assert statutes["version"] == 1 and statutes["status"] == "current"
    assert statutes["max_proxies_per_holder"] == 2 and statutes["allow_remote"] is True
    assert statutes["quorum"]["AGO"]["1"] == {"exact": "1/5", "display": "0.20"}
    assert {c["name"]: c["weight"]["exact"] for c in statutes["colleges"]} == {
        "Fondateurs": "30", "Partenaires": "25", "Bénéficiaires": "25", "Salariés": "20",
    }
    assert not [f for f in statutes["findings"] if f["severity"] == "error"]
    assert client.get("/api/v1/orgs/coop/statutes", headers=admin).json() == statutes


def test_bad_policies_are_422_listing_every_field(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.put(
        "/api/v1/orgs/coop/statutes",
        json={
            "abstention_policy": "maybe",
            "quorum": {"AGO": {"1": "3/2"}},
            "colleges": {"Fondateurs": "55"},
        },
        headers=admin,
    )
    assert response.status_code == 422
    fields = set(problems(response))
    assert {"abstention_policy", "quorum.AGO.1"} <= fields
    wrong_type = client.put(
        "/api/v1/orgs/coop/statutes", json={"aggregation": ["bloc"]}, headers=admin
    )
    # A field that accepts several types is named once, without the types tried.
    assert wrong_type.status_code == 422 and set(problems(wrong_type)) == {"aggregation"}
    assert client.put(
        "/api/v1/orgs/coop/statutes", json={"quorum_rule": "x"}, headers=admin
    ).status_code == 422


def test_after_setup_the_statutes_change_only_through_the_draft(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str], clock: Clock
) -> None:
    with uow() as u:
        u.session.get(Organisation, coop.org.id).setup_closed_at = clock.now  # type: ignore[union-attr]
        u.commit()
    refused = client.put(
        "/api/v1/orgs/coop/statutes", json={"allow_remote": True}, headers=admin
    )
    assert refused.status_code == 409
    assert refused.json()["draft_url"] == "/api/v1/orgs/coop/statutes/draft"
    assert "projet de statuts" in refused.json()["detail"]
    draft = client.put(
        "/api/v1/orgs/coop/statutes/draft",
        json={"allow_remote": True, "colleges": {"Fondateurs": "30", "Salariés": "20"}},
        headers=admin,
    )
    assert draft.status_code == 200, draft.text
    assert (draft.json()["status"], draft.json()["version"]) == ("draft", 2)
    assert draft.json()["allow_remote"] is True
    current = client.get("/api/v1/orgs/coop/statutes", headers=admin).json()
    assert current["allow_remote"] is False and current["setup_mode"] is False
    assert current["draft"] == {"version": 2, "url": "/api/v1/orgs/coop/statutes/draft"}
    unbalanced = client.put(
        "/api/v1/orgs/coop/statutes/draft", json={"colleges": {"Fondateurs": "45"}}, headers=admin
    )
    # A draft may be incomplete while it is worked on; its findings say what is left to fix.
    assert unbalanced.status_code == 200, unbalanced.text
    assert "weights_sum" in {f["code"] for f in unbalanced.json()["findings"]}


def test_the_draft_reads_back_for_whoever_reads_the_statutes(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str]
) -> None:
    member = add_member(uow, coop, "Jade Morel")
    associate = bearer(token_for(uow, member.user_id))
    stranger = bearer(token_for(uow, make_user(uow, "stranger@example.org").id))
    path = "/api/v1/orgs/coop/statutes/draft"

    none_yet = client.get(path, headers=associate)
    none_yet_en = client.get(path, headers={**associate, "Accept-Language": "en"})
    saved = client.put(path, json={"colleges": {"Fondateurs": "45"}}, headers=admin)
    read = client.get(path, headers=associate)
    outsider = client.get(path, headers=stranger)

    assert none_yet.status_code == 404
    assert none_yet.json()["detail"] == (
        "Aucun projet de statuts en cours pour Coop du Terreau : créez-le avec "
        "PUT /api/v1/orgs/coop/statutes/draft."
    )
    assert none_yet_en.json()["detail"].startswith("No statutes draft is pending for Coop")
    assert saved.status_code == 200, saved.text
    assert read.status_code == 200 and read.json() == saved.json()
    assert (read.json()["status"], read.json()["version"]) == ("draft", 2)
    assert "weights_sum" in {f["code"] for f in read.json()["findings"]}
    assert client.get("/api/v1/orgs/coop/statutes", headers=associate).json()["draft"]["url"] == (
        path
    )
    assert outsider.status_code == 403
    assert client.get(path).status_code == 401


def test_compliance_lists_the_scic_findings(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str]
) -> None:
    findings = client.get("/api/v1/orgs/coop/compliance", headers=admin).json()
    codes = {f["code"] for f in findings}
    assert {"scic_categories", "scic_beneficiaries", "scic_employees", "quorum_missing"} <= codes
    assert all(f["message"] for f in findings)
    add_member(uow, coop, "Kim Un", category="Bénéficiaires", college="Bénéficiaires")
    add_member(uow, coop, "Léo Deux", category="Salariés", college="Salariés")
    add_member(uow, coop, "Mia Trois", category="Fondateurs", college="Fondateurs")
    client.put(
        "/api/v1/orgs/coop/statutes",
        json={"quorum": {"AGO": {"1": "1/5"}, "AGE": {"1": "1/4"}}},
        headers=admin,
    )
    assert client.get("/api/v1/orgs/coop/compliance", headers=admin).json() == []


# ---- isolation between organisations --------------------------------------------------------


def test_a_member_of_one_organisation_cannot_read_or_act_on_another(
    client: TestClient, uow: Uow, coop: OrgFixture
) -> None:
    other = make_org(uow, slug="autre", name="Autre coop")
    outsider = add_member(uow, other, "Nora Autre")
    stranger = add_member(uow, coop, "Omar Ici")
    user_id = outsider.user_id
    headers = bearer(token_for(uow, user_id))
    assert client.get("/api/v1/orgs/autre", headers=headers).status_code == 200
    assert client.get("/api/v1/orgs/coop", headers=headers).status_code == 403
    assert client.get("/api/v1/orgs/coop/members", headers=headers).status_code == 403
    assert client.get(f"/api/v1/orgs/coop/members/{stranger.id}", headers=headers).status_code \
        == 403
    # A member of org B addressed through org A's path does not exist there.
    admin_other = bearer(token_for(uow, other.admin.id))
    response = client.get(f"/api/v1/orgs/autre/members/{stranger.id}", headers=admin_other)
    assert response.status_code == 404
    response = client.patch(
        f"/api/v1/orgs/autre/members/{stranger.id}", json={"roles": []}, headers=admin_other
    )
    assert response.status_code == 404


def test_a_token_scoped_to_one_organisation_cannot_act_on_another(
    client: TestClient, uow: Uow, coop: OrgFixture
) -> None:
    second = bearer(token_for(uow, coop.admin.id))
    client.post(
        "/api/v1/orgs", json={"slug": "deux", "name": "Deux", "legal_form": "SCIC_SA"},
        headers=second,
    )
    scoped = bearer(token_for(uow, coop.admin.id, org=coop.org))
    assert client.get("/api/v1/orgs/coop", headers=scoped).status_code == 200
    assert client.get("/api/v1/orgs/deux", headers=second).status_code == 200
    assert client.get("/api/v1/orgs/deux", headers=scoped).status_code == 403
    response = client.post(
        "/api/v1/orgs/deux/categories", json={"name": "Usagers"}, headers=scoped
    )
    assert response.status_code == 403
    creation = client.post(
        "/api/v1/orgs", json={"slug": "trois", "name": "Trois", "legal_form": "SCIC_SA"},
        headers=scoped,
    )
    assert creation.status_code == 403


def test_a_token_limited_to_some_roles_loses_the_others(
    client: TestClient, uow: Uow, coop: OrgFixture
) -> None:
    reader = bearer(token_for(uow, coop.admin.id, roles=["auditor"]))
    response = client.post(
        "/api/v1/orgs/coop/categories", json={"name": "Usagers"}, headers=reader
    )
    assert response.status_code == 403


# ---- audit ----------------------------------------------------------------------------------


def test_audit_verify_reports_the_head_of_a_sound_chain(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str]
) -> None:
    response = client.get("/api/v1/orgs/coop/audit/verify", headers=admin)
    assert response.status_code == 200
    report = response.json()
    assert report["ok"] is True and report["findings"] == []
    assert report["head"]["seq"] == report["events"] > 0 and len(report["head"]["hash"]) == 64
    member = add_member(uow, coop, "Paul Simple")
    user_id = member.user_id
    plain = client.get("/api/v1/orgs/coop/audit/verify", headers=bearer(token_for(uow, user_id)))
    assert plain.status_code == 403


def test_audit_events_stream_as_verifiable_json_lines(
    client: TestClient, uow: Uow, coop: OrgFixture, admin: dict[str, str], clock: Clock
) -> None:
    clock.advance(hours=1)
    add_member(uow, coop, "Quentin Ligne")
    response = client.get("/api/v1/orgs/coop/audit/events", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [int(e["seq"]) for e in lines] == list(range(1, len(lines) + 1))
    assert verify_events(lines).ok
    head = client.get("/api/v1/orgs/coop/audit/verify", headers=admin).json()["head"]
    assert (int(lines[-1]["seq"]), lines[-1]["hash"]) == (head["seq"], head["hash"])
    assert lines[-1]["at"] == (clock.now - timedelta(0)).isoformat().replace("+00:00", "Z")
    tail = client.get("/api/v1/orgs/coop/audit/events?after=3", headers=admin)
    assert [int(json.loads(x)["seq"]) for x in tail.text.splitlines()][0] == 4
    assert client.get("/api/v1/orgs/coop/audit/events?after=-1", headers=admin).status_code == 422


# ---- robustness -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orgs/%00",
        "/api/v1/orgs/99999999999999999999",
        "/api/v1/orgs/coop/members/99999999999999999999",
        "/api/v1/orgs/coop/members/-1",
    ],
)
def test_malformed_paths_are_404(client: TestClient, admin: dict[str, str], path: str) -> None:
    assert client.get(path, headers=admin).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Nul\x00", "email": "n@example.org", "associate": False}, "name"),
        ({"name": "x" * 500, "email": "n@example.org", "associate": False}, "name"),
        ({"name": "Riche", "email": "r@example.org", "associate": False, "shares": 10**20},
         "shares"),
        ({"name": "Liste", "email": ["a@example.org"], "associate": False}, "email"),
    ],
)
def test_hostile_member_input_is_422_never_500(
    client: TestClient, coop: OrgFixture, admin: dict[str, str], body: dict, field: str
) -> None:
    response = client.post("/api/v1/orgs/coop/members", json=body, headers=admin)
    assert response.status_code == 422 and field in problems(response)


def test_odd_queries_are_answered_cleanly(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    assert client.get("/api/v1/orgs/coop/members?q=%00", headers=admin).status_code == 200
    huge = client.get("/api/v1/orgs/coop/audit/events?after=99999999999999999999", headers=admin)
    assert huge.status_code == 422
    assert client.post("/api/v1/orgs/coop/colleges", json=[1], headers=admin).status_code == 422


# ---- validation messages --------------------------------------------------------------------


def test_a_missing_field_and_a_wrong_type_are_explained_in_french(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    missing = client.post("/api/v1/orgs/coop/colleges", json={"name": "X"}, headers=admin)
    wrong = client.post(
        "/api/v1/orgs/coop/members",
        json={"name": 12, "email": "a@example.org", "associate": "peut-être", "shares": "deux",
              "roles": "admin", "surnom": "Al", "admitted_on": None},
        headers=admin,
    )
    nested = client.patch(
        f"/api/v1/orgs/coop/members/{coop.admin.id}",
        json={"departure": {"reason": ["départ"]}},
        headers=admin,
    )

    assert missing.status_code == 422
    assert missing.json()["detail"] == "Données invalides."
    assert problems(missing) == {"weight": "Champ obligatoire."}
    assert wrong.status_code == 422
    assert problems(wrong) == {
        "name": "Texte attendu.",
        "associate": "Booléen attendu : true ou false.",
        "shares": "Nombre entier attendu.",
        "roles": "Liste attendue.",
        "surnom": "Champ inconnu : il n'est pas accepté ici (vérifiez son nom).",
    }
    assert problems(nested) == {
        "departure.on": "Champ obligatoire.",
        "departure.reason": "Texte attendu.",
    }


def test_bounds_bodies_and_our_own_rules_are_explained_in_french(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    colleges = "/api/v1/orgs/coop/colleges"
    long_name = client.post(colleges, json={"name": "n" * 201, "weight": "5"}, headers=admin)
    not_json = client.post(
        colleges, content=b'{"name": ', headers={**admin, "Content-Type": "application/json"}
    )
    no_body = client.post(colleges, headers=admin)
    a_list = client.post(colleges, json=[1], headers=admin)
    floating = client.post(colleges, json={"name": "X", "weight": 12.5}, headers=admin)
    after = client.get("/api/v1/orgs/coop/audit/events?after=-1", headers=admin)

    assert problems(long_name) == {"name": "Texte trop long : au plus 200 caractères."}
    assert problems(not_json) == {
        "body": "Corps de la requête illisible : JSON invalide à la position 9."
    }
    assert problems(no_body) == {
        "body": "Corps de la requête manquant : un objet JSON est attendu."
    }
    assert problems(a_list) == {"body": "Objet JSON attendu."}
    assert problems(floating)["weight"].startswith("Nombre exact attendu, écrit en texte")
    assert problems(after) == {"query.after": "La valeur doit être supérieure ou égale à 0."}


def test_validation_messages_are_in_english_when_the_request_asks_for_it(
    client: TestClient, coop: OrgFixture, admin: dict[str, str]
) -> None:
    english = {**admin, "Accept-Language": "en-GB,en;q=0.8"}

    missing = client.post("/api/v1/orgs/coop/colleges", json={"name": "X"}, headers=english)
    wrong = client.post(
        "/api/v1/orgs/coop/colleges", json={"name": 12, "weight": "5", "poids": 1}, headers=english
    )

    assert missing.json()["detail"] == "Invalid data."
    assert problems(missing) == {"weight": "Field required."}
    assert problems(wrong) == {
        "name": "Text expected.",
        "poids": "Unknown field: it is not accepted here (check its name).",
    }


def test_every_pydantic_message_the_api_gives_is_translated() -> None:
    from web.app import validation_message

    cases = [
        {"type": "missing", "loc": ("body", "x")},
        {"type": "extra_forbidden", "loc": ("body", "x")},
        {"type": "string_type", "loc": ("body", "x")},
        {"type": "int_type", "loc": ("body", "x")},
        {"type": "int_parsing", "loc": ("body", "x")},
        {"type": "bool_type", "loc": ("body", "x")},
        {"type": "bool_parsing", "loc": ("body", "x")},
        {"type": "list_type", "loc": ("body", "x")},
        {"type": "dict_type", "loc": ("body", "x")},
        {"type": "model_type", "loc": ("body",)},
        {"type": "string_too_short", "loc": ("body", "x"), "ctx": {"min_length": 2}},
        {"type": "string_too_long", "loc": ("body", "x"), "ctx": {"max_length": 3}},
        {"type": "greater_than_equal", "loc": ("query", "x"), "ctx": {"ge": 0}},
        {"type": "less_than_equal", "loc": ("query", "x"), "ctx": {"le": 9}},
        {"type": "literal_error", "loc": ("body", "x"), "ctx": {"expected": "'a' or 'b'"}},
        {"type": "enum", "loc": ("body", "x"), "ctx": {"expected": "'a' or 'b'"}},
        {"type": "json_invalid", "loc": ("body", 3), "ctx": {"error": "Expecting value"}},
        {"type": "date_parsing", "loc": ("body", "x")},
        {"type": "date_from_datetime_parsing", "loc": ("body", "x")},
        {"type": "datetime_parsing", "loc": ("body", "x")},
        {"type": "datetime_from_date_parsing", "loc": ("body", "x")},
    ]
    french = [validation_message({"msg": "Input should be …", **case}) for case in cases]
    token = i18n.current_language.set("en")
    try:
        english = [validation_message({"msg": "Input should be …", **case}) for case in cases]
    finally:
        i18n.current_language.reset(token)

    assert [m for m in french if "Input" in m or "{" in m] == []
    assert [m for m, fr in zip(english, french, strict=True) if m == fr] == []
    assert french[14] == "Valeur inconnue : 'a' ou 'b' attendu."
    assert english[14] == "Unknown value: expected 'a' or 'b'."
    assert validation_message(
        {"type": "value_error", "loc": ("body", "x"), "msg": "Value error, Règle métier.",
         "ctx": {"error": ValueError("Règle métier.")}}
    ) == "Règle métier."


# ---- documentation --------------------------------------------------------------------------


def test_the_openapi_document_lists_the_paths(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path, method in [
        ("/api/v1/orgs", "post"),
        ("/api/v1/orgs/{org}", "get"),
        ("/api/v1/orgs/{org}/categories", "post"),
        ("/api/v1/orgs/{org}/colleges", "post"),
        ("/api/v1/orgs/{org}/members", "post"),
        ("/api/v1/orgs/{org}/members", "get"),
        ("/api/v1/orgs/{org}/members/{member_id}", "patch"),
        ("/api/v1/orgs/{org}/statutes", "put"),
        ("/api/v1/orgs/{org}/statutes/draft", "put"),
        ("/api/v1/orgs/{org}/statutes/draft", "get"),
        ("/api/v1/orgs/{org}/compliance", "get"),
        ("/api/v1/orgs/{org}/audit/verify", "get"),
        ("/api/v1/orgs/{org}/audit/events", "get"),
    ]:
        operation = paths[path][method]
        assert operation["summary"] and operation["tags"], (path, method)
    assert "ApiToken" in document["components"]["securitySchemes"]
    description = document["info"]["description"]
    assert "docs/api.md" not in description  # no such file: the README and the spec instead
    assert "README" in description and "spec/api.md" in description
