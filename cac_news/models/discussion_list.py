"""Discussion lists: the list, its members (subscribers who agreed), its posts and their
per-member deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.audience import Subscriber
from cac_news.models.segment import Segment
from cac_news.timeutil import utcnow

POSTING_POLICIES = ("members", "moderated", "announce")
REPLY_POLICIES = ("list", "author")
ARCHIVE_POLICIES = ("public", "members", "off")
MEMBER_STATUSES = ("invited", "active", "left")
DIGEST_MODES = ("each", "daily", "weekly")
POST_STATUSES = (
    "held",  # waiting for a pilot
    "accepted",  # queued for its members
    "rejected",  # a pilot said no (the author was told why)
    "discarded",  # a pilot dropped it silently
    "expired",  # held longer than the hold time
    "dropped",  # loops, auto-replies, bounces: never distributed nor shown
)
LIST_DELIVERY_STATUSES = ("queued", "sending", "sent", "failed", "retrying", "skipped")


def _check(column: str, values: tuple[str, ...]) -> CheckConstraint:
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=column)


class DiscussionList(db.Model):
    """One list: members write to its address, the worker sends each post to every member."""

    __tablename__ = "discussion_list"
    __table_args__ = (
        _check("posting_policy", POSTING_POLICIES),
        _check("reply_policy", REPLY_POLICIES),
        _check("archive", ARCHIVE_POLICIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    local_part: Mapped[str] = mapped_column(String(64), unique=True)  # before @ of the domain
    description: Mapped[str] = mapped_column(Text, default="")
    posting_policy: Mapped[str] = mapped_column(String(10), default="members")
    reply_policy: Mapped[str] = mapped_column(String(10), default="list")
    subject_prefix: Mapped[str] = mapped_column(String(40), default="")
    footer: Mapped[str] = mapped_column(Text, default="")
    max_bytes: Mapped[int] = mapped_column(default=2_000_000)
    archive: Mapped[str] = mapped_column(String(10), default="members")
    # Who the list is for: invitations go to this segment (and/or these modes).
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segment.id", ondelete="SET NULL"), default=None
    )
    mode_slugs: Mapped[str] = mapped_column(String(500), default="")  # space-separated
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    held_notice_at: Mapped[datetime | None]  # the last "posts are waiting" mail to pilots

    segment: Mapped[Segment | None] = relationship()

    def __repr__(self) -> str:
        return f"<DiscussionList {self.slug}>"


class ListMember(db.Model):
    """A subscriber on a list, with how they agreed to it (asserted by a pilot, or their
    own confirmed invitation) and how they want its mail."""

    __tablename__ = "list_member"
    __table_args__ = (
        UniqueConstraint("list_id", "subscriber_id", name="uq_list_member"),
        _check("status", MEMBER_STATUSES),
        _check("delivery_mode", DIGEST_MODES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("discussion_list.id", ondelete="CASCADE"))
    # Erasing a subscriber erases their memberships too.
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="invited")
    delivery_mode: Mapped[str] = mapped_column(String(10), default="each")
    consent_source: Mapped[str | None] = mapped_column(String(16))  # pilot | invitation
    consent_text: Mapped[str | None] = mapped_column(Text)
    consent_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    digest_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(lazy="joined")
    discussion_list: Mapped[DiscussionList] = relationship()


class ListPost(db.Model):
    """One message received for a list: raw bytes kept, the fields the archive needs parsed."""

    __tablename__ = "list_post"
    __table_args__ = (
        Index("ix_list_post_list_status", "list_id", "status", "received_at"),
        Index("ix_list_post_thread", "list_id", "thread_key"),
        _check("status", POST_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("discussion_list.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    hold_reason: Mapped[str] = mapped_column(String(20), default="")
    message_id: Mapped[str] = mapped_column(String(250), index=True)
    in_reply_to: Mapped[str] = mapped_column(String(250), default="")
    references: Mapped[str] = mapped_column(Text, default="")
    # The Message-ID of the thread's first post (its own when it starts one).
    thread_key: Mapped[str] = mapped_column(String(250), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    # Kept for moderation and replies; never shown in the archive.
    author_email: Mapped[str] = mapped_column(String(254), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")  # addresses scrubbed
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded subject and body
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    digested: Mapped[bool] = mapped_column(default=False)

    discussion_list: Mapped[DiscussionList] = relationship()


class ListDelivery(db.Model):
    """One post to one member, claimed and sent by the worker over the relays."""

    __tablename__ = "list_delivery"
    __table_args__ = (
        UniqueConstraint("post_id", "subscriber_id", name="uq_list_delivery"),
        Index("ix_list_delivery_due", "status", "next_attempt_at"),
        # Relay quotas: messages a relay carried in the last hour / day (letters and lists).
        Index("ix_list_delivery_relay_sent", "relay", "sent_at"),
        _check("status", LIST_DELIVERY_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A digest has no post: it carries its own bytes' recipe (the member's day of posts).
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_post.id", ondelete="CASCADE"), default=None
    )
    list_id: Mapped[int] = mapped_column(ForeignKey("discussion_list.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    digest_post_ids: Mapped[str] = mapped_column(Text, default="")  # space-separated
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    smtp_code: Mapped[int | None]
    smtp_text: Mapped[str | None] = mapped_column(String(500))
    relay: Mapped[str | None] = mapped_column(String(60))
