"""No subscriber address or name in the application's logs at the default level."""

from __future__ import annotations

import logging

from cac_news.audience import rights
from cac_news.compose.newsletters import SectionData
from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.mailing.worker import Worker
from tests.engine_helpers import FAST, FaultyHandler, make_retries_due, start_server

PEOPLE = {
    "alice.secret@example.org": "Alicesecretname",
    "bob.hidden@example.org": "Bobhiddenname",
    "refused.person@example.org": "Refusedname",
    "busy.person@example.org": "Busyname",
}


def _dsn_for(address: str, message_id: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: lettre@example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThis is the mail system.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{address}>: user unknown\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {message_id}\r\nTo: {address}\r\n--b--\r\n"
    ).encode()


def test_send_bounce_and_unsubscribe_log_no_address_or_name(
    app, client, runner, caplog, make_subscriber, make_newsletter
):
    """A send with a refused and a busy recipient, a retry, the forms' mails failing, a DSN
    and an unsubscribe: the logs name nobody."""
    caplog.set_level(logging.INFO, logger="cac_news")
    caplog.set_level(logging.INFO, logger=app.logger.name)
    handler = FaultyHandler(
        refuse={"refused.person@example.org"},
        busy_rcpt={"busy.person@example.org": [1, "451 4.2.1 <busy.person@example.org> busy"]},
    )
    controller = start_server(app, handler)
    app.config.update(FAST)

    def run_worker(app):
        Worker().run(until_idle=True)  # its own progress lines, logged at INFO as in production

    try:
        people = [make_subscriber(email=e, first_name=n) for e, n in PEOPLE.items()]
        newsletter = make_newsletter(sections=[SectionData(kind="text", title="T", body_md="x")])
        sending.start_send(newsletter)
        run_worker(app)
        make_retries_due(newsletter.id)
        run_worker(app)
        # A confirmation mail refused by the server goes through the outbox's failure path.
        handler.busy_rcpt["new.person@example.org"] = [9, "451 4.3.0 <new.person@example.org>"]
        client.post(
            "/subscribe",
            data={"email": "new.person@example.org", "consent": "y", "language": "fr"},
        )
        run_worker(app)
    finally:
        controller.stop()
    delivered = [m.rcpt_tos[0] for m in handler.messages]
    assert "alice.secret@example.org" in delivered and "busy.person@example.org" in delivered

    from cac_news.models import Delivery

    bob = db.session.query(Delivery).filter_by(email="bob.hidden@example.org").one()
    # The command's report on stdout is for the administrator who ran it; logs are not.
    result = runner.invoke(
        args=["bounces", "process", "-"], input=_dsn_for("bob.hidden@example.org", bob.message_id)
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(type(people[1]), people[1].id).status == "bounced"
    rights.unsubscribe(people[0])
    db.session.commit()

    assert caplog.records, "nothing was logged: the test would prove nothing"
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
    ).casefold()
    leaks = [
        needle
        for needle in [*PEOPLE, *PEOPLE.values(), "new.person@example.org"]
        if needle.casefold() in text or needle.split("@")[0].casefold() in text
    ]
    assert leaks == [], text
