"""General assemblies: the assembly, its resolutions, the feuille de présence, ballots (public,
secret) and the émargements of secret ballots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance.rules.assemblies import (
    AssemblyKind,
    AssemblyStatus,
    AttendanceMode,
    BallotChannel,
    BallotChoice,
    ConvocationMode,
    ResolutionKind,
    ResolutionStatus,
)

from .base import Base, CanonicalJSON, vocabulary


class Assembly(Base):
    """A general assembly (AGO, AGE, AGO réunie extraordinairement) and its lifecycle."""

    __tablename__ = "assemblies"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AssemblyKind] = mapped_column(vocabulary(AssemblyKind, name="kind", length=12))
    convocation: Mapped[int] = mapped_column(Integer, default=1)  # 1st or 2nd convocation
    scheduled_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(300), default="")
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    # draft → convened → open → closed → published
    status: Mapped[AssemblyStatus] = mapped_column(
        vocabulary(AssemblyStatus, name="status", length=12), default=AssemblyStatus.DRAFT
    )
    created_at: Mapped[datetime]
    convened_at: Mapped[datetime | None]
    convocation_mode: Mapped[ConvocationMode | None] = mapped_column(
        vocabulary(ConvocationMode, name="convocation_mode", length=10)
    )
    convocation_recipients: Mapped[int | None] = mapped_column(Integer)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Quorum computation frozen when the assembly opens (JSON), shown in the PV.
    quorum_record: Mapped[dict[str, Any] | None] = mapped_column(CanonicalJSON)
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
    kind: Mapped[ResolutionKind] = mapped_column(
        vocabulary(ResolutionKind, name="kind", length=20), default=ResolutionKind.ORDINARY
    )
    majority: Mapped[str] = mapped_column(String(40))
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    board_proposed: Mapped[bool] = mapped_column(Boolean, default=True)
    adopts_statutes_id: Mapped[int | None] = mapped_column(ForeignKey("statutes_versions.id"))
    # draft → open → closed (or cancelled: closed without result to change a frozen item)
    status: Mapped[ResolutionStatus] = mapped_column(
        vocabulary(ResolutionStatus, name="status", length=12), default=ResolutionStatus.DRAFT
    )
    statutes_version_id: Mapped[int | None] = mapped_column(ForeignKey("statutes_versions.id"))
    opened_at: Mapped[datetime | None]
    deadline: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[dict[str, Any] | None] = mapped_column(CanonicalJSON)  # the tally
    # When `terreau tick` sent the "closing in 24 h" reminder (sent once).
    reminded_at: Mapped[datetime | None]


class Attendance(Base):
    """A line of the feuille de présence: how one associate takes part in one assembly."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("assembly_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mode: Mapped[AttendanceMode] = mapped_column(vocabulary(AttendanceMode, name="mode", length=16))
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
    choice: Mapped[BallotChoice] = mapped_column(vocabulary(BallotChoice, name="choice", length=10))
    channel: Mapped[BallotChannel] = mapped_column(
        vocabulary(BallotChannel, name="channel", length=16)
    )
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
    channel: Mapped[BallotChannel] = mapped_column(
        vocabulary(BallotChannel, name="channel", length=16)
    )
    at: Mapped[datetime]


class SecretBallot(Base):
    """A secret ballot: college and choice, no member, no time, a random key (no rowid order)."""

    __tablename__ = "secret_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    ballot_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"), index=True)
    college_id: Mapped[int | None] = mapped_column(ForeignKey("colleges.id"))
    choice: Mapped[BallotChoice] = mapped_column(vocabulary(BallotChoice, name="choice", length=10))
