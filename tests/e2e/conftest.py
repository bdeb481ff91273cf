"""Browser tests: a real server (uvicorn in a thread) on a seeded SQLite file, and Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from governance.store.engine import make_engine, make_session_factory
from governance.store.uow import UnitOfWork
from tests.conftest import Outbox
from tests.factories import OrgFixture, add_member, make_org
from web.app import create_app
from web.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

MEMBERS = (
    ("Alice Martin", "Fondateurs", "Fondateurs"),
    ("Bruno Petit", "Partenaires", "Fondateurs"),
    ("Chloé Durand", "Bénéficiaires", "Bénéficiaires"),
    ("David Leroy", "Salariés", "Salariés"),
    ("Émilie Moreau", "Fondateurs", "Fondateurs"),
)


@dataclass
class LiveServer:
    url: str
    coop: OrgFixture


def _seed(database_url: str) -> OrgFixture:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)

    def make_uow() -> UnitOfWork:
        return UnitOfWork(factory, mailer=Outbox([]))

    coop = make_org(make_uow)
    for name, college, category in MEMBERS:
        add_member(make_uow, coop, name, college=college, category=category)
    engine.dispose()
    return coop


@pytest.fixture
def live_server(sqlite_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """Serve a seeded copy of the migrated SQLite template on a free 127.0.0.1 port."""
    database = tmp_path / "terreau.db"
    shutil.copy(sqlite_template, database)
    database_url = f"sqlite:///{database}"
    coop = _seed(database_url)
    app = create_app(
        Settings(database_url=database_url, secret_key="e2e-" + "x" * 40), mailer=Outbox([])
    )
    # The socket listens before the thread starts, so the browser's first request simply
    # waits in the backlog: no polling for readiness.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", http="h11")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", coop=coop)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        app.state.engine.dispose()
        assert not thread.is_alive(), "the test server did not stop"


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (make sysdeps installs it)", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A browser page and the errors it logged (CSP violations show up as console errors)."""

    page: Any
    errors: list[str]


@pytest.fixture
def tab(chromium: Any) -> Iterator[Tab]:
    """A fresh page with axe-core injected as an init script (DevTools injection: the page's
    own CSP still applies to everything the page loads itself)."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield Tab(page, errors)
    finally:
        context.close()
