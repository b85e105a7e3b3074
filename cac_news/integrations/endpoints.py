"""Registering, listing, switching and removing webhook endpoints (admin pages and CLI)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.integrations import signing, webhooks
from cac_news.integrations.addresses import check_url
from cac_news.models import WebhookDelivery, WebhookEndpoint
from cac_news.timeutil import utcnow

LOG_PAGE = 50


def validate_events(events: Iterable[str]) -> list[str]:
    """The chosen event names in the catalogue's order, or ValidationError on `events`."""
    chosen = {e.strip() for e in events if e and e.strip()}
    unknown = sorted(chosen - set(webhooks.EVENTS))
    if unknown:
        raise ValidationError.single(
            "events", str(_l("Unknown event: %(names)s.", names=", ".join(unknown)))
        )
    if not chosen:
        raise ValidationError.single("events", str(_l("Choose at least one event.")))
    return [e for e in webhooks.EVENTS if e in chosen]


def create_endpoint(
    url: str, events: Iterable[str], config: Mapping
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it and its secret (to be shown this once); commits."""
    errors: dict[str, list[str]] = {}
    try:
        url = check_url(url, config)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        chosen = validate_events(events)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(url=url, events=" ".join(chosen), secret=secret)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def list_endpoints() -> list[WebhookEndpoint]:
    """Every endpoint, oldest first."""
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def set_enabled(endpoint: WebhookEndpoint, enabled: bool) -> None:
    """Switch an endpoint on (forgetting why it was off and since when it fails) or off."""
    endpoint.enabled = enabled
    if enabled:
        endpoint.disabled_reason = None
        endpoint.failing_since = None
    else:
        endpoint.disabled_reason = str(_l("Disabled by an administrator."))
    db.session.commit()


def remove_endpoint(endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    db.session.delete(endpoint)
    db.session.commit()


def queue_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a webhook.test event for this endpoint alone; the worker sends it; commits."""
    now = utcnow()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_type=webhooks.TEST_EVENT,
        msg_id=webhooks.new_msg_id(),
        payload=webhooks.payload(webhooks.TEST_EVENT, {"endpoint_id": endpoint.id}, now),
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


def delivery_log(endpoint: WebhookEndpoint, page: int = 1) -> tuple[list[WebhookDelivery], int]:
    """One page of the endpoint's deliveries, newest first, and their total."""
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(WebhookDelivery.id.desc()).offset((page - 1) * LOG_PAGE).limit(LOG_PAGE)
    )
    return list(rows), total
