"""A pilot invites a person who left to confirm again; only their click brings them back."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from cac_news.audience import outbox
from cac_news.errors import ValidationError
from cac_news.models import OutboxKind, Pilot, Subscriber
from cac_news.models.audience import LEFT_STATUSES


def invite_to_reconfirm(subscriber: Subscriber, actor: Pilot, config: Mapping) -> bool:
    """Queue a double opt-in invitation (the worker sends the usual confirmation mail) and
    record it as a subscription event; False, and nothing queued, past the daily allowance."""
    if subscriber.status not in LEFT_STATUSES:
        raise ValidationError.single(
            "status", str(_l("Only a person who left can be invited to confirm again."))
        )
    if not outbox.within_allowance(subscriber.email, config):
        return False
    subscriber.log(
        "reconfirm", source="pilot", actor_id=actor.id, detail="re-confirmation invitation"
    )
    outbox.queue(OutboxKind.RECONFIRM, subscriber.email, subscriber.language)  # commits
    return True
