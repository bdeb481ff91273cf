"""Every audit event recorded by the code is an ``AuditAction``, and every ``AuditAction`` is
recorded somewhere: the list in governance/rules/audit_events.py is the whole vocabulary."""

from __future__ import annotations

import ast
from pathlib import Path

from governance.rules.audit_events import AuditAction

GOVERNANCE = Path(__file__).resolve().parents[2] / "governance"


def _sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in GOVERNANCE.rglob("*.py")}


def _member(node: ast.expr) -> str | None:
    """``AuditAction.X`` → ``X``; anything else → None."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ):
        return node.attr
    return None


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _recorded_actions(function: ast.AST) -> list[tuple[int, list[str | None]]]:
    """The actions of each ``….record(action=…)`` call in a function: line, candidate members."""
    found = []
    for call in ast.walk(function):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        if call.func.attr != "record":
            continue
        for keyword in call.keywords:
            if keyword.arg != "action":
                continue
            value = keyword.value
            if isinstance(value, ast.IfExp):
                candidates = [_member(value.body), _member(value.orelse)]
            elif isinstance(value, ast.Name):  # action = AuditAction.X … record(action=action)
                candidates = [
                    _member(assign.value)
                    for assign in ast.walk(function)
                    if isinstance(assign, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == value.id for t in assign.targets)
                ] or [None]
            else:
                candidates = [_member(value)]
            found.append((call.lineno, candidates))
    return found


def test_every_recorded_action_is_an_audit_action_member() -> None:
    calls, wrong = 0, []
    for path, tree in _sources().items():
        for function in _functions(tree):
            for line, candidates in _recorded_actions(function):
                calls += 1
                if None in candidates or not set(candidates) <= set(AuditAction.__members__):
                    wrong.append(f"{path.relative_to(GOVERNANCE.parent)}:{line}")
    assert calls > 30  # the parse found the services' calls
    assert sorted(set(wrong)) == []


def test_every_audit_action_is_recorded_somewhere() -> None:
    used = {
        member
        for path, tree in _sources().items()
        if path.name != "audit_events.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.expr) and (member := _member(node)) is not None
    }
    assert set(AuditAction.__members__) - used == set()


def test_each_event_kind_is_listed_once_and_reads_area_dot_event() -> None:
    values = [action.value for action in AuditAction]
    assert len(AuditAction.__members__) == len(values) == len(set(values))  # no alias
    for action in AuditAction:
        area, _, event = action.value.partition(".")
        assert area and event and action.name == f"{area}_{event}".upper()
