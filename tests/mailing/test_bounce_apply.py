"""Applying bounce reports to subscribers: matching, policy, events, erasure."""

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.mailing.bounces.apply import apply_report, record_smtp_rejection
from cac_news.mailing.bounces.parse import BounceReport, Failure, analyse
from cac_news.mailing.bounces.verp import decode_address, envelope_for_delivery
from cac_news.models import Bounce, Subscriber, SubscriptionEvent
from tests.bounce_helpers import ours, sent_delivery

DATA = Path(__file__).parents[1] / "data" / "bounces"
NOW = datetime(2026, 11, 1, 12, 0, 0)


def sample(name: str) -> BounceReport:
    """A sample message from tests/data/bounces, analysed."""
    return analyse((DATA / name).read_bytes())


def soft(address: str) -> BounceReport:
    """A soft bounce (mailbox full) for one address."""
    failure = Failure(address, "soft", "4.2.2", "452 4.2.2 Mailbox full")
    return BounceReport("soft", [address], "4.2.2", failure.diagnostic, failures=[failure])


def status_events(subscriber_id: int) -> list[SubscriptionEvent]:
    """The status events of a subscriber, oldest first."""
    return list(
        db.session.scalars(
            select(SubscriptionEvent)
            .where(SubscriptionEvent.subscriber_id == subscriber_id)
            .where(SubscriptionEvent.kind == "status")
            .order_by(SubscriptionEvent.id)
        )
    )


def test_hard_bounce_marks_subscriber_bounced_with_an_event(app, make_subscriber):
    """A 5.1.1 DSN: one Bounce row, status bounced, an event carrying the code."""
    jeanne = make_subscriber(email="jeanne.martin@example.org")
    delivery = sent_delivery(jeanne)
    report = ours(sample("postfix_user_unknown.eml"), delivery)
    outcome = apply_report(report, secret="x", now=NOW)
    db.session.commit()
    assert outcome.result == "matched" and outcome.matched == [jeanne.id]
    assert outcome.matched_by == "message-id"
    assert [(c.old_status, c.new_status) for c in outcome.changes] == [("active", "bounced")]
    bounce = db.session.scalars(select(Bounce)).one()
    assert (bounce.kind, bounce.status_code, bounce.subscriber_id) == ("hard", "5.1.1", jeanne.id)
    assert bounce.recipient == "jeanne.martin@example.org"
    assert bounce.original_message_id == delivery.message_id
    assert (bounce.delivery_id, bounce.verified, bounce.matched_by) == (
        delivery.id,
        True,
        "message-id",
    )
    assert "User unknown" in bounce.diagnostic
    event = status_events(jeanne.id)[-1]
    assert (event.new_status, event.source) == ("bounced", "bounce")
    assert "5.1.1" in event.detail and "User unknown" in event.detail


def test_the_same_report_twice_counts_once(app, make_subscriber):
    """Reading a message again (a crash before marking it) records nothing more."""
    make_subscriber(email="jeanne.martin@example.org")
    apply_report(sample("postfix_user_unknown.eml"), secret="x", now=NOW)
    again = apply_report(sample("postfix_user_unknown.eml"), secret="x", now=NOW)
    db.session.commit()
    assert again.result == "matched" and again.recorded == 0
    assert len(db.session.scalars(select(Bounce)).all()) == 1


def test_soft_bounces_need_n_within_the_window(app, make_subscriber):
    """Soft bounces: bounced at the threshold within D days; older ones do not count."""
    app.config.update(
        BOUNCE_SOFT_THRESHOLD=3, BOUNCE_SOFT_WINDOW_DAYS=10, BOUNCE_SOFT_CONSECUTIVE_ISSUES=9
    )
    sophie = make_subscriber(email="sophie@example.org")

    def soft_for_sophie(days_ago: int):
        report = ours(soft("sophie@example.org"), sent_delivery(sophie))
        return apply_report(report, secret="x", now=NOW - timedelta(days=days_ago))

    soft_for_sophie(20)
    soft_for_sophie(5)
    second = soft_for_sophie(1)
    db.session.commit()
    assert second.changes == [] and sophie.status == "active"  # 2 in the window, 1 too old
    third = soft_for_sophie(0)
    db.session.commit()
    assert [c.new_status for c in third.changes] == ["bounced"]
    assert "3 soft bounce(s) in 10 days" in status_events(sophie.id)[-1].detail


def test_hard_threshold_is_configurable(app, make_subscriber):
    """BOUNCE_HARD_THRESHOLD=2: the first hard bounce leaves the subscriber active."""
    app.config["BOUNCE_HARD_THRESHOLD"] = 2
    sub = make_subscriber(email="jeanne.martin@example.org")
    record_smtp_rejection(sub, 550, "5.1.1 User unknown", now=NOW)
    db.session.commit()
    assert sub.status == "active"
    change = record_smtp_rejection(sub, "550", "5.1.1 User unknown", now=NOW)
    db.session.commit()
    assert change.new_status == "bounced" and sub.status == "bounced"


def test_complaint_beats_bounce_and_nothing_reactivates(app, make_subscriber):
    """A complaint turns a bounced subscriber complained; a later bounce changes nothing."""
    anne = make_subscriber(email="anne.dubois@yahoo.fr", status="bounced")
    report = ours(sample("arf_complaint.eml"), sent_delivery(anne))
    outcome = apply_report(report, secret="x", now=NOW)
    db.session.commit()
    assert [(c.old_status, c.new_status) for c in outcome.changes] == [("bounced", "complained")]
    assert status_events(anne.id)[-1].source == "complaint"
    record_smtp_rejection(anne, 550, "no such user", now=NOW)
    db.session.commit()
    assert anne.status == "complained"
    kinds = sorted(b.kind for b in db.session.scalars(select(Bounce)))
    assert kinds == ["complaint", "hard"]


def test_unsubscribed_and_pending_are_not_reactivated(app, make_subscriber):
    """An unsubscribed address keeps its status; a bounce is still recorded."""
    gone = make_subscriber(email="jeanne.martin@example.org", status="unsubscribed")
    outcome = apply_report(sample("postfix_user_unknown.eml"), secret="x", now=NOW)
    db.session.commit()
    assert outcome.result == "matched" and outcome.changes == []
    assert gone.status == "unsubscribed"
    assert db.session.scalars(select(Bounce)).one().subscriber_id == gone.id


def test_unknown_address_is_unmatched(app, make_subscriber):
    """A bounce for an address nobody has: unmatched, nothing recorded."""
    make_subscriber(email="someone.else@example.org")
    outcome = apply_report(sample("exim_failed.eml"), secret="x", now=NOW)
    db.session.commit()
    assert outcome.result == "unmatched" and outcome.unmatched == ["paul.durand@example.net"]
    assert db.session.scalars(select(Bounce)).all() == []


def test_dsn_for_a_message_this_app_never_sent_is_left_alone(app, make_subscriber):
    """A subscriber's personal mail bounced: foreign Message-ID, so no bounce, no change."""
    jeanne = make_subscriber(email="jeanne.martin@example.org")
    outcome = apply_report(sample("foreign_dsn.eml"), secret="x", now=NOW)
    db.session.commit()
    assert outcome.result == "unmatched" and "not sent by this app" in outcome.note
    assert jeanne.status == "active" and db.session.scalars(select(Bounce)).all() == []


def test_not_a_bounce_and_malformed_touch_nothing(app, make_subscriber):
    """An auto-reply and a truncated DSN are counted as such and change nobody."""
    jeanne = make_subscriber(email="jeanne.martin@example.org")
    assert apply_report(sample("vacation_autoreply.eml"), secret="x").result == "not_bounce"
    assert apply_report(sample("truncated_mime.eml"), secret="x").result == "malformed"
    db.session.commit()
    assert jeanne.status == "active" and db.session.scalars(select(Bounce)).all() == []


def test_smtp_rejection_is_a_hard_bounce(app, make_subscriber, make_newsletter):
    """A 5xx at RCPT time: a hard bounce row tied to the newsletter, status bounced."""
    sub = make_subscriber(email="rcpt@example.org")
    newsletter = make_newsletter()
    change = record_smtp_rejection(
        sub, 550, "5.1.1 <rcpt@example.org>: User unknown", newsletter.id
    )
    db.session.commit()
    bounce = db.session.scalars(select(Bounce)).one()
    assert (bounce.kind, bounce.status_code, bounce.newsletter_id, bounce.delivery_id) == (
        "hard",
        "550",
        newsletter.id,
        None,  # the worker passes its delivery: see test_bounce_delivery.py
    )
    assert change.new_status == "bounced" and status_events(sub.id)[-1].source == "bounce"


def test_erasure_blanks_personal_data_in_bounces(app, make_subscriber, make_newsletter):
    """RGPD erase: the bounce stays for the figures, without address or diagnostic."""
    sub = make_subscriber(email="jeanne.martin@example.org")
    newsletter = make_newsletter()
    record_smtp_rejection(sub, 550, "<jeanne.martin@example.org> unknown", newsletter.id)
    db.session.commit()
    rights.erase(sub)
    bounce = db.session.scalars(select(Bounce)).one()
    db.session.refresh(bounce)
    assert (bounce.recipient, bounce.diagnostic, bounce.subscriber_id) == (None, None, None)
    assert bounce.kind == "hard" and bounce.newsletter_id == newsletter.id
    assert db.session.scalars(select(Subscriber)).all() == []


def test_envelope_for_delivery_uses_verp_only_when_enabled(app):
    """VERP off: MAIL_FROM's address; on: bounces+TOKEN@BOUNCE_DOMAIN (default From's domain)."""
    assert envelope_for_delivery(42, app.config) == "lettre@example.org"
    app.config["VERP_ENABLED"] = True
    address = envelope_for_delivery(42, app.config)
    assert address.startswith("bounces+42-") and address.endswith("@example.org")
    assert decode_address(address, app.config["SECRET_KEY"]) == 42
    app.config["BOUNCE_DOMAIN"] = "bounces.example.net"
    assert envelope_for_delivery(42, app.config).endswith("@bounces.example.net")
