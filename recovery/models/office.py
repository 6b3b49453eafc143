"""Offices where a reissued SIM is handed over, listed per region."""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recovery.extensions import db


class Office(db.Model):
    """A sales and service office; a reissue is collected in the home region's offices."""

    __tablename__ = "offices"
    __table_args__ = (Index("ix_offices_region", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    opening_hours: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<Office {self.id} {self.region} {self.name}>"
