"""The worker's results waiting to be written: one short transaction per batch of them.

Results wait in memory, not in an open transaction, so that the SQLite write lock is held
for milliseconds, never while an SMTP answer is awaited: web requests (an unsubscribe) are
not starved during a send. A crash loses at most the batch in memory; those deliveries are
still `sending` under an expiring lease and go out again (README: at most COMMIT_EVERY).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from sqlalchemy import select

from cac_news.extensions import db
from cac_news.mailing import claims
from cac_news.mailing.bounces.apply import record_smtp_rejection
from cac_news.mailing.relay_status import save_states
from cac_news.mailing.transport import SendResult
from cac_news.models import Delivery, Subscriber
from cac_news.timeutil import utcnow

COMMIT_EVERY = 20  # results written before a commit at the latest ...
COMMIT_SECONDS = 0.2  # ... or after this long, whichever comes first


class ResultBatch:
    """One worker's buffered results, rejections at RCPT, and relay-pool permits held."""

    def __init__(self, worker_id: str, lease_seconds: float, config: Mapping) -> None:
        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self.config = config
        self.rows: list[tuple[int, dict]] = []
        self.rejections: list[tuple[int, int, SendResult]] = []
        self.held = 0  # results written to rows that hold a relay-pool permit
        self.since = self.lease = time.monotonic()

    def restart(self) -> None:
        """A new send run: permits of an earlier run are void, the pool starts afresh."""
        self.held = 0
        self.since = self.lease = time.monotonic()

    def add(self, row: tuple[int, dict]) -> None:
        """One delivery's id and its new status and fields."""
        self.rows.append(row)

    def reject(self, newsletter_id: int, delivery_id: int, result: SendResult) -> None:
        """A 5xx at RCPT, recorded as a hard bounce with the batch."""
        self.rejections.append((newsletter_id, delivery_id, result))

    def flush(self, sender, force: bool = False) -> None:
        """Write the buffered results in one short transaction, when due or forced."""
        now = time.monotonic()
        due = len(self.rows) >= COMMIT_EVERY or now - self.since >= COMMIT_SECONDS
        if not (force or due):
            return
        stamp = utcnow()
        if self.rows:
            claims.set_results(self.worker_id, self.rows, stamp)
        for newsletter_id, delivery_id, result in self.rejections:
            record_rejection(newsletter_id, delivery_id, result, stamp, self.config)
        if now - self.lease > self.lease_seconds / 3:
            claims.renew_lease(self.worker_id, self.lease_seconds, stamp)
            self.lease = now
        save_states(sender.states(), stamp)
        db.session.commit()
        sender.recorded(self.held)
        self.held = 0
        self.rows.clear()
        self.rejections.clear()
        self.since = now


def record_rejection(newsletter_id, delivery_id, result: SendResult, now, config) -> None:
    """A 5xx at RCPT time counts as a hard bounce under the bounce policy."""
    subscriber_id = db.session.scalar(
        select(Delivery.subscriber_id).where(Delivery.id == delivery_id)
    )
    subscriber = db.session.get(Subscriber, subscriber_id) if subscriber_id else None
    if subscriber is None:
        return
    record_smtp_rejection(
        subscriber,
        result.code or "5",
        result.text or "",
        newsletter_id=newsletter_id,
        delivery_id=delivery_id,
        now=now,
        config=config,
    )
