"""Segments (saved audience rules) and the suppression list of erased addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.audience import ParticipationMode, Subscriber
from cac_news.models.territory import Territory
from cac_news.timeutil import utcnow

SUPPRESSION_REASONS = ("erased", "pilot")

# Segment counts filter active subscribers by territory and language: this index covers them.
Index(
    "ix_subscriber_status_territory_language",
    Subscriber.status,
    Subscriber.territory_code,
    Subscriber.language,
)

segment_modes = Table(
    "segment_mode",
    db.metadata,
    Column("segment_id", ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True),
    Column("mode_id", ForeignKey("participation_mode.id", ondelete="CASCADE"), primary_key=True),
)

segment_territories = Table(
    "segment_territory",
    db.metadata,
    Column("segment_id", ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_code", ForeignKey("territory.code"), primary_key=True),
)


class Segment(db.Model):
    """A saved rule over active subscribers: modes (any of), territories, language."""

    __tablename__ = "segment"
    __table_args__ = (
        CheckConstraint("language IS NULL OR language IN ('fr', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str | None] = mapped_column(String(2), default=None)  # None: any
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    modes: Mapped[list[ParticipationMode]] = relationship(
        secondary=segment_modes, lazy="selectin", order_by=ParticipationMode.position
    )
    territories: Mapped[list[Territory]] = relationship(
        secondary=segment_territories, lazy="selectin", order_by=Territory.position
    )

    @property
    def territory_codes(self) -> list[str]:
        """Codes of the chosen territories: régions, départements and/or "FR"."""
        return [t.code for t in self.territories]

    def __repr__(self) -> str:
        return f"<Segment {self.name}>"


class Suppression(db.Model):
    """A keyed hash of an erased address: imports skip it, only a confirmation lifts it."""

    __tablename__ = "suppression"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(16), default="erased")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Suppression {self.reason}>"
