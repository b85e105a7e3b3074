"""The library of the group's expertise: resources (notes, fiches, tribunes…) and their kinds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.content import OBJECTIVES, _in
from cac_news.timeutil import utcnow

RESOURCE_STATUSES = ("draft", "published")


class ResourceKind(db.Model):
    """A kind of resource (note d'analyse, fiche, tribune…); pilots edit the list."""

    __tablename__ = "resource_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ResourceKind {self.slug}>"


class Resource(db.Model):
    """One piece of the library, a draft until published; its file lives in media/resources/."""

    __tablename__ = "resource"
    __table_args__ = (
        CheckConstraint(_in("status", RESOURCE_STATUSES), name="status"),
        CheckConstraint(f"objective IS NULL OR {_in('objective', OBJECTIVES)}", name="objective"),
        Index("ix_resource_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # ON DELETE RESTRICT: a kind in use cannot be deleted.
    kind_id: Mapped[int] = mapped_column(ForeignKey("resource_kind.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    authors: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    # Normalised lower-case tags joined by commas ("cis,financement"): filterable by LIKE.
    tags: Mapped[str] = mapped_column(String(500), default="")
    objective: Mapped[str | None] = mapped_column(String(20), default=None)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    file_name: Mapped[str | None] = mapped_column(String(200), default=None)
    file_stored: Mapped[str | None] = mapped_column(String(80), default=None)
    file_mime: Mapped[str | None] = mapped_column(String(100), default=None)
    file_size: Mapped[int | None] = mapped_column(default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    kind: Mapped[ResourceKind] = relationship(lazy="joined")

    @property
    def published(self) -> bool:
        """Visible to the public."""
        return self.status == "published"

    @property
    def tag_list(self) -> list[str]:
        """The tags, in their stored order."""
        return [t for t in (self.tags or "").split(",") if t]

    def publish(self) -> None:
        """Make the resource public (and a candidate for the next newsletter)."""
        if self.status != "published":
            self.status = "published"
            self.published_at = utcnow()

    def unpublish(self) -> None:
        """Take the resource back to draft."""
        self.status = "draft"
        self.published_at = None

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.slug} {self.status}>"
