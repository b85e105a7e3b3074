"""The public forms' mails: queued by the request, sent by the worker, within an allowance.

A form request only writes one row and commits, whatever the address and whatever the state
of the SMTP server, so the page answers the same, in the same time. The worker then decides:
an unknown address gets no "my link" mail, and no address gets more than
TRANSACTIONAL_DAILY_ALLOWANCE mails (confirmation, "my link", re-confirmation invitation) in
24 hours, whichever client addresses asked for them.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from cac_news import settings
from cac_news.audience import links, mail
from cac_news.extensions import db
from cac_news.models import OutboxKind, OutboxMail, OutboxStatus, Subscriber
from cac_news.timeutil import utcnow

log = logging.getLogger(__name__)
DEFAULT_ALLOWANCE = 3
MAX_ATTEMPTS = 5
RETRY_SECONDS = 60
BATCH = 20
# Handled requests are kept this long, for the allowance (24 hours) and for a look in the
# database; then they go: they hold addresses typed into public forms, known or not.
RETENTION = timedelta(days=2)


def allowance(config: Mapping) -> int:
    """Mails one address may receive from the forms in 24 hours (TRANSACTIONAL_DAILY_ALLOWANCE)."""
    try:
        return max(0, int(config.get("TRANSACTIONAL_DAILY_ALLOWANCE", DEFAULT_ALLOWANCE)))
    except (TypeError, ValueError):
        return DEFAULT_ALLOWANCE


def sent_today(email: str, now: datetime | None = None) -> int:
    """How many form mails this address received in the last 24 hours."""
    since = (now or utcnow()) - timedelta(days=1)
    return db.session.scalar(
        select(func.count(OutboxMail.id)).where(
            OutboxMail.email == email,
            OutboxMail.status == OutboxStatus.SENT,
            OutboxMail.sent_at >= since,
        )
    )


def within_allowance(email: str, config: Mapping, now: datetime | None = None) -> bool:
    """The guard: whether one more form-triggered mail may go to this address today.

    Any caller that mails an address on someone else's request (the public forms, a pilot's
    re-confirmation invitation) asks this first and, past the allowance, sends nothing.
    """
    return sent_today(email, now) < allowance(config)


def queue(kind: OutboxKind, email: str, language: str = "fr", payload: dict | None = None) -> None:
    """Queue a request for the worker and commit: the same work whatever the address."""
    enqueue(kind, email, language, payload)
    db.session.commit()


def enqueue(kind: OutboxKind, email: str, language: str = "fr", payload: dict | None = None):
    """Add a request to the session: it is committed with the caller's other changes."""
    db.session.add(
        OutboxMail(kind=kind, email=email, language=language, payload=json.dumps(payload or {}))
    )


# A sender for a kind of request the audience package does not build itself (the welcome
# mail needs the letters' renderer, above this package): (row, subscriber, config) -> None.
Sender = Callable[[OutboxMail, Subscriber, Mapping], None]


def send_due(
    config: Mapping,
    now: datetime | None = None,
    limit: int = BATCH,
    senders: Mapping[str, Sender] | None = None,
) -> int:
    """Send the queued requests that are due; return how many rows were handled.

    Each row is claimed and committed on its own: on PostgreSQL with SKIP LOCKED (the lock
    lasts until that row's commit, so several workers never send one row twice); SQLite runs
    one worker (its lock file).
    """
    now = now or utcnow()
    query = (
        select(OutboxMail)
        .where(OutboxMail.status == OutboxStatus.QUEUED, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    purge_handled(now)
    handled = 0
    while handled < limit:
        row = db.session.scalars(query).first()
        if row is None:
            break
        _handle(row, config, now, senders or {})
        db.session.commit()
        handled += 1
    return handled


def purge_handled(now: datetime) -> None:
    """Forget requests handled more than RETENTION ago (the due index serves this delete)."""
    db.session.execute(
        delete(OutboxMail)
        .where(
            OutboxMail.status != OutboxStatus.QUEUED,
            OutboxMail.next_attempt_at < now - RETENTION,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# Kinds whose mail another package builds (a pilot's password reset): kind -> builder.
# A builder gets the row and the time, and returns what sends the mail, or None to send
# nothing (an unknown address); the allowance and retries below apply to it all the same.
MailBuilder = Callable[[OutboxMail, datetime], Callable[[], None] | None]
_BUILDERS: dict[str, MailBuilder] = {}


def register_builder(kind: str, builder: MailBuilder) -> None:
    """Let another package turn the requests of one kind into mails."""
    _BUILDERS[kind] = builder


def _handle(row: OutboxMail, config: Mapping, now: datetime, senders: Mapping) -> None:
    """Turn one request into a mail, or into nothing."""
    builder = _BUILDERS.get(row.kind)
    if builder is not None:
        send = builder(row, now)
        if send is None:
            return _drop(row, "unknown address")
        if not within_allowance(row.email, config, now):
            return _drop(row, "daily allowance reached")
        return _attempt(row, send, now)
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == row.email))
    if subscriber is None and row.kind == OutboxKind.MY_LINK:
        return _drop(row, "unknown address")
    if subscriber is None:
        return _drop(row, "no subscriber")  # the form creates one before queuing
    sender = senders.get(row.kind)
    if row.kind == OutboxKind.WELCOME:
        # Asked for by the person's own confirmation, once ever: outside the allowance.
        if sender is None:
            return _drop(row, "no sender for welcome mails")
        if subscriber.status != "active":
            return _drop(row, "no longer active")
        if not settings.load().welcome_enabled:
            return _drop(row, "welcome mail turned off")
    elif not within_allowance(row.email, config, now):
        return _drop(row, "daily allowance reached")
    if sender is not None:
        return _attempt(row, lambda: sender(row, subscriber, config), now)
    return _attempt(row, lambda: _send(row, subscriber), now)


def _attempt(row: OutboxMail, send: Callable[[], None], now: datetime) -> None:
    """Send, and record the outcome: sent, refused for good, or to try again later."""
    try:
        send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
        row.status, row.note = OutboxStatus.FAILED, f"refused: {exc}"[:200]
        return None
    except (OSError, smtplib.SMTPException) as exc:  # server down or busy: try again later
        row.attempts += 1
        row.note = f"{type(exc).__name__}: {exc}"[:200]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = OutboxStatus.FAILED
        else:
            row.next_attempt_at = now + timedelta(seconds=RETRY_SECONDS * 2**row.attempts)
        # The note (stored with the row) may quote the address; the log gets the class only.
        log.warning("outbox %s: %s, attempt %s", row.id, type(exc).__name__, row.attempts)
        return None
    row.status, row.sent_at = OutboxStatus.SENT, utcnow()
    return None


def _drop(row: OutboxMail, why: str) -> None:
    """Nothing sent for this request."""
    row.status, row.note = OutboxStatus.DROPPED, why


def _send(row: OutboxMail, subscriber: Subscriber) -> None:
    """Build and send the mail a request stands for."""
    if row.kind == OutboxKind.MY_LINK:
        url = links.preferences_url(subscriber)
        mail.send(row.email, subscriber.language, "my_link", preferences_url=url)
    elif subscriber.status == "active":
        url = links.preferences_url(subscriber)
        mail.send(
            row.email,
            subscriber.language,
            "already_subscribed",
            email=row.email,
            preferences_url=url,
        )
    else:
        url = links.confirm_url(subscriber, json.loads(row.payload or "{}"))
        mail.send(row.email, row.language, "confirm", email=row.email, confirm_url=url)
