"""The addresses that emails point to, given by the caller: services never build web URLs.

The web layer (``web.links.WebLinks``) knows its own paths; the command line and the tests pass
the same object. Without links (None), an email simply carries no link.
"""

from __future__ import annotations

from typing import Protocol


class Links(Protocol):
    """Absolute URLs of the pages an email may point to."""

    def login(self) -> str: ...

    def invitation(self, token: str) -> str: ...

    def assembly(self, org_slug: str, assembly_id: int) -> str: ...

    def results(self, org_slug: str, assembly_id: int, resolution_id: int) -> str: ...
