"""Several relays, each a real aiosmtpd server on loopback: failover, quotas, weights, 421."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.mailing.relays import RelayConfigError, parse_relays
from cac_news.mailing.worker import Worker
from cac_news.models import Delivery, RelayState, SmtpRelay
from cac_news.timeutil import utcnow
from tests.engine_helpers import FAST, FaultyHandler, make_retries_due, run_worker, statuses
from tests.fixtures.database import free_port


def _server(handler) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def _relay(name, controller, **fields) -> dict:
    return {"name": name, "host": "127.0.0.1", "port": controller.port, "connections": 1, **fields}


def _received(*handlers) -> Counter:
    return Counter(r for h in handlers for m in h.messages for r in m.rcpt_tos)


def _audience(make_subscriber, n, domain="example.org") -> list[str]:
    return [make_subscriber(email=f"r{i:03d}@{domain}").email for i in range(n)]


def _run_until(app, done, timeout=30.0, **config) -> None:
    """A worker in its own thread (as `flask worker`), stopped once ``done()`` holds."""
    app.config.update({**FAST, "DOMAIN_RATES": {}, **config})
    holder: list[Worker] = []

    def target():
        with app.app_context():
            holder.append(Worker(progress=lambda line: None))
            holder[0].run()
            db.session.remove()

    thread = threading.Thread(target=target)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not done():
            time.sleep(0.05)
    finally:
        while not holder:
            time.sleep(0.01)
        holder[0].stop()
        thread.join(30)
    assert done(), statuses_now()


def statuses_now():
    db.session.rollback()
    db.session.expire_all()
    return Counter(db.session.scalars(select(Delivery.status)))


def test_a_relay_stopped_during_the_send_fails_over(app, make_subscriber, make_newsletter):
    emails = _audience(make_subscriber, 40)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    first, second = FaultyHandler(), FaultyHandler()
    a, b = _server(first), _server(second)

    def stop_a():
        threading.Thread(target=a.stop).start()

    stopped = []
    first.on_data = lambda _e: stopped or (stopped.append(1), stop_a())
    relays = [_relay("a", a), _relay("b", b)]
    try:
        run_worker(app, SMTP_RELAYS=relays, RELAY_RETRY_SECONDS=3600, DOMAIN_RATES={})
        make_retries_due(newsletter.id)  # a message lost on the wire as "a" stopped
        run_worker(app, SMTP_RELAYS=relays, RELAY_RETRY_SECONDS=3600, DOMAIN_RATES={})
    finally:
        b.stop()
    assert statuses(newsletter.id) == {"sent": 40}
    assert _received(first, second) == Counter(emails)  # everything, each exactly once
    carried = Counter(db.session.scalars(select(Delivery.relay)))
    assert carried["b"] >= 38 and carried["a"] + carried["b"] == 40
    state = db.session.get(RelayState, "a")
    assert state.circuit == "open" and state.retry_at is not None and state.last_error


def test_dead_relay_state_on_the_progress_page(app, admin_client, make_subscriber, make_newsletter):
    _audience(make_subscriber, 6)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    good = FaultyHandler()
    b = _server(good)
    dead_port = free_port()  # nothing listens: connections are refused
    relays = [
        {"name": "mort", "host": "127.0.0.1", "port": dead_port, "connections": 1},
        _relay("vivant", b),
    ]
    try:
        run_worker(app, SMTP_RELAYS=relays, RELAY_FAILURES=1, RELAY_RETRY_SECONDS=3600)
    finally:
        b.stop()
    assert statuses(newsletter.id) == {"sent": 6} and len(good.messages) == 6
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/progress").get_data(True)
    assert 'id="relay-mort" data-circuit="open"' in page
    assert 'id="relay-vivant" data-circuit="closed"' in page
    assert "Connection refused" in page or "ConnectionRefused" in page


def test_421_too_many_slows_that_domain_only(app, make_subscriber, make_newsletter):
    slow = _audience(make_subscriber, 5, "lent.example")
    fast = _audience(make_subscriber, 20, "rapide.example")
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    handler = FaultyHandler(
        busy_rcpt={e: [99, "421 4.7.0 too many messages from your IP, slow down"] for e in slow}
    )
    controller = _server(handler)
    relays = [_relay("r", controller, connections=2)]

    def fast_all_sent():
        rows = db.session.execute(select(Delivery.email, Delivery.status)).all()
        db.session.commit()
        return all(status == "sent" for email, status in rows if email in fast)

    try:
        _run_until(app, fast_all_sent, SMTP_RELAYS=relays)
    finally:
        controller.stop()
    db.session.expire_all()
    rows = {d.email: d for d in db.session.scalars(select(Delivery))}
    assert _received(handler) == Counter(fast)
    waiting = [rows[e] for e in slow]
    assert all(row.status == "queued" for row in waiting)  # waiting, not failed
    assert all(row.next_attempt_at > utcnow() + timedelta(seconds=30) for row in waiting)
    assert any(row.smtp_code == 421 for row in waiting)
    assert db.session.get(type(newsletter), newsletter.id).status == "sending"  # not paused


def test_hourly_quota_holds_across_a_restart(app, make_subscriber, make_newsletter):
    emails = _audience(make_subscriber, 60)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    handler = FaultyHandler()
    controller = _server(handler)
    relays = [_relay("quota", controller, hourly=50, connections=2)]

    def waiting_after_50():
        counts = statuses_now()
        return counts["sent"] == 50 and counts["queued"] == 10

    try:
        _run_until(app, waiting_after_50, SMTP_RELAYS=relays)
        later = db.session.scalars(
            select(Delivery.next_attempt_at).where(Delivery.status == "queued")
        )
        assert min(later) > utcnow() + timedelta(minutes=50)  # the 51st waits for the window
        # A restarted worker, the waiting rows made due: it still counts the first 50.
        db.session.execute(
            update(Delivery).where(Delivery.status == "queued").values(next_attempt_at=utcnow())
        )
        db.session.commit()
        _run_until(app, waiting_after_50, SMTP_RELAYS=relays)
        time.sleep(0.3)
        assert len(handler.messages) == 50
        # An hour later the window has room again.
        an_hour_ago = utcnow() - timedelta(minutes=61)
        db.session.execute(
            update(Delivery).where(Delivery.status == "sent").values(sent_at=an_hour_ago)
        )
        db.session.execute(
            update(Delivery).where(Delivery.status == "queued").values(next_attempt_at=utcnow())
        )
        db.session.commit()
        _run_until(app, lambda: statuses_now() == {"sent": 60}, SMTP_RELAYS=relays)
    finally:
        controller.stop()
    assert _received(handler) == Counter(emails)


def test_weights_share_the_messages(app, make_subscriber, make_newsletter):
    _audience(make_subscriber, 200)
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    light, heavy = FaultyHandler(), FaultyHandler()
    a, b = _server(light), _server(heavy)
    try:
        run_worker(
            app,
            SMTP_RELAYS=[_relay("un", a, weight=1), _relay("trois", b, weight=3)],
            DOMAIN_RATES={},
        )
    finally:
        a.stop()
        b.stop()
    assert statuses(newsletter.id) == {"sent": 200}
    carried = Counter(db.session.scalars(select(Delivery.relay)))
    assert abs(carried["trois"] - 150) <= 10 and carried["un"] + carried["trois"] == 200
    assert len(heavy.messages) == carried["trois"]


OVH = {
    "name": "ovh",
    "host": "ssl0.ovh.net",
    "tls": "ssl",
    "username": "lettre@cac.example",
    "password": "s3cret-Pw!",
}


def test_relays_page_never_shows_a_password(app, admin_client):
    app.config["SMTP_RELAYS"] = json.dumps([OVH])  # as CAC_NEWS_SMTP_RELAYS would give it
    page = admin_client.get("/admin/relays").get_data(True)
    assert "ssl0.ovh.net:465" in page and "lettre@cac.example" in page
    assert "s3cret-Pw!" not in page


def test_relays_page_is_for_admins(app, editor_client):
    app.config["SMTP_RELAYS"] = [OVH]
    assert editor_client.get("/admin/relays").status_code == 403


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('[{"host": "a", "port": "abc"}]', "port"),
        ('[{"name": "x"}]', "host"),
        ('[{"host": "a", "tls": "maybe"}]', "tls"),
        ('{"host": "a"}', "list"),
        ("[{", "JSON"),
        ('[{"name": "a", "host": "h"}, {"name": "a", "host": "k"}]', "twice"),
    ],
)
def test_bad_relay_settings_name_the_field(app, value, words):
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(RelayConfigError, match=words),
    ):
        parse_relays(value)


def _relay_form(**fields) -> dict:
    form = {"name": "gandi", "host": "mail.gandi.net", "port": "587", "tls": "starttls"}
    form.update({"username": "lettre@cac.example", "connections": "1", "rate": "0"})
    form.update({"hourly": "0", "daily": "0", "weight": "1", **fields})
    return form


def test_admin_enters_a_relay_and_its_password_never_comes_back(app, admin_client):
    response = admin_client.post("/admin/relays", data=_relay_form(password="Tr3s-secret"))
    assert response.status_code == 302
    row = db.session.scalar(select(SmtpRelay))
    assert row.password == "Tr3s-secret" and row.tls == "starttls"
    listing = admin_client.get("/admin/relays").get_data(True)
    edit = admin_client.get(f"/admin/relays/{row.id}/edit").get_data(True)
    assert "mail.gandi.net:587" in listing
    assert "Tr3s-secret" not in listing and "Tr3s-secret" not in edit
    # Saving the form again with the password left empty keeps the stored one.
    admin_client.post(f"/admin/relays/{row.id}/edit", data=_relay_form(port="2525"))
    db.session.expire_all()
    assert row.port == 2525 and row.password == "Tr3s-secret"


def test_a_bad_relay_field_is_named_and_nothing_is_stored(app, admin_client):
    page = admin_client.post("/admin/relays", data=_relay_form(hourly="beaucoup"))
    assert page.status_code == 200
    assert "hourly" in page.get_data(True)
    assert db.session.scalar(select(SmtpRelay)) is None


def test_the_worker_sends_through_the_relays_entered_by_admins(
    app, admin_client, make_subscriber, make_newsletter
):
    emails = _audience(make_subscriber, 5)
    handler = FaultyHandler()
    controller = _server(handler)
    try:
        port = str(controller.port)
        form = _relay_form(name="saisi", host="127.0.0.1", port=port, tls="none", username="")
        assert admin_client.post("/admin/relays", data=form).status_code == 302
        newsletter = make_newsletter()
        sending.start_send(newsletter)
        run_worker(app, MAIL_PORT=free_port(), DOMAIN_RATES={})  # MAIL_* points nowhere
    finally:
        controller.stop()
    assert _received(handler) == Counter(emails)
    assert set(db.session.scalars(select(Delivery.relay))) == {"saisi"}


def test_a_failing_result_callback_stops_the_pool_without_hanging(app):
    from cac_news.mailing.relay_pool import RelayPool
    from cac_news.mailing.relays import SendSettings
    from cac_news.mailing.transport import Job

    handler = FaultyHandler()
    controller = _server(handler)
    settings = SendSettings.from_config({"SMTP_RELAYS": [_relay("r", controller, connections=2)]})
    pool = RelayPool(settings, {}, unrecorded=1)  # few permits: senders soon wait for them
    seen = []

    def on_result(job, result, relay):
        seen.append(result)
        if len(seen) == 3:
            raise RuntimeError("database down")

    jobs = (
        Job("lettre@example.org", f"r{i}@example.org", b"Subject: x\r\n\r\nx\r\n")
        for i in range(50)
    )
    try:
        with pytest.raises(RuntimeError, match="database down"):
            pool.send_all(jobs, on_result)
    finally:
        pool.close()
        controller.stop()
    assert len(handler.messages) < 50 and all(r.ok for r in seen)
