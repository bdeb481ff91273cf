"""The assembly pages speak English too: every message of their routes, and every message of
the assembly services and rules that they show, has an English translation."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from babel.messages.extract import extract_python

from governance.exports import minutes
from governance.rules import assemblies as rules
from governance.services import assemblies as services
from tests.web.test_pages_i18n import catalog
from web.routes import assemblies as routes

KEYWORDS = {"M": None, "gettext": None, "flash": (2,)}
NOT_TRANSLATABLE = {"{reason}"}  # wraps a message of the voting kernels, which stay French


def files_of(path: Path) -> list[Path]:
    """A module's file, or every file of a package (its folder)."""
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def marked_messages(path: Path) -> Iterator[tuple[str, str]]:
    """Messages marked with M(), gettext() or flash() in a module or a package."""
    for one in files_of(path):
        yield from _marked_in(one)


def _marked_in(path: Path) -> Iterator[tuple[str, str]]:
    with path.open("rb") as handle:
        for line, _func, message, _comments in extract_python(handle, KEYWORDS, [], {}):
            parts = message if isinstance(message, tuple) else (message,)
            text = next((part for part in parts if part), None)
            if text and text not in NOT_TRANSLATABLE:
                yield f"{path.name}:{line}", text


def panel_reasons(path: Path) -> Iterator[tuple[str, str]]:
    """Plain strings the voting panel service gives as its reason (``panel.reason = "…"``)."""
    nodes = [n for f in files_of(path) for n in ast.walk(ast.parse(f.read_text(encoding="utf-8")))]
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Attribute) and t.attr == "reason" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield f"{path.name}:{node.lineno}", node.value.value


def source(module: object) -> Path:
    """The module's file, or a package's folder (its modules are split by use case)."""
    path = Path(str(getattr(module, "__file__", "")))
    return path.parent if path.name == "__init__.py" else path


def test_every_message_of_the_assembly_routes_has_an_english_translation() -> None:
    english = catalog()

    missing = [
        f"{where}: {text}" for where, text in marked_messages(source(routes)) if text not in english
    ]

    assert missing == []


def test_the_assembly_service_messages_the_pages_show_are_translated() -> None:
    english = catalog()
    shown = [
        *marked_messages(source(services)),
        *marked_messages(source(rules)),
        *marked_messages(source(minutes)),
        *panel_reasons(source(services)),
    ]

    missing = [f"{where}: {text}" for where, text in shown if text not in english]

    assert len(shown) > 50
    assert missing == []
