"""General assembly pages: the list and its creation form, the assembly with its voting panels,
results with per-college charts, the procès-verbal and feuille de présence exports, and the
secretary's console. Every rule and permission check lives in ``governance.services``; each page
renders one view of ``governance.services.assemblies.views``."""

from __future__ import annotations

from fastapi import APIRouter

from . import console, pages, results

routers: list[APIRouter] = [pages.router, results.router, console.router]
