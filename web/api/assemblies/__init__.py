"""API: general assemblies — agenda, convocation, attendance and proxies, ballots, results, and the
procès-verbal and feuille de présence exports (HTML, PDF, CSV). Each endpoint renders a view or
calls one use case of ``governance.services.assemblies``."""

from __future__ import annotations

from . import ballots, exports, meetings, resolutions
from ._shared import public_router, router

__all__ = ["ballots", "exports", "meetings", "public_router", "resolutions", "router"]
