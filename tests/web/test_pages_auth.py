"""Browser pages of accounts: login, logout, CSRF, invitations, API tokens, language, headers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.factories import PASSWORD, OrgFixture, add_member, make_user
from tests.web.conftest import Browser, csrf_from

WRONG_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."


def test_login_opens_a_session_and_lands_on_my_organisations(
    browser: Browser, coop: OrgFixture
) -> None:
    response = browser.login("admin@coop.example")

    assert response.headers["location"] == "/orgs"
    page = browser.get("/orgs")
    assert page.status_code == 200
    assert "Coop du Terreau" in page.text
    assert "Admin" in page.text  # the user's name in the header


def test_login_failure_says_the_same_for_an_unknown_email_and_a_wrong_password(
    browser: Browser, coop: OrgFixture
) -> None:
    wrong_password = browser.post(
        "/login", {"email": "admin@coop.example", "password": "pas-le-bon-mot"}
    )
    unknown_email = browser.post("/login", {"email": "personne@coop.example", "password": "x"})

    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert WRONG_CREDENTIALS in response.text
        assert 'id="login-email"' in response.text  # the form again, message inline
    assert "personne@coop.example" in unknown_email.text  # typed email kept in the form
    assert "inconnu" not in unknown_email.text


def test_login_is_rate_limited_per_account(browser: Browser, coop: OrgFixture) -> None:
    for _ in range(5):
        browser.post("/login", {"email": "admin@coop.example", "password": "mauvais"})

    response = browser.post("/login", {"email": "admin@coop.example", "password": PASSWORD})

    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.text


def test_a_rate_limited_login_says_when_to_try_again(
    browser: Browser, coop: OrgFixture, clock: Clock
) -> None:
    for _ in range(5):  # one failure a minute, from 09:00 to 09:04
        browser.post("/login", {"email": "admin@coop.example", "password": "mauvais"})
        clock.advance(minutes=1)
    clock.advance(seconds=-30)  # 09:04:30: the first failure leaves the window at 09:15

    limited = browser.post("/login", {"email": "admin@coop.example", "password": PASSWORD})
    clock.advance(minutes=6)
    later = browser.post("/login", {"email": "admin@coop.example", "password": PASSWORD})
    clock.advance(seconds=271)  # 09:15:01

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "630"
    assert later.status_code == 429 and later.headers["Retry-After"] == "270"
    assert browser.login("admin@coop.example").status_code == 303


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/orgs/coop/members", "/orgs/coop/members"),
        ("//evil.example/phish", "/orgs"),
        ("https://evil.example/", "/orgs"),
        ("/\\evil.example", "/orgs"),
        ("/\t/evil.example", "/orgs"),
    ],
)
def test_login_follows_next_only_to_a_local_path(
    browser: Browser, coop: OrgFixture, target: str, landing: str
) -> None:
    response = browser.post(
        "/login", {"email": "admin@coop.example", "password": PASSWORD, "next": target}
    )

    assert response.status_code == 303
    assert response.headers["location"] == landing


def test_anonymous_visitor_is_sent_to_login_and_back(browser: Browser, coop: OrgFixture) -> None:
    for path in ("/orgs", "/orgs/coop", "/orgs/coop/members", "/orgs/coop/statutes", "/account"):
        response = browser.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    assert browser.get("/", follow_redirects=False).headers["location"] == "/login"


def test_logout_invalidates_the_session_on_the_server(
    browser: Browser, coop: OrgFixture, new_browser: Callable[[], Browser]
) -> None:
    browser.login("admin@coop.example")
    stolen_cookie = browser.client.cookies.get("terreau_session")
    assert stolen_cookie

    response = browser.post("/logout", page="/orgs")

    assert response.status_code == 303
    assert browser.get("/orgs", follow_redirects=False).status_code == 303
    replay = new_browser()
    replay.client.cookies.set("terreau_session", stolen_cookie)
    assert replay.get("/orgs", follow_redirects=False).headers["location"] == "/login?next=/orgs"


def test_a_post_without_csrf_token_is_refused(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    browser.login("admin@coop.example")
    browser.get("/orgs/coop/members")

    response = browser.client.post(
        "/orgs/coop/members", data={"name": "Sans Jeton", "email": "sans.jeton@coop.example"}
    )
    forged = browser.client.post(
        "/orgs/coop/members",
        data={"name": "Faux", "email": "faux@coop.example", "csrf_token": "forged"},
    )

    assert response.status_code == 403
    assert "jeton CSRF invalide" in response.text
    assert forged.status_code == 403
    assert "Sans Jeton" not in browser.get("/orgs/coop/members").text


def test_the_csrf_token_is_accepted_as_form_field_or_as_the_htmx_header(
    browser: Browser, coop: OrgFixture
) -> None:
    browser.login("admin@coop.example")
    token = csrf_from(browser.get("/orgs/coop").text)

    as_field = browser.client.post(
        "/orgs/coop/compliance/acknowledge", data={"csrf_token": token}, follow_redirects=False
    )
    as_header = browser.client.post(
        "/orgs/coop/compliance/acknowledge",
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
        follow_redirects=False,
    )

    assert as_field.status_code == 303
    assert as_header.status_code == 303


def test_login_rotates_the_csrf_token(browser: Browser, coop: OrgFixture) -> None:
    before = browser.csrf("/login")
    browser.login("admin@coop.example")
    after = browser.csrf("/orgs")

    assert before != after


def test_invited_member_sets_a_password_from_the_emailed_link_and_is_logged_in(
    browser: Browser, coop: OrgFixture, outbox: Outbox, new_browser: Callable[[], Browser]
) -> None:
    browser.login("admin@coop.example")
    browser.post(
        "/orgs/coop/members",
        {
            "name": "Nina Invitée",
            "email": "nina@coop.example",
            "associate": "associate",
            "category": str(coop.categories["Bénéficiaires"].id),
            "college": str(coop.colleges["Bénéficiaires"].id),
        },
    )
    [email] = [m for m in outbox.messages if m.to == "nina@coop.example"]
    link = re.search(r"http://\S+/invitation/(\S+)", email.body)
    assert link, email.body
    path = f"/invitation/{link.group(1)}"

    nina = new_browser()
    assert nina.get(path).status_code == 200
    mismatch = nina.post(path, {"password": "un-mot-de-passe", "password_confirmation": "autre"})
    too_short = nina.post(path, {"password": "court", "password_confirmation": "court"})
    accepted = nina.post(
        path, {"password": "mon-nouveau-secret", "password_confirmation": "mon-nouveau-secret"}
    )

    assert mismatch.status_code == 422
    assert "Les deux mots de passe diffèrent." in mismatch.text
    assert too_short.status_code == 422
    assert "au moins 10 caractères" in too_short.text
    assert accepted.status_code == 303
    orgs_page = nina.get("/orgs")
    assert "Coop du Terreau" in orgs_page.text
    assert "Nina Invitée" in orgs_page.text
    assert nina.get(path).status_code == 404  # one-time link


def test_api_token_is_shown_once_then_listed_by_prefix_and_revocable(
    browser: Browser, coop: OrgFixture
) -> None:
    browser.login("admin@coop.example")

    created = browser.post(
        "/account/tokens", {"name": "tableur", "org": "coop", "roles": ["auditor"]}
    )

    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    token = re.search(r'id="issued-token">(trr_[^<]+)<', created.text)
    assert token
    account = browser.get("/account")
    assert token.group(1) not in account.text
    assert token.group(1)[:10] in account.text
    token_id = re.search(r"/account/tokens/(\d+)/revoke", account.text)
    assert token_id

    revoked = browser.post(f"/account/tokens/{token_id.group(1)}/revoke", page="/account")

    assert revoked.status_code == 303
    assert "révoqué le" in browser.get("/account").text


def test_api_token_with_an_unknown_role_is_refused_inline(
    browser: Browser, coop: OrgFixture
) -> None:
    browser.login("admin@coop.example")

    response = browser.post("/account/tokens", {"name": "x", "roles": ["pirate"]})

    assert response.status_code == 422
    assert "Rôle inconnu : pirate." in response.text


def test_pages_carry_security_headers_and_a_csp_without_inline_code(
    browser: Browser, coop: OrgFixture
) -> None:
    login = browser.get("/login")
    browser.login("admin@coop.example")
    pages = [login] + [
        browser.get(path)
        for path in ("/orgs", "/orgs/coop", "/orgs/coop/members", "/orgs/coop/statutes")
    ]

    for page in pages:
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
        assert "HX-Request" in page.headers["vary"]
        assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None
        assert " style=" not in page.text
        assert "<style" not in page.text
        assert "https://" not in page.text  # nothing from a CDN
    cookie = browser.client.cookies.jar
    assert any(c.name == "terreau_session" for c in cookie)


def test_session_cookie_is_httponly_and_samesite(browser: Browser, coop: OrgFixture) -> None:
    token = browser.csrf("/login")
    response = browser.client.post(
        "/login",
        data={"email": "admin@coop.example", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )

    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_choosing_english_serves_the_pages_in_english(browser: Browser, coop: OrgFixture) -> None:
    response = browser.post("/language", {"language": "en", "next": "/login"})

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    page = browser.get("/login")
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text
    assert "Se connecter" not in page.text
    failed = browser.post("/login", {"email": "admin@coop.example", "password": "wrong-one"})
    assert "Wrong email address or password." in failed.text

    back = browser.post("/language", {"language": "fr", "next": "//evil.example"})
    assert back.headers["location"] == "/"
    assert '<html lang="fr">' in browser.get("/login").text


def test_english_domain_messages_on_a_denied_page(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    make_user(uow, "outsider@example.org", "Outsider")
    browser.post("/language", {"language": "en", "next": "/login"})
    browser.login("outsider@example.org")

    page = browser.get("/orgs/coop")

    assert page.status_code == 403
    assert "You are not a member of the organisation Coop du Terreau." in page.text


def test_member_without_password_cannot_log_in(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    add_member(uow, coop, "Pas Encore", password=None)

    response = browser.post("/login", {"email": "pas.encore@coop.example", "password": ""})

    assert response.status_code == 401
    assert WRONG_CREDENTIALS in response.text


def test_every_post_form_carries_the_csrf_token(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    member = add_member(uow, coop, "Alice Martin", password=None)
    browser.login("admin@coop.example")
    pages = (
        "/orgs/coop",
        "/orgs/coop/members",
        f"/orgs/coop/members/{member.id}",
        "/orgs/coop/statutes",
        "/account",
    )

    forms = [
        form
        for path in pages
        for form in re.findall(r'<form[^>]*method="post".*?</form>', browser.get(path).text, re.S)
    ]

    assert len(forms) >= 12
    for form in forms:
        assert 'name="csrf_token"' in form, form[:200]


def test_htmx_is_vendored_and_configured_to_send_the_csrf_header(
    browser: Browser,
) -> None:
    htmx = browser.get("/static/vendor/htmx.min.js")
    script = browser.get("/static/js/terreau.js")
    page = browser.get("/login").text

    assert htmx.status_code == 200 and 'version:"2.' in htmx.text
    assert "htmx:configRequest" in script.text and "X-CSRF-Token" in script.text
    assert '<meta name="csrf-token" content="' in page
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in page
    assert '"includeIndicatorStyles": false' in page  # htmx would inject an inline <style>


def test_every_page_renders_in_english(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    member = add_member(uow, coop, "Alice Martin")
    browser.post("/language", {"language": "en", "next": "/login"})
    browser.login("admin@coop.example")
    expected = {
        "/orgs": "My organisations",
        "/orgs/coop": "Colleges and vote weights",
        "/orgs/coop/members": "Add a member",
        f"/orgs/coop/members/{member.id}": "Pioneer profile",
        "/orgs/coop/statutes": "Statutes in force — version 1",
        "/account": "API tokens",
    }

    for path, text in expected.items():
        page = browser.get(path)
        assert page.status_code == 200, path
        assert '<html lang="en">' in page.text
        assert text in page.text, path
        assert "Se déconnecter" not in page.text
