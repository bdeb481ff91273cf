"""Parser for PrefLib ordinal files (.soi strict incomplete, .toc with ties, .soc, .toi) into
:class:`~voting.ranked.RankedBallots`; the caller reads the file, this module only parses text.
"""

from __future__ import annotations

from dataclasses import dataclass

from voting.errors import PreflibFormatError
from voting.ranked import RankedBallots


@dataclass(frozen=True, eq=False)
class PreflibProfile:
    """A parsed PrefLib file: one ballot row per distinct order, weighted by its count."""

    ballots: RankedBallots
    title: str | None
    data_type: str | None
    metadata: tuple[tuple[str, str], ...]


def parse_preflib(text: str) -> PreflibProfile:
    """Parse PrefLib text: ``# KEY: value`` header lines (``ALTERNATIVE NAME i`` gives names),
    then ``COUNT: a,b,{c,d},e`` lines, candidates numbered from 1, ``{…}`` a tie. Candidates left
    out of an order are unranked: tied below every ranked one (Debian's convention).
    """
    metadata: list[tuple[str, str]] = []
    names: dict[int, str] = {}
    orders: list[tuple[int, list[list[int]]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            key, value = key.strip(), value.strip()
            metadata.append((key, value))
            if key.upper().startswith("ALTERNATIVE NAME"):
                index = key.split()[-1]
                if not index.isdigit():
                    raise PreflibFormatError(f"Ligne {number} : numéro de candidat illisible.")
                names[int(index)] = value
            continue
        count_text, colon, order_text = line.partition(":")
        if not colon or not count_text.strip().isdigit():
            raise PreflibFormatError(f"Ligne {number} : attendu « NOMBRE: a,b,{{c,d}} ».")
        count = int(count_text.strip())
        if count == 0:
            continue
        orders.append((count, _parse_order(order_text, number)))
    header = dict((k.upper(), v) for k, v in metadata)
    declared = header.get("NUMBER ALTERNATIVES")
    seen = [c for _, order in orders for group in order for c in group]
    n_candidates = (
        int(declared) if declared and declared.isdigit() else max([*names, *seen], default=0)
    )
    if n_candidates < 1:
        raise PreflibFormatError("Aucun candidat dans le fichier PrefLib.")
    for candidate in seen:
        if not 1 <= candidate <= n_candidates:
            raise PreflibFormatError(f"Candidat {candidate} hors de 1…{n_candidates}.")
    candidates = tuple(names.get(i, str(i)) for i in range(1, n_candidates + 1))
    try:
        ballots = RankedBallots.from_rankings(
            [[tuple(c - 1 for c in group) for group in order] for _, order in orders],
            candidates,
            weights=[count for count, _ in orders],
        )
    except ValueError as error:
        raise PreflibFormatError(f"Fichier PrefLib incohérent : {error}") from error
    return PreflibProfile(
        ballots=ballots,
        title=header.get("TITLE"),
        data_type=header.get("DATA TYPE"),
        metadata=tuple(metadata),
    )


def _parse_order(text: str, number: int) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] | None = None
    token = ""

    def flush() -> None:
        nonlocal token
        value = token.strip()
        token = ""
        if not value:
            return
        if not value.isdigit():
            raise PreflibFormatError(f"Ligne {number} : candidat illisible {value!r}.")
        if current is None:
            groups.append([int(value)])
        else:
            current.append(int(value))

    for char in text:
        if char == "{":
            if current is not None:
                raise PreflibFormatError(f"Ligne {number} : accolades imbriquées.")
            flush()
            current = []
        elif char == "}":
            if current is None:
                raise PreflibFormatError(f"Ligne {number} : accolade fermante en trop.")
            flush()
            if current:
                groups.append(current)
            current = None
        elif char == ",":
            flush()
        else:
            token += char
    if current is not None:
        raise PreflibFormatError(f"Ligne {number} : accolade non fermée.")
    flush()
    return groups
