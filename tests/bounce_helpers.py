"""Deliveries a bounce can be tied to, for tests that apply bounces to subscribers."""

import itertools

from cac_news.extensions import db
from cac_news.models import Delivery, Newsletter

NUMBERS = itertools.count(900)


def sent_delivery(subscriber, delivery_id: int | None = None, message_id: str | None = None):
    """A sent delivery to this subscriber (with the given id, for a sample's VERP token)."""
    newsletter = Newsletter(number=next(NUMBERS), subject="Lettre", status="sent")
    db.session.add(newsletter)
    db.session.flush()
    delivery = Delivery(
        id=delivery_id,
        newsletter_id=newsletter.id,
        subscriber_id=subscriber.id,
        email=subscriber.email,
        status="sent",
    )
    db.session.add(delivery)
    db.session.flush()
    delivery.message_id = (
        message_id or f"<n{newsletter.number}.{delivery.id}.0123456789abcdef@example.org>"
    )
    db.session.commit()
    return delivery


def ours(report, delivery):
    """The report, quoting the Message-ID the engine stored on this delivery."""
    report.message_id = delivery.message_id
    return report
