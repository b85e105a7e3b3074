"""A confirmation link works once: used or superseded, it changes nothing and says so."""

from __future__ import annotations

from sqlalchemy import func, select

from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.models import Subscriber, SubscriptionEvent
from tests.audience.test_subscription import confirm_from_mail, form
from tests.engine_helpers import run_worker

USED = "Lien déjà utilisé"


def consents() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(SubscriptionEvent)
        .where(SubscriptionEvent.kind == "consent")
    )


def test_second_click_is_refused_and_records_no_second_consent(app, client, smtp_server):
    client.post("/subscribe", data=form())
    run_worker(app)
    path = confirm_from_mail(client, smtp_server.messages[0])
    assert client.post(path).status_code == 200
    assert consents() == 1
    again = client.post(path, headers={"Accept-Language": "fr"})
    assert again.status_code == 400
    assert USED in again.get_data(as_text=True)
    assert consents() == 1


def test_an_old_link_after_unsubscribing_does_not_bring_the_person_back(app, client, smtp_server):
    client.post("/subscribe", data=form())
    run_worker(app)
    path = confirm_from_mail(client, smtp_server.messages[0])
    subscriber = db.session.scalar(select(Subscriber))
    rights.unsubscribe(subscriber, detail="link")
    page = client.post(path, headers={"Accept-Language": "fr"})
    assert page.status_code == 400 and USED in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Subscriber.status)) == "unsubscribed"
    assert consents() == 0
