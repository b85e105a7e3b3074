"""Which letter an unsubscribe came from: its number rides along in the link (``?n=``)."""

from __future__ import annotations

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.models import SubscriptionEvent

MAX_NUMBER = 10**6


def letter_detail(how: str, number: str | None) -> str:
    """The event detail of an unsubscribe: "link" or "link; letter 12" (bad numbers dropped)."""
    if number and number.isascii() and number.isdigit() and 0 < int(number) < MAX_NUMBER:
        return f"{how}; letter {int(number)}"
    return how


def unsubscribes_from(number: int) -> int:
    """How many unsubscribes came from links of letter ``number``."""
    return int(
        db.session.scalar(
            select(func.count(SubscriptionEvent.id)).where(
                SubscriptionEvent.source == "unsubscribe",
                SubscriptionEvent.new_status == "unsubscribed",
                SubscriptionEvent.detail.like(f"%; letter {number}"),
            )
        )
        or 0
    )
