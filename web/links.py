"""The web application's addresses for emails and printed messages (``governance`` asks for them
through the ``Links`` protocol and never builds a URL itself)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class WebLinks:
    """Absolute URLs under ``base_url`` (the ``TERREAU_BASE_URL`` setting)."""

    base_url: str

    def _url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"

    def login(self) -> str:
        return self._url("/login")

    def invitation(self, token: str) -> str:
        return self._url(f"/invitation/{quote(token, safe='')}")

    def assembly(self, org_slug: str, assembly_id: int) -> str:
        return self._url(f"/orgs/{quote(org_slug, safe='')}/assemblies/{assembly_id}")

    def results(self, org_slug: str, assembly_id: int, resolution_id: int) -> str:
        return f"{self.assembly(org_slug, assembly_id)}/resolutions/{resolution_id}/results"
