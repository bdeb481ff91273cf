"""Reading one policy of a statutes patch: every value checked, every problem named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Protocol

from governance.errors import FieldProblem, ValidationError
from governance.i18n import M
from governance.rules.statutes.defaults import (
    ABSTENTION_POLICIES,
    ASSEMBLY_KINDS,
    COLLEGE_POLICIES,
    QUORUM_BASES,
    RESOLUTION_KINDS,
    RESULTS_VISIBILITY,
)
from governance.rules.statutes.exact import fraction_text, parse_exact
from governance.rules.statutes.majority import Majority


class CurrentPolicies(Protocol):
    """What a patch reads of the statutes it changes (``model.Statutes`` provides it)."""

    @property
    def quorum(self) -> Mapping[str, Mapping[str, str | None]]: ...

    @property
    def majority_defaults(self) -> Mapping[str, str]: ...


def parse_policy(key: str, raw: Any, current: CurrentPolicies) -> Any:
    """One policy of a patch, checked and normalised (``POLICY_KEYS`` names them)."""
    if key == "abstention_policy":
        return _choice(key, raw, ABSTENTION_POLICIES)
    if key in ("empty_college_policy", "silent_college_policy"):
        return _college_policy(key, raw)
    if key == "aggregation":
        return _aggregation(raw)
    if key == "quorum_basis":
        return _choice(key, raw, QUORUM_BASES)
    if key == "results_visibility":
        return _choice(key, raw, RESULTS_VISIBILITY)
    if key in ("proxy_holder_must_be_member", "allow_remote", "multi_college_members"):
        return _boolean(key, raw)
    if key in ("college_weight_min", "college_weight_max"):
        return parse_exact(raw, key)
    if key == "max_proxies_per_holder":
        return _proxy_cap(raw)
    if key == "quorum":
        return _quorum(raw, current)
    if key == "majority_defaults":
        return _majorities(raw, current)
    raise AssertionError(key)  # pragma: no cover — POLICY_KEYS is exhaustive


def _choice(key: str, raw: Any, allowed: Sequence[str]) -> str:
    if not isinstance(raw, str) or raw not in allowed:
        raise ValidationError.single(
            key,
            M(
                "{field} doit valoir {values} (reçu « {value} »).",
                field=key,
                values=", ".join(allowed),
                value=str(raw),
            ),
        )
    return raw


def _boolean(key: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false", "oui", "non", "1", "0"):
        return raw.lower() in ("true", "oui", "1")
    raise ValidationError.single(key, M("{field} doit valoir true ou false.", field=key))


def _college_policy(key: str, raw: Any) -> str:
    if isinstance(raw, str) and raw.startswith("merge_into:") and raw.split(":", 1)[1].strip():
        return "merge_into:" + raw.split(":", 1)[1].strip()
    return _choice(key, raw, (*COLLEGE_POLICIES, "merge_into:<collège>"))


def _aggregation(raw: Any) -> dict[str, str]:
    key = "aggregation"
    if raw == "proportional" or (isinstance(raw, Mapping) and raw.get("kind") == "proportional"):
        return {"kind": "proportional"}
    if isinstance(raw, Mapping) and raw.get("kind") == "bloc":
        threshold = parse_exact(raw.get("threshold", "1/2"), "aggregation.threshold")
        if not Fraction(1, 2) <= threshold < 1:
            raise ValidationError.single(
                "aggregation.threshold",
                M("Le seuil du vote par bloc est une fraction d'au moins 1/2 et de moins de 1."),
            )
        second = _boolean("aggregation.second_round", raw.get("second_round", True))
        return {
            "kind": "bloc",
            "threshold": fraction_text(threshold),
            "second_round": "true" if second else "false",
        }
    raise ValidationError.single(
        key,
        M("aggregation vaut « proportional » ou un bloc : kind=bloc, threshold (ex. 1/2)."),
    )


def _proxy_cap(raw: Any) -> int | str | None:
    if raw is None or raw == "":
        return None
    if raw == "scop":
        return "scop"
    try:
        value = int(str(raw))
    except ValueError:
        value = -1
    if value < 0 or isinstance(raw, bool | float):
        raise ValidationError.single(
            "max_proxies_per_holder",
            M("max_proxies_per_holder : entier positif, « scop » ou vide (pas de limite)."),
        )
    return value


def _quorum(raw: Any, current: CurrentPolicies) -> dict[str, dict[str, str | None]]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(
            "quorum", M("quorum associe à AGO/AGE/AGO_EXTRA un quorum par convocation (1, 2).")
        )
    merged = {k: dict(v) for k, v in current.quorum.items()}
    problems: list[FieldProblem] = []
    for kind, by_conv in raw.items():
        if kind not in ASSEMBLY_KINDS or not isinstance(by_conv, Mapping):
            problems.append(
                FieldProblem(f"quorum.{kind}", M("Type d'assemblée inconnu : {kind}.", kind=kind))
            )
            continue
        for conv, value in by_conv.items():
            name = f"quorum.{kind}.{conv}"
            if str(conv) not in ("1", "2"):
                problems.append(FieldProblem(name, M("Convocation 1 ou 2 attendue.")))
                continue
            if value is None or value == "":
                merged.setdefault(kind, {})[str(conv)] = None
                continue
            try:
                fraction = parse_exact(value, name)
            except ValidationError as error:
                problems.extend(error.problems)
                continue
            if fraction > 1:
                problems.append(FieldProblem(name, M("Un quorum est une fraction entre 0 et 1.")))
                continue
            merged.setdefault(kind, {})[str(conv)] = fraction_text(fraction)
    if problems:
        raise ValidationError(problems)
    return merged


def _majorities(raw: Any, current: CurrentPolicies) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValidationError.single(
            "majority_defaults", M("majority_defaults associe un type de résolution à sa majorité.")
        )
    merged = dict(current.majority_defaults)
    problems: list[FieldProblem] = []
    for kind, value in raw.items():
        name = f"majority_defaults.{kind}"
        if kind not in RESOLUTION_KINDS:
            problems.append(
                FieldProblem(name, M("Type de résolution inconnu : {kind}.", kind=kind))
            )
            continue
        try:
            merged[kind] = Majority.parse(value, name).name
        except ValidationError as error:
            problems.extend(error.problems)
    if problems:
        raise ValidationError(problems)
    return merged
