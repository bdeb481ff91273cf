"""Languages: French first (message ids are French), English from gettext catalogs.

Catalogs are the ``.po`` files under ``web/locale/<lang>/LC_MESSAGES/``; every file there is
loaded and merged, so each area keeps its own file. They are read with Babel at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"
LANGUAGE_COOKIE = "terreau_lang"
"""The cookie that keeps a browser's language choice (set by the account page)."""

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def _load(language: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                key = message.id if isinstance(message.id, str) else message.id[0]
                value = message.string if isinstance(message.string, str) else message.string[0]
                messages[key] = value
    return messages


_CATALOGS: dict[str, dict[str, str]] = {lang: _load(lang) for lang in LANGUAGES if lang != "fr"}


def reload_catalogs() -> None:
    for lang in list(_CATALOGS):
        _CATALOGS[lang] = _load(lang)


def gettext(message: str) -> str:
    """Translate a French message id into the current language (French: unchanged)."""
    language = current_language.get()
    if language == "fr":
        return message
    return _CATALOGS.get(language, {}).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def translator(language: str) -> Callable[[str], str]:
    table = _CATALOGS.get(language, {})
    return (lambda m: m) if language == "fr" else (lambda m: table.get(m, m))


def pick_language(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate and candidate[:2].lower() in LANGUAGES:
            return candidate[:2].lower()
    return DEFAULT_LANGUAGE


# ---- formats (French conventions by default) --------------------------------------------


def fmt_number(value: int | float | Decimal | Fraction, digits: int = 2) -> str:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return format_decimal(value, format=f"#,##0.{'#' * digits}", locale=current_language.get())


def fmt_percent(value: Fraction | Decimal | int | str, digits: int = 2) -> str:
    """Show an exact percentage rounded for display (the exact value is kept elsewhere)."""
    if isinstance(value, str):
        value = Fraction(value)
    return fmt_number(Fraction(value), digits) + "\u00a0%"


def fmt_datetime(value: datetime | None, tz: str = "Europe/Paris") -> str:
    if value is None:
        return ""
    # Day, month, year, hours and minutes: seconds mean nothing to a member reading a date.
    return format_datetime(
        value.astimezone(ZoneInfo(tz)), format="d MMM y, HH:mm", locale=current_language.get()
    )


def fmt_date(value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, format="long", locale=current_language.get())
