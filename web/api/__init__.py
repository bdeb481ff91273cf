"""The JSON API under /api/v1 (contract: docs/api.md), authenticated by personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter

from web.api import assemblies, audit, orgs

routers: list[APIRouter] = [
    orgs.router,
    assemblies.router,
    assemblies.public_router,
    audit.router,
]
