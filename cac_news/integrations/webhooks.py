"""The webhook outbox: events written in the transaction of the change they announce.

Each hook adds one WebhookDelivery row per enabled endpoint that chose the event, and
never commits: the caller's commit stores the change and its deliveries together, a
rollback drops both, and the worker only ever sends what was committed.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update
from werkzeug.routing import BuildError

from cac_news.extensions import db
from cac_news.models import ActionReport, Newsletter, Subscriber, WebhookDelivery, WebhookEndpoint
from cac_news.models.webhook import UNFINISHED
from cac_news.timeutil import utcnow
from cac_news.urls import external_url

SUBSCRIBER_EVENTS = (
    "subscriber.confirmed",
    "subscriber.unsubscribed",
    "subscriber.bounced",
    "subscriber.complained",
    "subscriber.erased",
)
EVENTS = (*SUBSCRIBER_EVENTS, "newsletter.sent", "action_report.published")
TEST_EVENT = "webhook.test"  # sent on an admin's request only, to any endpoint
# The statuses a person leaves by, and the event each one announces.
LEFT_EVENTS = {
    "unsubscribed": "subscriber.unsubscribed",
    "bounced": "subscriber.bounced",
    "complained": "subscriber.complained",
}


def new_msg_id() -> str:
    """A unique message id: the receiver's key for telling a retry from a new event."""
    return f"msg_{secrets.token_urlsafe(18)}"


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _link(endpoint: str, **values) -> str | None:
    try:
        return external_url(endpoint, **values)
    except BuildError:  # an app without the public pages (a test app, a CLI-only one)
        return None


def payload(event: str, data: dict, now: datetime | None = None) -> str:
    """The JSON body, Standard Webhooks style: type, timestamp, data."""
    body = {"type": event, "timestamp": _iso(now or utcnow()), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def enqueue(
    event: str, data: dict, subject_hash: str | None = None, now: datetime | None = None
) -> int:
    """Queue the event for every enabled endpoint that chose it; return how many rows.

    The rows join the session's transaction: the caller commits (or rolls back) them
    together with the change.
    """
    endpoints = [
        e
        for e in db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled))
        if event in e.event_list
    ]
    now = now or utcnow()
    body = payload(event, data, now)
    for endpoint in endpoints:
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_type=event,
                msg_id=new_msg_id(),
                payload=body,
                subject_hash=subject_hash,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(endpoints)


def _subscriber_data(subscriber: Subscriber) -> dict:
    """What a receiving tool needs to match the person: id, address, status, language."""
    return {
        "id": subscriber.id,
        "email": subscriber.email,
        "status": subscriber.status,
        "language": subscriber.language,
        "changed_at": _iso(subscriber.status_changed_at),
    }


def subscriber_confirmed(subscriber: Subscriber, email_hash: str) -> None:
    """The person confirmed their subscription (double opt-in)."""
    db.session.flush()  # the id of a subscriber created in this transaction
    enqueue("subscriber.confirmed", _subscriber_data(subscriber), email_hash)


def subscriber_left(subscriber: Subscriber, email_hash: str) -> None:
    """The person unsubscribed, bounced or complained (the status says which)."""
    event = LEFT_EVENTS.get(subscriber.status)
    if event is not None:
        db.session.flush()
        enqueue(event, _subscriber_data(subscriber), email_hash)


def subscriber_erased(email_hash: str) -> None:
    """The person was erased: announce the keyed hash only, and blank what was queued.

    Earlier deliveries about this person carry the address (in the body, perhaps echoed in
    the receiver's answer): the pending ones are dropped, the logged ones keep their
    status without a body or an answer.
    """
    about = select(WebhookDelivery.id).where(WebhookDelivery.subject_hash == email_hash)
    ids = list(db.session.scalars(about))
    if ids:
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), WebhookDelivery.status.in_(UNFINISHED))
            .values(status="abandoned")
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .values(payload="{}", last_answer=None, subject_hash=None)
            .execution_options(synchronize_session=False)
        )
    enqueue("subscriber.erased", {"email_hash": email_hash})


def deliveries_about(email_hash: str) -> list[dict]:
    """The events about a person sent to (or queued for) other tools: the access right."""
    rows = db.session.execute(
        select(
            WebhookDelivery.event_type,
            WebhookEndpoint.url,
            WebhookDelivery.status,
            WebhookDelivery.created_at,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.subject_hash == email_hash)
        .order_by(WebhookDelivery.id)
    )
    return [
        {"event": event, "sent_to": url, "status": status, "at": _iso(at)}
        for event, url, status, at in rows
    ]


def newsletters_sent(newsletter_ids: list[int], now: datetime | None = None) -> None:
    """These newsletters finished sending."""
    for newsletter in db.session.scalars(
        select(Newsletter).where(Newsletter.id.in_(newsletter_ids))
    ):
        data = {
            "id": newsletter.id,
            "number": newsletter.number,
            "subject": newsletter.subject,
            "sent_at": _iso(now or newsletter.sent_at),
            "url": _link("public.newsletter_copy", number=newsletter.number),
        }
        enqueue("newsletter.sent", data, now=now)


def action_report_published(report: ActionReport) -> None:
    """An action report became public."""
    db.session.flush()
    data = {
        "id": report.id,
        "title": report.title,
        "date": report.date.isoformat() if report.date else None,
        "territory": report.territory_code,
        "kind": report.kind,
        "published_at": _iso(report.published_at),
        "url": _link("public.action", report_id=report.id),
    }
    enqueue("action_report.published", data)
