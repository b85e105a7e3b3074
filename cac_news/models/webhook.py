"""Outgoing webhooks: the endpoints admins registered and the deliveries queued for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.timeutil import utcnow

WEBHOOK_DELIVERY_STATUSES = ("pending", "sent", "failed", "abandoned")
# Pending: not tried yet; failed: the last try failed and another is due at next_attempt_at.
UNFINISHED = ("pending", "failed")
WEBHOOK_ANSWER_MAX = 500


class WebhookEndpoint(db.Model):
    """A URL that hears about the events it chose, signed with its own secret.

    The secret is kept because every delivery is signed with it; it is shown once, when
    the endpoint is created, and never rendered again.
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(Text, default="")  # event names, space-separated
    secret: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def event_list(self) -> list[str]:
        """The subscribed event names."""
        return self.events.split()

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {'on' if self.enabled else 'off'}>"


class WebhookDelivery(db.Model):
    """One event for one endpoint: written in the transaction of the change, sent later."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'abandoned')", name="status"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(60))
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)
    payload: Mapped[str] = mapped_column(Text)  # the exact JSON body that is signed
    # The keyed hash of the address the event is about, so that an erasure finds the
    # earlier deliveries that carry the address and blanks them.
    subject_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_answer: Mapped[str | None] = mapped_column(String(WEBHOOK_ANSWER_MAX))
    last_duration_ms: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event_type} {self.status}>"
