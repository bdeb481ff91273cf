"""The declarative base: one MetaData with a naming convention, UTC-aware timestamps, canonical
JSON documents, and closed vocabularies stored as text with a CHECK constraint."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, DateTime, Enum, MetaData, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from governance.rules.audit_chain import canonical_json

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class CanonicalJSON(TypeDecorator[dict[str, Any]]):
    """A JSON document stored as its canonical text (exact numbers as strings), read as a dict.

    Text rather than a JSON type: the stored bytes are the ones the audit chain hashed.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else canonical_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        document: dict[str, Any] = json.loads(value)
        return document


class CanonicalJSONList(TypeDecorator[list[Any]]):
    """A JSON list stored as its canonical text, read as a list (as ``CanonicalJSON``)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else canonical_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> list[Any] | None:
        if value is None:
            return None
        items: list[Any] = json.loads(value)
        return items


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


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def vocabulary(enum: type[StrEnum], *, name: str, length: int) -> Enum:
    """A closed vocabulary: ``VARCHAR(length)`` holding the enum's values (read back as members,
    which compare equal to plain strings), guarded by the CHECK ``ck_<table>_<name>``.

    Unknown strings are refused before they reach the database (``validate_strings``).
    """
    return Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=_values,
        validate_strings=True,
        name=name,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime(), date: Date()}
