"""Models: status changes are events, search text follows the fields, constraints hold."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cac_news.extensions import db
from cac_news.models import Pilot, Subscriber, SubscriptionEvent


def test_status_change_records_an_event(make_subscriber, make_pilot):
    pilot = make_pilot()
    subscriber = make_subscriber(status="active")
    event = subscriber.set_status("unsubscribed", source="pilot", actor_id=pilot.id)
    db.session.commit()
    assert event.old_status == "active" and event.new_status == "unsubscribed"
    kinds = [(e.old_status, e.new_status, e.source) for e in subscriber.events]
    assert kinds == [
        (None, "pending", "pilot"),
        ("pending", "active", "pilot"),
        ("active", "unsubscribed", "pilot"),
    ]
    assert subscriber.events[-1].actor.email == pilot.email


def test_setting_the_same_status_records_nothing(make_subscriber):
    subscriber = make_subscriber(status="active")
    before = len(subscriber.events)
    assert subscriber.set_status("active", source="pilot") is None
    assert len(subscriber.events) == before


def test_unknown_status_or_source_is_refused(make_subscriber):
    subscriber = make_subscriber()
    with pytest.raises(ValueError, match="status"):
        subscriber.set_status("deleted", source="pilot")
    with pytest.raises(ValueError, match="source"):
        subscriber.set_status("active", source="magic")


def test_database_refuses_an_unknown_status(app):
    db.session.add(Subscriber(email="x@exemple.org", status="nonsense"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_email_is_unique_in_the_database(make_subscriber):
    make_subscriber(email="same@exemple.org")
    db.session.add(Subscriber(email="same@exemple.org"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_search_text_is_folded_and_follows_edits(make_subscriber):
    subscriber = make_subscriber(first_name="Élodie", last_name="Lefèvre", organisation="CAC")
    assert "elodie lefevre" in subscriber.search_text
    subscriber.organisation = "Ligue de l'Enseignement"
    db.session.commit()
    stored = db.session.scalar(select(Subscriber.search_text).where(Subscriber.id == subscriber.id))
    assert "ligue de l'enseignement" in stored


def test_deleting_a_subscriber_deletes_its_events(make_subscriber):
    subscriber = make_subscriber()
    db.session.delete(subscriber)
    db.session.commit()
    assert db.session.scalar(select(SubscriptionEvent)) is None


def test_pilot_password_is_hashed(app):
    pilot = Pilot(email="p@example.org", name="P", role="editor")
    pilot.set_password("a long enough password")
    assert "a long enough password" not in pilot.password_hash
    assert pilot.check_password("a long enough password")
    assert not pilot.check_password("wrong")
