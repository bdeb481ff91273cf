"""The JSON API under /api/v1, authenticated by personal API tokens.

The contract is the Terreau API specification (``spec/api.md``); the README's API section sums up
its conventions and says what is implemented.
"""

from __future__ import annotations

from fastapi import APIRouter

from web.api import assemblies, audit, members, orgs, statutes

routers: list[APIRouter] = [
    orgs.router,
    members.router,
    statutes.router,
    assemblies.router,
    assemblies.public_router,
    audit.router,
]
