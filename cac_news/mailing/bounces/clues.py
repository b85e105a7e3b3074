"""Clues in a report's headers and text: VERP token, original Message-ID, status code,
and whether it looks like a bounce or an automatic reply.
"""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses

from .reports import FAILURE_STATUS_RE, original_message, text
from .verp import DEFAULT_PREFIX, token_from_address

ENVELOPE_HEADERS = (
    "To",
    "Delivered-To",
    "X-Original-To",
    "Return-Path",
    "Envelope-To",
    "X-Envelope-To",
)
DAEMON_RE = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailer|mdaemon)@", re.I)
BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|delivery (status notification \(failure\)|fail)|returned mail|"
    r"could not be delivered|mail delivery (failed|system)|non remis|non distribuable",
    re.I,
)
AUTO_REPLY_SUBJECT_RE = re.compile(
    r"^\s*(auto(matic)? ?(reply|response)|out of (the )?office|r[ée]ponse automatique|"
    r"absence|vacation|auto:)",
    re.I,
)
MESSAGE_ID_RE = re.compile(r"^Message-I[Dd]:\s*(<[^>\s]+>)", re.M | re.I)


def text_parts(msg: Message):
    """The decoded text parts of the report itself, not of the message it returns."""
    stack = [msg]
    while stack:
        part = stack.pop(0)
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            stack.extend(p for p in part.get_payload() if isinstance(p, Message))
        elif part.get_content_maintype() == "text" and part.get_content_subtype() != (
            "rfc822-headers"
        ):
            payload = part.get_payload(decode=True) or b""
            try:
                yield payload.decode(part.get_content_charset() or "utf-8", "replace")
            except LookupError:  # an unknown charset name: read it as Latin-1
                yield payload.decode("latin-1")


def body_status(msg: Message) -> tuple[str | None, str | None]:
    """The first enhanced status code in the report's text, and the line it is on."""
    for body in text_parts(msg):
        for line in body.splitlines():
            match = FAILURE_STATUS_RE.search(line)
            if match:
                return ".".join(match.groups()), line.strip()[:500]
    return None, None


def find_verp_token(msg: Message, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The VERP token of the address the report was sent to, when it is a VERP address."""
    values = [text(v) for name in ENVELOPE_HEADERS for v in msg.get_all(name, [])]
    for _, addr in getaddresses(values):
        token = token_from_address(addr, prefix)
        if token:
            return token
    return None


def find_message_id(msg: Message) -> str | None:
    """The Message-ID of the original message, from the returned message or its headers."""
    original = original_message(msg)
    if original is not None and original.get("Message-ID"):
        return text(original.get("Message-ID")).strip() or None
    for body in text_parts(msg):  # a copy inlined in the text, the Exim way
        match = MESSAGE_ID_RE.search(body)
        if match:
            return match.group(1)
    return None


def subject_of(msg: Message) -> str:
    """The decoded Subject (RFC 2047 encoded words), or the raw text when undecodable."""
    raw = text(msg.get("Subject"))
    try:
        return str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError):  # bad charset or encoding
        return raw


def is_auto_reply(msg: Message) -> bool:
    """An out-of-office or other automatic reply (RFC 3834 and common vendor headers)."""
    auto = text(msg.get("Auto-Submitted")).lower()
    if auto.startswith("auto-replied") or msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return True
    if text(msg.get("Precedence")).lower() == "auto_reply":
        return True
    return bool(AUTO_REPLY_SUBJECT_RE.search(subject_of(msg)))


def looks_like_bounce(msg: Message) -> bool:
    """Whether the sender or subject says "delivery failure" even if no recipient was found."""
    sender = getaddresses([text(msg.get("From"))])
    if sender and DAEMON_RE.match(sender[0][1] or ""):
        return True
    return bool(msg.get("X-Failed-Recipients")) or bool(BOUNCE_SUBJECT_RE.search(subject_of(msg)))
