"""Digests: a member who chose "daily" or "weekly" gets one MIME digest (RFC 2046
multipart/digest, after a table of contents) of the posts of the period instead of each."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from email import policy
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.lists import manage, tokens
from cac_news.lists.incoming import parse
from cac_news.mail.dkim import DKIMSigner
from cac_news.mail.headers import make_message_id
from cac_news.models import DiscussionList, ListDelivery, ListMember, ListPost, Subscriber
from cac_news.urls import external_url

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def posts_between(mailing_list_id: int, start: datetime, end: datetime) -> list[ListPost]:
    """The accepted posts of a list received in (start, end], in order."""
    return list(
        db.session.scalars(
            select(ListPost)
            .where(
                ListPost.list_id == mailing_list_id,
                ListPost.status == "accepted",
                ListPost.received_at > start,
                ListPost.received_at <= end,
            )
            .order_by(ListPost.received_at, ListPost.id)
        )
    )


def queue_due(now: datetime) -> int:
    """A digest delivery for each digest member whose period has passed; commits."""
    rows = db.session.execute(
        select(ListMember)
        .join(Subscriber, Subscriber.id == ListMember.subscriber_id)
        .where(
            ListMember.status == "active",
            Subscriber.status == "active",
            ListMember.delivery_mode.in_(tuple(PERIODS)),
        )
    ).scalars()
    queued = 0
    for member in rows:
        start = member.digest_sent_at or member.consent_at or member.created_at
        if now - start < PERIODS[member.delivery_mode]:
            continue
        posts = posts_between(member.list_id, start, now)
        member.digest_sent_at = now
        if not posts:
            continue
        db.session.add(
            ListDelivery(
                list_id=member.list_id,
                subscriber_id=member.subscriber_id,
                digest_post_ids=" ".join(str(post.id) for post in posts),
                next_attempt_at=now,
            )
        )
        queued += 1
    db.session.commit()
    return queued


def table_of_contents(mailing_list: DiscussionList, posts: list[ListPost]) -> str:
    """The digest's first part: one numbered line per post (subject, author's name)."""
    lines = [
        _("Digest of the list %(name)s: %(n)d messages", name=mailing_list.name, n=len(posts)),
        "",
    ]
    for number, post in enumerate(posts, start=1):
        author = post.author_name or _("a member")
        lines.append(f"{number}. {post.subject} — {author}")
    return "\n".join(lines) + "\n"


def build_digest(mailing_list: DiscussionList, posts: list[ListPost], language: str = "fr"):
    """The digest as a message (without per-member headers)."""
    address = manage.address_of(mailing_list)
    with force_locale(language):
        toc = table_of_contents(mailing_list, posts)
        subject = _("Digest of %(name)s", name=mailing_list.name)
    outer = MIMEMultipart("mixed", policy=policy.SMTP)
    outer["From"] = formataddr((mailing_list.name, address))
    outer["To"] = address
    outer["Subject"] = f"{mailing_list.subject_prefix} {subject}".strip()
    outer["Date"] = formatdate()
    outer["Message-ID"] = make_message_id(manage.domain())
    outer["List-Id"] = manage.list_id_of(mailing_list)
    outer["List-Post"] = f"<mailto:{address}>"
    if mailing_list.archive != "off":
        outer["List-Archive"] = f"<{external_url('lists.archive', slug=mailing_list.slug)}>"
    outer["X-Loop"] = address
    outer["Precedence"] = "list"
    outer.attach(MIMEText(toc, "plain", "utf-8", policy=policy.SMTP))
    digest = MIMEMultipart("digest", policy=policy.SMTP)
    for post in posts:
        digest.attach(MIMEMessage(parse(post.raw), policy=policy.SMTP))
    outer.attach(digest)
    return outer


class DigestMailer:
    """One member's digest, rendered for the worker."""

    def __init__(self, row, config: Mapping) -> None:
        mailing_list = db.session.get(DiscussionList, row.list_id)
        ids = [int(i) for i in row.digest_post_ids.split()]
        posts = list(
            db.session.scalars(select(ListPost).where(ListPost.id.in_(ids)).order_by(ListPost.id))
        )
        self.list_id = mailing_list.id
        member = db.session.get(Subscriber, row.subscriber_id) if row.subscriber_id else None
        language = member.language if member is not None else "fr"
        digest = build_digest(mailing_list, posts, language)
        self.data = digest.as_bytes(policy=policy.SMTP)
        self.signer = DKIMSigner.from_config(config)

    def render(self, subscriber_id: int) -> bytes:
        """The digest with the member's one-click leave link."""
        token = tokens.make(tokens.LEAVE, self.list_id, subscriber_id)
        head = (
            f"List-Unsubscribe: <{external_url('lists.leave', token=token)}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        ).encode("ascii")
        data = head + self.data
        return self.signer.sign(data) if self.signer is not None else data
