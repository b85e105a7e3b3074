"""Settings pilots edit in the admin, stored as key/value rows (typed in cac_news.settings)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cac_news.extensions import db
from cac_news.timeutil import utcnow


class SiteSetting(db.Model):
    """One setting's value as text; a missing row means the configuration's default."""

    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )

    def __repr__(self) -> str:
        return f"<SiteSetting {self.key}>"
