"""The worker against SMTP faults and against changes made while a send runs."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.mailing.worker import Worker, WorkerRefused, sqlite_lock
from cac_news.models import Delivery, Newsletter, Subscriber
from tests.engine_helpers import FaultyHandler, make_retries_due, run_worker, start_server, statuses
from tests.fixtures.database import USING_POSTGRESQL


def _audience(make_subscriber, n: int) -> list[str]:
    return [make_subscriber(email=f"r{i:03d}@example.org").email for i in range(n)]


def _received(handler) -> Counter:
    return Counter(rcpt for m in handler.messages for rcpt in m.rcpt_tos)


def test_smtp_down_at_start_is_retried_and_nothing_lost(app, make_subscriber, make_newsletter):
    emails = _audience(make_subscriber, 5)
    newsletter = make_newsletter()
    sending.start_send(newsletter)

    run_worker(app)  # nothing listens on MAIL_PORT
    assert statuses(newsletter.id) == {"retrying": 5}
    row = db.session.scalars(select(Delivery)).first()
    assert row.attempts == 1 and row.smtp_text and row.next_attempt_at > row.updated_at
    assert db.session.get(Newsletter, newsletter.id).status == "sending"

    handler = FaultyHandler()
    controller = start_server(app, handler)
    try:
        make_retries_due(newsletter.id)
        run_worker(app)
    finally:
        controller.stop()
    assert statuses(newsletter.id) == {"sent": 5}
    assert _received(handler) == Counter(emails)
    assert db.session.get(Newsletter, newsletter.id).status == "sent"


def test_connection_dropped_mid_batch(app, make_subscriber, make_newsletter):
    emails = _audience(make_subscriber, 8)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    handler = FaultyHandler(drop_after=3)
    controller = start_server(app, handler)
    try:
        run_worker(app, SEND_CONCURRENCY=1)
        counts = statuses(newsletter.id)
        assert counts == {"sent": 7, "retrying": 1}
        lost = db.session.scalar(select(Delivery).where(Delivery.status == "retrying"))
        assert "connection lost" in lost.smtp_text
        make_retries_due(newsletter.id)
        run_worker(app, SEND_CONCURRENCY=1)
    finally:
        controller.stop()
    assert statuses(newsletter.id) == {"sent": 8}
    assert _received(handler) == Counter(emails)  # each exactly once


def test_421_and_451_are_retried_550_fails(app, make_subscriber, make_newsletter):
    emails = _audience(make_subscriber, 6)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    handler = FaultyHandler(
        refuse={emails[0], emails[1]},
        busy_rcpt={
            emails[2]: [1, "451 4.7.1 greylisted, try later"],
            emails[3]: [2, "421 4.3.2 service shutting down"],
        },
    )
    controller = start_server(app, handler)
    try:
        run_worker(app, SEND_CONCURRENCY=1)
        rows = {d.email: d for d in db.session.scalars(select(Delivery))}
        assert rows[emails[0]].status == "failed" and rows[emails[0]].smtp_code == 550
        assert rows[emails[0]].at_rcpt is True and "user unknown" in rows[emails[0]].smtp_text
        assert rows[emails[2]].status == "retrying" and rows[emails[2]].smtp_code == 451
        assert rows[emails[3]].status == "retrying"
        for _ in range(3):
            make_retries_due(newsletter.id)
            run_worker(app, SEND_CONCURRENCY=1)
    finally:
        controller.stop()
    assert statuses(newsletter.id) == {"sent": 4, "failed": 2}
    assert _received(handler) == Counter(emails[2:])
    assert db.session.get(Newsletter, newsletter.id).status == "sent"


def test_temporary_failures_are_bounded(app, make_subscriber, make_newsletter):
    emails = _audience(make_subscriber, 1)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    handler = FaultyHandler(busy_rcpt={emails[0]: [99, "451 4.7.1 still busy"]})
    controller = start_server(app, handler)
    try:
        for _ in range(3):
            run_worker(app, SEND_MAX_ATTEMPTS=3)
            make_retries_due(newsletter.id)
    finally:
        controller.stop()
    row = db.session.scalar(select(Delivery))
    assert row.status == "failed" and row.attempts == 3 and row.smtp_code == 451
    assert db.session.get(Newsletter, newsletter.id).status == "sent"  # nothing pending


def test_run_of_errors_pauses_with_a_reason(app, make_subscriber, make_newsletter):
    _audience(make_subscriber, 10)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    run_worker(app, SEND_PAUSE_AFTER_ERRORS=4, SEND_CONCURRENCY=1)  # no server
    newsletter = db.session.get(Newsletter, newsletter.id)
    assert newsletter.status == "paused"
    assert "4" in newsletter.pause_reason and newsletter.consecutive_errors == 4
    counts = statuses(newsletter.id)
    assert counts["retrying"] >= 4 and counts["queued"] + counts["retrying"] == 10
    assert counts["sending"] == 0  # the rest of the batch was given back

    handler = FaultyHandler()
    controller = start_server(app, handler)
    try:
        sending.resume(newsletter)
        assert newsletter.status == "sending" and newsletter.pause_reason == ""
        make_retries_due(newsletter.id)
        run_worker(app)
    finally:
        controller.stop()
    assert statuses(newsletter.id) == {"sent": 10}


def _on_nth_message(n: int, action):
    seen = []

    def hook(_envelope):
        seen.append(1)
        if len(seen) == n:
            action()

    return hook


def _in_other_session(app, fn):
    """Run fn in a thread with its own app context and session, as a web request would.

    Joined from inside the SMTP server's handler: this proves the worker holds no database
    lock while it waits for an SMTP answer (else this would wait for busy_timeout and fail).
    """
    import threading

    def target():
        with app.app_context():
            fn()
            db.session.remove()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)  # the worker holds no lock while it waits for this answer
    assert not thread.is_alive()


def test_unsubscribe_and_erase_during_the_send(app, make_subscriber, make_newsletter):
    emails = _audience(make_subscriber, 60)
    ids = {e: db.session.scalar(select(Subscriber.id).where(Subscriber.email == e)) for e in emails}
    newsletter = make_newsletter()
    sending.start_send(newsletter)

    def act():
        def change():
            rights.unsubscribe(db.session.get(Subscriber, ids[emails[50]]))
            rights.erase(db.session.get(Subscriber, ids[emails[55]]))

        _in_other_session(app, change)

    handler = FaultyHandler(on_data=_on_nth_message(2, act))
    controller = start_server(app, handler)
    try:
        run_worker(app, SEND_CONCURRENCY=1)
    finally:
        controller.stop()
    received = _received(handler)
    assert emails[50] not in received and emails[55] not in received
    assert len(received) == 58 and max(received.values()) == 1
    assert statuses(newsletter.id) == {"sent": 58, "skipped": 2}
    erased_row = db.session.scalar(select(Delivery).where(Delivery.subscriber_id.is_(None)))
    assert erased_row.status == "skipped" and erased_row.email is None


def test_cancel_during_the_send(app, make_subscriber, make_newsletter):
    _audience(make_subscriber, 80)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    newsletter_id = newsletter.id

    def act():
        _in_other_session(app, lambda: sending.cancel(db.session.get(Newsletter, newsletter_id)))

    handler = FaultyHandler(on_data=_on_nth_message(5, act))
    controller = start_server(app, handler)
    try:
        run_worker(app, SEND_CONCURRENCY=1, SEND_BATCH_SIZE=200)
    finally:
        controller.stop()
    counts = statuses(newsletter_id)
    assert db.session.get(Newsletter, newsletter_id).status == "cancelled"
    # Whatever reached the server is recorded sent; the rest is cancelled, nothing pending.
    assert counts["sent"] == len(handler.messages)
    assert 5 <= counts["sent"] <= 30
    assert counts["sent"] + counts["cancelled"] == 80


def test_pause_and_resume_commands(app, runner, make_subscriber, make_newsletter):
    _audience(make_subscriber, 2)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    assert "paused" in runner.invoke(args=["newsletters", "pause", str(newsletter.id)]).output
    run_worker(app)  # a paused newsletter is left alone
    assert statuses(newsletter.id) == {"queued": 2}
    assert "sending" in runner.invoke(args=["newsletters", "resume", str(newsletter.id)]).output
    bad = runner.invoke(args=["newsletters", "resume", str(newsletter.id)])
    assert bad.exit_code != 0 and "status:" in bad.output
    assert "cancelled" in runner.invoke(args=["newsletters", "cancel", str(newsletter.id)]).output
    assert statuses(newsletter.id) == {"cancelled": 2}


def test_sqlite_lock_admits_one_holder(tmp_path):
    database = str(tmp_path / "queue.db")
    first = sqlite_lock(database, "host-a:1:x")
    with pytest.raises(WorkerRefused, match="host-a:1:x"):
        sqlite_lock(database, "host-b:2:y")
    first.close()  # as when the process dies, even by SIGKILL
    sqlite_lock(database, "host-b:2:y").close()


def test_second_worker(app, runner):
    """SQLite: a second worker is refused. PostgreSQL: several workers are the design."""
    holder = (
        sqlite_lock(db.engine.url.database, "other-host:1:abc") if not USING_POSTGRESQL else None
    )
    try:
        result = runner.invoke(args=["worker", "--until-idle"])
        if USING_POSTGRESQL:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code != 0
            assert "other-host:1:abc" in result.output and "PostgreSQL" in result.output
            with pytest.raises(WorkerRefused):
                Worker(progress=print).run(until_idle=True)
    finally:
        if holder is not None:
            holder.close()
    assert runner.invoke(args=["worker", "--until-idle"]).exit_code == 0
