"""Continuous legal checks on the membership against the statutes.

Sources: loi n° 47-1775 art. 19 septies (SCIC categories), 19 quinquies (public bodies ≤ 50 % of
the capital).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from governance.i18n import M
from governance.rules.statutes.defaults import SCIC_MIN_CATEGORIES, is_scic
from governance.rules.statutes.model import Statutes
from governance.rules.statutes.validation import Finding, pct


@dataclass(frozen=True)
class CategoryFacts:
    category_id: str
    name: str
    kind: str


@dataclass(frozen=True)
class AssociateFacts:
    member_id: str
    name: str
    category_id: str | None
    college_ids: tuple[str, ...]
    shares: int


def check_compliance(
    statutes: Statutes,
    categories: Sequence[CategoryFacts],
    associates: Sequence[AssociateFacts],
) -> list[Finding]:
    """Continuous legal checks on the membership (SCIC categories, public capital, colleges)."""
    findings: list[Finding] = []
    by_category: dict[str, int] = {c.category_id: 0 for c in categories}
    for a in associates:
        if a.category_id is not None and a.category_id in by_category:
            by_category[a.category_id] += 1
    if is_scic(statutes.legal_form):
        populated = [c for c in categories if by_category[c.category_id] > 0]
        if len(populated) < SCIC_MIN_CATEGORIES:
            findings.append(
                Finding(
                    "scic_categories",
                    "warning",
                    "categories",
                    M(
                        "Une SCIC réunit au moins 3 catégories d'associés ayant chacune au moins "
                        "un membre ; {n} catégorie(s) en ont aujourd'hui — loi 1947, "
                        "art. 19 septies.",
                        n=len(populated),
                    ),
                )
            )
        kinds = {c.kind for c in populated}
        if "beneficiaries" not in kinds:
            findings.append(
                Finding(
                    "scic_beneficiaries",
                    "warning",
                    "categories",
                    M(
                        "Une SCIC compte des associés bénéficiaires : aucune catégorie "
                        "« bénéficiaires » n'a de membre — loi 1947, art. 19 septies."
                    ),
                )
            )
        declared_kinds = {c.kind for c in categories}
        if "employees" in declared_kinds or "producers" not in declared_kinds:
            if "employees" not in kinds:
                findings.append(
                    Finding(
                        "scic_employees",
                        "warning",
                        "categories",
                        M(
                            "Une SCIC compte des associés salariés (ou producteurs si elle n'a "
                            "pas de salarié) : aucune catégorie « salariés » n'a de membre — "
                            "loi 1947, art. 19 septies."
                        ),
                    )
                )
        elif "producers" not in kinds:
            findings.append(
                Finding(
                    "scic_producers",
                    "warning",
                    "categories",
                    M(
                        "Sans salarié, une SCIC compte des associés producteurs : aucune "
                        "catégorie « producteurs » n'a de membre — loi 1947, art. 19 septies."
                    ),
                )
            )
    public_ids = {c.category_id for c in categories if c.kind == "public_body"}
    capital = sum(a.shares for a in associates)
    public = sum(a.shares for a in associates if a.category_id in public_ids)
    if capital > 0 and Fraction(public, capital) > Fraction(1, 2):
        findings.append(
            Finding(
                "public_capital",
                "warning",
                "categories",
                M(
                    "Les collectivités publiques détiennent {pct} % du capital : au plus 50 % "
                    "— loi 1947, art. 19 septies.",
                    pct=pct(Fraction(public * 100, capital)),
                ),
            )
        )
    if statutes.colleges:
        statute_ids = {cw.college_id for cw in statutes.colleges}
        for a in associates:
            live = [c for c in a.college_ids if c in statute_ids]
            if not live:
                findings.append(
                    Finding(
                        "member_without_college",
                        "warning",
                        "college",
                        M("{name} n'appartient à aucun collège de vote.", name=a.name),
                        subject=a.member_id,
                    )
                )
            elif len(live) > 1 and not statutes.multi_college_members:
                findings.append(
                    Finding(
                        "member_several_colleges",
                        "warning",
                        "college",
                        M(
                            "{name} appartient à plusieurs collèges, ce que les statuts "
                            "n'autorisent pas.",
                            name=a.name,
                        ),
                        subject=a.member_id,
                    )
                )
    for a in associates:
        if a.category_id is None:
            findings.append(
                Finding(
                    "member_without_category",
                    "warning",
                    "category",
                    M("{name} n'appartient à aucune catégorie d'associés.", name=a.name),
                    subject=a.member_id,
                )
            )
    return findings
