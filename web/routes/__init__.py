"""Browser pages (server-rendered, htmx); every state-changing request carries a CSRF token."""

from __future__ import annotations

from fastapi import APIRouter

from web.routes import assemblies, auth, members, orgs, statutes

routers: list[APIRouter] = [
    auth.router,
    orgs.router,
    members.router,
    statutes.router,
    *assemblies.routers,
]
