"""API: organisations, categories, colleges, members, statutes, compliance, audit."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
