"""Organisation pages: my organisations, dashboard, members, member detail, statutes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
