"""Row ids as the databases hold them: 32-bit integers (PostgreSQL ``integer``)."""

from __future__ import annotations

MAX_ID = 2**31 - 1


def parse_id(raw: str) -> int | None:
    """The id a text gives: ASCII digits within the 32-bit range, else None.

    ``str.isdigit`` also admits "²" or "①", which ``int`` refuses, and ``int`` refuses texts of
    more than 4 300 digits: both are checked before converting.
    """
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None
