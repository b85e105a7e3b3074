"""Counted links: one code per (letter, link) and one counter per (link, day).

Nothing here names a person: no subscriber id, token, address or IP is stored with a
follow. A counter row says "this link of this letter was followed N times that day".
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.audience import SubscriptionEvent

CODE_LENGTH = 16


class LetterLink(db.Model):
    """One http(s) link of one letter, and the short code that redirects to it."""

    __tablename__ = "letter_link"
    __table_args__ = (UniqueConstraint("newsletter_id", "url", name="uq_letter_link_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletter.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    url: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)  # order of first appearance

    follows: Mapped[list[LinkFollowCount]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<LetterLink {self.code}>"


class LinkFollowCount(db.Model):
    """How many times a letter's link was followed on one day (UTC)."""

    __tablename__ = "link_follow_count"

    link_id: Mapped[int] = mapped_column(
        ForeignKey("letter_link.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


# The dashboard's growth chart reads status changes by date: a covering index makes it
# one index scan at 1,000,000 events (declared here, beside the queries that need it).
Index(
    "ix_subscription_event_growth",
    SubscriptionEvent.kind,
    SubscriptionEvent.created_at,
    SubscriptionEvent.old_status,
    SubscriptionEvent.new_status,
)
# Unsubscribes per letter match "…; letter N" at the end of the detail: one index range.
Index("ix_subscription_event_source_detail", SubscriptionEvent.source, SubscriptionEvent.detail)
