"""Roadmap items with their dated updates, and reports of local actions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.pilot import Pilot
from cac_news.models.territory import Territory
from cac_news.timeutil import utcnow

# The group's three objectives, plus the organisation of the group itself; display order.
OBJECTIVES = ("expertise", "local_actions", "platform", "organisation")
ROADMAP_STATUSES = ("planned", "in_progress", "done", "postponed", "abandoned")
ACTION_KINDS = (
    "mobilisation",
    "public_meeting",
    "deliberation",
    "training",
    "publication",
    "other",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that a column holds one of the values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RoadmapItem(db.Model):
    """One line of the roadmap (feuille de route): what, when, who, how far."""

    __tablename__ = "roadmap_item"
    __table_args__ = (
        CheckConstraint(_in("objective", OBJECTIVES), name="objective"),
        CheckConstraint(_in("status", ROADMAP_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    period_label: Mapped[str] = mapped_column(String(80), default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    owner: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    updates: Mapped[list[RoadmapUpdate]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(RoadmapUpdate.date.desc(), RoadmapUpdate.id.desc())",
    )

    def __repr__(self) -> str:
        return f"<RoadmapItem {self.id} {self.objective} {self.status}>"


class RoadmapUpdate(db.Model):
    """A dated note on a roadmap item; its optional new status is applied to the item."""

    __tablename__ = "roadmap_update"
    __table_args__ = (
        CheckConstraint(
            f"new_status IS NULL OR {_in('new_status', ROADMAP_STATUSES)}", name="new_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_item.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[date] = mapped_column(Date)
    body_md: Mapped[str] = mapped_column(Text, default="")
    new_status: Mapped[str | None] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )
    # The composer collects the updates written since the last newsletter by this column.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    item: Mapped[RoadmapItem] = relationship(back_populates="updates")
    author: Mapped[Pilot | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<RoadmapUpdate {self.id} item={self.item_id}>"


class ActionReport(db.Model):
    """A report of a local action (mobilisation, public meeting...), draft until published."""

    __tablename__ = "action_report"
    __table_args__ = (
        CheckConstraint(_in("kind", ACTION_KINDS), name="kind"),
        Index("ix_action_report_published_published_at", "published", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    body_md: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    territory: Mapped[Territory] = relationship(lazy="joined")

    def publish(self) -> None:
        """Make the report public (and a candidate for the next newsletter)."""
        if not self.published:
            self.published = True
            self.published_at = utcnow()

    def unpublish(self) -> None:
        """Take the report back to draft."""
        self.published = False
        self.published_at = None

    def __repr__(self) -> str:
        return f"<ActionReport {self.id} {self.territory_code} {self.kind}>"
