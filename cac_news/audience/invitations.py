"""Confirmation emails for subscribers imported as pending, sent after the commit."""

from __future__ import annotations

import logging
import smtplib

from cac_news.audience import links, mail
from cac_news.extensions import db
from cac_news.models import Subscriber

log = logging.getLogger(__name__)


def send_confirmations(subscriber_ids: list[int]) -> tuple[int, int]:
    """Mail a confirmation link to each pending subscriber; return (sent, failed)."""
    sent = failed = 0
    for subscriber_id in subscriber_ids:
        subscriber = db.session.get(Subscriber, subscriber_id)
        if subscriber is None or subscriber.status != "pending":
            continue
        try:
            mail.send(
                subscriber.email,
                subscriber.language,
                "confirm",
                email=subscriber.email,
                confirm_url=links.confirm_url(subscriber),
            )
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("confirmation to subscriber %s failed: %s", subscriber_id, exc)
            failed += 1
        else:
            sent += 1
    return sent, failed
