"""The departure form refuses a date before the admission or in the future, inline, and the
admission form refuses an admission in the future."""

from __future__ import annotations

from collections.abc import Callable

from governance.services import members
from governance.services.authz import get_org
from governance.store.uow import UnitOfWork
from tests.factories import OrgFixture, add_member
from tests.web.conftest import Browser


def test_the_departure_form_explains_a_date_in_the_future_or_before_the_admission(
    browser: Browser, coop: OrgFixture, uow: Callable[[], UnitOfWork]
) -> None:
    lou = add_member(uow, coop, "Lou Garnier")  # admitted today, 15 June 2026 (the test clock)
    browser.login("admin@coop.example")
    path = f"/orgs/coop/members/{lou.id}"

    future = browser.post(f"{path}/departure", {"on": "2026-06-30", "reason": "Déménagement"})
    early = browser.post(f"{path}/departure", {"on": "2026-06-14", "reason": "Déménagement"})

    assert future.status_code == 422
    assert 'id="departure-on-error"' in future.text
    assert "ne peut pas être dans le futur : au plus tard aujourd&#39;hui, 2026-06-15" in (
        future.text
    )
    assert 'value="2026-06-30"' in future.text  # what was typed stays in the form
    assert early.status_code == 422
    assert "ne peut pas précéder l&#39;admission, le 2026-06-15" in early.text
    with uow() as u:
        org = get_org(u.session, "coop")
        assert members.get_member(
            u, actor=coop.admin_actor, org=org, member_id=lou.id
        ).departed_on is None


def test_the_admission_form_refuses_an_admission_in_the_future(
    browser: Browser, coop: OrgFixture
) -> None:
    browser.login("admin@coop.example")

    response = browser.post(
        "/orgs/coop/members",
        {
            "name": "Noé Brun",
            "email": "noe@example.org",
            "associate": "associate",
            "category": str(coop.categories["Salariés"].id),
            "college": str(coop.colleges["Salariés"].id),
            "admitted_on": "2027-01-01",
        },
        page="/orgs/coop/members",
    )

    assert response.status_code == 422, response.text
    assert "La date d&#39;admission (2027-01-01) ne peut pas être dans le futur" in response.text
