"""Apply a bounce report to the database: match subscribers, record bounces, set statuses.

The caller commits (one message at a time, so that a bad one never undoes the others).
Statuses only ever move towards "bounced" or "complained" through `Subscriber.set_status`;
nothing here re-activates anyone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from sqlalchemy import func, select

from cac_news.audience.suppression import email_hash
from cac_news.extensions import db
from cac_news.integrations import webhooks
from cac_news.models import Bounce, Delivery, Subscriber
from cac_news.models.audience import subscriber_may_move
from cac_news.models.bounce import DIAGNOSTIC_MAX, BounceMatch
from cac_news.timeutil import utcnow

from .parse import BounceReport, Failure
from .policy import BouncePolicy, decide

# Statuses a bounce may change: an unsubscribed address is no longer mailed, and its
# owner's own choice is the better record of why.
SOURCE_OF = {"bounced": "bounce", "complained": "complaint"}


@dataclass(frozen=True)
class DeliveryMatch:
    """The delivery a report is about, once deliveries are stored."""

    delivery_id: int | None  # None: a discussion list's delivery (its own table)
    subscriber_id: int
    newsletter_id: int | None
    matched_by: BounceMatch = BounceMatch.VERP


@dataclass(frozen=True)
class StatusChange:
    """One subscriber whose status a report changed."""

    subscriber_id: int
    email: str
    old_status: str
    new_status: str
    reason: str


@dataclass
class Outcome:
    """What applying one report did."""

    kind: str  # the report's kind
    result: str  # matched | unmatched | not_bounce | malformed
    matched: list[int] = field(default_factory=list)  # subscriber ids
    unmatched: list[str] = field(default_factory=list)  # addresses with no subscriber
    recorded: int = 0  # bounce rows written
    changes: list[StatusChange] = field(default_factory=list)
    note: str | None = None
    matched_by: str = "none"  # verp | message-id | address | none
    unverified: list[str] = field(default_factory=list)  # addresses recorded, nothing changed


# The engine's Message-IDs name their delivery: <n{number}.{delivery id}.{hmac}@domain>.
ENGINE_MESSAGE_ID = re.compile(r"<?n\d+\.(\d+)\.[0-9a-f]{16}@[^>]+>?")


def match_delivery(
    report: BounceReport, secret: str | bytes, verp: bool = True
) -> DeliveryMatch | None:
    """The delivery named by the report's VERP token, else by the original Message-ID.

    A VERP token is signed, so it is trusted as is. A Message-ID only counts when it is
    exactly the one stored for the delivery it names (nobody can forge it without the key).
    """
    delivery, how = None, BounceMatch.VERP
    delivery_id = report.delivery_id(secret) if verp else None
    if delivery_id is not None:
        delivery = db.session.get(Delivery, delivery_id)
    if delivery is None and report.message_id:
        how = BounceMatch.MESSAGE_ID
        found = ENGINE_MESSAGE_ID.fullmatch(report.message_id.strip())
        if found:
            candidate = db.session.get(Delivery, int(found.group(1)))
            if candidate is not None and candidate.message_id == _bracketed(report.message_id):
                delivery = candidate
    if delivery is None and delivery_id is None and verp and report.verp_token:
        return _list_delivery_match(report.verp_token, secret)
    if delivery is None or delivery.subscriber_id is None:
        return None
    # Whatever addresses the report names, it acts on the delivery's own recipient: a
    # forger can only quote Message-IDs of letters sent to them (they carry an HMAC).
    return DeliveryMatch(delivery.id, delivery.subscriber_id, delivery.newsletter_id, how)


def _list_delivery_match(token: str, secret: str | bytes) -> DeliveryMatch | None:
    """A VERP token of a discussion list's delivery (signed under the lists' key)."""
    from cac_news.mailing.bounces.verp import decode_token, list_secret
    from cac_news.models import ListDelivery

    list_delivery_id = decode_token(token, list_secret(secret))
    row = db.session.get(ListDelivery, list_delivery_id) if list_delivery_id else None
    if row is None or row.subscriber_id is None:
        return None
    return DeliveryMatch(None, row.subscriber_id, None, BounceMatch.VERP)


def _bracketed(message_id: str) -> str:
    """A Message-ID in the <...> form the engine stores."""
    value = message_id.strip()
    return value if value.startswith("<") else f"<{value}>"


def sender_domains(config: Mapping) -> set[str]:
    """The domains this app's own Message-IDs and addresses may use."""
    domains = set()
    for key in ("MAIL_FROM", "BOUNCE_DOMAIN", "DKIM_DOMAIN"):
        value = config.get(key) or ""
        domain = parseaddr(value)[1].rpartition("@")[2] or value
        if domain and "@" not in domain and " " not in domain:
            domains.add(domain.lower())
    host = urlsplit(config.get("SITE_URL") or "").hostname
    if host:
        domains.add(host.lower())
    return domains


def is_foreign(message_id: str | None, domains: set[str]) -> bool:
    """Whether an original Message-ID shows a message this app did not send."""
    if not message_id or not domains:
        return False
    domain = message_id.strip().strip("<>").rpartition("@")[2].lower()
    return bool(domain) and domain not in domains


def _failures(report: BounceReport) -> list[Failure]:
    """One failure per recipient (complaints and recipient-less bounces have no list)."""
    if report.failures:
        return report.failures
    kind = "complaint" if report.kind == "complaint" else report.kind
    return [Failure(a, kind, report.status, report.diagnostic) for a in report.recipients]


def _truncate(value: str | None, size: int) -> str | None:
    """A value cut to fit its column."""
    return value[:size] if value else value


def _already_recorded(failure: Failure, kind: str, message_id: str | None) -> bool:
    """Whether this report was applied before (a message read twice must count once)."""
    if not message_id:
        return False
    found = db.session.scalar(
        select(Bounce.id).where(
            Bounce.original_message_id == message_id[:255],
            Bounce.recipient == failure.address[:254],
            Bounce.kind == kind,
        )
    )
    return found is not None


def apply_report(
    report: BounceReport,
    *,
    secret: str | bytes,
    now: datetime | None = None,
    config: Mapping | None = None,
    source_ref: str | None = None,
) -> Outcome:
    """Match a report to subscribers, record one Bounce per failed recipient, apply the policy."""
    from flask import current_app

    config = config if config is not None else current_app.config
    now = now or utcnow()
    if report.kind in ("not_bounce", "malformed"):
        return Outcome(report.kind, report.kind, note=report.problem)
    delivery = match_delivery(report, secret, verp=bool(config.get("VERP_ENABLED")))
    if delivery is None and is_foreign(report.message_id, sender_domains(config)):
        return Outcome(report.kind, "unmatched", note=f"not sent by this app: {report.message_id}")
    outcome = Outcome(report.kind, "unmatched")
    policy = BouncePolicy.from_config(config)
    failures = _failures(report)
    if not failures and delivery is not None:
        # VERP named the delivery although the report quotes no address: use the stored one.
        subscriber = db.session.get(Subscriber, delivery.subscriber_id)
        failures = [Failure(subscriber.email, report.kind, report.status, report.diagnostic)]
    if not failures:
        outcome.recorded = _record_unreadable(report, now, source_ref)
        outcome.note = report.problem or "bounce without a readable recipient"
        return outcome
    for failure in failures:
        kind = "complaint" if report.kind == "complaint" else failure.kind
        if delivery is not None:
            subscriber = db.session.get(Subscriber, delivery.subscriber_id)
        else:
            subscriber = _subscriber_by_email(failure.address)
        if subscriber is None:
            outcome.unmatched.append(failure.address)
            continue
        outcome.matched.append(subscriber.id)
        verified = delivery is not None
        outcome.matched_by = str(delivery.matched_by if verified else BounceMatch.ADDRESS)
        if not verified:
            outcome.unverified.append(failure.address)
        if _already_recorded(failure, kind, report.message_id):
            continue
        db.session.add(
            Bounce(
                received_at=now,
                subscriber_id=subscriber.id,
                newsletter_id=delivery.newsletter_id if delivery else None,
                delivery_id=delivery.delivery_id if delivery else None,
                kind=kind,
                status_code=_truncate(failure.status, 12),
                diagnostic=_truncate(failure.diagnostic or report.diagnostic, DIAGNOSTIC_MAX),
                recipient=_truncate(failure.address, 254),
                original_message_id=_truncate(report.message_id, 255),
                source_ref=_truncate(source_ref, 255),
                matched_by=outcome.matched_by,
                verified=verified,
            )
        )
        outcome.recorded += 1
        if not verified:
            continue  # recorded and shown as unverified: an address alone changes nothing
        change = apply_policy(subscriber, policy, now)
        if change:
            outcome.changes.append(change)
        if delivery is not None:
            break  # VERP names one delivery: one subscriber, however many addresses
    if outcome.matched:
        outcome.result = "matched"
    return outcome


def _record_unreadable(report: BounceReport, now: datetime, source_ref: str | None) -> int:
    """Keep a bounce whose recipient cannot be read, for the bounces page; never guess one.

    Such a message stays in the mailbox and is read again by the next run: it is recorded once
    per (message, Message-ID).
    """
    ref, message_id = _truncate(source_ref, 255), _truncate(report.message_id, 255)
    found = db.session.scalar(
        select(Bounce.id).where(
            Bounce.matched_by == BounceMatch.UNREADABLE,
            Bounce.source_ref == ref if ref else Bounce.source_ref.is_(None),
            Bounce.original_message_id == message_id
            if message_id
            else Bounce.original_message_id.is_(None),
        )
    )
    if found is not None or (ref is None and message_id is None):
        return 0
    db.session.add(
        Bounce(
            received_at=now,
            kind=report.kind,
            status_code=_truncate(report.status, 12),
            diagnostic=_truncate(report.diagnostic or report.problem, DIAGNOSTIC_MAX),
            original_message_id=message_id,
            source_ref=ref,
            matched_by=BounceMatch.UNREADABLE,
            verified=False,
        )
    )
    return 1


def _subscriber_by_email(address: str) -> Subscriber | None:
    """The subscriber with this address (addresses are stored lower-cased)."""
    return db.session.scalar(select(Subscriber).where(Subscriber.email == address.strip().lower()))


def apply_policy(
    subscriber: Subscriber, policy: BouncePolicy, now: datetime
) -> StatusChange | None:
    """Decide from the subscriber's bounce history and set the status; return the change."""
    db.session.flush()
    history = db.session.execute(
        select(Bounce.kind, Bounce.received_at).where(
            Bounce.subscriber_id == subscriber.id, Bounce.verified.is_(True)
        )
    ).all()
    decision = decide(
        [(k, w) for k, w in history],
        policy,
        subscriber.status,
        now,
        soft_issue_run=soft_issue_run(subscriber.id, policy.soft_consecutive_issues),
    )
    if not decision.changed:
        return None
    source = SOURCE_OF[decision.status]
    if not subscriber_may_move(subscriber.status, decision.status, source):
        return None
    last = db.session.scalars(
        select(Bounce)
        .where(Bounce.subscriber_id == subscriber.id, Bounce.verified.is_(True))
        .order_by(Bounce.received_at.desc(), Bounce.id.desc())
        .limit(1)
    ).first()
    detail = decision.reason
    if last is not None and (last.status_code or last.diagnostic):
        excerpt = (last.diagnostic or "")[:200]
        detail = f"{decision.reason}; {last.status_code or '?'} {excerpt}".strip()
    old = subscriber.status
    subscriber.set_status(decision.status, source=source, detail=detail[:500])
    webhooks.subscriber_left(subscriber, email_hash(subscriber.email))
    return StatusChange(subscriber.id, subscriber.email, old, decision.status, decision.reason)


def soft_issue_run(subscriber_id: int, limit: int) -> int:
    """How many of the latest issues delivered to this subscriber soft-bounced, in a row."""
    recent = db.session.scalars(
        select(Delivery.newsletter_id)
        .where(Delivery.subscriber_id == subscriber_id, Delivery.status.in_(("sent", "failed")))
        .order_by(Delivery.id.desc())
        .limit(limit)
    ).all()
    if not recent:
        return 0
    bounced = set(
        db.session.scalars(
            select(Bounce.newsletter_id).where(
                Bounce.subscriber_id == subscriber_id,
                Bounce.kind == "soft",
                Bounce.verified.is_(True),
                Bounce.newsletter_id.in_(recent),
            )
        )
    )
    run = 0
    for newsletter_id in recent:
        if newsletter_id not in bounced:
            break
        run += 1
    return run


def record_smtp_rejection(
    subscriber: Subscriber,
    code: int | str,
    text: str,
    newsletter_id: int | None = None,
    delivery_id: int | None = None,
    *,
    now: datetime | None = None,
    config: Mapping | None = None,
) -> StatusChange | None:
    """Record an SMTP rejection at RCPT time (5xx: hard bounce; 4xx: soft) and apply the policy.

    The delivery engine calls this when the relay refuses a recipient; the caller commits.
    """
    from flask import current_app

    config = config if config is not None else current_app.config
    now = now or utcnow()
    code_text = str(code).strip()
    kind = "hard" if code_text.startswith("5") else "soft"
    db.session.add(
        Bounce(
            received_at=now,
            subscriber_id=subscriber.id,
            newsletter_id=newsletter_id,
            delivery_id=delivery_id,
            kind=kind,
            status_code=code_text[:12],
            diagnostic=_truncate(f"{code_text} {text or ''}".strip(), DIAGNOSTIC_MAX),
            recipient=subscriber.email,
            source_ref="smtp rcpt",
            matched_by=BounceMatch.SMTP_RCPT,
            verified=True,
        )
    )
    return apply_policy(subscriber, BouncePolicy.from_config(config), now)


def bounce_count(subscriber_id: int) -> int:
    """How many bounces and complaints a subscriber has on record."""
    return db.session.scalar(
        select(func.count(Bounce.id)).where(Bounce.subscriber_id == subscriber_id)
    )
