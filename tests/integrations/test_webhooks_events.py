"""Where webhook events come from: each change queues its delivery in its own transaction
(an outbox), so that a rolled-back change leaves nothing to send and an erasure leaves
no address behind."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from cac_news.audience import rights, suppression, tokens
from cac_news.audience.subscribers import SubscriberData, update_subscriber
from cac_news.audience.subscription import confirm_subscription
from cac_news.content.actions import set_published
from cac_news.extensions import db
from cac_news.integrations import endpoints, sender, webhooks
from cac_news.mailing import claims
from cac_news.mailing.bounces.apply import record_smtp_rejection
from cac_news.mailing.worker import Worker
from cac_news.models import Subscriber, WebhookDelivery
from tests.webhook_helpers import start_receiver


@pytest.fixture
def config_overrides():
    return {"WEBHOOK_ALLOW_PRIVATE": True}


@pytest.fixture
def receiver():
    recorder, server = start_receiver()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def endpoint(app, receiver):
    """An endpoint that hears about every event."""
    created, _secret = endpoints.create_endpoint(receiver.url, webhooks.EVENTS, app.config)
    return created


def deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def bodies() -> list[dict]:
    return [json.loads(d.payload) for d in deliveries()]


def test_rolled_back_unsubscribe_queues_and_sends_nothing(
    app, endpoint, receiver, make_subscriber, monkeypatch
):
    subscriber = make_subscriber(email="nina@exemple.org")

    def failing_commit():
        raise RuntimeError("the database went away at commit time")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        rights.unsubscribe(subscriber)
    monkeypatch.undo()
    db.session.rollback()

    assert deliveries() == []
    assert db.session.get(Subscriber, subscriber.id).status == "active"
    Worker(app.config).tick()
    assert receiver.requests == []


def test_nothing_is_visible_to_the_worker_before_commit(app, endpoint, make_subscriber):
    subscriber = make_subscriber()
    subscriber.set_status("unsubscribed", source="unsubscribe", detail="link")
    webhooks.subscriber_left(subscriber, suppression.email_hash(subscriber.email))
    db.session.flush()  # written in this transaction, not committed
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1

    seen = []

    def worker_view():
        with app.app_context():  # another session, like the worker's process
            seen.append(db.session.scalar(select(func.count(WebhookDelivery.id))))
            db.session.remove()

    thread = threading.Thread(target=worker_view)
    thread.start()
    thread.join()
    assert seen == [0]
    db.session.commit()
    thread = threading.Thread(target=worker_view)
    thread.start()
    thread.join()
    assert seen == [0, 1]


def test_unsubscribe_and_confirmation_events(app, endpoint, make_subscriber):
    pending = make_subscriber(email="ada@exemple.org", status="pending")
    confirm_subscription(tokens.make_token(pending, tokens.CONFIRM))
    active = make_subscriber(email="bob@exemple.org")
    assert rights.unsubscribe(active)
    assert not rights.unsubscribe(active)  # already out: no second event
    confirmed, unsubscribed = bodies()
    assert confirmed["type"] == "subscriber.confirmed"
    assert confirmed["data"]["email"] == "ada@exemple.org"
    assert confirmed["data"]["status"] == "active"
    assert unsubscribed["type"] == "subscriber.unsubscribed"
    assert unsubscribed["data"]["id"] == active.id
    assert unsubscribed["timestamp"].endswith("Z")


def test_endpoint_gets_only_the_events_it_chose(app, receiver, make_subscriber):
    endpoints.create_endpoint(receiver.url, ["subscriber.erased"], app.config)
    rights.unsubscribe(make_subscriber())
    assert deliveries() == []


def test_pilot_marking_someone_unsubscribed_is_an_event(app, endpoint, make_subscriber, admin):
    subscriber = make_subscriber(email="cleo@exemple.org")
    update_subscriber(
        subscriber,
        SubscriberData(email=subscriber.email, first_name="Cléo", status="unsubscribed"),
        admin,
    )
    assert [b["type"] for b in bodies()] == ["subscriber.unsubscribed"]


def test_hard_bounce_event(app, endpoint, make_subscriber):
    subscriber = make_subscriber(email="dan@exemple.org")
    change = record_smtp_rejection(subscriber, 550, "5.1.1 user unknown")
    db.session.commit()
    assert change is not None and subscriber.status == "bounced"
    (body,) = bodies()
    assert body["type"] == "subscriber.bounced"
    assert body["data"]["email"] == "dan@exemple.org"


def test_erased_payload_holds_the_hash_only_and_earlier_events_lose_the_address(
    app, endpoint, receiver, make_subscriber
):
    subscriber = make_subscriber(
        email="eve@exemple.org", first_name="Ève", last_name="Durand", organisation="Asso"
    )
    rights.unsubscribe(subscriber)  # queued with the address, not yet sent
    digest = suppression.email_hash("eve@exemple.org")
    rights.erase(subscriber)

    earlier, erased = deliveries()
    assert earlier.status == "abandoned" and earlier.payload == "{}"
    assert earlier.subject_hash is None
    body = json.loads(erased.payload)
    assert body["type"] == "subscriber.erased"
    assert body["data"] == {"email_hash": digest}

    sender.send_due(app.config)
    (request,) = receiver.requests
    for personal in ("eve@exemple.org", "eve", "Ève", "Durand", "Asso"):
        assert personal not in request.body.replace(digest, "")
    assert json.loads(request.body)["data"] == {"email_hash": digest}


def test_erasure_blanks_deliveries_already_sent(app, endpoint, receiver, make_subscriber):
    subscriber = make_subscriber(email="fanny@exemple.org")
    rights.unsubscribe(subscriber)
    sender.send_due(app.config)
    assert deliveries()[0].status == "sent"
    rights.erase(subscriber)
    sent, _erased = deliveries()
    assert sent.status == "sent" and sent.payload == "{}" and sent.last_answer is None


def test_newsletter_sent_event(app, endpoint, make_newsletter):
    newsletter = make_newsletter(subject="Lettre de décembre")
    newsletter.status = "sending"
    db.session.commit()
    assert claims.finish_completed(newsletter.created_at) == [newsletter.id]
    (body,) = bodies()
    assert body["type"] == "newsletter.sent"
    assert body["data"]["subject"] == "Lettre de décembre"
    assert body["data"]["number"] == newsletter.number
    assert body["data"]["url"].endswith(f"/archives/{newsletter.number}/")


def test_action_report_published_once(app, endpoint, make_action_report):
    report = make_action_report(title="Réunion publique à Lille", published=False)
    set_published(report, True)
    set_published(report, True)  # already public: no second event
    (body,) = bodies()
    assert body["type"] == "action_report.published"
    assert body["data"]["title"] == "Réunion publique à Lille"
    assert body["data"]["url"].endswith(f"/actions/{report.id}/")
    set_published(report, False)
    assert len(deliveries()) == 1


def test_disabled_endpoint_gets_no_event(app, endpoint, make_subscriber):
    endpoints.set_enabled(endpoint, False)
    rights.unsubscribe(make_subscriber())
    assert deliveries() == []


def test_access_right_lists_the_events_sent_about_the_person(app, endpoint, make_subscriber):
    subscriber = make_subscriber(email="gus@exemple.org")
    other = make_subscriber(email="hana@exemple.org")
    rights.unsubscribe(subscriber)
    rights.unsubscribe(other)
    (entry,) = rights.personal_data(subscriber)["webhooks"]
    assert entry["event"] == "subscriber.unsubscribed"
    assert entry["sent_to"] == endpoint.url and entry["status"] == "pending"
