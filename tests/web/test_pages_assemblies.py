"""General assembly pages, through a browser-like client on both databases: the secretary
prepares, convenes and opens an assembly; members vote for themselves and by proxy in the htmx
panel; refusals explain themselves; results, exports, the console and who may reach what."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from governance.services import assemblies as ga
from governance.services.authz import Actor, get_org
from governance.store.tables import Member
from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.factories import (
    LINKS,
    OrgFixture,
    actor_of,
    add_member,
    make_assembly_org,
    make_org,
)
from tests.web.conftest import Browser

Uow = Callable[[], UnitOfWork]
Call = Callable[..., Any]
# Per college: weight, weight used, for, against, abstain, blank, not voted, share for,
# contribution — Fondateurs for, Partenaires against, Bénéficiaires for (by proxy), Salariés
# silent (weight redistributed): 65/90 for.
LIFECYCLE_ROWS = {
    "Fondateurs": "40 % | 44,44 % | 1 | 0 | 0 | 0 | 1 | 100 % | 44,44 %",
    "Partenaires": "25 % | 27,78 % | 0 | 1 | 0 | 0 | 1 | 0 % | 0 %",
    "Bénéficiaires": "25 % | 27,78 % | 1 | 0 | 0 | 0 | 2 | 100 % | 27,78 %",
    "Salariés": "10 % | 0 % | 0 | 0 | 0 | 0 | 2 | — | 0 %",
}


@dataclass
class Coop:
    """A SCIC with four colleges of associates, a secretary, an auditor and a participant."""

    fx: OrgFixture
    people: dict[str, list[Member]]
    secretary: Member
    auditor: Member
    participant: Member

    def member(self, college: str, index: int = 0) -> Member:
        return self.people[college][index]

    def email(self, college: str, index: int = 0) -> str:
        return self.member(college, index).user.email


@dataclass
class Opened:
    """An open assembly with one open resolution, seeded through the services."""

    assembly_id: int
    resolution_id: int

    @property
    def base(self) -> str:
        return f"/orgs/coop/assemblies/{self.assembly_id}"

    @property
    def resolution(self) -> str:
        return f"{self.base}/resolutions/{self.resolution_id}"

    @property
    def ballots(self) -> str:
        return f"{self.resolution}/ballots"


@pytest.fixture
def scic(uow: Uow) -> Coop:
    fx, people = make_assembly_org(uow)
    secretary = add_member(
        uow,
        fx,
        "Sophie Secrétaire",
        associate=False,
        category=None,
        college=None,
        roles=("secretary",),
    )
    auditor = add_member(
        uow,
        fx,
        "Armand Auditeur",
        associate=False,
        category=None,
        college=None,
        roles=("auditor",),
    )
    participant = add_member(uow, fx, "Paul Participant", associate=False, category=None)
    return Coop(fx, people, secretary, auditor, participant)


@pytest.fixture
def call(uow: Uow, scic: Coop) -> Call:
    """Run one service call in its own transaction (as the admin unless told otherwise)."""

    def run(fn: Callable[..., Any], actor: Actor | None = None, **kwargs: Any) -> Any:
        with uow() as u:
            org = u.session.merge(scic.fx.org)
            result = fn(u, actor=actor or scic.fx.admin_actor, org=org, **kwargs)
            u.commit()
        return result

    return run


def new_assembly(call: Call, title: str) -> Any:
    """A draft AGO on first convocation, on 20 June 2026 at 14:00 in Paris."""
    return call(
        ga.create_assembly,
        title=title,
        kind="AGO",
        convocation=1,
        scheduled_at="2026-06-20T14:00:00+02:00",
        place="Salle des fêtes",
    )


def open_vote(
    call: Call, scic: Coop, *, secret: bool = False, proxies: dict[str, str] | None = None
) -> Opened:
    """Seed an open assembly and resolution; ``proxies`` maps principal college → holder's."""
    assembly = new_assembly(call, "AG 2026")
    resolution = call(
        ga.add_resolution,
        assembly_id=assembly.id,
        title="Approbation des comptes",
        text="L'assemblée approuve les comptes.",
        secret=secret,
    )
    call(ga.convene, assembly_id=assembly.id, mode="email", links=LINKS)
    for principal, holder in (proxies or {}).items():
        call(
            ga.record_attendance,
            assembly_id=assembly.id,
            member_id=scic.member(principal).id,
            mode="proxy",
            holder_id=scic.member(holder).id,
        )
    for college in ("Fondateurs", "Partenaires"):
        call(
            ga.record_attendance,
            assembly_id=assembly.id,
            member_id=scic.member(college).id,
            mode="present",
        )
    call(ga.open_assembly, assembly_id=assembly.id)
    call(ga.open_resolution, resolution_id=resolution.id)
    return Opened(assembly.id, resolution.id)


def close_vote(call: Call, opened: Opened) -> None:
    call(ga.close_resolution, resolution_id=opened.resolution_id)


def cells(html: str, row_header: str) -> list[str]:
    """The text of each cell of the table row headed ``row_header``."""
    match = re.search(rf'<th scope="row">{re.escape(row_header)}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row {row_header!r}"
    return [
        " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), flags=re.S)
    ]


def text_of(html: str) -> str:
    """The page as text: tags dropped, entities decoded, spaces (and no-break spaces) collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def vote_buttons(html: str) -> list[tuple[str, str]]:
    """The vote buttons of a page: (id of the member they vote for, choice)."""
    return re.findall(r'<button id="vote-\d+-(\d+)-(\w+)"', html)


def htmx(current: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Current-URL": f"http://testserver{current}"}


def post_htmx(browser: Browser, url: str, data: dict[str, object], current: str) -> httpx.Response:
    """Post like htmx does: the CSRF token in a header, the fragment headers."""
    token = browser.csrf(current)
    return browser.client.post(
        url, data=data, headers={**htmx(current), "X-CSRF-Token": token}, follow_redirects=False
    )


# ---- the whole lifecycle through the pages -------------------------------------------------


def test_the_secretary_runs_an_assembly_and_members_vote_through_the_pages(
    browser: Browser, new_browser: Callable[[], Browser], scic: Coop, outbox: Outbox
) -> None:
    browser.login(scic.secretary.user.email)
    created = browser.post(
        "/orgs/coop/assemblies",
        {
            "title": "AG ordinaire 2026",
            "kind": "AGO",
            "convocation": "1",
            "scheduled_at": "2026-06-20T14:00",
            "place": "Salle des fêtes",
        },
    )
    base = created.headers["location"].removesuffix("/console")
    added = browser.post(
        f"{base}/resolutions",
        {
            "title": "Approbation des comptes",
            "text": "L'assemblée approuve les comptes de l'exercice 2025.",
            "kind": "ordinary",
            "majority": "",
            "board_proposed": "1",
        },
    )
    rid = re.search(r'/resolutions/(\d+)/cancel"', browser.get(added.headers["location"]).text)
    assert created.status_code == added.status_code == 303 and rid
    rid_path = f"{base}/resolutions/{rid.group(1)}"

    convened = browser.post(f"{base}/convene", {"mode": "email"})
    after_convening = browser.get(convened.headers["location"]).text
    present = browser.post(
        f"{base}/attendance", {"member": scic.member("Fondateurs").id, "mode": "present"}
    )
    proxy = browser.post(
        f"{base}/attendance",
        {
            "member": scic.member("Bénéficiaires").id,
            "mode": "proxy",
            "holder": scic.member("Partenaires").id,
        },
    )
    opened = browser.post(f"{base}/open")
    after_opening = browser.get(opened.headers["location"]).text
    vote_opened = browser.post(f"{rid_path}/open", {"deadline": ""})

    assert "Convocation envoyée à 9 associé(s)." in after_convening
    convocations = [m for m in outbox.messages if m.subject.startswith("Convocation")]
    assert len(convocations) == 9 and f"{base}\n" in convocations[0].body
    assert present.status_code == proxy.status_code == vote_opened.status_code == 303
    assert "Assemblée ouverte : quorum atteint (2 associés sur 9)." in after_opening
    sheet = browser.get(base).text
    assert cells(sheet, "Bene 1")[1:3] == ["Représenté·e (pouvoir)", "Part 1"]

    founder, partner = new_browser(), new_browser()
    founder.login(scic.email("Fondateurs"))
    partner.login(scic.email("Partenaires"))
    ballots = f"{rid_path}/ballots"
    votes = [
        founder.post(ballots, {"choice": "for", "next": base}),
        partner.post(ballots, {"choice": "against", "next": base}),
        partner.post(
            ballots,
            {"choice": "for", "on_behalf_of": scic.member("Bénéficiaires").id, "next": base},
        ),
    ]

    assert [v.status_code for v in votes] == [303, 303, 303]
    assert votes[0].headers["location"] == base
    assert "Votre vote « pour » est enregistré." in founder.get(base).text
    assert "Le vote « pour » de Bene 1 est enregistré (par pouvoir)." in partner.get(base).text

    closed = browser.post(f"{rid_path}/close")
    assert (
        "Vote clos sur la résolution n° 1 : adoptée."
        in browser.get(closed.headers["location"]).text
    )

    results = founder.get(f"{rid_path}/results")
    page = results.text
    assert results.status_code == 200
    assert "Résolution adoptée" in page
    assert {college: " | ".join(cells(page, college)[:9]) for college in LIFECYCLE_ROWS} == (
        LIFECYCLE_ROWS
    )
    shown = text_of(page)
    assert "Part des voix pour 72,22 % (valeur exacte : 13/18)" in shown
    assert "majorité simple (plus de la moitié) — plus de 1/2 (50 %)" in shown
    assert "Statuts appliqués version 1" in shown
    assert '<svg class="chart__svg"' in page and 'role="img"' in page
    assert "Fondateurs : pour 100 %, contre 0 %" in shown  # the chart's text alternative


def test_assembly_dates_are_typed_and_shown_in_the_organisations_timezone(
    browser: Browser, scic: Coop, uow: Uow
) -> None:
    browser.login(scic.secretary.user.email)

    browser.post(
        "/orgs/coop/assemblies",
        {
            "title": "AG d'été",
            "kind": "AGE",
            "convocation": "2",
            "scheduled_at": "2026-06-20T14:00",
        },
    )

    with uow() as u:
        org = get_org(u.session, "coop")
        [assembly] = ga.list_assemblies(u, actor=scic.fx.admin_actor, org=org)
        assert assembly.scheduled_at == datetime(2026, 6, 20, 12, 0, tzinfo=UTC)  # Paris, summer
    listing = text_of(browser.get("/orgs/coop/assemblies").text)
    assert "AG d'été AGE, 2e convocation 20 juin 2026, 14:00 Brouillon" in listing


def test_creating_an_assembly_with_bad_input_shows_the_messages_next_to_the_fields(
    browser: Browser, scic: Coop
) -> None:
    browser.login(scic.secretary.user.email)

    response = browser.post(
        "/orgs/coop/assemblies",
        {"title": " ", "kind": "AGO", "convocation": "3", "scheduled_at": "demain"},
    )

    assert response.status_code == 422
    html = response.text
    assert 'id="new-title-field-error"' in html and "Le titre est obligatoire." in html
    assert 'id="new-convocation-error"' in html and "convocation vaut 1 ou 2." in html
    assert 'id="new-when-error"' in html and "Date et heure invalides « demain »" in html
    assert "Aucune assemblée pour l'instant." in html


def test_members_see_convened_assemblies_but_neither_drafts_nor_the_creation_form(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    draft = call(
        ga.create_assembly,
        title="AG secrète en préparation",
        kind="AGO",
        convocation=1,
        scheduled_at="2026-09-01T10:00:00+02:00",
    )
    browser.login(scic.email("Salariés"))

    listing = browser.get("/orgs/coop/assemblies").text

    assert "AG 2026" in listing and "AG secrète en préparation" not in listing
    assert "Préparer une assemblée" not in listing
    assert browser.get(f"/orgs/coop/assemblies/{draft.id}").status_code == 404
    assert 'href="/orgs/coop/assemblies"' in browser.get(opened.base).text  # navigation


# ---- the voting panel ----------------------------------------------------------------------


def test_the_assembly_page_shows_agenda_quorum_convocation_and_exactly_my_vote_buttons(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic, proxies={"Bénéficiaires": "Partenaires"})
    holder, principal = scic.member("Partenaires"), scic.member("Bénéficiaires")
    browser.login(holder.user.email)

    page = browser.get(opened.base).text
    shown = text_of(page)

    assert "Résolution n° 1 — Approbation des comptes Vote ouvert" in shown
    assert "Présents 2 À distance 0 Représentés 1 Par correspondance 0" in shown
    assert "Quorum requis : 1/5 (20 %), par tête." in shown and "Le quorum est atteint." in shown
    assert "à 9 associé(s)." in shown
    assert "Mon vote" in shown and "Pour Bene 1 (pouvoir)" in shown
    assert vote_buttons(page) == [
        (str(who), choice)
        for who in (holder.id, principal.id)
        for choice in ("for", "against", "abstain", "blank")
    ]
    assert 'hx-post="' + opened.ballots + '"' in page
    assert f'hx-target="#panel-{opened.resolution_id}"' in page
    assert "Feuille de présence" not in shown  # organisers and auditors only


def test_a_member_who_gave_a_proxy_sees_why_they_have_no_button(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic, proxies={"Bénéficiaires": "Partenaires"})
    browser.login(scic.email("Bénéficiaires"))

    page = browser.get(opened.base).text
    refused = browser.post(opened.ballots, {"choice": "for"})

    assert vote_buttons(page) == []
    assert "Vous avez donné pouvoir pour cette assemblée." in page
    assert refused.status_code == 409
    assert "votre mandataire vote pour vous" in text_of(refused.text)


def test_an_htmx_ballot_gets_back_only_the_updated_panel(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.email("Fondateurs"))

    response = post_htmx(browser, opened.ballots, {"choice": "for"}, opened.base)

    assert response.status_code == 200
    fragment = response.text
    assert fragment.lstrip().startswith(f'<section id="panel-{opened.resolution_id}"')
    assert "<html" not in fragment and "Ordre du jour" not in fragment
    assert "Votre vote « pour » est enregistré." in fragment
    assert "Vote enregistré : pour." in text_of(fragment)
    assert "HX-Request" in response.headers["vary"]
    assert f'name="next" value="{opened.base}"' in fragment  # back to where the panel lives
    changed = post_htmx(browser, opened.ballots, {"choice": "against"}, opened.base)
    assert "Votre vote est modifié : « contre »." in changed.text


def test_a_member_without_a_college_sees_no_button_and_a_ballot_is_refused_with_the_reason(
    browser: Browser, scic: Coop, uow: Uow, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.participant.user.email)

    page = browser.get(opened.base).text
    plain = browser.post(opened.ballots, {"choice": "for"})
    fragment = post_htmx(browser, opened.ballots, {"choice": "for"}, opened.base)

    assert vote_buttons(page) == []
    assert "Vous n&#39;êtes pas membre d&#39;un collège votant." in page
    assert plain.status_code == 403
    assert "Vous n&#39;êtes pas membre d&#39;un collège votant." in plain.text
    assert fragment.status_code == 403 and fragment.headers["x-terreau-fragment"] == "panel"
    assert 'role="alert"' in fragment.text and "<html" not in fragment.text
    with uow() as u:
        org = get_org(u.session, "coop")
        resolution = ga.get_resolution(u, org, opened.resolution_id)
        assert ga.counts_by_college(u, resolution) == {}


def test_a_ballot_after_the_close_is_refused_with_the_closing_time(
    browser: Browser, scic: Coop, clock: Clock, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.email("Fondateurs"))
    page_before = browser.get(opened.base).text
    clock.advance(minutes=30)
    close_vote(call, opened)

    refused = browser.post(opened.ballots, {"choice": "for"})
    fragment = post_htmx(browser, opened.ballots, {"choice": "for"}, opened.base)
    page_after = browser.get(opened.base).text

    assert vote_buttons(page_before) and vote_buttons(page_after) == []
    assert refused.status_code == 409
    assert "Le vote est clos depuis le 15/06/2026 à 11:30." in refused.text
    assert "Le vote est clos depuis le 15/06/2026 à 11:30." in fragment.text
    assert "Voir les résultats" not in page_after  # the closed item links its results instead
    assert "Résultats : Approbation des comptes" in page_after


def test_a_vote_past_its_deadline_is_closed_for_members_before_any_tick(
    browser: Browser,
    new_browser: Callable[[], Browser],
    scic: Coop,
    clock: Clock,
    call: Call,
    uow: Uow,
) -> None:
    opened = open_vote(call, scic)
    later = call(ga.add_resolution, assembly_id=opened.assembly_id, title="Budget", text="Budget.")
    browser.login(scic.secretary.user.email)
    browser.post(
        f"{opened.base}/resolutions/{later.id}/open", {"deadline": "2026-06-15T12:00"}
    )  # noon in Paris, 10:00 UTC; the clock says 09:00 UTC
    member = new_browser()
    member.login(scic.email("Fondateurs"))
    before = member.get(opened.base).text
    clock.advance(hours=2)

    page = member.get(opened.base).text
    refused = member.post(f"{opened.base}/resolutions/{later.id}/ballots", {"choice": "for"})
    results = member.get(f"{opened.base}/resolutions/{later.id}/results").text

    assert f'id="vote-{later.id}-' in before and "clôture le 15 juin 2026, 12:00" in before
    assert f'id="vote-{later.id}-' not in page
    assert f'id="vote-{opened.resolution_id}-' in page  # the other vote is still open
    assert "Résolution n° 2 — Budget Vote clos" in text_of(page)
    assert refused.status_code == 409
    assert "Le vote est clos depuis le 15/06/2026 à 12:00." in refused.text
    # The late ballot (a write) recorded the close first; the results page shows it at once.
    assert "Résultat par collège" in results and "Résolution rejetée" in text_of(results)
    assert "dès que le secrétariat aura enregistré la clôture" not in results
    assert ga.tick(uow).closed == []  # already recorded: tick has nothing left to close


def test_an_open_panel_refreshes_itself_and_a_polled_panel_is_a_fragment(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.email("Fondateurs"))

    page = browser.get(opened.base).text
    polled = browser.get(opened.resolution, headers=htmx(opened.base))
    close_vote(call, opened)
    after = browser.get(opened.resolution, headers=htmx(opened.base))

    assert 'hx-trigger="every 10s"' in page
    assert polled.text.lstrip().startswith(f'<section id="panel-{opened.resolution_id}"')
    assert vote_buttons(after.text) == [] and 'hx-trigger="every 10s"' not in after.text
    assert "Le vote sur cette résolution est clos." in after.text


def test_a_secret_ballot_shows_its_receipt_once_and_is_final(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic, secret=True)
    browser.login(scic.email("Fondateurs"))

    response = post_htmx(browser, opened.ballots, {"choice": "against"}, opened.base)
    fragment = response.text
    code = re.search(r'<code class="receipt__code">([0-9a-f]{32})</code>', fragment)
    digest = re.search(r'<code class="receipt__hash">([0-9a-f]{64})</code>', fragment)
    again = browser.post(opened.ballots, {"choice": "for"})
    page = browser.get(opened.base).text

    assert response.status_code == 200 and code and digest
    assert response.headers["cache-control"] == "no-store"
    assert "Votre bulletin secret est déposé ; il est définitif." in fragment
    assert "Conservez ce reçu : il ne sera plus jamais affiché." in fragment
    assert 'hx-trigger="every 10s"' not in fragment  # nothing erases the receipt
    assert again.status_code == 409
    assert "le bulletin de Fond 1 est déjà déposé et ne peut plus changer" in text_of(again.text)
    assert vote_buttons(page) == [] and code.group(1) not in page
    assert "Bulletin secret déposé : il est définitif." in page

    close_vote(call, opened)
    results = browser.get(f"{opened.resolution}/results?hash={digest.group(1)}").text
    wrong = browser.get(f"{opened.resolution}/results?hash={'0' * 64}").text
    assert f"<code>{digest.group(1)}</code>" in results
    assert "Votre bulletin figure dans la liste : il a été compté." in results
    assert "Cette empreinte ne figure pas dans la liste." in wrong
    assert cells(results, "Fondateurs")[2:4] == ["0", "1"]


def test_a_secret_ballot_without_javascript_shows_the_receipt_in_the_page(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic, secret=True)
    browser.login(scic.email("Partenaires"))

    response = browser.post(opened.ballots, {"choice": "for", "next": opened.base})

    assert response.status_code == 200 and "<html" in response.text
    assert re.search(r'<code class="receipt__code">[0-9a-f]{32}</code>', response.text)
    assert response.headers["cache-control"] == "no-store"


# ---- results -------------------------------------------------------------------------------


def test_results_stay_hidden_until_the_close_unless_the_statutes_show_them_live(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.email("Fondateurs"))
    browser.post(opened.ballots, {"choice": "for"})

    hidden = browser.get(f"{opened.resolution}/results")

    assert hidden.status_code == 200
    assert "les résultats restent cachés jusqu'à la clôture" in hidden.text
    assert "<table" not in hidden.text and "<svg" not in hidden.text


def test_a_non_quorate_assembly_shows_a_resolution_as_not_adopted_for_lack_of_quorum(
    browser: Browser, scic: Coop, call: Call
) -> None:
    assembly = new_assembly(call, "AG clairsemée")
    resolution = call(ga.add_resolution, assembly_id=assembly.id, title="Budget", text="Budget.")
    call(ga.convene, assembly_id=assembly.id, mode="post", links=LINKS)
    call(ga.open_assembly, assembly_id=assembly.id)
    call(ga.open_resolution, resolution_id=resolution.id)
    call(
        ga.cast_ballot,
        actor=actor_of(scic.member("Fondateurs").user),
        resolution_id=resolution.id,
        choice="for",
    )
    call(ga.close_resolution, resolution_id=resolution.id)
    browser.login(scic.email("Fondateurs"))

    page = browser.get(
        f"/orgs/coop/assemblies/{assembly.id}/resolutions/{resolution.id}/results"
    ).text

    assert "Résolution non adoptée : quorum non atteint" in page
    assert (
        "Quorum non atteint à l'ouverture"
        in browser.get(f"/orgs/coop/assemblies/{assembly.id}").text
    )


# ---- exports -------------------------------------------------------------------------------


def test_the_secretary_downloads_the_minutes_and_the_attendance_sheet(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    close_vote(call, opened)
    browser.login(scic.secretary.user.email)

    html = browser.get(f"{opened.base}/minutes?format=html")
    pdf = browser.get(f"{opened.base}/minutes?format=pdf")
    sheet = browser.get(f"{opened.base}/attendance-sheet?format=csv")
    sheet_html = browser.get(f"{opened.base}/attendance-sheet")
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', html.text)
    assert stylesheet
    css = browser.get(stylesheet.group(1))

    assert html.status_code == 200 and "Procès-verbal — AG 2026" in html.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert sheet.status_code == 200 and sheet.content.startswith("\ufeff".encode())
    assert "Fond 1;Fondateurs;présent(e)" in sheet.content.decode("utf-8-sig")
    assert sheet_html.status_code == 200 and "Fond 1" in sheet_html.text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert browser.get(f"{opened.base}/minutes?format=docx").status_code == 422


def test_members_read_the_minutes_only_once_published(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    call(ga.close_assembly, assembly_id=opened.assembly_id)
    browser.login(scic.email("Salariés"))

    before = browser.get(f"{opened.base}/minutes")
    links_before = browser.get(opened.base).text
    call(ga.publish_minutes, assembly_id=opened.assembly_id)
    after = browser.get(f"{opened.base}/minutes")

    assert before.status_code == 403
    assert "une fois publié" in before.text
    assert "/minutes?format=pdf" not in links_before
    assert after.status_code == 200
    assert "/minutes?format=pdf" in browser.get(opened.base).text


# ---- the secretary's console -------------------------------------------------------------


def test_the_console_records_correspondence_cancels_and_publishes_the_minutes(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    other = call(
        ga.add_resolution, assembly_id=opened.assembly_id, title="Retirée", text="Sera retirée."
    )
    browser.login(scic.secretary.user.email)
    salarie = scic.member("Salariés")

    paper = browser.post(
        f"{opened.base}/correspondence",
        {"resolution": opened.resolution_id, "member": salarie.id, "choice": "against"},
    )
    after_paper = browser.get(paper.headers["location"]).text
    no_reason = browser.post(f"{opened.base}/resolutions/{other.id}/cancel", {"reason": " "})
    cancelled = browser.post(
        f"{opened.base}/resolutions/{other.id}/cancel", {"reason": "Texte à revoir"}
    )
    minutes = browser.post(
        f"{opened.base}/minutes",
        {
            "chair": "Fond 1",
            "secretary_name": "Sophie Secrétaire",
            "scrutineers": "Part 1",
            "documents": "Comptes 2025",
            "debates": "Débat nourri.",
            "incidents": "",
        },
    )
    closed = browser.post(f"{opened.base}/close")
    published = browser.post(f"{opened.base}/publish")
    console = browser.get(f"{opened.base}/console").text

    assert paper.status_code == 303
    assert "Vote par correspondance de Sala 1 enregistré (résolution n° 1)." in after_paper
    assert cells(after_paper, "Sala 1")[1] == "Vote par correspondance"
    assert no_reason.status_code == 422
    assert f'id="cancel-reason-{other.id}-error"' in no_reason.text
    assert "Indiquez pourquoi la résolution est retirée." in no_reason.text
    assert cancelled.status_code == minutes.status_code == closed.status_code == 303
    assert published.status_code == 303
    assert "Procès-verbal publié : les membres peuvent le consulter." in console
    assert "Enregistrer le contenu du procès-verbal" not in console
    assert "Retirée" in text_of(console)  # the cancelled resolution's badge
    assert "Débat nourri." in browser.get(f"{opened.base}/minutes").text
    results = browser.get(f"{opened.resolution}/results").text
    assert cells(results, "Salariés")[3] == "1"  # the paper ballot counted, against


def test_the_console_opens_and_closes_the_waiting_votes_together(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    more = [
        call(ga.add_resolution, assembly_id=opened.assembly_id, title=t, text=f"{t}.")
        for t in ("Budget", "Cap 2027")
    ]
    browser.login(scic.secretary.user.email)

    console = browser.get(f"{opened.base}/console").text
    past = browser.post(f"{opened.base}/votes/open", {"deadline": "2020-01-01T10:00"})
    done = browser.post(f"{opened.base}/votes/open", {"deadline": ""})
    after_open = browser.get(done.headers["location"]).text
    closed = browser.post(f"{opened.base}/votes/close")
    after_close = browser.get(closed.headers["location"]).text

    assert "Ouvrir ensemble les 2 votes en attente" in console
    assert past.status_code == 422 and "L'échéance doit être dans le futur." in text_of(past.text)
    assert 'id="open-all-deadline-error"' in past.text
    assert done.status_code == 303 and "Vote ouvert sur 2 résolution(s)." in after_open
    assert "Clore ensemble les 3 votes ouverts" in after_open
    assert "Votes clos sur 3 résolution(s) : 0 adoptée(s)." in after_close
    for resolution in more:
        assert f"Résultats de la résolution n° {resolution.position}" in after_close
    assert "Clore ensemble" not in after_close and "Clore l'assemblée" in text_of(after_close)


def test_the_console_shows_service_refusals_inline(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic, proxies={"Bénéficiaires": "Partenaires"})
    browser.login(scic.secretary.user.email)

    passed_on = browser.post(
        f"{opened.base}/attendance",
        {
            "member": scic.member("Bénéficiaires", 1).id,
            "mode": "proxy",
            "holder": scic.member("Bénéficiaires").id,
        },
    )
    later = call(
        ga.add_resolution, assembly_id=opened.assembly_id, title="Plus tard", text="Plus tard."
    )
    past = browser.post(
        f"{opened.base}/resolutions/{later.id}/open", {"deadline": "2020-01-01T10:00"}
    )

    assert passed_on.status_code == 422
    assert 'id="attendance-holder-error"' in passed_on.text
    assert (
        "Pouvoir refusé : Bene 1 est lui-même représenté(e) ; un pouvoir ne se transmet pas."
        in passed_on.text
    )
    assert 'value="' + str(scic.member("Bénéficiaires", 1).id) + '" selected' in passed_on.text
    assert past.status_code == 422
    assert f'id="open-deadline-{later.id}-error"' in past.text
    assert "L&#39;échéance doit être dans le futur." in past.text


def test_an_associate_gives_a_proxy_from_the_assembly_page(
    browser: Browser, scic: Coop, call: Call
) -> None:
    assembly = new_assembly(call, "AG à venir")
    call(ga.convene, assembly_id=assembly.id, mode="email", links=LINKS)
    base = f"/orgs/coop/assemblies/{assembly.id}"
    browser.login(scic.email("Salariés"))
    holder = scic.member("Fondateurs")

    form = browser.get(base).text
    given = browser.post(f"{base}/participation", {"mode": "proxy", "holder": holder.id})
    page = browser.get(base).text
    to_self = browser.post(
        f"{base}/participation", {"mode": "proxy", "holder": scic.member("Salariés").id}
    )

    assert "Comment participez-vous ?" in form and "Je donne pouvoir" in form
    assert "Je participerai à distance" not in form  # the statutes do not allow it
    assert given.status_code == 303
    assert "Pouvoir donné à Fond 1 : cette personne votera pour vous." in page
    assert "Enregistrée : Représenté·e (pouvoir) — mandataire : Fond 1." in text_of(page)
    assert to_self.status_code == 422
    assert "On ne se donne pas pouvoir à soi-même." in to_self.text


def test_a_plain_member_cannot_reach_the_console_or_its_actions(
    browser: Browser, scic: Coop, uow: Uow, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.email("Fondateurs"))
    rid = opened.resolution_id

    console = browser.get(f"{opened.base}/console")
    page = browser.get(opened.base).text
    writes = [
        browser.post("/orgs/coop/assemblies", {"title": "Pirate", "kind": "AGO"}),
        browser.post(f"{opened.base}/resolutions", {"title": "Pirate", "text": "x"}),
        browser.post(f"{opened.base}/convene", {"mode": "email"}),
        browser.post(
            f"{opened.base}/attendance",
            {"member": scic.member("Partenaires").id, "mode": "present"},
        ),
        browser.post(
            f"{opened.base}/correspondence",
            {"resolution": rid, "member": scic.member("Salariés").id, "choice": "for"},
        ),
        browser.post(f"{opened.base}/open"),
        browser.post(f"{opened.base}/resolutions/{rid}/close"),
        browser.post(f"{opened.base}/resolutions/{rid}/cancel", {"reason": "pirate"}),
        browser.post(f"{opened.base}/minutes", {"debates": "pirate"}),
        browser.post(f"{opened.base}/close"),
        browser.post(f"{opened.base}/publish"),
    ]

    assert console.status_code == 403
    assert "Console du secrétariat" not in page
    assert [w.status_code for w in writes] == [403] * len(writes)
    explained = ("Cette action est réservée aux rôles", "Seul le secrétariat enregistre")
    assert [w.url for w in writes if not any(reason in w.text for reason in explained)] == []
    with uow() as u:
        org = get_org(u.session, "coop")
        assert ga.get_resolution(u, org, rid).status == "open"


def test_an_auditor_reads_the_attendance_sheet_and_minutes_but_cannot_act(
    browser: Browser, scic: Coop, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.auditor.user.email)

    page = browser.get(opened.base).text

    assert "Feuille de présence" in page and cells(page, "Fond 1")[1] == "Présent·e"
    assert browser.get(f"{opened.base}/minutes").status_code == 200
    assert browser.get(f"{opened.base}/console").status_code == 403
    assert browser.post(f"{opened.resolution}/close").status_code == 403


def test_outsiders_anonymous_visitors_and_wrong_addresses_get_nothing(
    browser: Browser, scic: Coop, uow: Uow, call: Call
) -> None:
    opened = open_vote(call, scic)
    other = make_org(uow, slug="autre", name="Autre Coop")
    add_member(uow, other, "Oscar Autre")

    anonymous = browser.get(opened.base, follow_redirects=False)
    browser.login("oscar.autre@autre.example")
    reads = [
        browser.get(path)
        for path in (
            "/orgs/coop/assemblies",
            opened.base,
            opened.resolution,
            f"{opened.resolution}/results",
            f"{opened.base}/minutes",
            f"{opened.base}/attendance-sheet?format=csv",
        )
    ]
    ballot = browser.post(opened.ballots, {"choice": "for"})
    through_other_org = browser.get(f"/orgs/autre/assemblies/{opened.assembly_id}")

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert [r.status_code for r in reads] == [403] * len(reads)
    assert "Approbation des comptes" not in "".join(r.text for r in reads)
    assert ballot.status_code == 403
    assert through_other_org.status_code in (403, 404)
    browser.post("/logout")
    browser.login(scic.email("Fondateurs"))
    assert browser.get("/orgs/coop/assemblies/999999").status_code == 404
    assert browser.get(f"{opened.base}/resolutions/999999").status_code == 404
    assert browser.get("/orgs/coop/assemblies/99999999999999999999").status_code in (404, 422)


def test_a_ballot_without_a_csrf_token_is_refused(
    browser: Browser, scic: Coop, uow: Uow, call: Call
) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.email("Fondateurs"))

    forged = browser.client.post(opened.ballots, data={"choice": "for"}, follow_redirects=False)
    forged_htmx = browser.client.post(
        opened.ballots, data={"choice": "for"}, headers=htmx(opened.base), follow_redirects=False
    )

    assert forged.status_code == forged_htmx.status_code == 403
    assert "jeton CSRF invalide" in forged.text
    with uow() as u:
        org = get_org(u.session, "coop")
        resolution = ga.get_resolution(u, org, opened.resolution_id)
        assert ga.counts_by_college(u, resolution) == {}


def test_the_pages_render_in_english(browser: Browser, scic: Coop, call: Call) -> None:
    opened = open_vote(call, scic)
    browser.login(scic.email("Fondateurs"))
    browser.client.cookies.set("terreau_lang", "en")

    page = text_of(browser.get(opened.base).text)
    voted = post_htmx(browser, opened.ballots, {"choice": "for"}, opened.base)

    assert "Agenda" in page and "My vote" in page and "Ordre du jour" not in page
    assert "Quorum reached at the opening (2 associates out of 9)." in page
    assert "Resolution no. 1 — Approbation des comptes Vote open" in page
    assert "Your vote “for” is recorded." in text_of(voted.text)
