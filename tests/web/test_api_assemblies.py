"""The assemblies API on SQLite and PostgreSQL: convocation, attendance and proxies, public and
secret ballots, per-college results, closing, and the procès-verbal and attendance exports."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from governance.services import accounts
from governance.services.authz import SYSTEM
from governance.store.tables import Member
from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.factories import OrgFixture, add_member, make_assembly_org, make_org

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its test client; httpx (the dev dependency) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

Uow = Callable[[], UnitOfWork]
Headers = dict[str, str]
API = "/api/v1/orgs/coop"
WHEN = "2026-06-20T14:00:00+02:00"




def bearer(uow: Uow, user_id: int) -> Headers:
    with uow() as u:
        issued = accounts.create_api_token(u, actor=SYSTEM, user_id=user_id, name="tests")
        u.commit()
    return {"Authorization": f"Bearer {issued.token}"}


@dataclass
class Coop:
    """A SCIC (colleges 40/25/25/10) with ten associates, a secretary among them, and tokens."""

    fx: OrgFixture
    people: dict[str, list[Member]]
    admin: Headers
    secretary: Headers
    secretary_member: Member
    tokens: dict[str, Headers] = field(default_factory=dict)

    def member(self, label: str) -> Member:
        college, _, index = label.rpartition(" ")
        return self.people[college][int(index) - 1]

    def id(self, label: str) -> str:
        return str(self.member(label).id)


@pytest.fixture
def coop(uow: Uow) -> Coop:
    fx, people = make_assembly_org(uow)
    secretary = add_member(
        uow, fx, "Sec Rétaire", category="Salariés", college="Salariés", roles=("secretary",)
    )
    people["Salariés"].append(secretary)
    found = Coop(
        fx=fx,
        people=people,
        admin=bearer(uow, fx.admin.id),
        secretary=bearer(uow, secretary.user_id),
        secretary_member=secretary,
    )
    for label in ("Fondateurs 1", "Partenaires 1", "Bénéficiaires 1", "Bénéficiaires 3"):
        found.tokens[label] = bearer(uow, found.member(label).user_id)
    return found


def problems(response: Any) -> dict[str, str]:
    return {item["field"]: item["message"] for item in response.json()["errors"]}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def create_assembly(client: TestClient, coop: Coop, **overrides: Any) -> dict[str, Any]:
    body = {"title": "AG 2026", "kind": "AGO", "convocation": 1, "scheduled_at": WHEN}
    body |= {"place": "Salle des fêtes", **overrides}
    return ok(client.post(f"{API}/assemblies", json=body, headers=coop.secretary), 201)


def add_resolution(
    client: TestClient, coop: Coop, assembly_id: str, title: str, **extra: Any
) -> dict[str, Any]:
    body = {"title": title, "text": f"L'assemblée approuve : {title.lower()}.", **extra}
    return ok(
        client.post(
            f"{API}/assemblies/{assembly_id}/resolutions", json=body, headers=coop.secretary
        ),
        201,
    )


def attend(
    client: TestClient,
    coop: Coop,
    assembly_id: str,
    member: str,
    mode: str = "present",
    holder: str | None = None,
    headers: Headers | None = None,
) -> Any:
    body: dict[str, Any] = {"member": member, "mode": mode}
    if holder is not None:
        body["holder"] = holder
    return client.post(
        f"{API}/assemblies/{assembly_id}/attendance", json=body, headers=headers or coop.secretary
    )


def ballot(client: TestClient, rid: str, headers: Headers, choice: str, **extra: Any) -> Any:
    return client.post(
        f"{API}/resolutions/{rid}/ballots", json={"choice": choice, **extra}, headers=headers
    )


@dataclass
class Meeting:
    assembly: str
    accounts: str  # public, board-proposed, simple majority
    election: str  # secret


def open_meeting(client: TestClient, coop: Coop) -> Meeting:
    """Convene, record the attendance (a cross-college proxy, a blank proxy), open, open votes.

    Bénéficiaires 3 gives a proxy to Fondateurs 1; Salariés 2 gives a blank proxy; Salariés 1
    sends a paper form later; everyone else is present (Bénéficiaires 1 records it themself).
    """
    assembly = create_assembly(client, coop)["id"]
    accounts_id = add_resolution(client, coop, assembly, "Approbation des comptes 2025")["id"]
    election = add_resolution(
        client, coop, assembly, "Élection au conseil coopératif", kind="election", secret=True
    )["id"]
    ok(
        client.post(
            f"{API}/assemblies/{assembly}/convene", json={"mode": "email"}, headers=coop.secretary
        )
    )
    for label in (
        "Fondateurs 1",
        "Fondateurs 2",
        "Partenaires 1",
        "Partenaires 2",
        "Bénéficiaires 2",
        "Salariés 3",
    ):
        ok(attend(client, coop, assembly, coop.id(label)), 201)
    own = attend(
        client, coop, assembly, coop.id("Bénéficiaires 1"), headers=coop.tokens["Bénéficiaires 1"]
    )
    assert ok(own, 201)["mode"] == "present"
    proxy = ok(
        attend(
            client,
            coop,
            assembly,
            coop.id("Bénéficiaires 3"),
            "proxy",
            holder=coop.id("Fondateurs 1"),
        ),
        201,
    )
    assert proxy["holder"] == coop.id("Fondateurs 1") and proxy["blank_proxy"] is False
    blank = ok(attend(client, coop, assembly, coop.id("Salariés 2"), "proxy"), 201)
    assert blank["holder"] is None and blank["blank_proxy"] is True
    ok(client.post(f"{API}/assemblies/{assembly}/open", headers=coop.secretary))
    for rid in (accounts_id, election):
        assert (
            ok(client.post(f"{API}/resolutions/{rid}/open", headers=coop.secretary))["status"]
            == "open"
        )
    return Meeting(assembly, accounts_id, election)


# ---- lifecycle ------------------------------------------------------------------------------


def test_an_assembly_runs_through_the_api_and_the_result_is_weighted_per_college(
    client: TestClient, coop: Coop, outbox: Outbox
) -> None:
    outbox.messages.clear()  # the members' invitations
    meeting = open_meeting(client, coop)
    convocations = [m for m in outbox.messages if m.subject.startswith("Convocation")]
    assert len(convocations) == 10
    assert f"/orgs/coop/assemblies/{meeting.assembly}" in convocations[0].body
    quorum = ok(client.get(f"{API}/assemblies/{meeting.assembly}/quorum", headers=coop.admin))
    assert (quorum["present"], quorum["represented"], quorum["eligible"]) == (7, 2, 10)
    assert quorum["required"]["exact"] == "1/5" and quorum["ratio"]["exact"] == "9/10"
    assert quorum["reached"] is True and quorum["frozen"] is True and "1/5" in quorum["rule"]

    fond, part, bene = (
        coop.tokens[k] for k in ("Fondateurs 1", "Partenaires 1", "Bénéficiaires 1")
    )
    assert ok(ballot(client, meeting.accounts, fond, "for"), 201) == {
        "member": coop.id("Fondateurs 1"),
        "choice": "for",
        "changed": False,
        "receipt": None,
    }
    by_proxy = ok(
        ballot(client, meeting.accounts, fond, "against", on_behalf_of=coop.id("Bénéficiaires 3")),
        201,
    )
    assert by_proxy["member"] == coop.id("Bénéficiaires 3")
    ok(ballot(client, meeting.accounts, bene, "abstain"), 201)
    assert ok(ballot(client, meeting.accounts, bene, "for"), 201)["changed"] is True
    ok(ballot(client, meeting.accounts, part, "against"), 201)
    paper = ballot(
        client,
        meeting.accounts,
        coop.secretary,
        "for",
        member=coop.id("Salariés 1"),
        channel="correspondence",
    )
    assert ok(paper, 201)["member"] == coop.id("Salariés 1")
    hidden = ok(client.get(f"{API}/resolutions/{meeting.accounts}/result", headers=fond))
    assert hidden == {"status": "open", "visible": False}

    closed = ok(client.post(f"{API}/resolutions/{meeting.accounts}/close", headers=coop.secretary))
    assert closed["status"] == "closed" and closed["adopted"] is True
    again = ok(client.post(f"{API}/resolutions/{meeting.accounts}/close", headers=coop.secretary))
    assert again == closed
    result = ok(client.get(f"{API}/resolutions/{meeting.accounts}/result", headers=part))
    # 40 × 1 + 25 × 0 + 25 × 1/2 + 10 × 1 (the paper form and the blank proxy): 62.5 %
    assert result["for_ratio"] == {"exact": "5/8", "display": "62.50"}
    assert (result["status"], result["visible"], result["adopted"], result["quorate"]) == (
        "closed",
        True,
        True,
        True,
    )
    assert result["majority"] == {
        "name": "simple",
        "threshold": {"exact": "1/2", "display": "50.00"},
        "strict": True,
    }
    assert result["rule"]["statutes_version"] == 1
    assert result["rule"]["abstention_policy"] == "excluded"
    colleges = {c["name"]: c for c in result["colleges"]}
    assert (colleges["Fondateurs"]["for"], colleges["Fondateurs"]["against"]) == (1, 0)
    # The proxy vote counts in the principal's college, not the holder's.
    bene_college = colleges["Bénéficiaires"]
    assert (bene_college["for"], bene_college["against"], bene_college["not_voted"]) == (1, 1, 1)
    assert bene_college["share_for"] == {"exact": "1/2", "display": "50.00"}
    assert bene_college["contribution_for"]["exact"] == "1/8"
    assert bene_college["weight"] == {"exact": "25", "display": "25.00"}
    assert colleges["Partenaires"]["share_for"]["exact"] == "0"
    assert (colleges["Salariés"]["for"], colleges["Salariés"]["not_voted"]) == (2, 1)
    assert all(c["live"] for c in result["colleges"])

    patched = client.patch(
        f"{API}/assemblies/{meeting.assembly}/minutes",
        json={"chair": "Fond 1", "secretary_name": "Sec Rétaire", "debates": "Débat serein."},
        headers=coop.secretary,
    )
    assert ok(patched)["minutes"]["chair"] == "Fond 1"
    closed_assembly = ok(
        client.post(f"{API}/assemblies/{meeting.assembly}/close", headers=coop.secretary)
    )
    assert closed_assembly["status"] == "closed"
    assert {r["status"] for r in closed_assembly["agenda"]} == {"closed"}
    assert closed_assembly["convocation_record"]["recipients"] == 10
    assert closed_assembly["quorum"]["reached"] is True
    assert (
        ok(client.post(f"{API}/assemblies/{meeting.assembly}/close", headers=coop.secretary))[
            "status"
        ]
        == "closed"
    )
    published = ok(
        client.post(f"{API}/assemblies/{meeting.assembly}/publish", headers=coop.secretary)
    )
    assert published["status"] == "published" and published["published_at"]
    listed = ok(client.get(f"{API}/assemblies", headers=part))
    assert [(a["id"], a["status"]) for a in listed] == [(meeting.assembly, "published")]


def test_a_secret_ballot_returns_a_receipt_whose_hash_is_listed_once_closed(
    client: TestClient, coop: Coop
) -> None:
    meeting = open_meeting(client, coop)
    bene = coop.tokens["Bénéficiaires 1"]
    cast = ok(ballot(client, meeting.election, bene, "for"), 201)
    assert cast["choice"] is None
    receipt = cast["receipt"]
    assert len(receipt["code"]) == 32 and len(receipt["ballot_hash"]) == 64
    second = ballot(client, meeting.election, bene, "against")
    assert second.status_code == 409 and "secret" in second.json()["detail"]
    early = client.get(f"{API}/resolutions/{meeting.election}/ballot-hashes", headers=bene)
    assert early.status_code == 409 and "clôture" in early.json()["detail"]
    panel = ok(client.get(f"{API}/resolutions/{meeting.election}/voting-panel", headers=bene))
    assert panel["slots"][0]["voted"] is True and panel["slots"][0]["can_vote"] is False
    ok(client.post(f"{API}/resolutions/{meeting.election}/close", headers=coop.secretary))
    listed = ok(client.get(f"{API}/resolutions/{meeting.election}/ballot-hashes", headers=bene))
    # Her ballot and the blank proxy's, which votes at the close.
    assert listed["count"] == 2 and receipt["ballot_hash"] in listed["hashes"]
    assert listed["hashes"] == sorted(listed["hashes"])
    public = client.get(f"{API}/resolutions/{meeting.accounts}/ballot-hashes", headers=bene)
    assert public.status_code == 409


def test_a_member_sees_their_own_ballot_and_each_proxy_they_hold(
    client: TestClient, coop: Coop
) -> None:
    meeting = open_meeting(client, coop)
    panel = ok(
        client.get(
            f"{API}/resolutions/{meeting.accounts}/voting-panel",
            headers=coop.tokens["Fondateurs 1"],
        )
    )
    assert [(s["member"], s["on_behalf"], s["can_vote"]) for s in panel["slots"]] == [
        (coop.id("Fondateurs 1"), False, True),
        (coop.id("Bénéficiaires 3"), True, True),
    ]
    principal = client.get(
        f"{API}/resolutions/{meeting.accounts}/voting-panel", headers=coop.tokens["Bénéficiaires 3"]
    )
    assert ok(principal)["slots"] == [] and "pouvoir" in ok(principal)["reason"]
    refused = ballot(client, meeting.accounts, coop.tokens["Bénéficiaires 3"], "for")
    assert refused.status_code == 409 and "mandataire" in refused.json()["detail"]


# ---- refusals -------------------------------------------------------------------------------


def test_a_vote_after_the_close_is_refused_with_the_closing_time(
    client: TestClient, coop: Coop
) -> None:
    meeting = open_meeting(client, coop)
    ok(client.post(f"{API}/resolutions/{meeting.accounts}/close", headers=coop.secretary))
    late = ballot(client, meeting.accounts, coop.tokens["Partenaires 1"], "for")
    assert late.status_code == 409
    assert late.json()["detail"].startswith("Le vote est clos depuis")


def test_voting_for_a_member_whose_proxy_one_does_not_hold_is_forbidden(
    client: TestClient, coop: Coop
) -> None:
    meeting = open_meeting(client, coop)
    refused = ballot(
        client,
        meeting.accounts,
        coop.tokens["Partenaires 1"],
        "for",
        on_behalf_of=coop.id("Bénéficiaires 3"),
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Vous ne détenez pas de pouvoir de Bene 3 pour cette assemblée."
    )
    paper = ballot(
        client,
        meeting.accounts,
        coop.tokens["Partenaires 1"],
        "for",
        member=coop.id("Salariés 1"),
        channel="correspondence",
    )
    assert paper.status_code == 403 and "secrétariat" in paper.json()["detail"]


def test_a_plain_member_can_neither_create_nor_convene_an_assembly(
    client: TestClient, coop: Coop
) -> None:
    member = coop.tokens["Partenaires 1"]
    body = {"title": "AG", "kind": "AGO", "convocation": 1, "scheduled_at": WHEN}
    assert client.post(f"{API}/assemblies", json=body, headers=member).status_code == 403
    assembly = create_assembly(client, coop)["id"]
    refused = client.post(
        f"{API}/assemblies/{assembly}/convene", json={"mode": "email"}, headers=member
    )
    assert refused.status_code == 403 and "réservée" in refused.json()["detail"]
    # A draft is the organisers' business: members do not even see it.
    assert client.get(f"{API}/assemblies/{assembly}", headers=member).status_code == 404
    assert ok(client.get(f"{API}/assemblies", headers=member)) == []


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"kind": "AGM"}, "kind"),
        ({"convocation": 3}, "convocation"),
        ({"convocation": True}, "convocation"),
        ({"scheduled_at": "0001-01-01T00:00:00+01:00"}, "scheduled_at"),
        ({"scheduled_at": "demain 14 h"}, "scheduled_at"),
        ({"scheduled_at": "2026-06-20T14:00:00"}, "scheduled_at"),
        ({"scheduled_at": "9999-12-31T23:59:59-23:59"}, "scheduled_at"),
        ({"title": "  "}, "title"),
        ({"colour": "vert"}, "colour"),
    ],
)
def test_a_bad_assembly_is_refused_naming_the_field(
    client: TestClient, coop: Coop, override: dict[str, Any], field: str
) -> None:
    body = {"title": "AG", "kind": "AGO", "convocation": 1, "scheduled_at": WHEN, **override}
    response = client.post(f"{API}/assemblies", json=body, headers=coop.secretary)
    assert response.status_code == 422, response.text
    assert field in problems(response)


def test_bad_resolution_attendance_and_ballot_inputs_are_refused_naming_the_field(
    client: TestClient, coop: Coop
) -> None:
    meeting = open_meeting(client, coop)
    resolutions = f"{API}/assemblies/{meeting.assembly}/resolutions"
    bad_kind = client.post(
        resolutions, json={"title": "X", "text": "Y", "kind": "vague"}, headers=coop.secretary
    )
    assert bad_kind.status_code == 422 and "kind" in problems(bad_kind)
    for majority in ("most", "custom:>=7/5", "custom:>=" + "1" * 40 + "/" + "3" * 41):
        bad_majority = client.post(
            resolutions,
            json={"title": "X", "text": "Y", "majority": majority},
            headers=coop.secretary,
        )
        assert bad_majority.status_code == 422 and "majority" in problems(bad_majority)
    bad_choice = ballot(client, meeting.accounts, coop.tokens["Partenaires 1"], "maybe")
    assert bad_choice.status_code == 422 and "maybe" in problems(bad_choice)["choice"]
    bad_mode = attend(client, coop, meeting.assembly, coop.id("Salariés 1"), "telepathy")
    assert bad_mode.status_code == 422 and "mode" in problems(bad_mode)
    for member in ("Bene 1", "99999999999", "-1"):
        unknown = attend(client, coop, meeting.assembly, member)
        assert unknown.status_code == 422 and "member" in problems(unknown), member
    missing = attend(client, coop, meeting.assembly, "999999")
    assert missing.status_code == 422 and "Membre inconnu" in problems(missing)["member"]
    mixed = ballot(client, meeting.accounts, coop.secretary, "for", member=coop.id("Salariés 1"))
    assert mixed.status_code == 422 and "member" in problems(mixed)
    past = client.post(
        f"{API}/resolutions/{meeting.accounts}/cancel", json={"reason": " "}, headers=coop.secretary
    )
    assert past.status_code == 422 and "reason" in problems(past)
    empty = client.patch(
        f"{API}/assemblies/{meeting.assembly}/minutes", json={}, headers=coop.secretary
    )
    assert empty.status_code == 422
    for fmt in ("docx", ""):
        export = client.get(
            f"{API}/assemblies/{meeting.assembly}/minutes?format={fmt}", headers=coop.admin
        )
        assert export.status_code == 422 and "format" in problems(export)
    sheet = client.get(
        f"{API}/assemblies/{meeting.assembly}/attendance-sheet?format=csv&separator=|",
        headers=coop.admin,
    )
    assert sheet.status_code == 422 and "separator" in problems(sheet)


def test_odd_ids_and_wrong_phases_are_answered_cleanly(client: TestClient, coop: Coop) -> None:
    for path in ("assemblies/99999999999999", "assemblies/abc", "assemblies/%00"):
        assert client.get(f"{API}/{path}", headers=coop.admin).status_code == 404, path
    for path in ("resolutions/99999999999999/result", "resolutions/x/ballot-hashes"):
        assert client.get(f"{API}/{path}", headers=coop.admin).status_code == 404, path
    assembly = create_assembly(client, coop)["id"]
    rid = add_resolution(client, coop, assembly, "Comptes")["id"]
    too_early = client.post(f"{API}/resolutions/{rid}/open", headers=coop.secretary)
    assert too_early.status_code == 409 and "Ouvrez d'abord" in too_early.json()["detail"]
    not_convened = client.post(f"{API}/assemblies/{assembly}/open", headers=coop.secretary)
    assert not_convened.status_code == 409
    assert (
        client.post(f"{API}/assemblies/{assembly}/publish", headers=coop.secretary).status_code
        == 409
    )
    cancelled = client.post(
        f"{API}/resolutions/{rid}/cancel", json={"reason": "Doublon"}, headers=coop.secretary
    )
    assert ok(cancelled)["status"] == "cancelled"
    assert ok(client.get(f"{API}/resolutions/{rid}/result", headers=coop.admin)) == {
        "status": "cancelled",
        "visible": False,
    }


def test_a_resolution_past_its_deadline_shows_closed_and_refuses_ballots(
    client: TestClient, coop: Coop, clock: Clock
) -> None:
    meeting = open_meeting(client, coop)
    rid = add_resolution(client, coop, meeting.assembly, "Affectation du résultat")["id"]
    naive = client.post(
        f"{API}/resolutions/{rid}/open",
        json={"deadline": "2026-06-15T18:00:00"},
        headers=coop.secretary,
    )
    assert naive.status_code == 422 and "deadline" in problems(naive)
    opened = client.post(
        f"{API}/resolutions/{rid}/open",
        json={"deadline": "2026-06-15T18:00:00+02:00"},
        headers=coop.secretary,
    )
    assert ok(opened)["deadline"] == "2026-06-15T18:00:00+02:00"
    assert ok(client.post(f"{API}/resolutions/{rid}/open", headers=coop.secretary)) == ok(opened)
    clock.advance(hours=8)
    shown = ok(client.get(f"{API}/assemblies/{meeting.assembly}", headers=coop.admin))
    assert {r["id"]: r["status"] for r in shown["agenda"]}[rid] == "closed"
    late = ballot(client, rid, coop.tokens["Partenaires 1"], "for")
    assert late.status_code == 409 and "à 18:00" in late.json()["detail"]  # Paris time
    # The late ballot (a write) recorded the close at its deadline: no need to wait for tick.
    shown_result = ok(client.get(f"{API}/resolutions/{rid}/result", headers=coop.admin))
    assert shown_result["status"] == "closed" and shown_result["visible"] is True
    closed = ok(client.get(f"{API}/resolutions/{rid}", headers=coop.admin))
    assert closed["closed_at"] == "2026-06-15T18:00:00+02:00"


def test_the_votes_of_an_agenda_open_and_close_together(client: TestClient, coop: Coop) -> None:
    assembly = create_assembly(client, coop)["id"]
    ids = [add_resolution(client, coop, assembly, t)["id"] for t in ("Comptes", "Budget", "Cap")]
    ok(
        client.post(
            f"{API}/assemblies/{assembly}/convene", json={"mode": "post"}, headers=coop.secretary
        )
    )
    for label in ("Fondateurs 1", "Fondateurs 2", "Partenaires 1"):  # quorum: 1/5 of 10
        ok(attend(client, coop, assembly, coop.id(label)), 201)
    ok(client.post(f"{API}/assemblies/{assembly}/open", headers=coop.secretary))
    member = coop.tokens["Fondateurs 1"]
    assert client.post(f"{API}/assemblies/{assembly}/votes/open", headers=member).status_code == 403

    opened = ok(
        client.post(
            f"{API}/assemblies/{assembly}/votes/open",
            json={"deadline": "2026-06-15T18:00:00+02:00"},
            headers=coop.secretary,
        )
    )
    assert [r["id"] for r in opened] == ids
    assert {r["status"] for r in opened} == {"open"}
    assert {r["deadline"] for r in opened} == {"2026-06-15T18:00:00+02:00"}
    again = client.post(f"{API}/assemblies/{assembly}/votes/open", headers=coop.secretary)
    assert again.status_code == 409
    ok(ballot(client, ids[0], member, "for"), 201)

    closed = ok(client.post(f"{API}/assemblies/{assembly}/votes/close", headers=coop.secretary))
    assert [r["status"] for r in closed] == ["closed"] * 3
    assert [r["adopted"] for r in closed] == [True, False, False]  # the two others: no vote
    shown = ok(client.get(f"{API}/assemblies/{assembly}", headers=coop.admin))
    assert shown["status"] == "open"
    none_left = client.post(f"{API}/assemblies/{assembly}/votes/close", headers=coop.secretary)
    assert none_left.status_code == 409 and "Aucun vote" in none_left.json()["detail"]


def test_a_live_secret_result_hides_a_small_college_and_the_overall_figures(
    client: TestClient, coop: Coop, uow: Uow
) -> None:
    from tests.factories import set_statutes

    set_statutes(uow, coop.fx, results_visibility="live")
    meeting = open_meeting(client, coop)
    for label in ("Bénéficiaires 1", "Fondateurs 1"):
        ok(ballot(client, meeting.election, coop.tokens[label], "for"), 201)
    live = ok(client.get(f"{API}/resolutions/{meeting.election}/result", headers=coop.admin))
    assert live["live"] is True and live["overall_hidden"] is True
    assert live["for_ratio"] is None and live["adopted"] is None and live["totals"] is None
    colleges = {c["name"]: c for c in live["colleges"]}
    assert all(c["hidden"] for c in colleges.values())  # no college has 3 expressed ballots yet
    for college in colleges.values():
        assert college["share_against"] is None and college["expressed"] is None
        assert college["for"] is None and college["not_voted"] is None
    ok(client.post(f"{API}/resolutions/{meeting.election}/close", headers=coop.secretary))
    final = ok(client.get(f"{API}/resolutions/{meeting.election}/result", headers=coop.admin))
    assert "overall_hidden" not in final and final["for_ratio"]["exact"] == "1"


def test_assemblies_of_another_organisation_are_out_of_reach(
    client: TestClient, coop: Coop, uow: Uow
) -> None:
    meeting = open_meeting(client, coop)
    other = make_org(uow, slug="autre", name="Autre coop")
    outsider = add_member(uow, other, "Oscar Dehors")
    other_admin = bearer(uow, other.admin.id)
    outsider_token = bearer(uow, outsider.user_id)
    # The other organisation's admin, through the coop's paths: not a member there.
    for method, path, body in [
        ("get", f"{API}/assemblies", None),
        ("get", f"{API}/assemblies/{meeting.assembly}", None),
        ("get", f"{API}/assemblies/{meeting.assembly}/quorum", None),
        ("get", f"{API}/assemblies/{meeting.assembly}/minutes", None),
        ("post", f"{API}/assemblies/{meeting.assembly}/close", None),
        ("get", f"{API}/resolutions/{meeting.accounts}/result", None),
        ("post", f"{API}/resolutions/{meeting.accounts}/ballots", {"choice": "for"}),
    ]:
        response = client.request(method, path, json=body, headers=other_admin)
        assert response.status_code in (403, 404), (path, response.status_code)
    # The coop's ids through the other organisation's paths do not exist there.
    elsewhere = "/api/v1/orgs/autre"
    for path in (f"assemblies/{meeting.assembly}", f"resolutions/{meeting.accounts}/result"):
        assert client.get(f"{elsewhere}/{path}", headers=other_admin).status_code == 404
    stolen = client.post(
        f"{elsewhere}/resolutions/{meeting.accounts}/ballots",
        json={"choice": "for"},
        headers=outsider_token,
    )
    assert stolen.status_code == 404
    foreign = client.post(
        f"{elsewhere}/assemblies",
        headers=other_admin,
        json={"title": "AG", "kind": "AGO", "scheduled_at": WHEN},
    )
    foreign_id = ok(foreign, 201)["id"]
    assert client.get(f"{API}/assemblies/{foreign_id}", headers=coop.admin).status_code == 404
    # A member of another organisation cannot be put on this assembly's attendance sheet.
    crossed = attend(client, coop, meeting.assembly, str(outsider.id))
    assert crossed.status_code == 422 and "member" in problems(crossed)


def test_requests_without_a_token_get_401(client: TestClient, coop: Coop) -> None:
    assert client.get(f"{API}/assemblies").status_code == 401
    assert client.post(f"{API}/assemblies", json={}).status_code == 401


# ---- exports --------------------------------------------------------------------------------


def test_the_minutes_show_the_per_college_table_and_the_audit_head_hash(
    client: TestClient, coop: Coop
) -> None:
    meeting = open_meeting(client, coop)
    ok(ballot(client, meeting.accounts, coop.tokens["Fondateurs 1"], "for"), 201)
    ok(client.post(f"{API}/assemblies/{meeting.assembly}/close", headers=coop.secretary))
    head = ok(client.get(f"{API}/audit/verify", headers=coop.admin))["head"]["hash"]
    minutes_url = f"{API}/assemblies/{meeting.assembly}/minutes"
    page = client.get(minutes_url, headers=coop.secretary)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Résultat par collège" in page.text and "Bénéficiaires" in page.text
    assert head in page.text and "Quorum atteint" in page.text
    # The rule applied reads in words, not codes.
    assert "collège sans membre : poids redistribué aux autres collèges" in page.text
    assert "agrégation proportionnelle" in page.text and "redistribute" not in page.text
    assert 'href="/api/v1/exports/minutes.css"' in page.text
    stylesheet = client.get("/api/v1/exports/minutes.css")  # no token: a saved page finds it
    assert stylesheet.status_code == 200 and stylesheet.headers["content-type"].startswith(
        "text/css"
    )
    assert "table" in stylesheet.text
    # Members read the minutes once published, not before.
    member = coop.tokens["Partenaires 1"]
    early = client.get(minutes_url, headers=member)
    assert early.status_code == 403 and "publié" in early.json()["detail"]
    ok(client.post(f"{API}/assemblies/{meeting.assembly}/publish", headers=coop.secretary))
    assert client.get(minutes_url, headers=member).status_code == 200
    pdf = client.get(f"{minutes_url}?format=pdf", headers=member)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    disposition = pdf.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="proces-verbal-coop-2026-06-20.pdf"' in disposition
    assert "filename*=UTF-8''proc%C3%A8s-verbal-coop-2026-06-20.pdf" in disposition


def test_the_attendance_sheet_exports_as_html_pdf_and_a_french_csv(
    client: TestClient, coop: Coop, uow: Uow
) -> None:
    meeting = open_meeting(client, coop)
    sheet = f"{API}/assemblies/{meeting.assembly}/attendance-sheet"
    page = client.get(sheet, headers=coop.secretary)
    assert page.status_code == 200 and "Bene 3" in page.text
    assert 'href="/api/v1/exports/minutes.css"' in page.text
    csv = client.get(f"{sheet}?format=csv", headers=coop.secretary)
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content.startswith("\ufeff".encode())
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["associé", "collège", "participation"]
    assert "total présent(e);7" in lines and "total représenté(e);2" in lines
    assert any("pouvoir en blanc" in line for line in lines)
    assert "feuille-de-pr%C3%A9sence-coop-2026-06-20.csv" in csv.headers["content-disposition"]
    commas = client.get(f"{sheet}?format=csv&separator=,", headers=coop.secretary)
    assert "total présent(e),7" in commas.content.decode("utf-8-sig").splitlines()
    auditor = add_member(uow, coop.fx, "Aude Iteur", associate=False, roles=("auditor",))
    pdf = client.get(f"{sheet}?format=pdf", headers=bearer(uow, auditor.user_id))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    refused = client.get(sheet, headers=coop.tokens["Partenaires 1"])
    assert refused.status_code == 403


def test_the_openapi_document_lists_the_assembly_paths(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, method in [
        ("/api/v1/orgs/{org}/assemblies", "post"),
        ("/api/v1/orgs/{org}/assemblies", "get"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}", "get"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/convene", "post"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/resolutions", "post"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/attendance", "post"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/open", "post"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/quorum", "get"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/minutes", "patch"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/minutes", "get"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/attendance-sheet", "get"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/close", "post"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/publish", "post"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/votes/open", "post"),
        ("/api/v1/orgs/{org}/assemblies/{assembly_id}/votes/close", "post"),
        ("/api/v1/orgs/{org}/resolutions/{resolution_id}/open", "post"),
        ("/api/v1/orgs/{org}/resolutions/{resolution_id}/close", "post"),
        ("/api/v1/orgs/{org}/resolutions/{resolution_id}/cancel", "post"),
        ("/api/v1/orgs/{org}/resolutions/{resolution_id}/ballots", "post"),
        ("/api/v1/orgs/{org}/resolutions/{resolution_id}/ballot-hashes", "get"),
        ("/api/v1/orgs/{org}/resolutions/{resolution_id}/result", "get"),
        ("/api/v1/exports/minutes.css", "get"),
    ]:
        operation = paths[path][method]
        assert operation["summary"] and operation["tags"], (path, method)
    result = paths["/api/v1/orgs/{org}/resolutions/{resolution_id}/result"]["get"]
    assert "ResultOut" in str(result["responses"]["200"])
