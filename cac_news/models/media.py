"""Uploaded media: images re-encoded by the app, stored under the instance folder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.pilot import Pilot
from cac_news.timeutil import utcnow


class MediaFile(db.Model):
    """One stored image: the file is `stored_name` (a random token and the extension of
    the format the app wrote), never a name the uploader chose."""

    __tablename__ = "media_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    alt: Mapped[str] = mapped_column(String(300))
    bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[Pilot | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<MediaFile {self.id} {self.stored_name}>"
