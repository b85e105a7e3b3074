"""Bounces meet deliveries: RCPT refusals, VERP envelopes and quoted Message-IDs."""

from __future__ import annotations

from sqlalchemy import select

from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.mailing.bounces.apply import apply_report
from cac_news.mailing.bounces.parse import analyse
from cac_news.models import Bounce, Delivery, Subscriber
from tests.engine_helpers import FaultyHandler, run_worker, start_server


def _send(app, make_subscriber, make_newsletter, handler, **config):
    """Send a newsletter to three subscribers through a real SMTP server."""
    emails = [make_subscriber(email=f"b{i}@example.org").email for i in range(3)]
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    controller = start_server(app, handler)
    try:
        run_worker(app, **config)
    finally:
        controller.stop()
    return newsletter, emails


def _subscriber(email: str) -> Subscriber:
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


def _dsn(to: str, status: str, original_message_id: str, quote_recipient: str) -> bytes:
    """A standard RFC 3464 report, as Postfix writes it."""
    recipient = f"Final-Recipient: rfc822; {quote_recipient}\n"
    return f"""From: MAILER-DAEMON@mx.example.net
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn.1@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.example.net. Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

{recipient}Action: failed
Status: {status}
Diagnostic-Code: smtp; 550 {status} no such user

--B
Content-Type: text/rfc822-headers

Message-ID: {original_message_id}
Subject: Lettre

--B--
""".encode()


def test_a_5xx_at_rcpt_is_a_hard_bounce(app, make_subscriber, make_newsletter):
    handler = FaultyHandler(refuse={"b1@example.org"})
    newsletter, _emails = _send(app, make_subscriber, make_newsletter, handler)
    refused = _subscriber("b1@example.org")
    assert refused.status == "bounced"
    assert refused.events[-1].source == "bounce"
    [bounce] = db.session.scalars(select(Bounce)).all()
    delivery = db.session.get(Delivery, bounce.delivery_id)
    assert delivery.email == "b1@example.org" and bounce.newsletter_id == newsletter.id
    assert bounce.kind == "hard" and bounce.status_code == "550"
    assert _subscriber("b0@example.org").status == "active"


def test_verp_envelope_matches_a_report_that_quotes_no_address(
    app, make_subscriber, make_newsletter
):
    handler = FaultyHandler()
    _send(app, make_subscriber, make_newsletter, handler, VERP_ENABLED=True)
    envelopes = {m.rcpt_tos[0]: m.mail_from for m in handler.messages}
    verp = envelopes["b2@example.org"]
    assert verp.startswith("bounces+") and verp != envelopes["b0@example.org"]
    # An Exim-style report that quotes neither the address nor the Message-ID.
    raw = f"""From: MAILER-DAEMON@mx.example.net
To: {verp}
Subject: Mail delivery failed: returning message to sender
Message-ID: <dsn.2@mx.example.net>

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error.

    SMTP error from remote mail server after RCPT TO:
    550 5.1.1 The email account that you tried to reach does not exist.
""".encode()
    outcome = apply_report(analyse(raw), secret=app.config["SECRET_KEY"], now=None)
    db.session.commit()
    assert outcome.matched
    assert _subscriber("b2@example.org").status == "bounced"
    assert _subscriber("b0@example.org").status == "active"


def test_quoted_message_id_matches_the_delivery_despite_an_alias(
    app, make_subscriber, make_newsletter
):
    handler = FaultyHandler()
    _send(app, make_subscriber, make_newsletter, handler)
    delivery = db.session.scalar(select(Delivery).where(Delivery.email == "b0@example.org"))
    raw = _dsn(
        "lettre@example.org", "5.1.1", delivery.message_id, quote_recipient="alias@old.example"
    )
    apply_report(analyse(raw), secret=app.config["SECRET_KEY"], now=None)
    db.session.commit()
    assert _subscriber("b0@example.org").status == "bounced"
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert bounce.delivery_id == delivery.id

    forged = delivery.message_id.replace(delivery.message_id[-20:-14], "000000")
    raw = _dsn("lettre@example.org", "5.1.1", forged, quote_recipient="alias@old.example")
    outcome = apply_report(analyse(raw), secret=app.config["SECRET_KEY"], now=None)
    assert not outcome.matched  # a Message-ID that is not the stored one matches nothing


def test_mailto_unsubscribe_requests_are_acted_on(app, runner, make_subscriber, make_newsletter):
    import mailbox
    from urllib.parse import unquote, urlsplit

    handler = FaultyHandler()
    _send(app, make_subscriber, make_newsletter, handler)
    received = next(m for m in handler.messages if m.rcpt_tos == ["b1@example.org"])
    header = str(received.message["List-Unsubscribe"])
    mailto = next(part.strip("<> ") for part in header.split(",") if "mailto:" in part)
    target = urlsplit(mailto)
    subject = unquote(target.query.removeprefix("subject="))
    assert subject.startswith("unsubscribe ")

    def request(subject_line: str) -> bytes:
        return (
            f"From: b1@example.org\nTo: {target.path}\nSubject: {subject_line}\n"
            "Message-ID: <req@mail.example>\n\n(sent by a mail client)\n"
        ).encode()

    box_path = app.instance_path + "/requests.mbox"
    box = mailbox.mbox(box_path)
    box.add(request(subject[:-3] + "xyz"))  # a forged token
    box.add(request(subject))
    box.close()
    result = runner.invoke(args=["bounces", "process", "--mbox", box_path])
    assert result.exit_code == 0, result.output
    assert "unsubscribe requests 1" in result.stdout
    assert "unmatched 1" in result.stdout
    unsubscribed = _subscriber("b1@example.org")
    assert unsubscribed.status == "unsubscribed"
    assert unsubscribed.events[-1].detail == "mailto"
    assert _subscriber("b0@example.org").status == "active"


def test_soft_bounces_on_consecutive_issues_make_an_address_bounced(
    app, make_subscriber, make_newsletter
):
    """A monthly letter never sees 5 soft bounces in 30 days; 3 issues in a row suffice."""
    from datetime import timedelta

    from cac_news.timeutil import utcnow

    make_subscriber(email="full@example.org")
    make_subscriber(email="fine@example.org")
    handler = FaultyHandler()
    controller = start_server(app, handler)
    statuses_seen = []
    try:
        for month in range(3):
            newsletter = make_newsletter(subject=f"Lettre du mois {month + 1}")
            sending.start_send(newsletter)
            run_worker(app)
            delivery = db.session.scalar(
                select(Delivery).where(
                    Delivery.email == "full@example.org",
                    Delivery.newsletter_id == newsletter.id,
                )
            )
            raw = _dsn("lettre@example.org", "4.2.2", delivery.message_id, "full@example.org")
            raw = raw.replace(b"Action: failed", b"Action: delayed")
            when = utcnow() + timedelta(days=31 * month)  # one issue a month
            apply_report(analyse(raw), secret=app.config["SECRET_KEY"], now=when)
            db.session.commit()
            statuses_seen.append(_subscriber("full@example.org").status)
    finally:
        controller.stop()
    assert statuses_seen == ["active", "active", "bounced"]
    assert "in a row" in _subscriber("full@example.org").events[-1].detail
    assert _subscriber("fine@example.org").status == "active"


def test_decide_uses_the_run_of_soft_bounced_issues(app):
    from cac_news.mailing.bounces.policy import BouncePolicy, decide

    policy = BouncePolicy()
    assert decide([], policy, "active", soft_issue_run=2).status is None
    assert decide([], policy, "active", soft_issue_run=3).status == "bounced"
    assert (
        decide([], BouncePolicy(soft_consecutive_issues=4), "active", soft_issue_run=3).status
        is None
    )
