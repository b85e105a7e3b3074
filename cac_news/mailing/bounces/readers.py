"""Readers for what flufl.bounce and the standard parts miss.

Amazon SES notifications (JSON as SNS e-mails them), Hotmail/Outlook JMRP complaints, DSN
fields sent as text (a `text/plain` part, or a multipart whose boundary is broken), and the
plain-text notices that name the failed address in prose (Exchange 2010, Orange, La Poste,
OpenSMTPD…). Each returns None when the message is not of its kind.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr

from .reports import DsnRecipient, address_of, clean_address, enhanced_status, text, unfold

ADDRESS_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.A)
DSN_FIELD_RE = re.compile(r"^(Final|Original)-Recipient:", re.M | re.I)
SMTP_REPLY_RE = re.compile(r"(?<!\d)([45])\d\d(?:[ -]|$)")
# Where a notice starts quoting the returned message: addresses after it are not failures.
QUOTE_MARKERS = re.compile(
    r"^(-+ ?This is a copy|--- Below this line|Below is a copy|-+ ?Original message|"
    r"-+ ?Message d'origine|Return-Path:|Received:|From:)",
    re.M | re.I,
)
DIAGNOSTIC_TYPE_RE = re.compile(r"^[A-Za-z][\w-]*\s*;\s*")


@dataclass
class Notice:
    """What a reader found: the kind of report and the per-recipient findings."""

    kind: str  # bounce | complaint | delivery
    recipients: list[DsnRecipient]
    message_id: str | None = None


def _json_body(msg: Message) -> dict | None:
    """The JSON object a single-part text message carries, or None."""
    if msg.is_multipart() or msg.get_content_maintype() != "text":
        return None
    body = (msg.get_payload(decode=True) or b"").strip()
    if not body.startswith(b"{"):
        return None
    try:
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("Message"), str):
            data = json.loads(data["Message"])  # the SNS envelope around the SES notification
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def read_ses(msg: Message) -> Notice | None:
    """An Amazon SES bounce, complaint or delivery notification."""
    data = _json_body(msg)
    if not data or "notificationType" not in data:
        return None
    mail = data.get("mail") if isinstance(data.get("mail"), dict) else {}
    message_id = None
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and str(header.get("name", "")).lower() == "message-id":
            message_id = str(header.get("value") or "").strip() or None
    kind = str(data["notificationType"]).lower()
    if kind == "bounce":
        bounce = data.get("bounce") or {}
        permanent = bounce.get("bounceType") == "Permanent"
        found = []
        for item in bounce.get("bouncedRecipients") or []:
            address = clean_address(parseaddr(str(item.get("emailAddress", "")))[1])
            if not address:
                continue
            diagnostic = DIAGNOSTIC_TYPE_RE.sub("", str(item.get("diagnosticCode") or "")) or None
            status = enhanced_status(str(item.get("status") or "")) or enhanced_status(diagnostic)
            if not status and permanent and bounce.get("bounceSubType") in ("General", "NoEmail"):
                status = "5.1.1"  # SES's own verdict: the address does not exist
            action = "failed" if permanent else "delayed"
            found.append(DsnRecipient(address, action, status, diagnostic))
        return Notice("bounce", found, message_id)
    if kind == "complaint":
        items = (data.get("complaint") or {}).get("complainedRecipients") or []
        found = [
            DsnRecipient(a, "", None, None)
            for item in items
            if (a := clean_address(parseaddr(str(item.get("emailAddress", "")))[1]))
        ]
        return Notice("complaint", found, message_id)
    return Notice("delivery", [], message_id)


def read_jmrp(msg: Message) -> Notice | None:
    """A Hotmail/Outlook JMRP complaint: the returned message names its original recipient."""
    for part in msg.walk():
        if part.get_content_type() != "message/rfc822":
            continue
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message) or not inner.get("X-HmXmrOriginalRecipient"):
            continue
        address = clean_address(parseaddr(text(inner.get("X-HmXmrOriginalRecipient")))[1])
        message_id = text(inner.get("Message-ID")) or None
        return Notice(
            "complaint", [DsnRecipient(address, "", None, None)] if address else [], message_id
        )
    return None


def raw_texts(msg: Message):
    """Every text of the report to search for DSN fields: text parts and unsplit multiparts."""
    for part in msg.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            continue
        payload = part.get_payload(decode=not part.is_multipart())
        if isinstance(payload, bytes):
            yield payload.decode("utf-8", "replace")
        elif isinstance(payload, str):  # a multipart whose boundary was not found
            yield payload


def read_dsn_in_text(msg: Message) -> list[DsnRecipient]:
    """DSN per-recipient fields found in text rather than a message/delivery-status part."""
    found = []
    for body in raw_texts(msg):
        if not DSN_FIELD_RE.search(body):
            continue
        for chunk in re.split(r"\n[ \t]*\n", body.replace("\r\n", "\n")):
            if not DSN_FIELD_RE.search(chunk):
                continue
            start = DSN_FIELD_RE.search(chunk).start()
            head = chunk[: chunk.rfind("\n", 0, start) + 1] if start else ""
            block = HeaderParser().parsestr(chunk[len(head) :] if head else chunk)
            address = address_of(block.get("Original-Recipient", "")) or address_of(
                block.get("Final-Recipient", "")
            )
            if not address:
                continue
            diagnostic = DIAGNOSTIC_TYPE_RE.sub("", unfold(text(block.get("Diagnostic-Code"))))
            status = enhanced_status(text(block.get("Status"))) or enhanced_status(diagnostic)
            action = text(block.get("Action")).lower().split(" ")[0]
            found.append(DsnRecipient(address, action, status, diagnostic or None))
        if found:
            return found
    return found


def notice_text(body: str) -> str:
    """A notice's own words, cut where it starts quoting the returned message."""
    match = QUOTE_MARKERS.search(body)
    return body[: match.start()] if match and match.start() > 0 else body


def recipient_context(body: str, address: str) -> str:
    """The words that follow an address in a notice (its reason), up to a blank line."""
    lower = body.lower()
    at = lower.find(address)
    if at < 0:
        return ""
    end = at + len(address)
    for _ in range(3):  # "was not delivered to: ADDR / because: / REASON" spans paragraphs
        found = lower.find("\n\n", end + 2)
        end = found if found > 0 else len(body)
        if len(body[at + len(address) : end].strip(" \t\n:>)")) >= 12:
            break
    return unfold(body[at : min(end, at + 600)])


def read_plain_text(msg: Message, texts: list[str]) -> list[DsnRecipient]:
    """Addresses a bounce notice names in prose, each with the reason that follows it."""
    own = {a.lower() for _, a in getaddresses([text(msg.get(h)) for h in ("From", "To")])}
    found = {}
    for body in texts:
        words = notice_text(body)
        for match in ADDRESS_RE.finditer(words):
            address = clean_address(match.group(0).rstrip("."))
            local = address.partition("@")[0]
            if not address or address in own or local in ("postmaster", "mailer-daemon"):
                continue
            context = recipient_context(words, address)
            found.setdefault(address, _recipient_from(address, context))
    return list(found.values())


def _recipient_from(address: str, context: str) -> DsnRecipient:
    """One recipient and its status from the words after its address."""
    status = enhanced_status(context)
    reply = SMTP_REPLY_RE.search(context)
    if status is None and reply:
        status = f"{reply.group(1)}.0.0"
    return DsnRecipient(address, "failed", status, context or None)
