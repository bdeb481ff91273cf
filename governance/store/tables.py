"""SQLAlchemy 2 typed tables: one MetaData with a naming convention, UTC-aware timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC (SQLite has no time zones), give back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass a timezone-aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime(), date: Date()}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class WebSession(Base):
    """A browser session: the cookie holds a random id, the database its SHA-256."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LoginAttempt(Base):
    """A failed login, kept to rate-limit per account and per address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


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
    status: Mapped[str] = mapped_column(String(12))  # draft | current | superseded
    document: Mapped[str] = mapped_column(Text)
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
    status: Mapped[str] = mapped_column(String(12), default="associate")
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
    domains: Mapped[str] = mapped_column(Text, default="[]")
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


class ApiToken(Base):
    """A personal API token: random, shown once, stored as SHA-256, revocable, scoped."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    roles: Mapped[str | None] = mapped_column(String(200))  # None: every role the user holds
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Invitation(Base):
    """A one-time link to set one's password, valid 7 days."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AuditHead(Base):
    """The last sequence number and hash of one chain; locked while an event is appended."""

    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    """One append-only, hash-chained event (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Assembly(Base):
    """A general assembly (AGO, AGE, AGO réunie extraordinairement) and its lifecycle."""

    __tablename__ = "assemblies"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))  # AGO | AGE | AGO_EXTRA
    convocation: Mapped[int] = mapped_column(Integer, default=1)  # 1st or 2nd convocation
    scheduled_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300), default="")
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    # draft → convened → open → closed → published
    status: Mapped[str] = mapped_column(String(12), default="draft")
    created_at: Mapped[datetime]
    convened_at: Mapped[datetime | None]
    convocation_mode: Mapped[str | None] = mapped_column(String(10))
    convocation_recipients: Mapped[int | None] = mapped_column(Integer)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Quorum computation frozen when the assembly opens (JSON), shown in the PV.
    quorum_record: Mapped[str | None] = mapped_column(Text)
    # Minutes content kept by the secretary.
    chair: Mapped[str] = mapped_column(String(200), default="")
    secretary_name: Mapped[str] = mapped_column(String(200), default="")
    scrutineers: Mapped[str] = mapped_column(String(400), default="")
    documents: Mapped[str] = mapped_column(Text, default="")
    debates: Mapped[str] = mapped_column(Text, default="")
    incidents: Mapped[str] = mapped_column(Text, default="")


class Resolution(Base):
    """One agenda item put to the vote; frozen when it opens, its result stored when it closes."""

    __tablename__ = "resolutions"
    __table_args__ = (UniqueConstraint("assembly_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="ordinary")
    majority: Mapped[str] = mapped_column(String(40))
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    board_proposed: Mapped[bool] = mapped_column(Boolean, default=True)
    adopts_statutes_id: Mapped[int | None] = mapped_column(ForeignKey("statutes_versions.id"))
    # draft → open → closed (or cancelled: closed without result to change a frozen item)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    statutes_version_id: Mapped[int | None] = mapped_column(ForeignKey("statutes_versions.id"))
    opened_at: Mapped[datetime | None]
    deadline: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the tally
    # When `terreau tick` sent the "closing in 24 h" reminder (sent once).
    reminded_at: Mapped[datetime | None]


class Attendance(Base):
    """A line of the feuille de présence: how one associate takes part in one assembly."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("assembly_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # present | remote | correspondence | proxy
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("colleges.id"))
    at: Mapped[datetime]
    # Correspondence forms count for quorum only when received before the meeting.
    before_meeting: Mapped[bool] = mapped_column(Boolean, default=True)


class Ballot(Base):
    """A public ballot: one current ballot per member (principal) per resolution."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("resolution_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    college_id: Mapped[int | None] = mapped_column(ForeignKey("colleges.id"))
    choice: Mapped[str] = mapped_column(String(10))  # for | against | abstain | blank | null
    # direct | proxy | correspondence | blank_proxy
    channel: Mapped[str] = mapped_column(String(16))
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    cast_at: Mapped[datetime]
    changes: Mapped[int] = mapped_column(Integer, default=0)


class Emargement(Base):
    """The fact that a member voted on a secret resolution, kept apart from the ballot content."""

    __tablename__ = "emargements"
    __table_args__ = (UniqueConstraint("resolution_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]


class SecretBallot(Base):
    """A secret ballot: college and choice, no member, no time, a random key (no rowid order)."""

    __tablename__ = "secret_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    ballot_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"), index=True)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("colleges.id"))
    choice: Mapped[str] = mapped_column(String(10))
