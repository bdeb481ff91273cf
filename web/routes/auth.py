"""Login, logout, invitations, language choice and the account page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
