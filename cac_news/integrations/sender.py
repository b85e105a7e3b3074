"""The worker's side of the webhook outbox: post due deliveries, retry, give up, disable.

A failed delivery is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h, the
last try falling at 24 h after the event; then it is abandoned. An endpoint that has not
had a single success for a day is disabled (its pending deliveries abandoned) and
`send_due` returns it so that the worker tells the admins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from cac_news.extensions import db
from cac_news.integrations import http, signing
from cac_news.integrations.addresses import AddressRefused, parse_url
from cac_news.models import WebhookDelivery, WebhookEndpoint
from cac_news.models.webhook import UNFINISHED, WEBHOOK_ANSWER_MAX
from cac_news.timeutil import utcnow

log = logging.getLogger(__name__)
RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600)  # seconds, after each try
RETRY_WINDOW = timedelta(hours=24)  # from the event to the last try
DISABLE_AFTER = timedelta(hours=24)  # of failures without one success
BATCH = 20
TICK_BUDGET_SECONDS = 5.0  # stop starting new posts after this long: the mail send goes on
# Handled deliveries are kept this long for the endpoint's log (they carry addresses).
RETENTION = timedelta(days=30)


def next_attempt(attempts: int, created_at: datetime, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries, or None to give up."""
    deadline = created_at + RETRY_WINDOW
    if now >= deadline:
        return None
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return min(now + timedelta(seconds=delay), deadline)


def _unix(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def attempt(delivery: WebhookDelivery, config: Mapping, now: datetime) -> http.Answer:
    """Post one delivery now, signed for this attempt; the caller records the answer."""
    endpoint = delivery.endpoint
    try:
        target = parse_url(endpoint.url)
    except AddressRefused as exc:
        return http.Answer(None, f"refused: {exc}", 0)
    headers = signing.headers(endpoint.secret, delivery.msg_id, _unix(now), delivery.payload)
    return http.post(target, delivery.payload, headers, config)


def record(delivery: WebhookDelivery, answer: http.Answer, now: datetime) -> WebhookEndpoint | None:
    """Store the result; return the endpoint if this failure disabled it."""
    endpoint = delivery.endpoint
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = answer.status
    delivery.last_answer = answer.text[:WEBHOOK_ANSWER_MAX]
    delivery.last_duration_ms = answer.duration_ms
    if answer.ok:
        delivery.status = "sent"
        endpoint.failing_since = None
        return None
    due = next_attempt(delivery.attempts, delivery.created_at, now)
    if due is None:
        delivery.status = "abandoned"
    else:  # failed this time, tried again at `due`
        delivery.status, delivery.next_attempt_at = "failed", due
        hold_back(delivery, due)
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    if endpoint.enabled and now - endpoint.failing_since >= DISABLE_AFTER:
        disable(endpoint, now)
        return endpoint
    return None


def hold_back(failed: WebhookDelivery, due: datetime) -> None:
    """The endpoint's other due events wait for this retry (no attempt counted): a dead
    receiver is tried once per backoff step, not once per event per tick."""
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == failed.endpoint_id,
            WebhookDelivery.id != failed.id,
            WebhookDelivery.status.in_(UNFINISHED),
            WebhookDelivery.next_attempt_at < due,
        )
        .values(next_attempt_at=due)
        .execution_options(synchronize_session=False)
    )


def disable(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Switch off an endpoint that fails for a day; its pending deliveries are given up."""
    endpoint.enabled = False
    endpoint.disabled_reason = _(
        "Disabled automatically on %(when)s UTC: every delivery failed for 24 hours.",
        when=now.strftime("%Y-%m-%d %H:%M"),
    )
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status.in_(UNFINISHED),
        )
        .values(status="abandoned")
        .execution_options(synchronize_session=False)
    )


def _due_query(now: datetime, skipped: set[int]):
    query = (
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status.in_(UNFINISHED),
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.enabled.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(1)
    )
    if skipped:
        query = query.where(WebhookDelivery.endpoint_id.not_in(skipped))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=WebhookDelivery, skip_locked=True)
    return query


def send_due(
    config: Mapping, now: datetime | None = None, limit: int = BATCH
) -> list[WebhookEndpoint]:
    """Post the due deliveries, one committed row at a time; return endpoints disabled.

    On PostgreSQL each row is locked (SKIP LOCKED) until its result is committed, so that
    several workers never post one row twice. An endpoint that failed gets no further
    post in this call, and its other events wait for the failed one's retry.
    """
    fixed_now = now
    started = time.monotonic()
    purge_handled(fixed_now or utcnow())
    disabled: list[WebhookEndpoint] = []
    failed_here: set[int] = set()
    for _handled in range(limit):
        if time.monotonic() - started > TICK_BUDGET_SECONDS:
            break
        moment = fixed_now or utcnow()
        delivery = db.session.scalars(_due_query(moment, failed_here)).first()
        if delivery is None:
            break
        answer = attempt(delivery, config, moment)
        if not answer.ok:
            failed_here.add(delivery.endpoint_id)
            log.info(
                "webhook %s to endpoint %s: %s", delivery.id, delivery.endpoint_id, answer.status
            )
        stopped = record(delivery, answer, moment)
        if stopped is not None:
            disabled.append(stopped)
        db.session.commit()
    db.session.commit()
    return disabled


def purge_handled(now: datetime) -> None:
    """Forget deliveries handled more than RETENTION ago."""
    db.session.execute(
        WebhookDelivery.__table__.delete().where(
            WebhookDelivery.status.not_in(UNFINISHED),
            WebhookDelivery.created_at < now - RETENTION,
        )
    )
    db.session.commit()
