"""Fixtures for the browser pages: an app per test (SQLite and PostgreSQL), clients, logins."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 fork and warns at import when it finds plain httpx (the
    # dev dependency); the client works the same. Narrow filter: this one message only.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from governance.store.uow import UnitOfWork
from tests.conftest import Clock, Outbox
from tests.factories import PASSWORD, OrgFixture, make_org
from web.app import create_app
from web.config import Settings

CSRF_FIELD_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token a page carries (hidden form field, else the meta htmx reads)."""
    match = CSRF_FIELD_RE.search(html) or CSRF_META_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """A TestClient that behaves like a person's browser: reads tokens from pages, posts forms."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        return self.client.get(url, **kwargs)  # type: ignore[arg-type]

    def csrf(self, url: str = "/login") -> str:
        return csrf_from(self.client.get(url).text)

    def post(
        self, url: str, data: dict[str, object] | None = None, *, page: str = "/login"
    ) -> httpx.Response:
        """Post a form like a browser would, with the CSRF token read from ``page`` (the token
        belongs to the browser session, so any page of the site carries the same one)."""
        token = self.csrf(page)
        return self.client.post(
            url, data={**(data or {}), "csrf_token": token}, follow_redirects=False
        )

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        return response


@pytest.fixture
def app(database_url: str, engine: Engine, outbox: Outbox, clock: Clock) -> Iterator[FastAPI]:
    """The app on the test's database (``engine`` empties PostgreSQL before the test)."""
    application = create_app(
        Settings(database_url=database_url, secret_key="x" * 40), mailer=outbox, clock=clock
    )
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A test client of the app (API calls carry their own bearer token)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app) as client:
        yield Browser(client)


@pytest.fixture
def new_browser(app: FastAPI) -> Iterator[Callable[[], Browser]]:
    """Open further browsers (other people) on the same app."""
    clients: list[TestClient] = []

    def make() -> Browser:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return Browser(client)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def coop(uow: Callable[[], UnitOfWork]) -> OrgFixture:
    """A SCIC in setup mode with four colleges and four categories, and its admin."""
    return make_org(uow)
