"""Webhook deliveries to a real HTTP server on loopback: Standard Webhooks signatures,
retries with backoff, abandonment, and an endpoint disabled after a day of failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.integrations import endpoints, sender
from cac_news.mailing import webhook_task
from cac_news.mailing.worker import Worker
from cac_news.models import WebhookDelivery
from tests.webhook_helpers import start_receiver


@pytest.fixture
def config_overrides():
    """The receiver listens on loopback: allowed here, refused by default."""
    return {"WEBHOOK_ALLOW_PRIVATE": True}


@pytest.fixture
def receiver():
    """A receiver that answers 200 unless a test queues other statuses."""
    recorder, server = start_receiver()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


def expected_signature(secret: str, msg_id: str, timestamp: str, body: str) -> str:
    """The signature computed here, independently of the app's code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def only_delivery() -> WebhookDelivery:
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery)).one()


def test_worker_tick_posts_a_signed_event(app, receiver, make_subscriber):
    endpoint, secret = endpoints.create_endpoint(
        receiver.url, ["subscriber.unsubscribed"], app.config
    )
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    subscriber = make_subscriber(email="lea@exemple.org")
    rights.unsubscribe(subscriber)
    assert receiver.requests == []  # queued, not sent by the request

    Worker(app.config).tick()

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hooks?source=cac"
    delivery = only_delivery()
    assert delivery.status == "sent" and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.last_answer == "answer 200"
    assert delivery.last_duration_ms is not None
    headers = request.headers
    assert headers["webhook-id"] == delivery.msg_id
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert headers["content-type"] == "application/json"
    assert headers["webhook-signature"] == expected_signature(
        secret, headers["webhook-id"], headers["webhook-timestamp"], request.body
    )
    # The reference implementation agrees (and checks the timestamp's freshness).
    verified = Webhook(secret).verify(request.body, headers)
    assert verified["type"] == "subscriber.unsubscribed"
    assert verified["data"]["email"] == "lea@exemple.org"
    assert verified["data"]["status"] == "unsubscribed"
    assert endpoint.id == delivery.endpoint_id


def test_a_wrong_secret_does_not_verify(app, receiver, make_subscriber):
    endpoints.create_endpoint(receiver.url, ["subscriber.unsubscribed"], app.config)
    rights.unsubscribe(make_subscriber())
    sender.send_due(app.config)
    request = receiver.requests[0]
    other = "whsec_" + base64.b64encode(b"x" * 24).decode()
    with pytest.raises(Exception, match="[Ss]ignature"):
        Webhook(other).verify(request.body, request.headers)


def test_retried_after_a_500_then_sent(app, receiver, make_subscriber):
    receiver.statuses = [500]
    _endpoint, secret = endpoints.create_endpoint(
        receiver.url, ["subscriber.unsubscribed"], app.config
    )
    rights.unsubscribe(make_subscriber())
    start = only_delivery().created_at

    sender.send_due(app.config, now=start)
    delivery = only_delivery()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.last_status_code == 500 and delivery.last_answer == "answer 500"
    assert delivery.next_attempt_at == start + timedelta(seconds=5)
    assert delivery.endpoint.failing_since == start

    sender.send_due(app.config, now=start + timedelta(seconds=2))  # not due yet
    assert len(receiver.requests) == 1

    sender.send_due(app.config, now=start + timedelta(seconds=6))
    delivery = only_delivery()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert delivery.endpoint.failing_since is None
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # same message
    assert first.body == second.body
    for request in (first, second):
        assert request.headers["webhook-signature"] == expected_signature(
            secret, request.headers["webhook-id"], request.headers["webhook-timestamp"],
            request.body,
        )  # fmt: skip
    assert int(second.headers["webhook-timestamp"]) - int(first.headers["webhook-timestamp"]) == 6


def test_backoff_schedule_ends_a_day_after_the_event():
    from datetime import datetime

    start = datetime(2026, 12, 1, 8, 0)
    moment, tries = start, []
    for attempts in range(1, 20):
        due = sender.next_attempt(attempts, start, moment)
        if due is None:
            break
        tries.append(due - start)
        moment = due
    assert tries[:5] == [
        timedelta(seconds=5),
        timedelta(minutes=5, seconds=5),
        timedelta(minutes=35, seconds=5),
        timedelta(hours=2, minutes=35, seconds=5),
        timedelta(hours=7, minutes=35, seconds=5),
    ]
    assert tries[-1] == timedelta(hours=24)  # the last try, then abandoned
    assert sender.next_attempt(len(tries) + 1, start, start + timedelta(hours=24)) is None


def test_endpoint_disabled_after_a_day_of_failures_and_admins_told(
    app, receiver, make_subscriber, make_pilot, smtp_server
):
    receiver.default = 503
    make_pilot(role="admin", email="admin@exemple.org")
    make_pilot(role="editor", email="editor@exemple.org")
    endpoint, _secret = endpoints.create_endpoint(
        receiver.url, ["subscriber.unsubscribed"], app.config
    )
    rights.unsubscribe(make_subscriber())
    start = only_delivery().created_at

    moment = start
    while True:
        disabled = webhook_task.run(app.config, now=moment)
        delivery = only_delivery()
        if disabled or delivery.status != "failed":
            break
        assert moment - start < timedelta(hours=24)
        moment = delivery.next_attempt_at
    assert disabled == 1
    assert moment == start + timedelta(hours=24)
    assert delivery.status == "abandoned"
    db.session.refresh(endpoint)
    assert endpoint.enabled is False
    assert "24" in endpoint.disabled_reason
    assert len(receiver.requests) == delivery.attempts >= 7

    # The admins (not the editors) got a mail naming the endpoint and its page.
    assert [m.rcpt_tos for m in smtp_server.messages] == [["admin@exemple.org"]]
    text = smtp_server.messages[0].message.get_body(("plain",)).get_content()
    assert receiver.url in text and f"/admin/webhooks/{endpoint.id}" in text

    # A disabled endpoint gets no new event and no more posts.
    rights.unsubscribe(make_subscriber())
    assert db.session.scalar(select(db.func.count(WebhookDelivery.id))) == 1
    webhook_task.run(app.config, now=moment + timedelta(hours=1))
    assert len(receiver.requests) == delivery.attempts


def test_one_success_resets_the_failing_clock(app, receiver, make_subscriber):
    receiver.statuses = [500, 200, 500]
    endpoint, _ = endpoints.create_endpoint(receiver.url, ["subscriber.unsubscribed"], app.config)
    rights.unsubscribe(make_subscriber())
    start = only_delivery().created_at
    sender.send_due(app.config, now=start)
    sender.send_due(app.config, now=start + timedelta(seconds=5))
    rights.unsubscribe(make_subscriber())  # a second event, failing much later
    late = start + timedelta(hours=25)
    assert sender.send_due(app.config, now=late) == []
    db.session.refresh(endpoint)
    assert endpoint.enabled and endpoint.failing_since == late


def test_a_dead_endpoint_costs_one_attempt_per_tick(app, make_subscriber):
    from tests.fixtures.database import free_port

    url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    endpoints.create_endpoint(url, ["subscriber.unsubscribed"], app.config)
    for _ in range(3):
        rights.unsubscribe(make_subscriber())
    sender.send_due(app.config)
    db.session.expire_all()
    rows = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [r.attempts for r in rows] == [1, 0, 0]
    assert rows[0].status == "failed" and rows[0].last_status_code is None
    assert "Connection" in rows[0].last_answer or "refused" in rows[0].last_answer.lower()
    assert json.loads(rows[1].payload)["type"] == "subscriber.unsubscribed"
    # The other events wait for the first one's retry: one timeout per backoff step.
    assert rows[1].next_attempt_at == rows[2].next_attempt_at == rows[0].next_attempt_at
    assert sender.send_due(app.config, now=rows[0].next_attempt_at - timedelta(seconds=1)) == []
    db.session.expire_all()
    assert [r.attempts for r in db.session.scalars(select(WebhookDelivery))] == [1, 0, 0]


def readme_verify():
    """The `verify` function of the README's Webhooks section, as a reader would copy it."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Webhooks", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (our own README)
    return namespace["verify"]


def test_the_readme_snippet_verifies_a_real_delivery(app, receiver, make_subscriber):
    verify = readme_verify()
    _endpoint, secret = endpoints.create_endpoint(
        receiver.url, ["subscriber.unsubscribed"], app.config
    )
    rights.unsubscribe(make_subscriber())
    sender.send_due(app.config)
    (request,) = receiver.requests
    body = request.body.encode()
    assert verify(secret, request.headers, body)
    assert not verify(secret, request.headers, body.replace(b"unsubscribed", b"confirmed"))
    other = "whsec_" + base64.b64encode(b"y" * 24).decode()
    assert not verify(other, request.headers, body)
    old = {**request.headers, "webhook-timestamp": str(int(time.time()) - 3600)}
    assert not verify(secret, old, body)
