"""Exact numbers as the statutes write them: ``40``, ``"33.5"``, ``"33,5"``, ``"2/3"``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from governance.errors import ValidationError
from governance.i18n import M

# Exact numbers are short ("33.5", "2/3"): a longer text is refused before it is parsed, and a
# numerator or denominator of more digits after it, so that sums of weights stay computable and
# printable (Python refuses to print an integer of more than 4 300 digits) and that every stored
# value (``fraction_text``, at most 2 × 40 + 1 characters) parses back.
EXACT_MAX_LENGTH = 100
EXACT_MAX_DIGITS = 40
_FRACTION_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_DECIMAL_RE = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*$")


def parse_exact(raw: Any, field_name: str) -> Fraction:
    """Parse an exact non-negative number: ``40``, ``"33.5"``, ``"33,5"``, ``"2/3"``.

    Floats are refused: an exact weight cannot come from a binary approximation; so are texts
    longer than ``EXACT_MAX_LENGTH`` characters and numbers of more than ``EXACT_MAX_DIGITS``
    digits (numerator or denominator).
    """
    if isinstance(raw, bool | float):
        raise ValidationError.single(
            field_name,
            M(
                "{field} : nombre exact attendu (entier, décimal ou fraction en texte).",
                field=field_name,
            ),
        )
    if isinstance(raw, str) and len(raw) > EXACT_MAX_LENGTH:
        raise ValidationError.single(
            field_name,
            M(
                "{field} : nombre trop long ({n} caractères au plus).",
                field=field_name,
                n=EXACT_MAX_LENGTH,
            ),
        )
    if isinstance(raw, int):
        value = Fraction(raw)
    elif isinstance(raw, Fraction):
        value = raw
    elif isinstance(raw, Decimal):
        value = Fraction(raw)
    elif isinstance(raw, str) and (match := _FRACTION_RE.match(raw)):
        if int(match.group(2)) == 0:
            raise ValidationError.single(
                field_name, M("{field} : division par zéro.", field=field_name)
            )
        value = Fraction(int(match.group(1)), int(match.group(2)))
    elif isinstance(raw, str) and _DECIMAL_RE.match(raw):
        try:
            value = Fraction(Decimal(raw.strip().replace(",", ".")))
        except InvalidOperation:  # pragma: no cover — the regex admits only valid decimals
            raise ValidationError.single(field_name, M("Nombre invalide.")) from None
    else:
        raise ValidationError.single(
            field_name,
            M(
                "{field} : « {value} » n'est pas un nombre exact positif (ex. 40, 33.5 ou 2/3).",
                field=field_name,
                value=str(raw),
            ),
        )
    if value < 0:
        raise ValidationError.single(
            field_name, M("{field} doit être positif ou nul.", field=field_name)
        )
    if max(value.numerator, value.denominator) >= 10**EXACT_MAX_DIGITS:
        raise ValidationError.single(
            field_name,
            M(
                "{field} : nombre trop grand ou trop précis ({n} chiffres au plus).",
                field=field_name,
                n=EXACT_MAX_DIGITS,
            ),
        )
    return value


def fraction_text(value: Fraction) -> str:
    """``"40"`` or ``"67/2"``: the exact string form used in documents and the API."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"
