"""Archived copies: the web copy of a newsletter, frozen when its send starts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.newsletter import Newsletter
from cac_news.models.pilot import Pilot
from cac_news.timeutil import utcnow


class ArchivedCopy(db.Model):
    """The public web copy of one issue: rendered once, stored, never re-rendered.

    Holds no personal data (the web copy has no greeting nor per-recipient link). Only
    `withdrawn_at`, `withdrawn_by_id` and `changed_at` change after creation.
    """

    __tablename__ = "archived_copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletter.id"), unique=True)
    number: Mapped[int] = mapped_column(unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    preheader: Mapped[str] = mapped_column(String(200), default="")
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    # SHA-256 of `html`: the page's ETag, computed once.
    digest: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Last freeze, withdrawal or restoration: the archive lists' Last-Modified.
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )

    newsletter: Mapped[Newsletter] = relationship()
    withdrawn_by: Mapped[Pilot | None] = relationship()

    @property
    def is_public(self) -> bool:
        """Shown in the archive, the search and the feed."""
        return self.withdrawn_at is None

    def __repr__(self) -> str:
        return f"<ArchivedCopy n°{self.number}{' withdrawn' if self.withdrawn_at else ''}>"
