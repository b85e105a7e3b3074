"""Members-only archives: a member asks for a link by mail and opens the archive with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cac_news.audience import outbox
from cac_news.extensions import db
from cac_news.lists import members, tokens
from cac_news.models import DiscussionList, ListMember, OutboxKind, OutboxMail, Subscriber
from cac_news.urls import external_url


def is_member(mailing_list: DiscussionList, subscriber_id: int) -> bool:
    """Whether this subscriber is an active member of the list (and an active subscriber)."""
    found = db.session.scalar(
        members.receiving(mailing_list, None)
        .where(ListMember.subscriber_id == subscriber_id)
        .with_only_columns(ListMember.id)
    )
    return found is not None


def request_link(mailing_list: DiscussionList, email: str) -> None:
    """Queue the archive link for a member's address; nothing for anyone else. Commits.

    The request is queued whatever the address, so that the page answers the same and in
    the same time; the worker decides (and the daily allowance applies).
    """
    email = email.strip().lower()[:254]
    if "@" in email:
        outbox.queue(OutboxKind.LIST_ARCHIVE, email, "fr", {"list_id": mailing_list.id})


def archive_link_mail(row: OutboxMail, now: datetime):
    """The outbox's builder: the magic link, for an active member only."""
    import json

    from cac_news.audience import mail

    mailing_list = db.session.get(
        DiscussionList, json.loads(row.payload or "{}").get("list_id") or 0
    )
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == row.email))
    if mailing_list is None or subscriber is None or not is_member(mailing_list, subscriber.id):
        return None
    token = tokens.make(tokens.ARCHIVE, mailing_list.id, subscriber.id)
    url = external_url("lists.access_open", slug=mailing_list.slug, token=token)
    return lambda: mail.send(
        row.email, row.language, "list_archive_link", list_name=mailing_list.name, archive_url=url
    )
