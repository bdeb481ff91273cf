"""Members: admission, roles, college, departure, profile ("fiche pionnier"), CSV import.

``admission``, ``changes`` and ``imports`` hold the use cases, ``views`` the read-only queries
the pages and the API show; ``common`` what they share. Every public name is re-exported here.
"""

from __future__ import annotations

from governance.services.members.admission import (
    add_member,
    insert_member,
)
from governance.services.members.changes import (
    Departure,
    resend_invitation,
    update_member,
    update_profile,
)
from governance.services.members.common import (
    STATUSES,
    Lookup,
    MemberInput,
    Resolved,
    load_member,
    local_today,
    member_payload,
    parse_date,
    resolve,
)
from governance.services.members.imports import (
    FALSE_WORDS,
    IMPORT_COLUMNS,
    TRUE_WORDS,
    ImportReport,
    RowProblem,
    import_members,
)
from governance.services.members.views import (
    CONTACT_ROLES,
    MemberCard,
    MemberDetail,
    MemberDirectory,
    first_admin_user_id,
    get_member,
    list_members,
    member_card,
    member_card_by_id,
    member_cards,
    member_detail,
    member_directory,
)

__all__ = [
    "CONTACT_ROLES",
    "Departure",
    "FALSE_WORDS",
    "IMPORT_COLUMNS",
    "ImportReport",
    "Lookup",
    "MemberCard",
    "MemberDetail",
    "MemberDirectory",
    "MemberInput",
    "Resolved",
    "RowProblem",
    "STATUSES",
    "TRUE_WORDS",
    "add_member",
    "first_admin_user_id",
    "get_member",
    "import_members",
    "insert_member",
    "list_members",
    "load_member",
    "local_today",
    "member_card",
    "member_card_by_id",
    "member_cards",
    "member_detail",
    "member_directory",
    "member_payload",
    "parse_date",
    "resend_invitation",
    "resolve",
    "update_member",
    "update_profile",
]
