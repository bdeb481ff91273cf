"""Every route × role: anonymous, outsider, plain member, auditor and admin get exactly what they
may, and nobody of organisation A reads or changes organisation B (pages and API)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from governance.services import accounts
from governance.services import assemblies as ga
from governance.services.authz import SYSTEM
from governance.store.tables import AuditHead
from governance.store.uow import UnitOfWork, org_chain
from tests.factories import LINKS, add_member, make_assembly_org, make_org
from tests.web.conftest import Browser
from web.api import routers as api_routers
from web.routes import routers as page_routers

Uow = Callable[[], UnitOfWork]
PUBLIC = {
    "/",
    "/login",
    "/logout",
    "/language",
    "/orgs/-/exports/minutes.css",
    "/api/v1/exports/minutes.css",
    "/invitation/{token}",
}
# What a plain associate may post in their organisation (everything else is for other roles).
MEMBER_POSTS = {
    "/orgs/{slug}/assemblies/{assembly_id}/participation",
    "/orgs/{slug}/assemblies/{assembly_id}/resolutions/{resolution_id}/ballots",
}


def routes(routers, prefix: str = "") -> Iterator[tuple[str, str]]:
    for router in routers:
        for route in router.routes:
            for method in sorted(route.methods - {"HEAD"}):
                yield method, prefix + route.path


PAGE_ROUTES = sorted(set(routes(page_routers)))
API_ROUTES = sorted(set(routes(api_routers, "/api/v1")))


@dataclass
class World:
    slug_b: str
    ids: dict[str, str]
    outsider_email: str
    member_b_email: str
    auditor_b_email: str
    admin_b_email: str
    outsider_token: str
    member_b_token: str


@pytest.fixture
def world(uow: Uow) -> World:
    a = make_org(uow, slug="coop-a", admin_email="admin@coop-a.example")
    outsider = add_member(uow, a, "Ana", category="Fondateurs", college="Fondateurs")
    b, people = make_assembly_org(uow, slug="coop-b")
    auditor = add_member(uow, b, "Audrey", associate=False, roles=("auditor",))
    member = people["Bénéficiaires"][0]
    other = people["Salariés"][0]
    with uow() as u:
        org = u.session.merge(b.org)
        assembly = ga.create_assembly(
            u,
            actor=b.admin_actor,
            org=org,
            title="AG",
            kind="AGO",
            convocation=1,
            scheduled_at="2026-06-20T14:00:00+02:00",
        )
        resolution = ga.add_resolution(
            u, actor=b.admin_actor, org=org, assembly_id=assembly.id, title="R", text="T"
        )
        ga.convene(
            u, actor=b.admin_actor, org=org, assembly_id=assembly.id, mode="post", links=LINKS
        )
        ga.open_assembly(u, actor=b.admin_actor, org=org, assembly_id=assembly.id)
        ga.open_resolution(u, actor=b.admin_actor, org=org, resolution_id=resolution.id)
        tokens = [
            accounts.create_api_token(u, actor=SYSTEM, user_id=m.user_id).token
            for m in (outsider, member)
        ]
        u.commit()
    return World(
        slug_b="coop-b",
        ids={
            "slug": "coop-b",
            "org": "coop-b",
            "member_id": str(other.id),
            "assembly_id": str(assembly.id),
            "resolution_id": str(resolution.id),
            "token_id": "999999",
            "token": "not-a-token",
        },
        outsider_email=outsider.user.email,
        member_b_email=member.user.email,
        auditor_b_email=auditor.user.email,
        admin_b_email=b.admin.email,
        outsider_token=tokens[0],
        member_b_token=tokens[1],
    )


def url_of(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"unknown path parameter in {path}"
    return path


def head(uow: Uow, slug: str) -> tuple[int, str]:
    with uow() as u:
        from governance.services.authz import get_org

        row = u.session.get(AuditHead, org_chain(get_org(u.session, slug).id))
        return (row.seq, row.hash) if row else (0, "")


def org_b_routes(table: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(m, p) for m, p in table if "{slug}" in p or "{org}" in p]


def test_anonymous_visitors_are_sent_to_the_login_page(browser: Browser, world: World) -> None:
    wrong = []
    for method, path in PAGE_ROUTES:
        if path in PUBLIC or method != "GET":
            continue
        response = browser.get(url_of(path, world.ids), follow_redirects=False)
        if response.status_code != 303 or "/login" not in response.headers.get("location", ""):
            wrong.append((path, response.status_code))
    assert wrong == []


def test_a_state_change_without_csrf_token_is_refused_everywhere(
    browser: Browser, world: World, uow: Uow
) -> None:
    browser.login(world.admin_b_email)
    before = head(uow, world.slug_b)
    wrong = []
    for method, path in PAGE_ROUTES:
        if method == "GET" or path == "/login":
            continue
        response = browser.client.request(
            method, url_of(path, world.ids), data={}, follow_redirects=False
        )
        if response.status_code != 403:
            wrong.append((path, response.status_code))
    assert wrong == []
    assert head(uow, world.slug_b) == before


def test_an_outsider_can_neither_read_nor_change_another_organisations_pages(
    browser: Browser, world: World, uow: Uow
) -> None:
    browser.login(world.outsider_email)
    before = head(uow, world.slug_b)
    token = browser.csrf("/orgs")
    wrong = []
    for method, path in org_b_routes(PAGE_ROUTES):
        url = url_of(path, world.ids)
        if method == "GET":
            response = browser.get(url, follow_redirects=False)
        else:
            response = browser.client.post(
                url,
                data={"csrf_token": token, "choice": "for", "mode": "present"},
                follow_redirects=False,
            )
        if response.status_code not in (403, 404):
            wrong.append((method, path, response.status_code))
    assert wrong == []
    assert head(uow, world.slug_b) == before


def test_an_outsider_token_can_neither_read_nor_change_another_organisation(
    app, world: World, uow: Uow
) -> None:
    before = head(uow, world.slug_b)
    wrong = []
    with TestClient(app) as client:
        for method, path in org_b_routes(API_ROUTES):
            response = client.request(
                method,
                url_of(path, world.ids),
                json={"choice": "for", "mode": "present", "member": world.ids["member_id"]},
                headers={"Authorization": f"Bearer {world.outsider_token}"},
            )
            allowed = (403, 404) if method == "GET" else (403, 404, 422)
            if response.status_code not in allowed:
                wrong.append((method, path, response.status_code))
    assert wrong == []
    assert head(uow, world.slug_b) == before


def test_without_a_token_the_api_answers_401(app, world: World) -> None:
    wrong = []
    with TestClient(app) as client:
        for method, path in API_ROUTES:
            if path in PUBLIC or path.endswith("/openapi.json"):
                continue
            response = client.request(method, url_of(path, world.ids), json={})
            if response.status_code != 401:
                wrong.append((method, path, response.status_code))
    assert wrong == []


def test_a_plain_member_reaches_only_the_member_actions(
    browser: Browser, world: World, uow: Uow
) -> None:
    browser.login(world.member_b_email)
    token = browser.csrf("/orgs")
    before = head(uow, world.slug_b)
    wrong = []
    for method, path in org_b_routes(PAGE_ROUTES):
        if method != "POST" or path in MEMBER_POSTS:
            continue
        response = browser.client.post(
            url_of(path, world.ids),
            data={"csrf_token": token, "choice": "for"},
            follow_redirects=False,
        )
        if response.status_code != 403:
            wrong.append((path, response.status_code))
    assert wrong == []
    assert head(uow, world.slug_b) == before
    for method, path in org_b_routes(PAGE_ROUTES):
        if (
            method == "GET"
            and "console" not in path
            and "minutes" not in path
            and "attendance-sheet" not in path
        ):
            response = browser.get(url_of(path, world.ids), follow_redirects=False)
            assert response.status_code == 200, (path, response.status_code)


def test_an_auditor_reads_everything_and_changes_nothing(
    browser: Browser, world: World, uow: Uow
) -> None:
    browser.login(world.auditor_b_email)
    token = browser.csrf("/orgs")
    before = head(uow, world.slug_b)
    for path in (
        "/orgs/coop-b/assemblies/{assembly_id}/minutes",
        "/orgs/coop-b/assemblies/{assembly_id}/attendance-sheet?format=csv",
        "/orgs/coop-b/members",
        "/orgs/coop-b/statutes",
    ):
        response = browser.get(url_of(path, world.ids), follow_redirects=False)
        assert response.status_code == 200, (path, response.status_code)
    wrong = []
    for method, path in org_b_routes(PAGE_ROUTES):
        if method != "POST" or path in MEMBER_POSTS:
            continue
        response = browser.client.post(
            url_of(path, world.ids), data={"csrf_token": token}, follow_redirects=False
        )
        if response.status_code != 403:
            wrong.append((path, response.status_code))
    assert wrong == []
    assert head(uow, world.slug_b) == before


def test_the_sweep_covers_the_routes_that_exist(world: World) -> None:
    assert len(org_b_routes(PAGE_ROUTES)) >= 30 and len(org_b_routes(API_ROUTES)) >= 30
    with pytest.raises(AssertionError):
        url_of("/orgs/{nope}", world.ids)
