"""In Chromium: log in through the form, filter the members list with htmx, and check the
login page, the dashboard and the members list with axe-core (no serious or critical issue)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import MEMBERS, LiveServer, Tab
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_member_logs_in_filters_members_by_college_and_pages_pass_axe(
    live_server: LiveServer, tab: Tab
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert serious_violations(page) == []

    page.get_by_label("Adresse e-mail").fill("admin@coop.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server.url}/orgs")

    page.goto(f"{live_server.url}/orgs/coop")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Coop du Terreau")
    expect(page.get_by_role("img", name="Poids des collèges")).to_be_visible()
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/orgs/coop/members")
    rows = page.locator("#member-list tbody tr")
    expect(rows).to_have_count(len(MEMBERS) + 1)  # and the admin (an external member)
    assert serious_violations(page) == []

    # Marks this document: a full page load would lose the mark, an htmx swap keeps it.
    page.evaluate("() => { window.terreauMark = 'same document'; }")
    page.get_by_label("Collège", exact=True).select_option(label="Fondateurs")
    founders = sorted(name for name, college, _category in MEMBERS if college == "Fondateurs")
    expect(rows).to_have_count(len(founders))
    expect(page).to_have_url(re.compile(r"college=\d+"))
    assert sorted(rows.locator("th").all_inner_texts()) == founders
    assert page.evaluate("() => window.terreauMark") == "same document"

    assert serious_violations(page) == []
    assert tab.errors == [], "console errors (CSP violations?)"
