"""Checks of one version of the statutes: college weights (SCIC 10–50 %), policies, quorum.

Sources: loi n° 47-1775 art. 19 octies (college weights 10–50 %); the colleges spec of Terreau.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from governance.i18n import M, Message
from governance.rules.statutes.defaults import (
    HUNDRED,
    SCIC_MAX_WEIGHT,
    SCIC_MIN_COLLEGES,
    SCIC_MIN_WEIGHT,
    is_scic,
)
from governance.rules.statutes.model import Statutes


@dataclass(frozen=True)
class Finding:
    """One rule the statutes or the membership break; names the college/category and the rule."""

    code: str
    severity: str  # "error" refuses the change; "warning" is shown and blocks convening
    field: str
    message: Message
    subject: str | None = None


def pct(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".replace(".", ",")


def validate_statutes(statutes: Statutes) -> list[Finding]:
    """Check the colleges' weights and the policies that refer to colleges."""
    findings: list[Finding] = []
    colleges = statutes.colleges
    scic = is_scic(statutes.legal_form)
    if colleges:
        total = sum((cw.weight for cw in colleges), Fraction(0))
        if total != HUNDRED:
            findings.append(
                Finding(
                    "weights_sum",
                    "error",
                    "colleges",
                    M(
                        "La somme des poids des collèges doit être exactement 100 % "
                        "(actuellement {total} %).",
                        total=pct(total),
                    ),
                )
            )
        if scic and len(colleges) < SCIC_MIN_COLLEGES:
            findings.append(
                Finding(
                    "scic_min_colleges",
                    "error",
                    "colleges",
                    M(
                        "Une SCIC qui institue des collèges en compte au moins 3 "
                        "(actuellement {n}) — loi 1947, art. 19 octies.",
                        n=len(colleges),
                    ),
                )
            )
        low, high = (
            (SCIC_MIN_WEIGHT, SCIC_MAX_WEIGHT)
            if scic
            else (statutes.college_weight_min, statutes.college_weight_max)
        )
        for cw in colleges:
            if cw.weight <= 0:
                findings.append(
                    Finding(
                        "college_weight_positive",
                        "error",
                        f"colleges.{cw.college_id}",
                        M("Le collège {name} doit avoir un poids positif.", name=cw.name),
                        subject=cw.college_id,
                    )
                )
            elif cw.weight < low or cw.weight > high:
                findings.append(
                    Finding(
                        "scic_college_bounds" if scic else "college_bounds",
                        "error",
                        f"colleges.{cw.college_id}",
                        M(
                            "Le collège {name} pèse {weight} % : chaque collège doit peser "
                            "entre {low} % et {high} %{source}.",
                            name=cw.name,
                            weight=pct(cw.weight),
                            low=pct(low),
                            high=pct(high),
                            source=" (SCIC, loi 1947, art. 19 octies)" if scic else "",
                        ),
                        subject=cw.college_id,
                    )
                )
    if not scic and statutes.college_weight_min > statutes.college_weight_max:
        findings.append(
            Finding(
                "college_bounds_order",
                "error",
                "college_weight_min",
                M("Le poids minimal d'un collège dépasse le poids maximal."),
            )
        )
    ids = {cw.college_id for cw in colleges}
    for key in ("empty_college_policy", "silent_college_policy"):
        policy = getattr(statutes, key)
        if policy.startswith("merge_into:"):
            target = policy.split(":", 1)[1]
            by_name = {cw.name.lower(): cw.college_id for cw in colleges}
            if target not in ids and target.lower() not in by_name:
                findings.append(
                    Finding(
                        "merge_target",
                        "error",
                        key,
                        M(
                            "{field} : le collège « {target} » n'existe pas dans ces statuts.",
                            field=key,
                            target=target,
                        ),
                    )
                )
    if statutes.quorum_basis == "college_weighted" and not colleges:
        findings.append(
            Finding(
                "quorum_basis_colleges",
                "error",
                "quorum_basis",
                M("Un quorum pondéré par collège suppose des collèges."),
            )
        )
    for kind in ("AGO", "AGE"):
        if statutes.quorum.get(kind, {}).get("1") is None:
            findings.append(
                Finding(
                    "quorum_missing",
                    "warning",
                    f"quorum.{kind}.1",
                    M(
                        "Le quorum de l'{kind} en 1re convocation n'est pas fixé : la loi ne "
                        "donne pas de défaut pour cette forme ; renseignez-le avant de convoquer.",
                        kind=kind,
                    ),
                )
            )
    return findings
