"""What a pilot watching a send sees: counts, rate over the last minute, ETA."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.mailing.sending import delivery_counts
from cac_news.models import Delivery, Newsletter
from cac_news.timeutil import utcnow

RATE_WINDOW = 60  # seconds


@dataclass(frozen=True)
class Progress:
    """A snapshot of a send."""

    counts: dict[str, int]
    total: int
    rate_per_minute: int
    eta_seconds: int | None

    @property
    def remaining(self) -> int:
        """Deliveries not yet settled (queued, retrying, in flight)."""
        return self.counts["queued"] + self.counts["retrying"] + self.counts["sending"]

    @property
    def done_percent(self) -> int:
        """Share of deliveries settled, in percent."""
        return 100 if not self.total else round(100 * (self.total - self.remaining) / self.total)


def send_progress(newsletter: Newsletter) -> Progress:
    """Counts by status, messages sent in the last minute, and the time left at that pace."""
    counts = delivery_counts(newsletter.id)
    since = utcnow() - timedelta(seconds=RATE_WINDOW)
    recent = db.session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.newsletter_id == newsletter.id,
            Delivery.status == "sent",
            Delivery.sent_at >= since,
        )
    )
    progress = Progress(counts, sum(counts.values()), int(recent or 0), None)
    remaining = progress.remaining
    if recent and remaining:
        progress = replace(progress, eta_seconds=round(remaining * RATE_WINDOW / recent))
    return progress


@dataclass(frozen=True)
class LetterReceived:
    """One letter as one subscriber's page lists it."""

    newsletter_id: int
    number: int
    subject: str
    status: str
    sent_at: object


def letters_of(subscriber_id: int, limit: int = 50) -> list[LetterReceived]:
    """The letters meant for a subscriber, newest first, with how each delivery went."""
    rows = db.session.execute(
        select(
            Newsletter.id, Newsletter.number, Newsletter.subject, Delivery.status, Delivery.sent_at
        )
        .join(Newsletter, Newsletter.id == Delivery.newsletter_id)
        .where(Delivery.subscriber_id == subscriber_id)
        .order_by(Newsletter.number.desc())
        .limit(limit)
    ).all()
    return [LetterReceived(*row) for row in rows]
