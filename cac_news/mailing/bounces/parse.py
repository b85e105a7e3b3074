"""Read one incoming message and say what it is: a hard or soft bounce, a complaint, or not.

Standard formats are read directly (RFC 3464 delivery-status, RFC 5965 feedback reports);
the non-standard bounces real MTAs send go through flufl.bounce's detectors. `analyse`
never raises: input it cannot read is reported as "malformed".
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email.message import Message

from flufl.bounce import all_failures

from .classify import classify
from .clues import (
    body_status,
    find_message_id,
    find_verp_token,
    is_auto_reply,
    looks_like_bounce,
    text_parts,
)
from .readers import (
    SMTP_REPLY_RE,
    notice_text,
    read_dsn_in_text,
    read_jmrp,
    read_plain_text,
    read_ses,
    recipient_context,
)
from .reports import clean_address, enhanced_status, read_arf, read_dsn, report_type, text
from .verp import DEFAULT_PREFIX, decode_token

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

    def delivery_id(self, secret: str | bytes) -> int | None:
        """The delivery the VERP token names, when there is one and its signature holds."""
        return decode_token(self.verp_token, secret) if self.verp_token else None

    @property
    def is_bounce(self) -> bool:
        """A hard or soft bounce."""
        return self.kind in ("hard", "soft")


def classify_status(status: str | None, action: str = "failed", text: str | None = None) -> str:
    """Hard or soft for one recipient, by the policy of `classify.classify`."""
    return classify(status, text, permanent=action != "delayed")


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
    msg = email.message_from_bytes(normalise(raw))
    if not {name.lower() for name in msg} & KNOWN_HEADERS:
        return BounceReport("malformed", problem="not an email message (no mail headers)")
    report = _classify(msg)
    report.verp_token = find_verp_token(msg, verp_prefix)
    report.message_id = report.message_id or find_message_id(msg)
    defects = sorted(
        {type(d).__name__ for part in msg.walk() for d in part.defects} & STRUCTURAL_DEFECTS
    )
    if defects and (report.kind == "not_bounce" or report.detector == "heuristic"):
        # Truncated MIME with nothing readable in it: report it rather than guess.
        return BounceReport(
            "malformed",
            message_id=report.message_id,
            verp_token=report.verp_token,
            problem="broken MIME structure: " + ", ".join(defects),
        )
    if defects:
        note = "broken MIME structure: " + ", ".join(defects)
        report.problem = f"{report.problem}; {note}" if report.problem else f"read despite a {note}"
    return report


def normalise(raw: bytes) -> bytes:
    """Bytes the parser reads whole: NUL bytes dropped, CR-only and CRLF line ends made LF."""
    if b"\0" in raw:
        raw = raw.replace(b"\0", b"")
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return raw


def _classify(msg: Message) -> BounceReport:
    """Try the standard formats, SES and JMRP, flufl.bounce, then the notice's own words."""
    rtype = report_type(msg)
    if rtype == "feedback-report":
        return _from_arf(msg)
    for reader, detector in ((read_ses, "ses"), (read_jmrp, "jmrp")):
        notice = reader(msg)
        if notice is not None:
            return _from_notice(notice, detector)
    dsn = read_dsn(msg)
    if not dsn:
        dsn = read_dsn_in_text(msg) or dsn
    if dsn:
        failures = [
            Failure(
                r.address, classify_status(r.status, r.action, r.diagnostic), r.status, r.diagnostic
            )
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
    except Exception as exc:  # a detector choked: fall back on the readers below
        temporary, permanent = frozenset(), frozenset()
        problem = f"flufl.bounce failed: {type(exc).__name__}"
    status, diagnostic = body_status(msg)
    texts = [notice_text(body) for body in text_parts(msg)]
    failures = [_failure(a, texts, status, diagnostic) for a in _addresses(permanent)]
    failures += [
        Failure(a, "soft", status, diagnostic)
        for a in _addresses(temporary)
        if a not in {f.address for f in failures}
    ]
    if failures:
        return _bounce(failures, "flufl")
    if rtype == "delivery-status" and dsn is None:
        return BounceReport("malformed", problem="DSN without its delivery-status part")
    # Bounces carry "Auto-Submitted: auto-replied" too: the sender's look is checked first.
    if looks_like_bounce(msg) or rtype == "delivery-status":
        found = read_plain_text(msg, texts)
        if found:
            return _bounce(
                [
                    Failure(r.address, classify(r.status, r.diagnostic), r.status, r.diagnostic)
                    for r in found
                ],
                "text",
            )
        return BounceReport(  # no address read: only a VERP token can name whom it is about
            classify(status, diagnostic),
            status=status,
            diagnostic=diagnostic,
            detector="heuristic",
            problem=problem or "bounce without a readable recipient",
        )
    if is_auto_reply(msg):
        return BounceReport("not_bounce", problem="auto-reply")
    return BounceReport("not_bounce", problem=problem)


def _failure(address: str, texts: list[str], status: str | None, diagnostic: str | None) -> Failure:
    """One flufl.bounce address, classified on the words that follow it in the notice."""
    context = next((c for body in texts if (c := recipient_context(body, address))), "")
    own = enhanced_status(context) if context else None
    if own is None and context and (reply := SMTP_REPLY_RE.search(context)):
        own = f"{reply.group(1)}.0.0"
    use_status = own or status
    words = context if own else f"{context} {diagnostic or ''}".strip()
    return Failure(address, classify(use_status, words), use_status, (context or diagnostic))


def _from_notice(notice, detector: str) -> BounceReport:
    """A report from an SES or JMRP notice."""
    if notice.kind == "delivery":
        return BounceReport("not_bounce", detector="ses", problem="SES delivery notification")
    if notice.kind == "complaint":
        return BounceReport(
            "complaint",
            recipients=[r.address for r in notice.recipients],
            detector=detector,
            message_id=notice.message_id,
            diagnostic="complaint",
        )
    failures = [
        Failure(
            r.address, classify_status(r.status, r.action, r.diagnostic), r.status, r.diagnostic
        )
        for r in notice.recipients
    ]
    if not failures:
        return BounceReport(
            "soft",
            detector="ses",
            message_id=notice.message_id,
            problem="bounce without a readable recipient",
        )
    report = _bounce(failures, "ses")
    report.message_id = notice.message_id
    return report


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
