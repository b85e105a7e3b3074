"""No mail-bombing through the public forms: a daily allowance per address, sent by the worker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cac_news.audience import outbox
from cac_news.extensions import db
from cac_news.models import OutboxKind, OutboxMail, OutboxStatus
from cac_news.timeutil import utcnow
from tests.engine_helpers import run_worker

FORM = {"consent": "y", "language": "fr", "territory_code": ""}


def test_twenty_requests_from_twenty_addresses_deliver_the_allowance(app, client, smtp_server):
    """20 /subscribe posts for one victim from 20 client IPs: 3 mails arrive, all pages alike."""
    pages = set()
    for i in range(20):
        response = client.post(
            "/subscribe",
            data={**FORM, "email": "victim@example.org"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"},
        )
        assert response.status_code == 200
        pages.add(response.data)
    assert len(pages) == 1  # the same answer past the allowance
    run_worker(app)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["victim@example.org"]] * 3
    statuses = [row.status for row in db.session.scalars(select(OutboxMail))]
    assert statuses.count("sent") == 3 and statuses.count("dropped") == 17


def test_allowance_is_shared_by_both_forms_and_configurable(app, client, smtp_server):
    """ "My link" counts against the same allowance; TRANSACTIONAL_DAILY_ALLOWANCE changes it."""
    app.config["TRANSACTIONAL_DAILY_ALLOWANCE"] = 2
    client.post("/subscribe", data={**FORM, "email": "lea@example.org"})
    for i in range(5):
        page = client.post(
            "/my-link",
            data={"email": "lea@example.org"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        )
        assert page.status_code == 200
    run_worker(app)
    assert len(smtp_server.messages) == 2


def test_unknown_address_queued_like_a_known_one_and_dropped(
    app, client, smtp_server, make_subscriber
):
    """My link: one row queued for either address; only the known one gets a mail."""
    make_subscriber(email="known@example.org")
    known = client.post("/my-link", data={"email": "known@example.org"})
    unknown = client.post("/my-link", data={"email": "nobody@example.org"})
    assert known.data == unknown.data
    assert db.session.scalar(select(db.func.count(OutboxMail.id))) == 2
    run_worker(app)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["known@example.org"]]
    dropped = db.session.scalar(select(OutboxMail).where(OutboxMail.email == "nobody@example.org"))
    assert (dropped.status, dropped.note) == ("dropped", "unknown address")


def test_the_guard_for_other_callers(app):
    """within_allowance: what a pilot-triggered invitation asks before queuing."""
    assert outbox.within_allowance("x@example.org", app.config)
    for _ in range(3):
        _sent_row("x@example.org", OutboxKind.RECONFIRM, utcnow())
    db.session.commit()
    assert not outbox.within_allowance("x@example.org", app.config)
    assert outbox.within_allowance("y@example.org", app.config)


def _sent_row(email, kind, when, status=OutboxStatus.SENT):
    db.session.add(
        OutboxMail(
            kind=kind, email=email, status=status, sent_at=when, next_attempt_at=when,
            created_at=when,
        )
    )  # fmt: skip


def test_handled_requests_are_forgotten_after_two_days(app):
    """Addresses typed into the forms do not stay in the database once their day is over."""
    now = utcnow()
    old = now - timedelta(days=3)
    _sent_row("old-sent@example.org", OutboxKind.SUBSCRIBE, old)
    _sent_row("stranger@example.org", OutboxKind.MY_LINK, old, status=OutboxStatus.DROPPED)
    _sent_row("recent@example.org", OutboxKind.MY_LINK, now - timedelta(hours=1))
    db.session.add(
        OutboxMail(kind=OutboxKind.SUBSCRIBE, email="waiting@example.org",
                   created_at=old, next_attempt_at=now + timedelta(hours=1))
    )  # fmt: skip
    db.session.commit()
    outbox.send_due(app.config, now)
    left = set(db.session.scalars(select(OutboxMail.email)))
    assert left == {"recent@example.org", "waiting@example.org"}
    # The recent one still counts against the allowance.
    assert outbox.sent_today("recent@example.org", now) == 1
