"""Majorities a resolution can require: simple, two thirds, three quarters, unanimity, custom.

Comparisons are exact (``Fraction``); a float is refused: no threshold is decided by rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from voting.errors import PolicyError

SIMPLE_NAME = "simple"
TWO_THIRDS_NAME = "two_thirds"
THREE_QUARTERS_NAME = "three_quarters"
UNANIMITY_NAME = "unanimity"
CUSTOM_NAME = "custom"


@dataclass(frozen=True)
class Majority:
    """A threshold on ``for_ratio``: met when ratio > threshold (strict) or ratio >= threshold.

    Build one with the constants (``SIMPLE``, ``TWO_THIRDS``, ``THREE_QUARTERS``, ``UNANIMITY``),
    :func:`custom_majority` or :func:`parse_majority`; ``code`` is the text form that
    :func:`parse_majority` reads back.
    """

    name: str
    threshold: Fraction
    strict: bool

    def __post_init__(self) -> None:
        if not isinstance(self.threshold, Fraction):
            raise PolicyError("Le seuil d'une majorité doit être une fraction exacte.")
        if not 0 <= self.threshold <= 1:
            raise PolicyError(f"Le seuil de majorité {self.threshold} doit être entre 0 et 1.")
        if self.strict and self.threshold == 1:
            raise PolicyError("Une majorité « plus de 100 % » ne peut jamais être atteinte.")
        if not self.strict and self.threshold == 0:
            raise PolicyError("Une majorité « au moins 0 % » adopterait sans aucune voix pour.")

    @property
    def code(self) -> str:
        """Text form: the name, or ``custom:>3/5`` / ``custom:>=3/5``."""
        if self.name != CUSTOM_NAME:
            return self.name
        return f"{CUSTOM_NAME}:{'>' if self.strict else '>='}{self.threshold}"

    @property
    def label(self) -> str:
        """French label for pages and minutes (« plus de 1/2 », « au moins 2/3 », « unanimité »)."""
        if self.name == UNANIMITY_NAME:
            return "unanimité des suffrages exprimés"
        return f"{'plus de' if self.strict else 'au moins'} {self.threshold}"

    def is_met(self, ratio: Fraction | None) -> bool:
        """Say whether exact ``ratio`` meets this majority (``None``, no expressed vote: never)."""
        return majority_met(ratio, self)


SIMPLE = Majority(SIMPLE_NAME, Fraction(1, 2), strict=True)
TWO_THIRDS = Majority(TWO_THIRDS_NAME, Fraction(2, 3), strict=False)
THREE_QUARTERS = Majority(THREE_QUARTERS_NAME, Fraction(3, 4), strict=False)
# Unanimity: for_ratio == 1, which also implies at least one vote (or weight) for.
UNANIMITY = Majority(UNANIMITY_NAME, Fraction(1), strict=False)

NAMED_MAJORITIES: dict[str, Majority] = {
    m.name: m for m in (SIMPLE, TWO_THIRDS, THREE_QUARTERS, UNANIMITY)
}


def custom_majority(threshold: Fraction | int | str, *, strict: bool) -> Majority:
    """Build a custom majority from an exact threshold (``Fraction``, int or text like "3/5")."""
    if isinstance(threshold, float | bool):
        raise PolicyError("Le seuil d'une majorité doit être exact (pas un nombre à virgule).")
    try:
        value = Fraction(threshold)
    except (ValueError, ZeroDivisionError) as error:
        raise PolicyError(f"Seuil de majorité illisible : {threshold!r}.") from error
    return Majority(CUSTOM_NAME, value, strict=strict)


def parse_majority(text: str) -> Majority:
    """Read a majority: "simple", "two_thirds", "three_quarters", "unanimity", or a custom
    threshold ">3/5", ">=3/5" (also "≥3/5", "custom:>3/5"; a bare "3/5" means ">=3/5")."""
    value = text.strip()
    if value in NAMED_MAJORITIES:
        return NAMED_MAJORITIES[value]
    value = value.removeprefix(f"{CUSTOM_NAME}:").strip()
    for prefix, strict in ((">=", False), ("≥", False), (">", True)):
        if value.startswith(prefix):
            return custom_majority(value[len(prefix) :].strip(), strict=strict)
    if value and value[0].isdigit():
        return custom_majority(value, strict=False)
    raise PolicyError(
        f"Majorité inconnue : {text!r} (attendu simple, two_thirds, three_quarters, "
        "unanimity ou un seuil comme >3/5 ou >=3/5)."
    )


def majority_met(ratio: Fraction | None, majority: Majority | str) -> bool:
    """Say whether an exact ``for_ratio`` meets ``majority``.

    ``None`` (no expressed vote at all) is never adopted. Unanimity is ratio == 1, which implies at
    least one vote for. A float ratio is refused: thresholds are decided on exact rationals.
    """
    rule = parse_majority(majority) if isinstance(majority, str) else majority
    if ratio is None:
        return False
    if isinstance(ratio, float) or not isinstance(ratio, Fraction | int):
        raise PolicyError("Le taux de voix pour doit être une fraction exacte.")
    if rule.name == UNANIMITY_NAME:
        return ratio == 1
    if rule.strict:
        return ratio > rule.threshold
    return ratio >= rule.threshold
