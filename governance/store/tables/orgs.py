"""Organisations: statutes versions, colleges, categories, members and their roles, circles."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.rules.orgs import MemberStatus, StatutesStatus

from .base import Base, CanonicalJSON, CanonicalJSONList, vocabulary

if TYPE_CHECKING:
    from .accounts import User


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    # Set when the first assembly is convened: from then on statutes change only by adopted draft.
    setup_closed_at: Mapped[datetime | None]
    compliance_acknowledged_at: Mapped[datetime | None]


class Category(Base):
    """A category of associates declared by the statutes (bénéficiaires, salariés…)."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")


class College(Base):
    """A voting college; its weight lives in the statutes version in force."""

    __tablename__ = "colleges"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class StatutesVersion(Base):
    """One version of an organisation's statutes: a canonical JSON document of every policy."""

    __tablename__ = "statutes_versions"
    __table_args__ = (
        UniqueConstraint("org_id", "number"),
        Index(
            "uq_statutes_one_current",
            "org_id",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
        Index(
            "uq_statutes_one_draft",
            "org_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[StatutesStatus] = mapped_column(
        vocabulary(StatutesStatus, name="status", length=12)
    )
    document: Mapped[dict[str, Any]] = mapped_column(CanonicalJSON)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    effective_at: Mapped[datetime | None]
    adopted_by: Mapped[str | None] = mapped_column(String(100))


class Member(Base):
    """A person's membership of an organisation: associate (votes at the AG), participant, or
    external role holder (an outside auditor, a funder)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[MemberStatus] = mapped_column(
        vocabulary(MemberStatus, name="status", length=12), default=MemberStatus.ASSOCIATE
    )
    name: Mapped[str] = mapped_column(String(200))
    legal_person: Mapped[bool] = mapped_column(Boolean, default=False)
    representative_name: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("colleges.id"), index=True)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    admitted_on: Mapped[date | None]
    departed_on: Mapped[date | None]
    departure_reason: Mapped[str | None] = mapped_column(Text)
    shares_returned: Mapped[int | None] = mapped_column(Integer)
    presentation: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    skills: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    roles: Mapped[list[MemberRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MemberRole.role"
    )
    user: Mapped[User] = relationship(lazy="joined")


class MemberRole(Base):
    __tablename__ = "member_roles"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class Circle(Base):
    """A sociocratic circle; the circles of an organisation form a tree."""

    __tablename__ = "circles"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id"))
    name: Mapped[str] = mapped_column(String(200))
    aim: Mapped[str] = mapped_column(Text, default="")
    domains: Mapped[list[Any]] = mapped_column(CanonicalJSONList, default=list)
    preset: Mapped[str] = mapped_column(String(20), default="sociocracy")
    created_at: Mapped[datetime]


class CircleMember(Base):
    __tablename__ = "circle_members"

    circle_id: Mapped[int] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    link: Mapped[str] = mapped_column(String(10), default="member")
    roles: Mapped[str] = mapped_column(String(100), default="")
