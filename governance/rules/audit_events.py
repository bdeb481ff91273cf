"""Every kind of audit event, listed once, with the payload each one carries.

The values are the action strings stored in (and hashed into) the audit chain: never rename one.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """The action of an audit event; each comment names the payload's fields."""

    # ---- accounts (site chain unless the event concerns one organisation)
    USER_CREATED = "user.created"  # superuser, with_password
    USER_PASSWORD_SET = "user.password_set"  # (empty)
    TOKEN_CREATED = "token.created"  # user, org, roles
    TOKEN_REVOKED = "token.revoked"  # (empty)
    INVITATION_SENT = "invitation.sent"  # expires_at
    INVITATION_ACCEPTED = "invitation.accepted"  # (empty)

    # ---- the organisation, its statutes, colleges and categories
    ORGANISATION_CREATED = "organisation.created"  # slug, name, legal_form, timezone, statutes
    CATEGORY_CREATED = "category.created"  # name, kind
    COLLEGE_CREATED = "college.created"  # name, weight
    COLLEGE_RESTORED = "college.restored"  # name, weight
    STATUTES_EDITED = "statutes.edited"  # version, diff
    STATUTES_DRAFT_SAVED = "statutes.draft_saved"  # version, diff_from_current
    STATUTES_ADOPTED = "statutes.adopted"  # version, previous_version, resolution, diff
    COMPLIANCE_ACKNOWLEDGED = "compliance.acknowledged"  # findings

    # ---- members
    # name, status, category, college, shares, legal_person, roles (+ admitted_on)
    MEMBER_ADDED = "member.added"
    # the fields of member.added, admitted_on, previous_departure
    MEMBER_READMITTED = "member.readmitted"
    MEMBER_UPDATED = "member.updated"  # changes: {field: {from, to}}
    MEMBER_DEPARTED = "member.departed"  # changes (with departure: on, reason, shares_returned)
    MEMBER_PROFILE_UPDATED = "member.profile_updated"  # (empty)
    MEMBERS_IMPORTED = "members.imported"  # imported, rejected_lines

    # ---- circles
    CIRCLE_CREATED = "circle.created"  # name, aim, parent
    CIRCLE_MEMBER_ADDED = "circle.member_added"  # member, link, roles

    # ---- general assemblies
    ASSEMBLY_CREATED = "assembly.created"  # title, kind, convocation, scheduled_at, place, remote
    ASSEMBLY_CONVENED = "assembly.convened"  # mode, recipients, at, agenda, statutes_version
    ASSEMBLY_OPENED = "assembly.opened"  # quorum
    ASSEMBLY_CLOSED = "assembly.closed"  # (empty)
    ASSEMBLY_MINUTES_EDITED = "assembly.minutes_edited"  # the minutes fields changed
    MINUTES_PUBLISHED = "minutes.published"  # at
    # assembly, position, title, text, kind, majority, secret, board_proposed,
    # adopts_statutes_version
    RESOLUTION_CREATED = "resolution.created"
    # title, text, majority, secret, statutes_version, deadline
    RESOLUTION_OPENED = "resolution.opened"
    RESOLUTION_CLOSED = "resolution.closed"  # result (+ ballot_hashes for a secret vote)
    RESOLUTION_CANCELLED = "resolution.cancelled"  # reason
    RESOLUTION_REMINDER_SENT = "resolution.reminder_sent"  # recipients
    # member, mode, holder, blank_proxy, college, before_meeting
    ATTENDANCE_RECORDED = "attendance.recorded"
    ATTENDANCE_CHANGED = "attendance.changed"  # as attendance.recorded
    # public: member, college, choice, previous, channel, cast_by; secret: member, secret, channel
    BALLOT_CAST = "ballot.cast"
    BALLOT_CHANGED = "ballot.changed"  # as a public ballot.cast
