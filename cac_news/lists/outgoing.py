"""A post as its members receive it: the list's headers, the subject prefix once, the
footer in the text and HTML parts, From rewritten for strict-DMARC domains, then per member
the one-click List-Unsubscribe and (when configured) a DKIM signature.

The body is transformed once per post; a member's copy only adds two header lines.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from html import escape

from cac_news.lists import dmarc, manage, tokens
from cac_news.lists.incoming import parse
from cac_news.mail.dkim import DKIMSigner
from cac_news.mail.headers import check_header
from cac_news.models import DiscussionList, ListPost
from cac_news.urls import external_url

SMTP = policy.SMTP
# Headers of the incoming message that must not go out again: ours replace them, or they
# describe the way in (and an old DKIM signature no longer matches the changed message).
DROPPED_HEADERS = (
    "List-Id", "List-Post", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Archive",
    "List-Help", "List-Subscribe", "List-Owner", "Archived-At", "X-Loop", "Precedence",
    "Return-Path", "Delivered-To", "DKIM-Signature", "Sender", "Errors-To", "X-Original-To",
)  # fmt: skip
REPLY_PREFIX_RE = re.compile(r"^\s*((re|fwd?|tr|aw)\s*:\s*)+", re.IGNORECASE)
SIGNED_TYPES = ("multipart/signed", "multipart/encrypted", "application/pkcs7-mime")


def add_prefix(subject: str, prefix: str) -> str:
    """The subject with the list's prefix, added once: "Re: [GT] x" and "RE: Re: [GT] x"
    keep theirs, a new subject gets "[GT] x"."""
    if not prefix or prefix.lower() in subject.lower():
        return subject
    return f"{prefix} {subject}".strip()


def footer_text(mailing_list: DiscussionList, archive_url: str | None) -> str:
    """The list's footer, with where its archive lives."""
    lines = [mailing_list.footer.strip()] if mailing_list.footer.strip() else []
    lines.append(f"{mailing_list.name} — {manage.address_of(mailing_list)}")
    if archive_url:
        lines.append(archive_url)
    return "\n".join(lines)


def _append_to_part(part: EmailMessage, footer: str) -> bool:
    """Append the footer to one text/plain or text/html part; False when it cannot be."""
    subtype = part.get_content_subtype()
    try:
        content = part.get_content()
    except (LookupError, ValueError, KeyError):  # unknown charset: leave the part alone
        return False
    if not isinstance(content, str):
        return False
    if subtype == "plain":
        new = content.rstrip("\r\n") + "\n\n-- \n" + footer + "\n"
    else:
        block = "<hr><p>" + escape(footer).replace("\n", "<br>") + "</p>"
        index = content.lower().rfind("</body>")
        new = content[:index] + block + content[index:] if index >= 0 else content + block
    disposition = part.get("Content-Disposition")
    part.set_content(new, subtype=subtype, charset="utf-8", cte="quoted-printable")
    if disposition:
        part.replace_header("Content-Disposition", disposition)
    return True


def add_footer(message: EmailMessage, footer: str) -> None:
    """The footer in the body's text/plain and text/html parts, never in an attachment."""
    if not message.is_multipart():
        if message.get_content_type() in ("text/plain", "text/html"):
            _append_to_part(message, footer)
        return
    if message.get_content_type() == "multipart/alternative":
        for part in message.iter_parts():
            if part.get_content_type() in ("text/plain", "text/html"):
                _append_to_part(part, footer)
        return
    for part in message.iter_parts():  # mixed, related: the first part is the body
        if part.get_content_disposition() == "attachment":
            return
        if part.is_multipart():
            add_footer(part, footer)
            return
        if part.get_content_type() in ("text/plain", "text/html"):
            _append_to_part(part, footer)
            return
        return


def _raw_body(raw: bytes) -> tuple[list[bytes], bytes]:
    """The raw header lines (unfolded groups) and the raw body of a message, untouched."""
    normalised = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head, _, body = normalised.partition(b"\r\n\r\n")
    groups: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and groups:
            groups[-1] += b"\r\n" + line
        else:
            groups.append(line)
    return groups, body


def wrap_signed(raw: bytes, footer: str) -> tuple[bytes, bytes]:
    """(Content headers, body) of a multipart/mixed holding the signed entity byte for byte
    and the footer as a part of its own: the signature stays valid."""
    groups, body = _raw_body(raw)
    content = b"\r\n".join(g for g in groups if g.lower().startswith(b"content-"))
    boundary = "cacnews-" + secrets.token_hex(12)
    footer_part = (
        f'--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: 8bit\r\nContent-Disposition: inline\r\n\r\n"
    ).encode() + footer.replace("\n", "\r\n").encode("utf-8")
    wrapped = b"".join(
        (
            f"--{boundary}\r\n".encode(),
            content,
            b"\r\n\r\n",
            body.rstrip(b"\r\n"),
            b"\r\n",
            footer_part,
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )
    head = f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n'.encode()
    return head, wrapped


class PostMailer:
    """One accepted post, ready to be sent to each member."""

    def __init__(self, post: ListPost, config: Mapping) -> None:
        mailing_list = post.discussion_list
        self.list_id = mailing_list.id
        self.config = config
        address = manage.address_of(mailing_list)
        archive_url = post_url = None
        if mailing_list.archive != "off":
            archive_url = external_url("lists.archive", slug=mailing_list.slug)
            post_url = external_url("lists.post", slug=mailing_list.slug, post_id=post.id)
        message = parse(post.raw)
        for name in DROPPED_HEADERS:
            del message[name]
        self._rewrite_sender(message, mailing_list, address)
        subject = str(message.get("Subject", "") or "")
        del message["Subject"]
        message["Subject"] = add_prefix(subject, mailing_list.subject_prefix)
        message["List-Id"] = check_header("List-Id", manage.list_id_of(mailing_list))
        message["List-Post"] = f"<mailto:{address}>"
        if archive_url:
            message["List-Archive"] = f"<{archive_url}>"
            message["Archived-At"] = f"<{post_url}>"
        message["X-Loop"] = address
        message["Precedence"] = "list"
        if "Message-ID" not in message:
            message["Message-ID"] = post.message_id
        footer = footer_text(mailing_list, archive_url)
        if message.get_content_type() in SIGNED_TYPES:
            for name in [k for k in message if k.lower().startswith("content-")]:
                del message[name]
            content_head, body = wrap_signed(post.raw, footer)
            head = b"".join(SMTP.fold_binary(k, v) for k, v in message.items())
            self.head, self.body = head + content_head, body
        else:
            add_footer(message, footer)
            data = message.as_bytes(policy=SMTP)
            head, _, body = data.partition(b"\r\n\r\n")
            self.head, self.body = head + b"\r\n", body
        self.signer = DKIMSigner.from_config(config)

    def _rewrite_sender(
        self, message: EmailMessage, mailing_list: DiscussionList, address: str
    ) -> None:
        """From and Reply-To by the list's reply policy and the author's DMARC policy."""
        author_name, author = parseaddr(str(message.get("From", "") or ""))
        domain = author.rpartition("@")[2]
        author_box = formataddr((author_name, author)) if author else ""
        replies = []
        if dmarc.is_strict(domain, self.config):
            shown = author_name or author.partition("@")[0]
            del message["From"]
            message["From"] = formataddr((f"{shown} via {mailing_list.name}", address))
            replies.append(author_box)
        elif mailing_list.reply_policy == "author" and message.get("Reply-To"):
            replies.append(str(message["Reply-To"]))
        if mailing_list.reply_policy == "list":
            replies.append(formataddr((mailing_list.name, address)))
        elif not replies and author_box:
            replies.append(author_box)
        del message["Reply-To"]
        if replies:
            message["Reply-To"] = ", ".join(replies)

    def render(self, subscriber_id: int) -> bytes:
        """The message for one member: their one-click leave link, then the signature."""
        token = tokens.make(tokens.LEAVE, self.list_id, subscriber_id)
        slug_url = external_url("lists.leave", token=token)
        head = (
            f"List-Unsubscribe: <{slug_url}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        ).encode("ascii")
        data = head + self.head + b"\r\n" + self.body
        if self.signer is not None:
            data = self.signer.sign(data)
        return data
