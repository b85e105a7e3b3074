"""Transactional mails asked for on the public forms, queued for the worker to send."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cac_news.extensions import db
from cac_news.timeutil import utcnow


class OutboxKind(StrEnum):
    """What was asked for; the worker decides which mail it becomes (if any)."""

    SUBSCRIBE = "subscribe"  # a confirmation link, or "already subscribed"
    MY_LINK = "my_link"  # the preferences link, for a known address only
    RECONFIRM = "reconfirm"  # a pilot's re-confirmation invitation, counted like the others
    WELCOME = "welcome"  # the welcome mail after a confirmation (once per subscriber)
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a pilot's reset link, active pilots only)
    LIST_INVITE = "list_invite"  # a discussion list's invitation: its confirmation link
    LIST_REJECTED = "list_rejected"  # a held post refused by a pilot: the reason, to its author
    LIST_HELD = "list_held"  # to a pilot: posts wait in a list's queue (at most hourly)
    LIST_ARCHIVE = "list_archive"  # a member's magic link to a members-only archive


class OutboxStatus(StrEnum):
    """Where a queued request stands."""

    QUEUED = "queued"
    SENT = "sent"
    DROPPED = "dropped"  # unknown address, or past the daily allowance: nothing sent
    FAILED = "failed"  # the SMTP server refused it, or kept failing


class OutboxMail(db.Model):
    """One request for a transactional mail, written by the web request, sent by the worker."""

    __tablename__ = "outbox_mail"
    __table_args__ = (
        Index("ix_outbox_mail_due", "status", "next_attempt_at"),
        # The allowance counts the mails sent to one address in the last day.
        Index("ix_outbox_mail_email_sent", "email", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="fr")
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the form's profile
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} {self.status}>"


class WelcomeRecord(db.Model):
    """A subscriber who was queued a welcome mail: the primary key makes it once only."""

    __tablename__ = "welcome_record"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True
    )
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
