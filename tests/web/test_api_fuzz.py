"""Property-based fuzzing of the JSON API with schemathesis, on SQLite and PostgreSQL: no 5xx.

``test_every_operation_survives_fuzzing`` calls every operation of ``/api/v1/openapi.json``
with what schemathesis derives from the schema: its coverage cases (boundaries, wrong types,
missing and unknown fields, NUL bytes, unexpected methods), then random valid and invalid data
(positive and negative modes), each call carrying the bearer token of a superuser who is also an
associate, admin and secretary of the cooperative, so that the calls reach the handlers and the
services rather than the 401 of a missing token. The app is seeded per test (a fresh database):

- ``coop``, a SCIC with four colleges and ten associates, an open assembly with an open public
  and an open secret resolution (a proxy and a blank proxy recorded), an assembly in draft, and
  a spare open assembly whose assembly and resolutions are the only targets of the calls that
  close, publish or cancel — so the votes stay open for the ballot calls that come after those
  in the schema's order;
- ``neuve``, an association still in setup mode, whose statutes in force may be edited.

Path parameters and the body and query fields whose valid values are a short list (ids, kinds,
modes, choices, policies, dates, formats…) are drawn most of the time from dictionaries of real
and edge values (ids out of range or written with non-ASCII digits, instants at the ends of the
calendar, over-long numbers, lone UTF-16 surrogates…), so that a fair share of the calls pass
validation and change the state the next calls see, instead of stopping at a 404 or a 422.

Checks: no server error, and the answers conform to the schema — status code documented,
content type documented, body valid against the documented model. Bounded and deterministic: a
fixed seed, derandomized generation, ``MAX_EXAMPLES`` random examples per operation and mode on
top of the coverage cases, no example database; about 22 s per database on two cores (45 s in
all). It runs on both databases on purpose: PostgreSQL refuses what SQLite stores (NUL bytes,
out-of-range integers, over-long texts), a classic source of 500s.

Each 5xx that fuzzing (and the probes it suggested) found has a plain regression test below.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.exceptions import StarletteDeprecationWarning

from governance.rules import assemblies as assembly_rules
from governance.rules import statutes as statutes_rules
from governance.services import accounts, orgs
from governance.services.authz import ROLES, SYSTEM
from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.factories import (
    OrgFixture,
    actor_of,
    add_member,
    make_assembly_org,
    make_org,
    make_user,
)
from web.app import create_app
from web.config import Settings

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its test client; httpx (the dev dependency) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

Uow = Callable[[], UnitOfWork]
API = "/api/v1/orgs/coop"
WHEN = "2026-06-20T14:00:00+02:00"
MAX_EXAMPLES = 10  # random examples per operation and mode, on top of the coverage cases
SEED = 20260615
LIKELY = 0.7  # how often a dictionary value replaces the generated one
MAX_INT = 2**31 - 1
SURROGATE = "x\ud800y"  # a lone UTF-16 surrogate: valid JSON (escaped), not valid Unicode


@dataclass
class Seeded:
    """The seeded app, the admin's token and the dictionaries of real and edge values."""

    app: FastAPI
    token: str
    values: dict[str, list[str | int]]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _seed_assemblies(
    client: TestClient, headers: dict[str, str], members: list[str]
) -> dict[str, list[str | int]]:
    """Through the API: an open assembly with open votes, a draft one, a spare open one."""

    def post(path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        return _ok(client.post(f"{API}{path}", json=body, headers=headers), status)

    def assembly(title: str, kind: str = "AGO") -> str:
        body = {"title": title, "kind": kind, "convocation": 1, "scheduled_at": WHEN}
        return str(post("/assemblies", body, 201)["id"])

    def resolution(assembly_id: str, title: str, **extra: Any) -> str:
        body = {"title": title, "text": f"L'assemblée approuve : {title}.", **extra}
        return str(post(f"/assemblies/{assembly_id}/resolutions", body, 201)["id"])

    meeting = assembly("AG 2026")
    public = resolution(meeting, "comptes 2025")
    secret = resolution(meeting, "élection au conseil", kind="election", secret=True)
    draft = assembly("AGE 2026", "AGE")
    draft_resolution = resolution(draft, "modification des statuts", kind="extraordinary")
    spare = assembly("AG de réserve")
    spare_resolutions = [resolution(spare, "affectation du résultat"), resolution(spare, "budget")]
    for assembly_id in (meeting, spare):
        post(f"/assemblies/{assembly_id}/convene", {"mode": "email"})
    # The admin (last) holds a proxy; the next associate gives one, the one after a blank one.
    holder, principal, blank, *present = reversed(members)
    for member in (*present, holder):
        post(f"/assemblies/{meeting}/attendance", {"member": member, "mode": "present"}, 201)
    proxy = {"member": principal, "mode": "proxy", "holder": holder}
    post(f"/assemblies/{meeting}/attendance", proxy, 201)
    post(f"/assemblies/{meeting}/attendance", {"member": blank, "mode": "proxy"}, 201)
    for assembly_id in (meeting, spare):
        post(f"/assemblies/{assembly_id}/open")
    for resolution_id in (public, secret, *spare_resolutions):
        post(f"/resolutions/{resolution_id}/open")
    return {
        "assemblies": [meeting, draft, "0", str(MAX_INT + 1), "²"],
        "resolutions": [public, secret, draft_resolution, "1" * 5000],
        "spare_assembly": [spare],
        "spare_resolutions": spare_resolutions,
    }


@pytest.fixture
def seeded(
    database_url: str, engine: object, clock: Clock, outbox: Outbox, uow: Uow
) -> Iterator[Seeded]:
    fx, people = make_assembly_org(uow)
    admin = make_user(uow, "gerante@coop.example", "Gérante", password=None, superuser=True)
    admin_member = add_member(
        uow,
        fx,
        "Gérante",
        email=admin.email,
        category="Fondateurs",
        college="Fondateurs",
        roles=("admin", "secretary"),
        password=None,
    )
    with uow() as u:
        orgs.create_org(
            u, actor=actor_of(admin), slug="neuve", name="Neuve", legal_form="ASSOCIATION"
        )
        issued = accounts.create_api_token(u, actor=SYSTEM, user_id=admin.id, name="fuzz")
        u.commit()
    application = create_app(
        Settings(database_url=database_url, secret_key="x" * 40), mailer=outbox, clock=clock
    )
    members = [str(m.id) for group in people.values() for m in group] + [str(admin_member.id)]
    with TestClient(application) as client:
        ids = _seed_assemblies(client, {"Authorization": f"Bearer {issued.token}"}, members)
    colleges = [str(c.id) for c in fx.colleges.values()] + list(fx.colleges)
    values: dict[str, list[str | int]] = {
        **ids,
        "orgs": ["coop", str(fx.org.id), "neuve", "9" * 20, "¹²"],
        "members": [*members[:3], members[-1], str(MAX_INT), "٣"],
        "colleges": [*colleges, "999999"],
        "categories": [str(c.id) for c in fx.categories.values()] + list(fx.categories),
        "slugs": ["nouvelle-coop", "coop", "scic-du-val"],
        "legal_forms": list(statutes_rules.LEGAL_FORMS),
        "timezones": ["Europe/Paris", "America/Cayenne", "Mars/Olympus", "Europe", "x" * 300],
        "kinds": [
            *assembly_rules.ASSEMBLY_KINDS,
            *assembly_rules.RESOLUTION_KINDS,
            *orgs.CATEGORY_KINDS,
        ],
        "modes": [*assembly_rules.ATTENDANCE_MODES, *assembly_rules.CONVOCATION_MODES],
        "choices": list(assembly_rules.MEMBER_CHOICES),
        "channels": ["direct", "correspondence"],
        "roles": [*ROLES, "member"],
        "emails": ["nouveau@coop.example", "gerante@coop.example", "pas-une-adresse"],
        "names": ["Nouveau Membre", "Fondateurs", "\u202e\ufeff", "x" * 201],
        "instants": [
            WHEN,
            "2026-06-15T12:00:00Z",
            "2026-06-14T09:00:00+00:00",
            "9999-12-31T23:30:00Z",
            "0001-01-01T00:30:00+00:00",
            "2026-02-30T10:00:00+01:00",
            "2026-06-20",
        ],
        "days": ["2026-06-01", "0001-01-01", "9999-12-31", "2026-13-01"],
        "numbers": ["10", "25", "33.5", "2/3", "0", "1/0", "1" * 5000, "1/" + "9" * 50],
        "majorities": [
            "simple",
            "two_thirds",
            "unanimity",
            "custom:>=3/5",
            "custom:>=1/0",
            "custom:>7/5",
            "custom:>=1/" + "9" * 30,
        ],
        "policies": [
            *statutes_rules.ABSTENTION_POLICIES,
            *statutes_rules.COLLEGE_POLICIES,
            f"merge_into:{fx.colleges['Salariés'].id}",
            "merge_into:" + "9" * 20,
        ],
        "bases": list(statutes_rules.QUORUM_BASES),
        "visibilities": list(statutes_rules.RESULTS_VISIBILITY),
        "caps": [1, 2, "scop", "-1", "1" * 5000],
        "formats": ["html", "pdf", "csv"],
        "separators": [";", ","],
        "statuses": ["associate", "participant", "external"],
        "sequences": [0, 3, MAX_INT],
    }
    yield Seeded(app=application, token=issued.token, values=values)
    application.state.engine.dispose()


# Which dictionary feeds which parameter (``location.name``; ``body.a.b``, ``[*]`` = any item).
BINDINGS = {
    "path.org": "orgs",
    "path.assembly_id": "assemblies",
    "path.resolution_id": "resolutions",
    "path.member_id": "members",
    "query.format": "formats",
    "query.separator": "separators",
    "query.status": "statuses",
    "query.college": "colleges",
    "query.category": "categories",
    "query.after": "sequences",
    "body.slug": "slugs",
    "body.legal_form": "legal_forms",
    "body.timezone": "timezones",
    "body.name": "names",
    "body.title": "names",
    "body.kind": "kinds",
    "body.mode": "modes",
    "body.choice": "choices",
    "body.channel": "channels",
    "body.member": "members",
    "body.holder": "members",
    "body.on_behalf_of": "members",
    "body.college": "colleges",
    "body.category": "categories",
    "body.email": "emails",
    "body.roles[*]": "roles",
    "body.scheduled_at": "instants",
    "body.deadline": "instants",
    "body.admitted_on": "days",
    "body.departure.on": "days",
    "body.weight": "numbers",
    "body.college_weight_min": "numbers",
    "body.college_weight_max": "numbers",
    "body.majority": "majorities",
    "body.abstention_policy": "policies",
    "body.empty_college_policy": "policies",
    "body.silent_college_policy": "policies",
    "body.quorum_basis": "bases",
    "body.results_visibility": "visibilities",
    "body.max_proxies_per_holder": "caps",
}


def _bind(parameters: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {key: {"dictionary": name, "probability": LIKELY} for key, name in parameters.items()}


@pytest.fixture
def api_schema(seeded: Seeded, request: pytest.FixtureRequest) -> Any:
    """The seeded app's schema, configured for a bounded, deterministic run."""
    # schemathesis 4.32's lazy loader reads ``node._nodeid``, which pytest 9 no longer has (the
    # id lives in ``nodeid``): give it the attribute it expects.
    request.node._nodeid = request.node.nodeid
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "dictionaries": {name: {"values": v} for name, v in seeded.values.items()},
            "headers": {"Authorization": f"Bearer {seeded.token}"},
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # The token goes with every call; the 401s have their own tests (test_api.py).
                "with-security-parameters": False,
            },
            "parameters": _bind(BINDINGS),
            "operations": [
                {
                    "include-path-regex": r"/assemblies/\{assembly_id\}/(close|publish)$",
                    "parameters": _bind({"path.assembly_id": "spare_assembly"}),
                },
                {
                    "include-path-regex": r"/resolutions/\{resolution_id\}/(close|cancel)$",
                    "parameters": _bind({"path.resolution_id": "spare_resolutions"}),
                },
            ],
        }
    )
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", seeded.app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_survives_fuzzing(case: Any) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )


# ---- regression tests: each 5xx found, as a plain call --------------------------------------




def _bearer(uow: Uow, user_id: int) -> dict[str, str]:
    with uow() as u:
        issued = accounts.create_api_token(u, actor=SYSTEM, user_id=user_id, name="tests")
        u.commit()
    return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture
def coop(uow: Uow) -> OrgFixture:
    """A SCIC in setup mode (colleges 40/25/25/10), administered by a superuser."""
    return make_org(uow)


@pytest.fixture
def admin(uow: Uow, coop: OrgFixture) -> dict[str, str]:
    return _bearer(uow, coop.admin.id)


def _problems(response: Any) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["errors"]}


def test_an_over_long_exact_number_is_refused_not_a_crash(
    client: TestClient, admin: dict[str, str]
) -> None:
    """Weights, quorums, bounds and majorities of 5 000 digits used to reach ``int()`` and the
    printing of fractions, which Python refuses past 4 300 digits: a 500 on every statutes call.
    """
    body = {"name": "X", "weight": "1" * 5000}
    college = client.post(f"{API}/colleges", json=body, headers=admin)
    assert college.status_code == 422 and "trop long" in _problems(college)["weight"]
    for patch, field in (
        ({"college_weight_max": "1/" + "9" * 50}, "college_weight_max"),
        ({"college_weight_min": "0." + "0" * 60 + "1"}, "college_weight_min"),
        ({"quorum": {"AGO": {"1": "1/" + "9" * 45}}}, "quorum.AGO.1"),
        ({"majority_defaults": {"ordinary": "custom:>=1/" + "9" * 45}}, "ordinary"),
    ):
        for path in (f"{API}/statutes", f"{API}/statutes/draft"):
            response = client.put(path, json=patch, headers=admin)
            assert response.status_code == 422, (path, response.text)
            assert any(field in key for key in _problems(response)), response.text
    assert client.get(f"{API}/statutes", headers=admin).status_code == 200
    # A long but reasonable exact weight still works and reads back exactly.
    third = client.put(
        f"{API}/statutes", json={"college_weight_min": "3.33333333333333333333"}, headers=admin
    )
    assert third.status_code == 200, third.text
    exact = third.json()["college_weight_min"]["exact"]
    assert exact == "333333333333333333333/100000000000000000000"
    assert client.get(f"{API}/statutes", headers=admin).status_code == 200


def test_an_instant_at_the_ends_of_the_calendar_is_refused_not_a_crash(
    client: TestClient, uow: Uow
) -> None:
    """31 December 9999 at 23:30 UTC is year 10000 in Paris: storing it made every later view
    of the assembly (or of the resolution with that deadline) a 500."""
    fx, _ = make_assembly_org(uow)
    admin = _bearer(uow, fx.admin.id)
    late, early = "9999-12-31T23:30:00Z", "0001-01-01T00:30:00+00:00"
    body = {"title": "AG", "kind": "AGO", "convocation": 1}
    for when in (late, early):
        response = client.post(
            f"{API}/assemblies", json={**body, "scheduled_at": when}, headers=admin
        )
        assert response.status_code == 422, response.text
        assert "hors des limites" in _problems(response)["scheduled_at"]
    created = client.post(f"{API}/assemblies", json={**body, "scheduled_at": WHEN}, headers=admin)
    assembly = _ok(created, 201)["id"]
    resolution = _ok(
        client.post(
            f"{API}/assemblies/{assembly}/resolutions",
            json={"title": "Comptes", "text": "Approbation."},
            headers=admin,
        ),
        201,
    )["id"]
    _ok(client.post(f"{API}/assemblies/{assembly}/convene", json={"mode": "post"}, headers=admin))
    _ok(client.post(f"{API}/assemblies/{assembly}/open", headers=admin))
    opened = client.post(
        f"{API}/resolutions/{resolution}/open", json={"deadline": late}, headers=admin
    )
    assert opened.status_code == 422 and "hors des limites" in _problems(opened)["deadline"]
    assert _ok(client.get(f"{API}/assemblies/{assembly}", headers=admin))["agenda"][0][
        "status"
    ] == "draft"


@pytest.mark.parametrize("timezone", ["Europe", "Europe/" + "x" * 300, "x" * 65])
def test_a_time_zone_the_database_cannot_look_up_is_refused_not_a_crash(
    client: TestClient, admin: dict[str, str], timezone: str
) -> None:
    """"Europe" is a directory of the time zone database and a 300-character name is too long
    for the file system: ``ZoneInfo`` raised ``OSError``, which was not caught (500)."""
    body = {"slug": "neuve", "name": "Neuve", "legal_form": "ASSOCIATION", "timezone": timezone}
    response = client.post("/api/v1/orgs", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert "timezone" in _problems(response)
    assert client.get("/api/v1/orgs/neuve", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (f"{API}/colleges", '{"name": %s, "weight": "10"}'),
        (f"{API}/categories", '{"name": "Usagers", "kind": %s}'),
        (f"{API}/statutes/draft", '{"colleges": {%s: "10"}}'),
        (f"{API}/statutes", '{"abstention_policy": %s}'),
        ("/api/v1/orgs", '{"slug": "neuve", "name": %s, "legal_form": "OTHER"}'),
    ],
)
def test_a_lone_surrogate_in_a_body_is_refused_not_a_crash(
    client: TestClient, admin: dict[str, str], path: str, template: str
) -> None:
    """JSON may escape half of a UTF-16 pair (``"\\ud800"``): Python reads it, but neither the
    database nor the JSON answer (which echoes unknown values) can encode it — a 500, even for
    an invalid value. Refused as soon as the body is read, whatever the field or the key."""
    method = "PUT" if "statutes" in path else "POST"
    response = client.request(
        method,
        path,
        content=(template % '"x\\ud800y"').encode(),
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert "Unicode" in response.json()["errors"][0]["message"]
    assert len(_ok(client.get(f"{API}/colleges", headers=admin))) == 4


@pytest.mark.parametrize("raw", ["²", "①", "1" * 5000])
def test_an_id_in_other_digits_or_too_long_is_not_found_not_a_crash(
    client: TestClient, admin: dict[str, str], raw: str
) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails, and ``int()`` refuses 5 000 digits: an
    organisation, member, assembly or resolution id like that was a 500, not a 404."""
    for path in (
        f"/api/v1/orgs/{raw}",
        f"/api/v1/orgs/{raw}/statutes",
        f"{API}/members/{raw}",
        f"{API}/assemblies/{raw}",
        f"{API}/resolutions/{raw}",
    ):
        response = client.get(path, headers=admin)
        assert response.status_code == 404, (path, response.text)
    created = client.post(
        f"{API}/assemblies",
        json={"title": "AG", "kind": "AGO", "scheduled_at": WHEN},
        headers=admin,
    )
    attendance = client.post(
        f"{API}/assemblies/{_ok(created, 201)['id']}/attendance",
        json={"member": raw, "mode": "present"},
        headers=admin,
    )
    assert attendance.status_code == 422 and "member" in _problems(attendance)


def test_every_operation_with_a_body_documents_the_400_of_an_unreadable_body(
    client: TestClient, admin: dict[str, str]
) -> None:
    """Bytes that are not UTF-8 never reach the model: FastAPI answers 400, now documented."""
    document = _ok(client.get("/api/v1/openapi.json"))
    with_body = [
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 15
    assert [
        (m, p) for m, p in with_body if "400" not in document["paths"][p][m]["responses"]
    ] == []
    headers = {**admin, "Content-Type": "application/json"}
    response = client.post(f"{API}/colleges", content=b"\xff\xfe{", headers=headers)
    assert response.status_code == 400
