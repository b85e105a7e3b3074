"""What a subscriber does from their signed links: preferences, unsubscribe, RGPD rights."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy import inspect as sa_inspect

from cac_news.audience import suppression
from cac_news.audience.subscription import Profile, apply_profile, validate_profile
from cac_news.extensions import db
from cac_news.integrations import webhooks
from cac_news.models import Subscriber


def unsubscribe(subscriber: Subscriber, detail: str = "link") -> bool:
    """Unsubscribe (idempotent); True when the status changed."""
    if subscriber.status in ("unsubscribed", "bounced", "complained"):
        return False
    subscriber.set_status("unsubscribed", source="unsubscribe", detail=detail)
    webhooks.subscriber_left(subscriber, suppression.email_hash(subscriber.email))
    db.session.commit()
    return True


def update_preferences(subscriber: Subscriber, profile: Profile) -> list[str]:
    """Save what the subscriber changed on their preferences page; return the fields."""
    changed = apply_profile(subscriber, validate_profile(profile), source="preferences")
    db.session.commit()
    return changed


def _iso(value) -> str | None:
    """An ISO 8601 time with its zone: stored times are UTC without tzinfo."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def personal_data(subscriber: Subscriber) -> dict[str, Any]:
    """Everything stored about a subscriber, as JSON-ready data (RGPD access right)."""
    data: dict[str, Any] = {
        "profile": {
            "email": subscriber.email,
            "first_name": subscriber.first_name,
            "last_name": subscriber.last_name,
            "organisation": subscriber.organisation,
            "territory": subscriber.territory_code,
            "language": subscriber.language,
            "modes": [m.slug for m in subscriber.modes],
            "status": subscriber.status,
            "created_at": _iso(subscriber.created_at),
            "updated_at": _iso(subscriber.updated_at),
        },
        "consent": {
            "at": _iso(subscriber.consent_at),
            "source": subscriber.consent_source,
            "text": subscriber.consent_text,
            "detail": subscriber.consent_detail,
            "ip": subscriber.consent_ip,
        },
        "events": [
            {
                "at": _iso(e.created_at),
                "kind": e.kind,
                "old_status": e.old_status,
                "new_status": e.new_status,
                "source": e.source,
                "detail": e.detail,
            }
            for e in subscriber.events
        ],
    }
    data["webhooks"] = webhooks.deliveries_about(suppression.email_hash(subscriber.email))
    # What a person can read: which letter, to which address, what happened and when; the
    # engine's claims, leases and retry times are not data about them.
    mapper = sa_inspect(type(subscriber))
    if "deliveries" in mapper.relationships:
        data["deliveries"] = [
            {
                "newsletter": d.newsletter_id,
                "email": d.email,
                "status": d.status,
                "sent_at": _iso(d.sent_at),
                "server_answer": d.smtp_text,
            }
            for d in subscriber.deliveries
        ]
    return data


def forget_bounces(subscriber: Subscriber) -> None:
    """Blank the address and diagnostic (which quotes it) of a subscriber's bounces.

    The rows stay, anonymous, so that a newsletter's bounce figures do not change.
    """
    from cac_news.models import Bounce

    db.session.execute(
        update(Bounce)
        .where(or_(Bounce.subscriber_id == subscriber.id, Bounce.recipient == subscriber.email))
        .values(recipient=None, diagnostic=None, subscriber_id=None)
        .execution_options(synchronize_session=False)
    )


def erase(subscriber: Subscriber) -> None:
    """Delete a subscriber's personal data; a keyed hash keeps imports from adding them back."""
    from cac_news.models import Delivery, ListPost, OutboxMail

    suppression.suppress(subscriber.email, reason="erased")
    webhooks.subscriber_erased(suppression.email_hash(subscriber.email))
    forget_bounces(subscriber)
    # The database sets subscriber_id to NULL; the frozen address, the name and the
    # server's answer (which may quote the address) go now.
    db.session.execute(
        update(Delivery)
        .where(Delivery.subscriber_id == subscriber.id)
        .values(email=None, name=None, smtp_text=None)
        .execution_options(synchronize_session=False)
    )
    # Their posts to discussion lists: the archive keeps the text (addresses already
    # scrubbed from it), not who wrote it nor the raw message, which names them.
    db.session.execute(
        update(ListPost)
        .where(func.lower(ListPost.author_email) == subscriber.email.lower())
        .values(author_email="", author_name="", raw=b"")
        .execution_options(synchronize_session=False)
    )
    # Queued or sent transactional mails carry the address and the form's profile.
    db.session.execute(
        delete(OutboxMail)
        .where(OutboxMail.email == subscriber.email)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(subscriber)
    db.session.commit()
