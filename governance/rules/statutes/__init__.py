"""Statutes as data: every governance policy of an organisation, validated by pure rules.

``model`` holds the ``Statutes`` value and its document form, ``policies`` reads a patch,
``defaults`` the legal defaults (derived from ``voting.quorum``), ``validation`` checks one
version, ``compliance`` checks the membership against it. Every public name is re-exported here.

Sources: loi n° 47-1775 art. 19 septies (SCIC categories), 19 octies (college weights 10–50 %),
19 quinquies (public bodies ≤ 50 % of the capital); the colleges spec of Terreau.
"""

from __future__ import annotations

from governance.rules.statutes.compliance import AssociateFacts, CategoryFacts, check_compliance
from governance.rules.statutes.defaults import (
    ABSTENTION_POLICIES,
    AGGREGATIONS,
    ASSEMBLY_KINDS,
    COLLEGE_POLICIES,
    HUNDRED,
    LEGAL_FORMS,
    MAJORITY_NAMES,
    QUORUM_BASES,
    RESOLUTION_KINDS,
    RESULTS_VISIBILITY,
    SCIC_MAX_WEIGHT,
    SCIC_MIN_CATEGORIES,
    SCIC_MIN_COLLEGES,
    SCIC_MIN_WEIGHT,
    default_abstention,
    default_majorities,
    default_quorum,
    is_scic,
)
from governance.rules.statutes.exact import (
    EXACT_MAX_DIGITS,
    EXACT_MAX_LENGTH,
    fraction_text,
    parse_exact,
)
from governance.rules.statutes.majority import Majority
from governance.rules.statutes.model import (
    POLICY_KEYS,
    CollegeWeight,
    Statutes,
    diff_statutes,
    proxy_cap,
)
from governance.rules.statutes.validation import Finding, validate_statutes

__all__ = [
    "ABSTENTION_POLICIES",
    "AGGREGATIONS",
    "ASSEMBLY_KINDS",
    "COLLEGE_POLICIES",
    "EXACT_MAX_DIGITS",
    "EXACT_MAX_LENGTH",
    "HUNDRED",
    "LEGAL_FORMS",
    "MAJORITY_NAMES",
    "POLICY_KEYS",
    "QUORUM_BASES",
    "RESOLUTION_KINDS",
    "RESULTS_VISIBILITY",
    "SCIC_MAX_WEIGHT",
    "SCIC_MIN_CATEGORIES",
    "SCIC_MIN_COLLEGES",
    "SCIC_MIN_WEIGHT",
    "AssociateFacts",
    "CategoryFacts",
    "CollegeWeight",
    "Finding",
    "Majority",
    "Statutes",
    "check_compliance",
    "default_abstention",
    "default_majorities",
    "default_quorum",
    "diff_statutes",
    "fraction_text",
    "is_scic",
    "parse_exact",
    "proxy_cap",
    "validate_statutes",
]
