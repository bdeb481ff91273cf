"""The majority a resolution requires, as the statutes name it (``simple``, ``custom:>=3/5`` …)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from governance.errors import ValidationError
from governance.i18n import M
from governance.rules.statutes.exact import parse_exact

_CUSTOM_MAJORITY_RE = re.compile(r"^custom:(>=|>)(\d+/\d+|\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Majority:
    """A majority rule: ratio of votes for compared with ``threshold`` (strictly or not)."""

    name: str
    threshold: Fraction
    strict: bool

    @classmethod
    def parse(cls, raw: Any, field_name: str = "majority") -> Majority:
        text = str(raw).strip() if raw is not None else ""
        named = {
            "simple": cls("simple", Fraction(1, 2), True),
            "two_thirds": cls("two_thirds", Fraction(2, 3), False),
            "three_quarters": cls("three_quarters", Fraction(3, 4), False),
            "unanimity": cls("unanimity", Fraction(1), False),
        }
        if text in named:
            return named[text]
        match = _CUSTOM_MAJORITY_RE.match(text.replace(" ", ""))
        if match:
            threshold = parse_exact(match.group(2), field_name)
            if 0 < threshold <= 1:
                return cls(text.replace(" ", ""), threshold, match.group(1) == ">")
        raise ValidationError.single(
            field_name,
            M(
                "{field} : majorité inconnue « {value} » ; valeurs possibles : simple, "
                "two_thirds, three_quarters, unanimity, ou custom:>=3/5 / custom:>3/5.",
                field=field_name,
                value=text,
            ),
        )

    def is_met(self, ratio: Fraction) -> bool:
        return ratio > self.threshold if self.strict else ratio >= self.threshold
