"""The agenda: events of the group (meetings, webinars, mobilisations…) and their kinds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.territory import Territory
from cac_news.timeutil import utcnow


class EventKind(db.Model):
    """A kind of event (réunion du groupe, webinaire…); pilots edit the list."""

    __tablename__ = "event_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<EventKind {self.slug}>"


class Event(db.Model):
    """One date of the agenda, public or internal (then only in the admin and in letters to
    segments).

    ``starts_at``/``ends_at`` are naive UTC like every column; an all-day event also keeps
    its local dates (``start_date``..``end_date``, inclusive), and its UTC bounds are the
    start of its first local day and the end of its last, so that one query orders and
    filters both kinds. ``sequence`` counts the changes calendars must apply (RFC 5545).
    """

    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint(
            "NOT all_day OR (start_date IS NOT NULL AND end_date IS NOT NULL)", name="all_day"
        ),
        Index("ix_event_internal_starts_at", "internal", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # ON DELETE RESTRICT: a kind in use cannot be deleted.
    kind_id: Mapped[int] = mapped_column(ForeignKey("event_kind.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    all_day: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None] = mapped_column(Date, default=None)
    end_date: Mapped[date | None] = mapped_column(Date, default=None)
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), index=True)
    description_md: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(default=False)
    cancelled: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    kind: Mapped[EventKind] = relationship(lazy="joined")
    territory: Mapped[Territory] = relationship(lazy="joined")

    @property
    def public(self) -> bool:
        """Shown on the public agenda, its feeds and the search."""
        return not self.internal

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.starts_at:%Y-%m-%d}>"
