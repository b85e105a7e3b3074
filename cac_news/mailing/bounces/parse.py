"""Read one incoming message and say what it is: a hard or soft bounce, a complaint, or not.

Standard formats are read directly (RFC 3464 delivery-status, RFC 5965 feedback reports);
the non-standard bounces real MTAs send go through flufl.bounce's detectors. `analyse`
never raises: input it cannot read is reported as "malformed".
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from flufl.bounce import all_failures

from .reports import (
    FAILURE_STATUS_RE,
    clean_address,
    original_message,
    read_arf,
    read_dsn,
    report_type,
    text,
)
from .verp import DEFAULT_PREFIX, token_from_address

KINDS = ("hard", "soft", "complaint", "not_bounce", "malformed")
KNOWN_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "content-type",
    "received",
    "return-path",
    "mime-version",
    "delivered-to",
    "x-failed-recipients",
}
STRUCTURAL_DEFECTS = {
    "StartBoundaryNotFoundDefect",
    "CloseBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "NoBoundaryInMultipartDefect",
}
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


@dataclass
class Failure:
    """One failed recipient of a bounce, classified on its own."""

    address: str
    kind: str  # hard | soft
    status: str | None = None
    diagnostic: str | None = None


@dataclass
class BounceReport:
    """What `analyse` found in one message."""

    kind: str
    recipients: list[str] = field(default_factory=list)
    status: str | None = None
    diagnostic: str | None = None
    message_id: str | None = None
    verp_token: str | None = None
    failures: list[Failure] = field(default_factory=list)
    detector: str = ""  # dsn | arf | flufl | heuristic | ''
    problem: str | None = None  # why it is malformed, or what looked odd

    @property
    def is_bounce(self) -> bool:
        """A hard or soft bounce."""
        return self.kind in ("hard", "soft")


def classify_status(status: str | None, action: str = "failed") -> str:
    """Hard or soft, from an enhanced status code (preferred) or the DSN Action."""
    if status and status[0] in "45":
        if status[2:] == "2.2":
            return "soft"  # mailbox full: the address exists (4.2.2 and 5.2.2 alike)
        if status.startswith("5.7."):
            # Policy and spam rejections judge the sender, not the address: a blocklisted
            # relay must not turn a whole provider's subscribers into bounced ones at once.
            return "soft"
        return "hard" if status[0] == "5" else "soft"
    return "hard" if action == "failed" else "soft"


def analyse(raw: bytes, verp_prefix: str = DEFAULT_PREFIX) -> BounceReport:
    """Classify one raw message; never raises (unreadable input is "malformed")."""
    try:
        return _analyse(raw, verp_prefix)
    except Exception as exc:  # the last guard: one odd message must not stop a run
        return BounceReport("malformed", problem=f"unreadable: {type(exc).__name__}: {exc}")


def _analyse(raw: bytes, verp_prefix: str) -> BounceReport:
    """The body of `analyse`, free to raise."""
    if not raw or not raw.strip():
        return BounceReport("malformed", problem="empty message")
    msg = email.message_from_bytes(raw)
    if not {name.lower() for name in msg} & KNOWN_HEADERS or b"\0" in raw[:4096]:
        return BounceReport("malformed", problem="not an email message (no mail headers)")
    report = _classify(msg)
    report.verp_token = find_verp_token(msg, verp_prefix)
    report.message_id = report.message_id or find_message_id(msg)
    defects = sorted(
        {type(d).__name__ for part in msg.walk() for d in part.defects} & STRUCTURAL_DEFECTS
    )
    if defects and report.kind == "not_bounce":
        return BounceReport(
            "malformed",
            message_id=report.message_id,
            verp_token=report.verp_token,
            problem="broken MIME structure: " + ", ".join(defects),
        )
    if defects:
        report.problem = "read despite a broken MIME structure: " + ", ".join(defects)
    return report


def _classify(msg: Message) -> BounceReport:
    """Try the standard formats, then flufl.bounce, then the sender's own look."""
    rtype = report_type(msg)
    if rtype == "feedback-report":
        return _from_arf(msg)
    dsn = read_dsn(msg)
    if dsn:
        failures = [
            Failure(r.address, classify_status(r.status, r.action), r.status, r.diagnostic)
            for r in dsn
            if r.action in ("failed", "delayed")
            or (not r.action and r.status and r.status[0] in "45")
        ]
        if failures:
            return _bounce(failures, "dsn")
        if all(r.action in ("delivered", "relayed", "expanded") for r in dsn):
            return BounceReport("not_bounce", detector="dsn", problem="success notification")
    problem = None
    try:
        temporary, permanent = all_failures(msg)
    except Exception as exc:  # a detector choked: fall back on the heuristics below
        temporary, permanent = frozenset(), frozenset()
        problem = f"flufl.bounce failed: {type(exc).__name__}"
    status, diagnostic = body_status(msg)
    failures = [
        Failure(a, classify_status(status, "failed"), status, diagnostic)
        for a in _addresses(permanent)
    ]
    failures += [Failure(a, "soft", status, diagnostic) for a in _addresses(temporary)]
    if failures:
        return _bounce(failures, "flufl")
    if is_auto_reply(msg):
        return BounceReport("not_bounce", problem="auto-reply")
    if rtype == "delivery-status" and dsn is None:
        return BounceReport("malformed", problem="DSN without its delivery-status part")
    if looks_like_bounce(msg) or rtype == "delivery-status":
        kind = classify_status(status, "delayed")  # no recipient and no code: assume soft
        return BounceReport(
            kind,
            status=status,
            diagnostic=diagnostic,
            detector="heuristic",
            problem=problem or "bounce without a readable recipient",
        )
    return BounceReport("not_bounce", problem=problem)


def _from_arf(msg: Message) -> BounceReport:
    """A complaint from an ARF feedback report (or "not_bounce" for a not-spam report)."""
    arf = read_arf(msg)
    if arf is None:
        return BounceReport(
            "malformed",
            detector="arf",
            problem="feedback report without its message/feedback-report part",
        )
    message_id = text(arf.original.get("Message-ID")) or None if arf.original else None
    if arf.feedback_type == "not-spam":
        return BounceReport(
            "not_bounce", detector="arf", message_id=message_id, problem="not-spam feedback"
        )
    return BounceReport(
        "complaint",
        recipients=arf.recipients,
        detector="arf",
        message_id=message_id,
        diagnostic=f"Feedback-Type: {arf.feedback_type}",
    )


def _bounce(failures: list[Failure], detector: str) -> BounceReport:
    """A hard or soft report from its failures (hard when any recipient failed hard)."""
    failures = sorted(failures, key=lambda f: (f.kind != "hard", f.address))
    first = failures[0]
    recipients = list(dict.fromkeys(f.address for f in failures))
    return BounceReport(
        first.kind, recipients, first.status, first.diagnostic, failures=failures, detector=detector
    )


def _addresses(found) -> list[str]:
    """Lower-cased addresses from flufl.bounce's bytes, without impossible ones."""
    values = (i.decode("utf-8", "replace") if isinstance(i, bytes) else str(i) for i in found)
    return sorted({addr for value in values if (addr := clean_address(value))})


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


def is_auto_reply(msg: Message) -> bool:
    """An out-of-office or other automatic reply (RFC 3834 and common vendor headers)."""
    auto = text(msg.get("Auto-Submitted")).lower()
    if auto.startswith("auto-replied") or msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return True
    if text(msg.get("Precedence")).lower() == "auto_reply":
        return True
    return bool(AUTO_REPLY_SUBJECT_RE.search(text(msg.get("Subject"))))


def looks_like_bounce(msg: Message) -> bool:
    """Whether the sender or subject says "delivery failure" even if no recipient was found."""
    sender = getaddresses([text(msg.get("From"))])
    if sender and DAEMON_RE.match(sender[0][1] or ""):
        return True
    return bool(msg.get("X-Failed-Recipients")) or bool(
        BOUNCE_SUBJECT_RE.search(text(msg.get("Subject")))
    )
