"""Deliveries: one row per (newsletter, subscriber), frozen when a send starts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.timeutil import utcnow

DELIVERY_STATUSES = ("queued", "sending", "sent", "failed", "retrying", "skipped", "cancelled")
# Statuses that still need the worker: a newsletter is sent once none of them remains.
PENDING_STATUSES = ("queued", "retrying", "sending")
SMTP_TEXT_MAX = 500


class Delivery(db.Model):
    """One recipient of one newsletter: address frozen at send start, attempts, result.

    ``subscriber_id`` becomes NULL when the subscriber is erased (and the erase function
    clears ``email`` and ``name``), so the counts survive without any personal data.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint(
            "newsletter_id", "subscriber_id", name="uq_delivery_newsletter_subscriber"
        ),
        # Claiming (due rows of one newsletter) and counting by status use this index.
        Index("ix_delivery_claim", "newsletter_id", "status", "next_attempt_at"),
        # Relay quotas: messages a relay carried in the last hour / day.
        Index("ix_delivery_relay_sent", "relay", "sent_at"),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'retrying', 'skipped', 'cancelled')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletter.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriber.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(201))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    smtp_code: Mapped[int | None]
    smtp_text: Mapped[str | None] = mapped_column(String(SMTP_TEXT_MAX))
    at_rcpt: Mapped[bool] = mapped_column(default=False)
    message_id: Mapped[str | None] = mapped_column(String(200))
    relay: Mapped[str | None] = mapped_column(String(60))  # the relay of the last attempt
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    subscriber = relationship("Subscriber", back_populates="deliveries")
    newsletter = relationship("Newsletter")

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.status}>"
