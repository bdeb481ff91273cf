"""What an assembly's agenda is made of: assembly kinds, convocation modes, resolution kinds and
the default majority of each (per the statutes)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from voting.quorum import AssemblyKind as AssemblyKind  # re-exported: voting names the kinds


class ConvocationMode(StrEnum):
    """How the convocation was sent."""

    EMAIL = "email"
    POST = "post"
    BOTH = "both"


class ResolutionKind(StrEnum):
    """What a resolution decides; its default majority comes from the statutes."""

    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"
    STATUTES_CHANGE = "statutes_change"
    ELECTION = "election"


ASSEMBLY_KINDS = tuple(kind.value for kind in AssemblyKind)
ASSEMBLY_KIND_LABELS = {
    "AGO": "Assemblée générale ordinaire",
    "AGE": "Assemblée générale extraordinaire",
    "AGO_EXTRA": "Assemblée générale ordinaire réunie extraordinairement",
}
CONVOCATION_MODES = tuple(mode.value for mode in ConvocationMode)
RESOLUTION_KINDS = tuple(kind.value for kind in ResolutionKind)


def default_majority_name(kind: str, assembly_kind: str, defaults: Mapping[str, str]) -> str:
    """The majority of a resolution when none is given: from its kind, per the statutes."""
    if kind == "ordinary" and assembly_kind == "AGE":
        kind = "extraordinary"
    return defaults.get(kind, "simple")
