"""Segments (saved audience rules) and the suppression list of erased addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    bindparam,
    event,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from cac_news.extensions import db
from cac_news.models.audience import ParticipationMode, Subscriber
from cac_news.models.territory import Territory
from cac_news.timeutil import utcnow

SUPPRESSION_REASONS = ("erased", "pilot")

MASKABLE_MODE_IDS = range(1, 63)  # bits of a signed 64-bit integer, sign bit left alone
ALL_BITS = (1 << 63) - 1

# Segment counts filter active subscribers by territory, language and modes: this index
# covers all four, so a count never touches the table.
Index(
    "ix_subscriber_segment",
    Subscriber.status,
    Subscriber.territory_code,
    Subscriber.language,
    Subscriber.mode_mask,
)


def mode_mask(mode_ids) -> int:
    """Bit set of mode ids; ids beyond 62 are not represented (queries fall back)."""
    mask = 0
    for mode_id in mode_ids:
        if mode_id in MASKABLE_MODE_IDS:
            mask |= 1 << mode_id
    return mask


@event.listens_for(Session, "after_flush")
def _keep_mode_masks(session, _context) -> None:
    """Store mode_mask for subscribers whose modes were set or changed in this flush.

    After the flush every mode has its id; new, dirty and attribute histories still show
    what the flush wrote.
    """
    rows = []
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Subscriber) or obj.id is None:
            continue
        if obj in session.new or sa_inspect(obj).attrs.modes.history.has_changes():
            mask = mode_mask(m.id for m in obj.modes)
            if mask != obj.mode_mask:
                rows.append({"b_id": obj.id, "b_mask": mask})
                set_committed_value(obj, "mode_mask", mask)
    if rows:
        table = Subscriber.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(mode_mask=bindparam("b_mask")),
            rows,
        )


@event.listens_for(ParticipationMode, "after_delete")
def _clear_mode_bit(_mapper, connection, mode: ParticipationMode) -> None:
    """A deleted mode's bit leaves every mask (SQLite may give its id to the next mode)."""
    if mode.id in MASKABLE_MODE_IDS:
        bit = 1 << mode.id
        table = Subscriber.__table__
        connection.execute(
            update(table)
            .where(table.c.mode_mask.op("&")(bit) != 0)
            .values(mode_mask=table.c.mode_mask.op("&")(ALL_BITS ^ bit))
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
