"""The closed vocabularies of an organisation's own records: a membership's status and the
status of a statutes version."""

from __future__ import annotations

from enum import StrEnum


class MemberStatus(StrEnum):
    """An associate votes at the general assembly; a participant takes part in the circles; an
    external holds a role from outside (an auditor, a funder, the organisation's creator)."""

    ASSOCIATE = "associate"
    PARTICIPANT = "participant"
    EXTERNAL = "external"


class StatutesStatus(StrEnum):
    """At most one draft and one current version per organisation; adopting the draft makes it
    current and the previous current superseded."""

    DRAFT = "draft"
    CURRENT = "current"
    SUPERSEDED = "superseded"
