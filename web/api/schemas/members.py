"""Members: admission, changes, departure, and the member's card."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from governance.services.types import Category, College, Member, Organisation
from web.api.schemas.common import ApiModel, Count, DateText, IdRef, Name, Text, local_time


class MemberCreate(ApiModel):
    name: Name
    email: Annotated[Text, Field(max_length=254)]
    associate: bool = Field(True, description="false: a participant (no share, no AG vote).")
    category: IdRef | None = Field(None, description="Required for an associate.")
    college: IdRef | None = Field(None, description="Required for an associate with colleges.")
    shares: Count | None = Field(None, description="Capital shares (default 1 for an associate).")
    legal_person: bool = False
    representative_name: Name | None = Field(
        None, description="Named representative of a legal person (required for one)."
    )
    admitted_on: DateText | None = None
    roles: list[Text] = Field(
        default_factory=list,
        description="facilitator, secretary, jardinier, auditor, admin, funder.",
    )


class DepartureIn(ApiModel):
    on: DateText
    reason: Annotated[Text, Field(max_length=10_000)]
    shares_returned: Count | None = None


class MemberPatch(ApiModel):
    roles: list[Text] | None = Field(
        None, description="The full new list of roles (replaces the current one)."
    )
    college: IdRef | None = None
    category: IdRef | None = None
    shares: Count | None = None
    departure: DepartureIn | None = None


class MemberOut(BaseModel):
    id: str
    name: str
    email: str | None = Field(
        description="Shown to admins, secretaries, auditors and the member themselves."
    )
    status: str = Field(description="associate, participant or external.")
    associate: bool
    category: str | None
    category_name: str | None
    college: str | None
    college_name: str | None
    shares: int
    legal_person: bool
    representative_name: str | None
    roles: list[str]
    admitted_on: str | None
    departed_on: str | None
    departure_reason: str | None
    shares_returned: int | None
    created_at: str


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def member_view(
    member: Member,
    *,
    org: Organisation,
    category: Category | None,
    college: College | None,
    show_email: bool,
) -> MemberOut:
    return MemberOut(
        id=str(member.id),
        name=member.name,
        email=member.user.email if show_email else None,
        status=member.status,
        associate=member.status == "associate",
        category=str(member.category_id) if member.category_id is not None else None,
        category_name=category.name if category is not None else None,
        college=str(member.college_id) if member.college_id is not None else None,
        college_name=college.name if college is not None else None,
        shares=member.shares,
        legal_person=member.legal_person,
        representative_name=member.representative_name,
        roles=sorted(r.role for r in member.roles),
        admitted_on=_day(member.admitted_on),
        departed_on=_day(member.departed_on),
        departure_reason=member.departure_reason,
        shares_returned=member.shares_returned,
        created_at=local_time(member.created_at, org) or "",
    )
