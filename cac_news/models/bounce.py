"""Bounces and complaints received for subscribers, one row per failed recipient."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.audience import Subscriber
from cac_news.models.newsletter import Newsletter
from cac_news.timeutil import utcnow

BOUNCE_KINDS = ("hard", "soft", "complaint")
DIAGNOSTIC_MAX = 500


class BounceMatch(StrEnum):
    """How a bounce was tied to a message this app sent (ADDRESS: it was not)."""

    VERP = "verp"
    MESSAGE_ID = "message-id"
    SMTP_RCPT = "smtp-rcpt"  # the relay refused the recipient while our engine sent to it
    ADDRESS = "address"  # only the address matched: unverified, changes nothing
    UNREADABLE = "unreadable"  # no recipient could be read: recorded, never guessed


class Bounce(db.Model):
    """One bounce or complaint: what the report said about one recipient, and when."""

    __tablename__ = "bounce"
    __table_args__ = (
        CheckConstraint("kind IN ('hard', 'soft', 'complaint')", name="kind"),
        # The policy reads a subscriber's recent bounces; the admin lists them by date.
        Index("ix_bounce_subscriber_received", "subscriber_id", "received_at"),
        Index("ix_bounce_newsletter_kind", "newsletter_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriber.id", ondelete="SET NULL"), default=None
    )
    newsletter_id: Mapped[int | None] = mapped_column(
        ForeignKey("newsletter.id", ondelete="SET NULL"), default=None
    )
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery.id", ondelete="SET NULL"), default=None, index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    status_code: Mapped[str | None] = mapped_column(String(12))  # "5.1.1", or an SMTP "550"
    diagnostic: Mapped[str | None] = mapped_column(String(DIAGNOSTIC_MAX))
    recipient: Mapped[str | None] = mapped_column(String(254))  # as the report gave it
    original_message_id: Mapped[str | None] = mapped_column(String(255))
    source_ref: Mapped[str | None] = mapped_column(String(255))  # file, mbox#n, imap uid, rcpt
    # Only verified bounces count towards a status change; rows from before the column were
    # applied under the old rules and stay counted (NULL matched_by, verified true).
    matched_by: Mapped[str | None] = mapped_column(String(12), default=None)
    verified: Mapped[bool] = mapped_column(default=True, server_default=true())

    subscriber: Mapped[Subscriber | None] = relationship(lazy="joined")
    newsletter: Mapped[Newsletter | None] = relationship(lazy="select")

    def __repr__(self) -> str:
        return f"<Bounce {self.kind} {self.status_code} subscriber={self.subscriber_id}>"
