"""The queue of held posts: approve, reject (the reason mailed to the author), discard,
approve and add the author as a member; pilots are told at most once an hour; held posts
expire after HOLD_DAYS."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from cac_news.audience import outbox
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.lists import members
from cac_news.lists.distribution import queue_post
from cac_news.models import (
    DiscussionList,
    ListPost,
    OutboxKind,
    OutboxMail,
    Pilot,
    Subscriber,
)
from cac_news.timeutil import utcnow
from cac_news.urls import external_url

HOLD_DAYS = 14
NOTICE_EVERY = timedelta(hours=1)


def held_posts(mailing_list: DiscussionList | None = None) -> list[ListPost]:
    """Posts waiting for a pilot, oldest first."""
    statement = select(ListPost).where(ListPost.status == "held").order_by(ListPost.id)
    if mailing_list is not None:
        statement = statement.where(ListPost.list_id == mailing_list.id)
    return list(db.session.scalars(statement))


def _decide(post: ListPost, status: str, pilot: Pilot | None) -> None:
    """Move a held post on, once: a second pilot's click on the same post is refused."""
    won = db.session.execute(
        update(ListPost)
        .where(ListPost.id == post.id, ListPost.status == "held")
        .values(status=status, decided_at=utcnow(), decided_by=pilot.id if pilot else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.rollback()
        raise ValidationError.single("status", str(_l("This post was already dealt with.")))
    db.session.refresh(post)


def approve(post: ListPost, pilot: Pilot | None = None, add_member: bool = False) -> int:
    """Send the post to the members; with add_member the author joins first. Commits."""
    if add_member:
        subscriber = db.session.scalar(
            select(Subscriber).where(func.lower(Subscriber.email) == post.author_email)
        )
        if subscriber is None or subscriber.status != "active":
            raise ValidationError.single(
                "author",
                str(_l("The author is not an active subscriber: they cannot be a member.")),
            )
    _decide(post, "accepted", pilot)
    if add_member:
        consent = str(_l("Added by a pilot when approving their post."))
        members.add_with_consent(
            post.discussion_list, [subscriber], consent, pilot.id if pilot else None
        )
    count = queue_post(post)
    db.session.commit()
    return count


def reject(post: ListPost, reason: str, pilot: Pilot | None = None) -> None:
    """Refuse the post and queue the reason to its author. Commits."""
    reason = reason.strip()
    if not reason:
        raise ValidationError.single("reason", str(_l("Say why the post is refused.")))
    _decide(post, "rejected", pilot)
    post.reject_reason = reason[:2000]
    if post.author_email:
        outbox.enqueue(OutboxKind.LIST_REJECTED, post.author_email, "fr", {"post_id": post.id})
    db.session.commit()


def discard(post: ListPost, pilot: Pilot | None = None) -> None:
    """Drop the post without a word to anyone. Commits."""
    _decide(post, "discarded", pilot)
    db.session.commit()


def expire(now: datetime) -> int:
    """Held posts older than HOLD_DAYS expire; commits; returns how many."""
    expired = db.session.execute(
        update(ListPost)
        .where(ListPost.status == "held", ListPost.received_at < now - timedelta(days=HOLD_DAYS))
        .values(status="expired", decided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return expired


def notify_pilots(now: datetime) -> int:
    """Tell the pilots of posts held since the last notice, at most once an hour per list."""
    lists = db.session.scalars(
        select(DiscussionList).where(
            select(ListPost.id)
            .where(ListPost.list_id == DiscussionList.id, ListPost.status == "held")
            .exists()
        )
    ).all()
    queued = 0
    for mailing_list in lists:
        last = mailing_list.held_notice_at
        if last is not None and now - last < NOTICE_EVERY:
            continue
        newer = select(ListPost.id).where(
            ListPost.list_id == mailing_list.id, ListPost.status == "held"
        )
        if last is not None:
            newer = newer.where(ListPost.received_at > last)
        if db.session.scalar(newer.limit(1)) is None:
            continue
        for email in db.session.scalars(select(Pilot.email).where(Pilot.active)):
            outbox.enqueue(OutboxKind.LIST_HELD, email, "fr", {"list_id": mailing_list.id})
            queued += 1
        mailing_list.held_notice_at = now
    db.session.commit()
    return queued


def periodic(now: datetime) -> None:
    """The worker's tick: expiry, notices to pilots, digests that are due."""
    from cac_news.lists import digests

    expire(now)
    notify_pilots(now)
    digests.queue_due(now)


def rejection_mail(row: OutboxMail, now: datetime):
    """The outbox's builder for a refusal: the reason, to the post's author."""
    from cac_news.audience import mail

    post = db.session.get(ListPost, json.loads(row.payload or "{}").get("post_id") or 0)
    if post is None:
        return None
    return lambda: mail.send(
        row.email,
        row.language,
        "list_rejected",
        list_name=post.discussion_list.name,
        subject=post.subject,
        reason=post.reject_reason,
    )


def held_notice_mail(row: OutboxMail, now: datetime):
    """The outbox's builder for a pilot's notice of held posts."""
    from cac_news.audience import mail

    mailing_list = db.session.get(
        DiscussionList, json.loads(row.payload or "{}").get("list_id") or 0
    )
    pilot = db.session.scalar(select(Pilot).where(Pilot.email == row.email, Pilot.active))
    if mailing_list is None or pilot is None:
        return None
    count = len(held_posts(mailing_list))
    url = external_url("admin.list_queue", list_id=mailing_list.id)
    return lambda: mail.send(
        row.email,
        row.language,
        "list_held",
        list_name=mailing_list.name,
        count=count,
        queue_url=url,
    )
