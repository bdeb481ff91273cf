"""Members pages: the filtered list (full page and htmx fragment), admission with inline errors,
member detail, the member's own profile, and the admin's changes and departures."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from governance.services import members
from governance.services.authz import get_org
from governance.store.tables import Member
from governance.store.uow import UnitOfWork
from tests.conftest import Outbox
from tests.factories import OrgFixture, add_member
from tests.web.conftest import Browser, csrf_from


def member_names(uow: Callable[[], UnitOfWork], coop: OrgFixture) -> list[str]:
    with uow() as u:
        org = get_org(u.session, coop.org.slug)
        return [m.name for m in members.list_members(u, actor=coop.admin_actor, org=org)]


def listed(html: str) -> list[str]:
    """Names in the members table, in order."""
    return re.findall(r'<th scope="row"><a href="/orgs/coop/members/\d+">([^<]+)</a>', html)


@pytest.fixture
def people(coop: OrgFixture, uow: Callable[[], UnitOfWork]) -> OrgFixture:
    add_member(uow, coop, "Alice Martin", college="Fondateurs", category="Fondateurs")
    add_member(uow, coop, "Bruno Petit", college="Partenaires", category="Fondateurs")
    add_member(uow, coop, "Chloé Durand", college="Bénéficiaires", category="Bénéficiaires")
    add_member(uow, coop, "David Leroy", college="Salariés", category="Salariés")
    add_member(uow, coop, "Paul Participant", associate=False, category=None, college=None)
    return coop


def test_members_list_filters_by_college_category_status_and_name(
    browser: Browser, people: OrgFixture
) -> None:
    browser.login("alice.martin@coop.example")
    founders_college = people.colleges["Fondateurs"].id
    founders_category = people.categories["Fondateurs"].id

    everyone = listed(browser.get("/orgs/coop/members").text)
    by_college = listed(browser.get(f"/orgs/coop/members?college={founders_college}").text)
    by_category = listed(browser.get(f"/orgs/coop/members?category={founders_category}").text)
    participants = listed(browser.get("/orgs/coop/members?status=participant").text)
    by_name = listed(browser.get("/orgs/coop/members?q=chlo").text)
    nonsense = browser.get("/orgs/coop/members?college=abc&status=king")

    assert everyone == [
        "Admin",
        "Alice Martin",
        "Bruno Petit",
        "Chloé Durand",
        "David Leroy",
        "Paul Participant",
    ]
    assert by_college == ["Alice Martin"]
    assert by_category == ["Alice Martin", "Bruno Petit"]
    assert participants == ["Paul Participant"]
    assert by_name == ["Chloé Durand"]
    assert nonsense.status_code == 200 and listed(nonsense.text) == everyone


def test_htmx_filter_request_gets_only_the_list_fragment(
    browser: Browser, people: OrgFixture
) -> None:
    browser.login("alice.martin@coop.example")
    college = people.colleges["Bénéficiaires"].id

    fragment = browser.get(f"/orgs/coop/members?college={college}", headers={"HX-Request": "true"})
    restore = browser.get(
        f"/orgs/coop/members?college={college}",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="member-list"')
    assert "<html" not in fragment.text and "Filtrer la liste" not in fragment.text
    assert listed(fragment.text) == ["Chloé Durand"]
    assert "HX-Request" in fragment.headers["vary"]
    assert "<html" in restore.text  # a history restore needs the whole page


def test_filter_form_works_without_javascript_and_enhances_with_htmx(
    browser: Browser, people: OrgFixture
) -> None:
    browser.login("alice.martin@coop.example")

    page = browser.get("/orgs/coop/members").text
    form = re.search(r'<form class="filters"[^>]*>', page)

    assert form
    for attribute in (
        'method="get"',
        'action="/orgs/coop/members"',
        'hx-get="/orgs/coop/members"',
        'hx-target="#member-list"',
        'hx-push-url="true"',
    ):
        assert attribute in form.group(0)
    assert 'id="member-list"' in page
    assert '<label for="filter-college">Collège</label>' in page


def test_admin_adds_a_member_who_receives_an_invitation(
    browser: Browser, coop: OrgFixture, outbox: Outbox, uow: Callable[[], UnitOfWork]
) -> None:
    browser.login("admin@coop.example")

    response = browser.post(
        "/orgs/coop/members",
        {
            "name": "Zoé Nouvelle",
            "email": "Zoe@Coop.Example",
            "associate": "associate",
            "category": str(coop.categories["Salariés"].id),
            "college": str(coop.colleges["Salariés"].id),
            "shares": "3",
            "roles": ["secretary"],
        },
    )

    assert response.status_code == 303
    detail = browser.get(response.headers["location"])
    assert "Zoé Nouvelle est ajouté·e ; une invitation lui a été envoyée." in detail.text
    assert "Secrétariat" in detail.text
    assert "Zoé Nouvelle" in member_names(uow, coop)
    [email] = outbox.messages
    assert email.to == "zoe@coop.example"
    assert "/invitation/" in email.body


def test_add_member_with_bad_input_shows_each_message_next_to_its_field_and_writes_nothing(
    browser: Browser, coop: OrgFixture, outbox: Outbox, uow: Callable[[], UnitOfWork]
) -> None:
    browser.login("admin@coop.example")
    before = member_names(uow, coop)

    response = browser.post(
        "/orgs/coop/members",
        {
            "name": "Jean Sans-Collège",
            "email": "pas-une-adresse",
            "associate": "associate",
            "category": "",
            "college": "",
            "shares": "-2",
        },
    )

    assert response.status_code == 422
    html = response.text
    assert 'id="add-email-error"' in html
    assert "« pas-une-adresse » n&#39;est pas une adresse e-mail valide." in html
    assert 'id="add-category-error"' in html and "appartenir à une catégorie" in html
    assert 'id="add-college-error"' in html and "appartenir à un collège de vote" in html
    assert 'id="add-shares-error"' in html and "entier positif ou nul" in html
    assert 'aria-describedby="add-email-error" aria-invalid="true"' in html
    assert 'value="Jean Sans-Collège"' in html  # what was typed is kept
    assert member_names(uow, coop) == before
    assert outbox.messages == []


def test_adding_someone_already_member_is_refused_on_the_email_field(
    browser: Browser, people: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    browser.login("admin@coop.example")

    response = browser.post(
        "/orgs/coop/members",
        {"name": "Alice Bis", "email": "alice.martin@coop.example", "associate": "participant"},
    )

    assert response.status_code == 409
    assert 'id="add-email-error"' in response.text
    assert "alice.martin@coop.example est déjà membre de Coop du Terreau." in response.text
    assert "Alice Bis" not in member_names(uow, people)


def test_member_detail_shows_membership_and_the_profile(
    browser: Browser, people: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    browser.login("bruno.petit@coop.example")
    alice = next(m for m in _members(uow, people) if m.name == "Alice Martin")

    page = browser.get(f"/orgs/coop/members/{alice.id}")

    assert page.status_code == 200
    assert "Associé·e" in page.text and "Fondateurs" in page.text
    assert "15 juin 2026" in page.text  # admission date, French format
    assert "Fiche pionnier" in page.text
    assert "Enregistrer ma fiche" not in page.text  # not Bruno's own profile
    assert "alice.martin@coop.example" not in page.text  # email only for admins and oneself


def _members(uow: Callable[[], UnitOfWork], coop: OrgFixture) -> list[Member]:
    with uow() as u:
        org = get_org(u.session, coop.org.slug)
        found = members.list_members(u, actor=coop.admin_actor, org=org)
        for member in found:
            u.session.expunge(member)
        return found


def test_a_member_edits_their_own_profile_but_not_someone_elses(
    browser: Browser, people: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    by_name = {m.name: m for m in _members(uow, people)}
    browser.login("alice.martin@coop.example")
    mine = f"/orgs/coop/members/{by_name['Alice Martin'].id}"
    theirs = f"/orgs/coop/members/{by_name['Bruno Petit'].id}"

    saved = browser.post(
        f"{mine}/profile",
        {"presentation": "Maraîchère bio", "phone": "06 00 00 00 00", "skills": "compost"},
    )
    page = browser.get(saved.headers["location"]).text
    too_long = browser.post(f"{mine}/profile", {"presentation": "x", "phone": "0" * 60})
    refused = browser.post(f"{theirs}/profile", {"presentation": "usurpé"})

    assert saved.status_code == 303
    assert "Votre fiche est à jour." in page and "Maraîchère bio" in page
    assert too_long.status_code == 422
    assert 'id="profile-phone-error"' in too_long.text
    assert "Le téléphone dépasse 50 caractères." in too_long.text
    assert refused.status_code == 403
    assert "Chacun tient à jour sa propre fiche." in refused.text
    assert "usurpé" not in browser.get(theirs).text


def test_admin_changes_college_roles_and_shares_then_records_a_departure(
    browser: Browser, people: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    chloe = next(m for m in _members(uow, people) if m.name == "Chloé Durand")
    browser.login("admin@coop.example")
    path = f"/orgs/coop/members/{chloe.id}"

    updated = browser.post(
        path,
        {
            "college": str(people.colleges["Salariés"].id),
            "category": str(people.categories["Salariés"].id),
            "shares": "4",
            "roles": ["facilitator"],
        },
    )
    bad_shares = browser.post(path, {"shares": "zéro", "roles": []})
    bad_departure = browser.post(f"{path}/departure", {"on": "hier", "reason": ""})
    departed = browser.post(
        f"{path}/departure", {"on": "2026-06-15", "reason": "Déménagement", "shares_returned": "4"}
    )

    assert updated.status_code == 303
    assert bad_shares.status_code == 422
    assert 'id="admin-shares-error"' in bad_shares.text
    assert bad_departure.status_code == 422
    assert 'id="departure-on-error"' in bad_departure.text
    assert 'id="departure-reason-error"' in bad_departure.text
    assert "Indiquez le motif du départ." in bad_departure.text
    assert departed.status_code == 303
    page = browser.get(path).text
    assert "15 juin 2026 — Déménagement" in page
    assert "Facilitation" in page
    assert "Chloé Durand" not in listed(browser.get("/orgs/coop/members").text)


def test_admin_resends_a_pending_invitation(
    browser: Browser, coop: OrgFixture, outbox: Outbox, uow: Callable[[], UnitOfWork]
) -> None:
    add_member(uow, coop, "Lina Lente", password=None)
    outbox.messages.clear()
    lina = next(m for m in _members(uow, coop) if m.name == "Lina Lente")
    browser.login("admin@coop.example")
    page = browser.get(f"/orgs/coop/members/{lina.id}").text
    assert "Renvoyer l&#39;invitation" in page or "Renvoyer l'invitation" in page

    response = browser.post(f"/orgs/coop/members/{lina.id}/invitation")

    assert response.status_code == 303
    assert [m.to for m in outbox.messages] == ["lina.lente@coop.example"]


def test_htmx_post_with_the_csrf_header_changes_a_profile(
    browser: Browser, people: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    alice = next(m for m in _members(uow, people) if m.name == "Alice Martin")
    browser.login("alice.martin@coop.example")
    token = csrf_from(browser.get("/orgs/coop").text)

    response = browser.client.post(
        f"/orgs/coop/members/{alice.id}/profile",
        data={"presentation": "Par htmx", "phone": "", "skills": ""},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert "Par htmx" in browser.get(f"/orgs/coop/members/{alice.id}").text
