"""Organisations, categories, colleges and statutes (setup mode, drafts, compliance).

``organisations``, ``statutes`` and ``colleges`` hold the use cases (the only writers), ``views``
the read-only queries the pages and the API show. Every public name is re-exported here.
"""

from __future__ import annotations

from governance.services.orgs.colleges import (
    CATEGORY_KINDS,
    CollegeView,
    add_category,
    add_college,
    colleges_in_force,
)
from governance.services.orgs.organisations import (
    SLUG_RE,
    TIMEZONE_MAX_LENGTH,
    create_org,
    is_setup_mode,
)
from governance.services.orgs.statutes import (
    INCOMPLETE_CODES,
    acknowledge_compliance,
    check_draft_complete,
    college_map,
    compliance_findings,
    current_version,
    load_statutes,
    save_draft,
    statutes_version,
    update_current_statutes,
)
from governance.services.orgs.views import (
    Dashboard,
    OrgHeader,
    StatutesView,
    actor_member,
    audit_chain,
    audit_chain_slugs,
    college_weight,
    compliance,
    dashboard,
    list_categories,
    list_colleges,
    list_orgs_for,
    org_by_ref,
    org_header,
    view_statutes,
)

__all__ = [
    "CATEGORY_KINDS",
    "CollegeView",
    "Dashboard",
    "INCOMPLETE_CODES",
    "OrgHeader",
    "SLUG_RE",
    "StatutesView",
    "TIMEZONE_MAX_LENGTH",
    "acknowledge_compliance",
    "actor_member",
    "add_category",
    "add_college",
    "audit_chain",
    "audit_chain_slugs",
    "check_draft_complete",
    "college_map",
    "college_weight",
    "colleges_in_force",
    "compliance",
    "compliance_findings",
    "create_org",
    "current_version",
    "dashboard",
    "is_setup_mode",
    "list_categories",
    "list_colleges",
    "list_orgs_for",
    "load_statutes",
    "org_by_ref",
    "org_header",
    "save_draft",
    "statutes_version",
    "update_current_statutes",
    "view_statutes",
]
