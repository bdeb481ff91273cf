"""The voting kernels stay pure: no import of governance, web or SQLAlchemy, no debt markers."""

from __future__ import annotations

import ast
from pathlib import Path

VOTING = Path(__file__).resolve().parents[3] / "voting"
FORBIDDEN = {"governance", "web", "sqlalchemy"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_voting_imports_nothing_from_governance_web_or_sqlalchemy():
    modules = sorted(VOTING.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        assert not imported_roots(module) & FORBIDDEN, module.name


def test_every_voting_module_has_a_short_docstring():
    for module in VOTING.glob("*.py"):
        docstring = ast.get_docstring(ast.parse(module.read_text(encoding="utf-8")))
        assert docstring, module.name
        assert 1 <= len(docstring.splitlines()) <= 3, module.name


def test_voting_has_no_debt_markers():
    markers = ("TO" + "DO", "FIX" + "ME", "NotImplemented" + "Error")
    for module in VOTING.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert not any(marker in text for marker in markers), module.name
