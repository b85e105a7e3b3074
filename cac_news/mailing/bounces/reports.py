"""Readers for the two standard report formats: RFC 3464 DSNs and RFC 5965 ARF reports.

Both work on a message parsed with the compat32 policy (what flufl.bounce expects too)
and never raise on odd input: a missing part is returned as None for the caller to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses

DIAGNOSTIC_TYPE_RE = re.compile(r"^[A-Za-z][\w-]*\s*;\s*")
STATUS_RE = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# In free text only failure codes count: "v2.0.13" or a date must not pass for a status.
FAILURE_STATUS_RE = re.compile(r"(?<![\w.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d.])")


@dataclass
class DsnRecipient:
    """One per-recipient block of a message/delivery-status part."""

    address: str
    action: str  # failed | delayed | delivered | relayed | expanded ('' if absent)
    status: str | None
    diagnostic: str | None


def text(value) -> str:
    """A header value as plain text (compat32 may hand back Header objects)."""
    if value is None:
        return ""
    try:
        return str(value).strip()
    except Exception:  # a Header with undecodable bytes: keep what can be kept
        return repr(value)


def unfold(value: str) -> str:
    """Collapse a folded header value onto one line."""
    return re.sub(r"\s*\r?\n\s*", " ", value).strip()


def report_type(msg: Message) -> str:
    """The report-type of a multipart/report message, lower-case ('' otherwise)."""
    if msg.get_content_type() != "multipart/report":
        return ""
    return text(msg.get_param("report-type", "")).lower()


def find_part(msg: Message, content_type: str) -> Message | None:
    """The first part with this content type, not looking inside attached messages."""
    stack = [msg]
    while stack:
        part = stack.pop(0)
        if part.get_content_type() == content_type:
            return part
        payload = part.get_payload()
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            stack.extend(p for p in payload if isinstance(p, Message))
    return None


def field_blocks(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    if isinstance(payload, str):
        return [HeaderParser().parsestr(chunk) for chunk in re.split(r"\n\s*\n", payload)]
    return []


def clean_address(value: str) -> str:
    """A lower-cased address, or '' when it cannot be one (no domain, "..", spaces)."""
    addr = (value or "").strip().strip("<>").strip().lower()
    local, at, domain = addr.rpartition("@")
    if not at or not local or "." not in domain or ".." in addr or any(c.isspace() for c in addr):
        return ""
    return addr


def address_of(value: str) -> str:
    """The address of a typed field such as "rfc822; <Anne@Example.org>", lower-case."""
    _, _, addr = text(value).rpartition(";")
    return clean_address(addr)


def enhanced_status(value: str | None) -> str | None:
    """The first enhanced status code (RFC 3463, e.g. "5.1.1") found in a text."""
    match = STATUS_RE.search(value or "")
    return ".".join(match.groups()) if match else None


def read_dsn(msg: Message) -> list[DsnRecipient] | None:
    """The per-recipient blocks of a DSN, or None when it has no delivery-status part."""
    part = find_part(msg, "message/delivery-status")
    if part is None:
        return None
    recipients = []
    for block in field_blocks(part):  # the per-message block has no recipient: skipped
        # Original-Recipient is the address this app sent to; Final-Recipient may be an
        # alias it was rewritten into (e.g. "rfc822;userx@sims-ms-daemon").
        address = address_of(block.get("Original-Recipient", "")) or address_of(
            block.get("Final-Recipient", "")
        )
        if not address:
            continue
        diagnostic = unfold(text(block.get("Diagnostic-Code"))) or None
        if diagnostic:
            diagnostic = DIAGNOSTIC_TYPE_RE.sub("", diagnostic) or None  # drop "smtp;"
        status = enhanced_status(text(block.get("Status"))) or enhanced_status(diagnostic)
        action = text(block.get("Action")).lower().split(" ")[0] if block.get("Action") else ""
        recipients.append(DsnRecipient(address, action, status, diagnostic))
    return recipients


@dataclass
class FeedbackReport:
    """What an ARF report says: its type, the complained address, the original message."""

    feedback_type: str
    recipients: list[str]
    original: Message | None


def read_arf(msg: Message) -> FeedbackReport | None:
    """An ARF feedback report's fields, or None when the feedback-report part is missing."""
    part = find_part(msg, "message/feedback-report")
    if part is None:
        return None
    fields: dict[str, list[str]] = {}
    for block in field_blocks(part):
        for name, value in block.items():
            fields.setdefault(name.lower(), []).append(text(value))
    original = original_message(msg)
    recipients = [a for v in fields.get("original-rcpt-to", []) if (a := address_of(v))]
    if not recipients and original is not None:
        recipients = [
            addr.lower()
            for _, addr in getaddresses([text(v) for v in original.get_all("To", [])])
            if "@" in addr
        ]
    feedback_type = (fields.get("feedback-type") or ["abuse"])[0].lower()
    return FeedbackReport(feedback_type, recipients, original)


def original_message(msg: Message) -> Message | None:
    """The returned original message, or its headers alone, when the report includes them."""
    part = find_part(msg, "message/rfc822")
    if part is not None:
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
    part = find_part(msg, "text/rfc822-headers")
    if part is not None:
        body = part.get_payload(decode=True) or b""
        return HeaderParser().parsestr(body.decode("utf-8", "replace"))
    return None
