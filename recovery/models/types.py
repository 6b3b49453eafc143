"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Enum, Integer, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from recovery.security.crypto import keyring_for

#: 64-bit keys on PostgreSQL; SQLite only auto-increments INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC on every database.

    SQLite has no time zones: it would silently drop an offset. Values are
    converted to UTC on the way in and come back aware (UTC) on the way out;
    naive datetimes are refused, since a call's time without a zone is
    ambiguous by up to eleven hours across Russia.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive values; store UTC (naive on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given where a timezone-aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type, name: str) -> Enum:
    """A portable enum column: VARCHAR with a CHECK of the members' values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class EncryptedText(TypeDecorator[str]):
    """Text stored as a Fernet token; ``None`` stays NULL. Only IS [NOT] NULL works in SQL."""

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[str]):
        """Refuses comparisons: they would compare with a random token and silently match nothing."""

        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            null_test = op in (operators.is_, operators.is_not) or (
                op in (operators.eq, operators.ne) and other == (None,)
            )
            if not null_test:
                raise TypeError("encrypted columns cannot be compared or sorted in SQL; compare in Python")
            return super().operate(op, *other, **kwargs)

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        if value is None:
            return None
        return keyring_for(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        if value is None:
            return None
        return keyring_for(dialect).decrypt(value)
