"""What pilots did (the audit log) and the site-wide settings admins change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.pilot import Pilot
from cac_news.timeutil import utcnow


class AuditEvent(db.Model):
    """One pilot action worth knowing about later: who sent, cancelled, deleted, exported.

    `details` is JSON holding ids and counts only, never a subscriber's address or name.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The pilot stays NULL for actions outside a login (the command line) and once the
    # account is deleted; the event itself stays.
    pilot_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(50))
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    pilot: Mapped[Pilot | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_id}>"
