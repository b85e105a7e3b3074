"""Lifecycles: each status set is one StrEnum with one transition table, enforced on change."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint, select

from cac_news.extensions import db
from cac_news.models import Newsletter, Subscriber
from cac_news.models.audience import (
    LEFT_STATUSES,
    SUBSCRIBER_TRANSITIONS,
    SubscriberStatus,
    subscriber_may_move,
)
from cac_news.models.lifecycle import TransitionRefused
from cac_news.models.newsletter import (
    NEWSLETTER_TRANSITIONS,
    NewsletterStatus,
    move_newsletter,
    statuses_before,
)

SOURCES = ("form", "import", "pilot", "preferences", "unsubscribe", "bounce", "api", "system")


@pytest.mark.parametrize("left", sorted(LEFT_STATUSES))
def test_only_the_persons_confirmation_brings_back_someone_who_left(left):
    for source in SOURCES:
        for recipient in (SubscriberStatus.ACTIVE, SubscriberStatus.PENDING):
            assert not subscriber_may_move(left, recipient, source), (left, recipient, source)
    assert subscriber_may_move(left, SubscriberStatus.ACTIVE, "confirmation")


def test_a_bounce_never_moves_an_unsubscribed_person_and_a_complaint_outranks_a_bounce():
    assert not subscriber_may_move("unsubscribed", "bounced", "bounce")
    assert subscriber_may_move("bounced", "complained", "complaint")
    assert not subscriber_may_move("complained", "bounced", "bounce")


def test_the_table_names_only_known_statuses():
    for old, new in SUBSCRIBER_TRANSITIONS:
        assert old in SubscriberStatus and new in SubscriberStatus and old != new


def test_set_status_refuses_a_move_outside_the_table(app):
    with app.app_context():
        person = Subscriber(email="left@example.org", status="pending")
        person.set_status("pending", source="form")
        db.session.add(person)
        db.session.flush()
        person.set_status("unsubscribed", source="unsubscribe")
        with pytest.raises(TransitionRefused):
            person.set_status("active", source="pilot")
        assert person.status == "unsubscribed"
        person.set_status("active", source="confirmation")
        assert person.status == "active"
        db.session.rollback()


def test_the_check_constraints_are_built_from_the_enums():
    for model, enum in ((Subscriber, SubscriberStatus), (Newsletter, NewsletterStatus)):
        (check,) = [
            c
            for c in model.__table__.constraints
            if isinstance(c, CheckConstraint) and str(c.name).endswith("status")
        ]
        for state in enum:
            assert f"'{state.value}'" in str(check.sqltext)


def test_sent_and_cancelled_letters_are_final():
    assert NEWSLETTER_TRANSITIONS[NewsletterStatus.SENT] == frozenset()
    assert NEWSLETTER_TRANSITIONS[NewsletterStatus.CANCELLED] == frozenset()
    assert statuses_before(NewsletterStatus.SENT) == {NewsletterStatus.SENDING}


def test_move_newsletter_is_conditional_and_cannot_widen_the_table(app):
    with app.app_context():
        letter = Newsletter(number=990, subject="Essai", status="draft")
        db.session.add(letter)
        db.session.commit()
        assert not move_newsletter(letter.id, NewsletterStatus.SENT)  # draft -> sent: no
        with pytest.raises(TransitionRefused):
            move_newsletter(letter.id, NewsletterStatus.SENT, only_from=("draft",))
        assert move_newsletter(letter.id, NewsletterStatus.SENDING)
        assert not move_newsletter(letter.id, NewsletterStatus.SENDING)  # already there
        db.session.commit()
        status = db.session.scalar(select(Newsletter.status).where(Newsletter.id == letter.id))
        assert status == "sending"
