"""One message arriving for a list (from `flask lists deliver` or the LMTP server): checked,
stored, then queued for the members, held for a pilot, or dropped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from sqlalchemy import func, select

from cac_news.archive.search import stem_text
from cac_news.extensions import db
from cac_news.lists import manage, members
from cac_news.mail.headers import make_message_id
from cac_news.models import DiscussionList, ListPost, Pilot
from cac_news.timeutil import utcnow

UNKNOWN, ACCEPTED, HELD, DROPPED = "unknown", "accepted", "held", "dropped"
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
ADDRESS_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
HIDDEN_ADDRESS = "[…]"
# RFC 3834 and the de-facto markers of vacation replies and list traffic.
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply")
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


@dataclass(frozen=True)
class Outcome:
    """What became of one message: status, reason, the stored post's id (if stored)."""

    status: str
    reason: str = ""
    post_id: int | None = None


def parse(raw: bytes) -> EmailMessage:
    """The message, read leniently (mail from the outside is often slightly broken)."""
    return BytesParser(policy=policy.default).parsebytes(raw)


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except (ValueError, IndexError, TypeError):  # an unparsable header: as absent
        return ""


def message_ids(value: str) -> list[str]:
    """The <…> message ids of a References or In-Reply-To value, in order."""
    return MESSAGE_ID_RE.findall(value or "")


def loop_reason(message: EmailMessage, mailing_list: DiscussionList) -> str:
    """'loop' when the message already went through this list, else ''."""
    address = manage.address_of(mailing_list).lower()
    loops = [str(v).lower() for v in message.get_all("X-Loop", [])]
    if any(address in value for value in loops):
        return "loop"
    ours = f"<{mailing_list.local_part}.{manage.domain()}>".lower()
    if any(ours in str(v).lower() for v in message.get_all("List-Id", [])):
        return "loop"
    return ""


def automatic_reason(message: EmailMessage, envelope_sender: str | None) -> str:
    """'bounce' or 'auto-reply' for mail no person wrote now (never distributed), else ''."""
    sender = (envelope_sender or "").strip().strip("<>")
    content_type = message.get_content_type()
    author = parseaddr(_header(message, "From"))[1].lower()
    null_sender = envelope_sender is not None and (
        not sender or sender.lower() == "mailer-daemon"  # Postfix's pipe names <> so
    )
    if null_sender or content_type == "multipart/report" or author.startswith(BOUNCE_SENDERS):
        return "bounce"
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "auto-reply"
    if _header(message, "Precedence").lower() in AUTO_PRECEDENCE:
        return "auto-reply"
    if any(_header(message, name) for name in AUTO_HEADERS):
        return "auto-reply"
    return ""


def suspected_spam(message: EmailMessage) -> bool:
    """The MTA's filter (SpamAssassin, rspamd) flagged it: X-Spam-Flag or X-Spam-Status yes."""
    flag = _header(message, "X-Spam-Flag").lower()
    status = _header(message, "X-Spam-Status").lower()
    return flag.startswith("yes") or status.startswith("yes")


def hold_reason(mailing_list: DiscussionList, author: str, size: int, spam: bool = False) -> str:
    """Why a post waits for a pilot ('' when it goes out at once)."""
    if size > mailing_list.max_bytes:
        return "size"
    if spam:
        return "spam"
    if mailing_list.posting_policy == "moderated":
        return "moderated"
    if mailing_list.posting_policy == "announce":
        pilot = db.session.scalar(
            select(Pilot.id).where(func.lower(Pilot.email) == author, Pilot.active)
        )
        return "" if pilot is not None else "announce"
    return "" if members.member_of(mailing_list, author) is not None else "non-member"


def text_of(message: EmailMessage) -> str:
    """The readable text of a message: its text/plain body, else its HTML as text."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        content = part.get_content() if part is not None else ""
    except (KeyError, LookupError, ValueError):
        return ""
    if part is not None and part.get_content_type() == "text/html":
        import nh3

        content = nh3.clean(content, tags=set())
    return content if isinstance(content, str) else ""


def scrub(text: str) -> str:
    """Text with every address hidden: the archive shows names, never addresses."""
    return ADDRESS_RE.sub(HIDDEN_ADDRESS, text)


def thread_key_for(mailing_list: DiscussionList, message_id: str, parents: list[str]) -> str:
    """The thread of a post: its nearest known parent's thread, else its own id."""
    for parent in reversed(parents):
        key = db.session.scalar(
            select(ListPost.thread_key).where(
                ListPost.list_id == mailing_list.id, ListPost.message_id == parent
            )
        )
        if key:
            return key
    return message_id


def store(
    mailing_list: DiscussionList,
    raw: bytes,
    message: EmailMessage,
    status: str,
    reason: str,
) -> ListPost:
    """Write the post (raw bytes and parsed fields); the caller commits."""
    author_name, author = parseaddr(_header(message, "From"))
    found = message_ids(_header(message, "Message-ID"))
    message_id = found[0] if found else make_message_id(manage.domain())
    in_reply_to = (message_ids(_header(message, "In-Reply-To")) or [""])[0]
    references = message_ids(_header(message, "References"))
    parents = references + ([in_reply_to] if in_reply_to else [])
    subject = scrub(_header(message, "Subject"))[:500]  # shown in the archive
    body = scrub(text_of(message))
    post = ListPost(
        list_id=mailing_list.id,
        status=status,
        hold_reason=reason,
        message_id=message_id[:250],
        in_reply_to=in_reply_to[:250],
        references=" ".join(references),
        thread_key=thread_key_for(mailing_list, message_id, parents)[:250],
        subject=subject,
        author_name=scrub(author_name)[:200],
        author_email=author.lower()[:254],
        body_text=body,
        search_text=stem_text(f"{subject} {body}"),  # as the archive search folds and stems
        raw=raw,
        size=len(raw),
        received_at=utcnow(),
    )
    db.session.add(post)
    return post


def receive(
    recipient: str, raw: bytes, envelope_sender: str | None = None, config: Mapping | None = None
) -> Outcome:
    """Handle one message for one envelope recipient; commits.

    Database errors propagate (the caller answers "try again later"); everything else is
    decided here. A message whose Message-ID the list already has is accepted again without
    a second copy (an MTA retrying after a lost answer).
    """
    mailing_list = manage.for_recipient(recipient, config)
    if mailing_list is None:
        return Outcome(UNKNOWN)
    message = parse(raw)
    found = message_ids(_header(message, "Message-ID"))
    if found:
        known = db.session.scalar(
            select(ListPost).where(
                ListPost.list_id == mailing_list.id, ListPost.message_id == found[0]
            )
        )
        if known is not None:
            return Outcome(known.status, "duplicate", known.id)
    dropped = loop_reason(message, mailing_list) or automatic_reason(message, envelope_sender)
    if dropped:
        post = store(mailing_list, raw, message, "dropped", dropped)
        db.session.commit()
        return Outcome(DROPPED, dropped, post.id)
    author = parseaddr(_header(message, "From"))[1].lower()
    if not author and envelope_sender:
        author = envelope_sender.strip("<>").lower()
    held = hold_reason(mailing_list, author, len(raw), suspected_spam(message))
    post = store(mailing_list, raw, message, "held" if held else "accepted", held)
    db.session.flush()
    if not held:
        from cac_news.lists.distribution import queue_post

        queue_post(post)
    db.session.commit()
    return Outcome(HELD if held else ACCEPTED, held, post.id)
