"""Statutes as data: every governance policy of one version, its document form and its diff."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from governance.errors import FieldProblem, ValidationError
from governance.i18n import M
from governance.rules.statutes.defaults import (
    HUNDRED,
    default_abstention,
    default_majorities,
    default_quorum,
)
from governance.rules.statutes.exact import fraction_text, parse_exact
from governance.rules.statutes.majority import Majority
from governance.rules.statutes.policies import parse_policy


@dataclass(frozen=True)
class CollegeWeight:
    """A college of the statutes and its exact weight in percent."""

    college_id: str
    name: str
    weight: Fraction


POLICY_KEYS = (
    "abstention_policy",
    "empty_college_policy",
    "silent_college_policy",
    "aggregation",
    "quorum_basis",
    "quorum",
    "majority_defaults",
    "max_proxies_per_holder",
    "proxy_holder_must_be_member",
    "allow_remote",
    "results_visibility",
    "multi_college_members",
    "college_weight_min",
    "college_weight_max",
)


@dataclass(frozen=True)
class Statutes:
    """One version of the governance rules: colleges, weights and every policy."""

    legal_form: str
    colleges: tuple[CollegeWeight, ...] = ()
    abstention_policy: str = "excluded"
    empty_college_policy: str = "redistribute"
    silent_college_policy: str = "redistribute"
    aggregation: Mapping[str, str] = field(default_factory=lambda: {"kind": "proportional"})
    quorum_basis: str = "per_head"
    quorum: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    majority_defaults: Mapping[str, str] = field(default_factory=dict)
    # An integer cap, "scop" (1 below 20 associates, else ⌊N/20⌋) or None (no cap).
    max_proxies_per_holder: int | str | None = None
    proxy_holder_must_be_member: bool = True
    allow_remote: bool = False
    results_visibility: str = "after_close"
    multi_college_members: bool = False
    # Bounds for college weights outside a SCIC (a SCIC always uses 10–50 %).
    college_weight_min: Fraction = Fraction(0)
    college_weight_max: Fraction = HUNDRED

    @classmethod
    def default(cls, legal_form: str) -> Statutes:
        return cls(
            legal_form=legal_form,
            abstention_policy=default_abstention(legal_form),
            quorum=default_quorum(legal_form),
            majority_defaults=default_majorities(legal_form),
            max_proxies_per_holder="scop" if legal_form.startswith("SCOP") else None,
        )

    @property
    def uses_colleges(self) -> bool:
        return bool(self.colleges)

    def weight_of(self, college_id: str) -> Fraction | None:
        for cw in self.colleges:
            if cw.college_id == college_id:
                return cw.weight
        return None

    def majority_for(self, resolution_kind: str) -> Majority:
        return Majority.parse(self.majority_defaults.get(resolution_kind, "simple"))

    # ---- documents -----------------------------------------------------------------------

    def to_document(self) -> dict[str, Any]:
        """A plain JSON document (exact numbers as strings), stored and hashed canonically."""
        return {
            "legal_form": self.legal_form,
            "colleges": [
                {"id": cw.college_id, "name": cw.name, "weight": fraction_text(cw.weight)}
                for cw in self.colleges
            ],
            "abstention_policy": self.abstention_policy,
            "empty_college_policy": self.empty_college_policy,
            "silent_college_policy": self.silent_college_policy,
            "aggregation": dict(self.aggregation),
            "quorum_basis": self.quorum_basis,
            "quorum": {k: dict(v) for k, v in self.quorum.items()},
            "majority_defaults": dict(self.majority_defaults),
            "max_proxies_per_holder": (
                str(self.max_proxies_per_holder)
                if self.max_proxies_per_holder is not None
                else None
            ),
            "proxy_holder_must_be_member": self.proxy_holder_must_be_member,
            "allow_remote": self.allow_remote,
            "results_visibility": self.results_visibility,
            "multi_college_members": self.multi_college_members,
            "college_weight_min": fraction_text(self.college_weight_min),
            "college_weight_max": fraction_text(self.college_weight_max),
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Statutes:
        base = cls.default(str(document["legal_form"]))
        colleges = tuple(
            CollegeWeight(str(c["id"]), str(c["name"]), parse_exact(c["weight"], "colleges"))
            for c in document.get("colleges", [])
        )
        patch = {k: document[k] for k in POLICY_KEYS if k in document}
        return dataclasses.replace(base.with_changes(patch), colleges=colleges)

    def with_changes(self, patch: Mapping[str, Any]) -> Statutes:
        """Apply a partial patch of policies; every bad key or value is reported at once."""
        problems: list[FieldProblem] = []
        changes: dict[str, Any] = {}
        for key, raw in patch.items():
            if key not in POLICY_KEYS:
                problems.append(
                    FieldProblem(
                        key,
                        M(
                            "Règle inconnue « {key} » ; règles possibles : {keys}.",
                            key=key,
                            keys=", ".join(POLICY_KEYS),
                        ),
                    )
                )
                continue
            try:
                changes[key] = parse_policy(key, raw, self)
            except ValidationError as error:
                problems.extend(error.problems)
        if problems:
            raise ValidationError(problems)
        return dataclasses.replace(self, **changes)


def diff_statutes(old: Statutes, new: Statutes) -> dict[str, Any]:
    """Every policy and college weight that differs, as ``{key: {"from": …, "to": …}}``."""
    before, after = old.to_document(), new.to_document()
    diff: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        if key == "colleges":
            continue
        if before.get(key) != after.get(key):
            diff[key] = {"from": before.get(key), "to": after.get(key)}
    old_weights = {c["id"]: c for c in before["colleges"]}
    new_weights = {c["id"]: c for c in after["colleges"]}
    for college_id in sorted(set(old_weights) | set(new_weights), key=str):
        was, now = old_weights.get(college_id), new_weights.get(college_id)
        if was != now:
            diff[f"colleges.{college_id}"] = {
                "from": was["weight"] if was else None,
                "to": now["weight"] if now else None,
                "name": (now or was or {}).get("name"),
            }
    return diff


def proxy_cap(statutes: Statutes, associates: int) -> int | None:
    """The maximum number of proxies one holder may carry (SCOP preset: 1 below 20, else N/20)."""
    cap = statutes.max_proxies_per_holder
    if cap == "scop":
        return 1 if associates < 20 else associates // 20
    return None if cap is None else int(cap)
