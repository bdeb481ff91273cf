"""The organisation, its categories and colleges: requests, responses and views."""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

from pydantic import BaseModel, Field

from governance.services.types import Category, College, Organisation
from web.api.deps import exact
from web.api.schemas.common import ApiModel, Exact, ExactNumber, Name, Text, local_time
from web.api.schemas.statutes import StatutesOut


class OrgCreate(ApiModel):
    slug: Text = Field(description="Lower-case letters, digits and dashes; used in every path.")
    name: Name
    legal_form: Text = Field(
        description="SCIC_SA, SCIC_SAS, SCIC_SARL, SCOP_SA, SCOP_SARL, ASSOCIATION or OTHER."
    )
    timezone: Text = Field("Europe/Paris", description="IANA time zone of the organisation.")
    description: Annotated[Text, Field(max_length=10_000)] = ""


class CategoryCreate(ApiModel):
    name: Name
    kind: Text = Field(
        "other", description="beneficiaries, employees, producers, public_body or other."
    )


class CollegeCreate(ApiModel):
    name: Name
    weight: ExactNumber


class OrgOut(BaseModel):
    id: str
    slug: str
    name: str
    legal_form: str
    timezone: str
    description: str
    created_at: str
    setup_mode: bool
    setup_closed_at: str | None
    statutes_version: int
    statutes: StatutesOut


class CategoryOut(BaseModel):
    id: str
    name: str
    kind: str


class CollegeOut(BaseModel):
    id: str
    name: str
    weight: Exact
    members: int = Field(description="Current associates in the college.")


def org_view(org: Organisation, statutes: StatutesOut) -> OrgOut:
    return OrgOut(
        id=str(org.id),
        slug=org.slug,
        name=org.name,
        legal_form=org.legal_form,
        timezone=org.timezone,
        description=org.description,
        created_at=local_time(org.created_at, org) or "",
        setup_mode=org.setup_closed_at is None,
        setup_closed_at=local_time(org.setup_closed_at, org),
        statutes_version=statutes.version,
        statutes=statutes,
    )


def category_view(category: Category) -> CategoryOut:
    return CategoryOut(id=str(category.id), name=category.name, kind=category.kind)


def college_view(college: College, weight: Fraction, members: int) -> CollegeOut:
    return CollegeOut(
        id=str(college.id), name=college.name, weight=Exact(**exact(weight)), members=members
    )
