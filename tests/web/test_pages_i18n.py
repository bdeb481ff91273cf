"""The English catalog covers every text of the pages, keeps placeholders, and formats numbers
and dates the French way by default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from web import i18n

WEB = Path(i18n.__file__).resolve().parent
CATALOG = WEB / "locale" / "en" / "LC_MESSAGES" / "web.po"
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")
PAGE_ROUTES = ("auth.py", "orgs.py", "members.py", "statutes.py", "common.py")
# Messages of the services that the pages show most: login, permissions, validation.
DOMAIN_MESSAGES = (
    "Adresse e-mail ou mot de passe incorrect.",
    "Trop de tentatives de connexion. Réessayez dans quelques minutes.",
    "Connectez-vous pour accéder à cette page.",
    "Vous n'êtes pas membre de l'organisation {org}.",
    "Cette action est réservée aux rôles : {roles}.",
    "Organisation introuvable.",
    "Membre introuvable.",
    "Le nom est obligatoire.",
    "« {value} » n'est pas une adresse e-mail valide.",
    "Le mot de passe doit compter au moins {n} caractères.",
    "Un associé doit appartenir à un collège de vote.",
    "La somme des poids des collèges doit être exactement 100 % (actuellement {total} %).",
    "Le formulaire a expiré ou ne vient pas de Terreau (jeton CSRF invalide). "
    "Rechargez la page et recommencez.",
)


def catalog() -> dict[str, str]:
    with CATALOG.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle, locale="en") if m.id and m.string}


def template_messages() -> Iterator[tuple[str, str]]:
    for path in sorted((WEB / "templates").rglob("*.html")):
        with path.open("rb") as handle:
            for line, _func, message, _comments in babel_extract(
                handle, ("_", "gettext", "ngettext"), [], {}
            ):
                for text in message if isinstance(message, tuple) else (message,):
                    if text:
                        yield f"{path.name}:{line}", text


def route_messages() -> Iterator[tuple[str, str]]:
    keywords = {"M": None, "gettext": None, "flash": (2,)}
    for name in PAGE_ROUTES:
        with (WEB / "routes" / name).open("rb") as handle:
            for line, _func, message, _comments in extract_python(handle, keywords, [], {}):
                if isinstance(message, str) and message:
                    yield f"{name}:{line}", message


def test_every_text_of_the_pages_has_an_english_translation() -> None:
    english = catalog()

    missing = [
        f"{where}: {text}"
        for where, text in [*template_messages(), *route_messages()]
        if text not in english
    ]

    assert missing == []


def code_messages() -> Iterator[tuple[str, str]]:
    """Every message of the services and the web layer: ``M(...)``, ``gettext(...)``, flashes."""
    keywords = {"M": None, "gettext": None, "flash": (2,)}
    root = WEB.parent
    for path in sorted([*(root / "governance").rglob("*.py"), *WEB.rglob("*.py")]):
        with path.open("rb") as handle:
            for line, _func, message, _comments in extract_python(handle, keywords, [], {}):
                text = message[0] if isinstance(message, tuple) else message
                # "{reason}" and the like only pass on a message translated elsewhere.
                if isinstance(text, str) and text and PLACEHOLDER.sub("", text).strip():
                    yield f"{path.relative_to(root)}:{line}", text


def test_every_message_of_the_services_and_the_web_layer_has_an_english_translation() -> None:
    english = catalog()

    missing = [f"{where}: {text}" for where, text in code_messages() if text not in english]

    assert missing == []


def test_the_most_shown_domain_messages_are_translated() -> None:
    english = catalog()

    assert [m for m in DOMAIN_MESSAGES if m not in english] == []


def test_translations_keep_every_placeholder() -> None:
    broken = [
        msgid
        for msgid, msgstr in catalog().items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]

    assert broken == []


@pytest.mark.parametrize(
    ("language", "number", "percent", "day", "moment"),
    [
        ("fr", "1\u202f234,5", "33,33\u00a0%", "15 juin 2026", "15 juin 2026, 11:00"),
        ("en", "1,234.5", "33.33\u00a0%", "June 15, 2026", "15 Jun 2026, 11:00"),
    ],
)
def test_numbers_and_dates_follow_the_language(
    language: str, number: str, percent: str, day: str, moment: str
) -> None:
    token = i18n.current_language.set(language)
    try:
        assert i18n.fmt_number(Fraction(2469, 2)) == number
        assert i18n.fmt_percent(Fraction(100, 3)) == percent
        assert i18n.fmt_date(date(2026, 6, 15)) == day
        assert i18n.fmt_datetime(datetime(2026, 6, 15, 9, 0, tzinfo=UTC)) == moment
    finally:
        i18n.current_language.reset(token)
