"""SQLAlchemy 2 typed tables, one module per area, on one MetaData with a naming convention.

Everything is re-exported here: ``from governance.store.tables import Member`` is the way in.
"""

from __future__ import annotations

from .accounts import ApiToken, Invitation, LoginAttempt, User, WebSession
from .assemblies import Assembly, Attendance, Ballot, Emargement, Resolution, SecretBallot
from .audit import AuditEvent, AuditHead
from .base import NAMING_CONVENTION, Base, CanonicalJSON, CanonicalJSONList, UTCDateTime, vocabulary
from .orgs import (
    Category,
    Circle,
    CircleMember,
    College,
    Member,
    MemberRole,
    Organisation,
    StatutesVersion,
)

__all__ = [
    "NAMING_CONVENTION",
    "ApiToken",
    "Assembly",
    "Attendance",
    "AuditEvent",
    "AuditHead",
    "Ballot",
    "Base",
    "CanonicalJSON",
    "CanonicalJSONList",
    "Category",
    "Circle",
    "CircleMember",
    "College",
    "Emargement",
    "Invitation",
    "LoginAttempt",
    "Member",
    "MemberRole",
    "Organisation",
    "Resolution",
    "SecretBallot",
    "StatutesVersion",
    "UTCDateTime",
    "User",
    "WebSession",
    "vocabulary",
]
