"""Only our own bounces act: forged reports change nothing, genuine ones retire by policy.

The genuine bounce is built from the message the engine really sent to an aiosmtpd server
on loopback: its envelope sender (the VERP address) and its Message-ID, as Postfix returns
them in a DSN.
"""

from __future__ import annotations

import email
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.mailing.bounces.apply import apply_report
from cac_news.mailing.bounces.parse import analyse
from cac_news.models import Bounce, Delivery
from tests.bounce_helpers import ours, sent_delivery
from tests.engine_helpers import FaultyHandler
from tests.mailing.test_bounce_delivery import _dsn, _send, _subscriber

DATA = Path(__file__).parents[1] / "data" / "bounces"


def _arf(recipient: str, message_id: str) -> bytes:
    """An RFC 5965 abuse report naming a recipient and quoting a Message-ID."""
    return f"""From: abuse@isp.example.net
To: fbl@cac-news.test
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

This is an abuse report.

--F
Content-Type: message/feedback-report

Feedback-Type: abuse
Version: 1
Original-Rcpt-To: <{recipient}>

--F
Content-Type: message/rfc822

From: lettre@example.org
To: {recipient}
Message-ID: {message_id}
Subject: Lettre

Bonjour
--F--
""".encode()


@pytest.mark.parametrize(
    "raw",
    [
        _dsn("bounces@example.org", "5.1.1", "<made-up@example.org>", "victim@example.org"),
        # The engine's own Message-ID shape, but not the one stored on any delivery.
        _dsn(
            "bounces@example.org",
            "5.1.1",
            "<n1.1.0123456789abcdef@example.org>",
            "victim@example.org",
        ),
        # A VERP address with a made-up signature.
        _dsn(
            "bounces+1-aaaaaaaaaaaaaaaa@example.org",
            "5.1.1",
            "<x@example.org>",
            "victim@example.org",
        ),
        _arf("victim@example.org", "<made-up@example.org>"),
    ],
    ids=["dsn-foreign-id", "dsn-engine-shaped-id", "dsn-forged-verp", "arf"],
)
def test_forged_reports_change_nothing(app, make_subscriber, raw):
    """Address-only matches: recorded as unverified, shown, the subscriber stays active."""
    app.config["VERP_ENABLED"] = True
    victim = make_subscriber(email="victim@example.org")
    sent_delivery(victim)  # she did get letters from us: their Message-IDs are not quoted
    for _ in range(3):  # repeated, they still change nothing
        outcome = apply_report(analyse(raw), secret=app.config["SECRET_KEY"])
        db.session.commit()
        assert outcome.changes == [] and outcome.matched_by == "address"
    assert _subscriber("victim@example.org").status == "active"
    bounces = db.session.scalars(select(Bounce)).all()
    assert bounces and all(not b.verified and b.matched_by == "address" for b in bounces)


def test_a_later_verified_bounce_acts_alone(app, make_subscriber):
    """Unverified bounces never add up; the first verified hard bounce retires the address."""
    sub = make_subscriber(email="victim@example.org")
    forged = _dsn("bounces@example.org", "5.1.1", "<made-up@example.org>", sub.email)
    apply_report(analyse(forged), secret="x")
    app.config["BOUNCE_HARD_THRESHOLD"] = 2
    genuine = ours(analyse(forged), sent_delivery(sub))
    outcome = apply_report(genuine, secret="x")
    db.session.commit()
    assert outcome.changes == [] and sub.status == "active"  # 1 verified of 2 needed
    outcome = apply_report(ours(analyse(forged), sent_delivery(sub)), secret="x")
    db.session.commit()
    assert [c.new_status for c in outcome.changes] == ["bounced"]


@pytest.mark.parametrize("verp", [True, False], ids=["verp", "message-id"])
def test_genuine_bounce_of_a_message_really_sent(app, make_subscriber, make_newsletter, verp):
    """Send through a real SMTP server, bounce what arrived: the address is retired."""
    handler = FaultyHandler()
    _send(app, make_subscriber, make_newsletter, handler, VERP_ENABLED=verp)
    app.config["VERP_ENABLED"] = verp
    [arrived] = [m for m in handler.messages if m.rcpt_tos == ["b1@example.org"]]
    sent = email.message_from_bytes(arrived.data)
    raw = _dsn(arrived.mail_from, "5.1.1", sent["Message-ID"], "b1@example.org")
    outcome = apply_report(analyse(raw), secret=app.config["SECRET_KEY"])
    db.session.commit()
    assert outcome.matched_by == ("verp" if verp else "message-id")
    assert _subscriber("b1@example.org").status == "bounced"
    assert _subscriber("b0@example.org").status == "active"
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert (
        bounce.verified and db.session.get(Delivery, bounce.delivery_id).email == "b1@example.org"
    )


def test_a_550_at_rcpt_still_counts(app, make_subscriber, make_newsletter):
    """The relay refusing the recipient while our engine sends is our own, verified, evidence."""
    handler = FaultyHandler(refuse={"b2@example.org"})
    _send(app, make_subscriber, make_newsletter, handler)
    assert _subscriber("b2@example.org").status == "bounced"
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert (bounce.verified, bounce.matched_by) == (True, "smtp-rcpt")


def test_process_json_one_object_per_message(app, runner, make_subscriber, tmp_path):
    """--json: the documented fields, kinds and matches, with and without --dry-run."""
    app.config["VERP_ENABLED"] = True
    sent_delivery(make_subscriber(email="jeanne.martin@example.org"), delivery_id=42)
    make_subscriber(email="anne.dubois@yahoo.fr")
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    names = ["postfix_user_unknown.eml", "arf_complaint.eml", "vacation_autoreply.eml"]
    names.append("binary_garbage.bin")
    for index, name in enumerate(names):
        (maildir / "new" / f"{index}.M{index}.host").write_bytes((DATA / name).read_bytes())
    fields = {"file", "kind", "recipients", "status", "reason", "matched", "action"}
    dry = runner.invoke(
        args=["bounces", "process", "--dry-run", "--json", "--maildir", str(maildir)]
    )
    assert dry.exit_code == 0, dry.output
    planned = {
        Path(o["file"]).name.split(":")[0]: o for o in map(json.loads, dry.stdout.splitlines())
    }
    assert all(set(o) == fields for o in planned.values())
    assert (planned["0.M0.host"]["kind"], planned["0.M0.host"]["matched"]) == ("hard", "verp")
    assert planned["1.M1.host"]["matched"] == "address"
    assert planned["3.M3.host"]["kind"] == "unreadable"
    assert _subscriber("jeanne.martin@example.org").status == "active"  # dry run
    result = runner.invoke(args=["bounces", "process", "--json", "--maildir", str(maildir)])
    assert result.exit_code == 0, result.output
    done = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(done) == 4 and all(set(o) == fields for o in done)
    by_kind = {o["kind"]: o for o in done}
    assert by_kind["hard"]["recipients"] == ["jeanne.martin@example.org"]
    assert by_kind["hard"]["status"] == "5.1.1"
    assert by_kind["hard"]["action"] == "jeanne.martin@example.org: active -> bounced"
    assert by_kind["complaint"]["matched"] == "address"
    assert "unverified" in by_kind["complaint"]["action"]
    assert by_kind["not_bounce"]["matched"] == "none"
    assert _subscriber("anne.dubois@yahoo.fr").status == "active"


def test_unverified_bounces_are_shown(app, admin_client, make_subscriber):
    """The bounces page and the subscriber page mark the address-only match "non vérifié"."""
    victim = make_subscriber(email="victim@example.org")
    forged = _dsn("bounces@example.org", "5.1.1", "<made-up@example.org>", victim.email)
    apply_report(analyse(forged), secret="x")
    db.session.commit()
    listing = admin_client.get("/admin/bounces/").get_data(as_text=True)
    row = listing.split("victim@example.org")[0].rsplit("<tr>", 1)[1]
    assert "non vérifié" in row
    page = admin_client.get(f"/admin/subscribers/{victim.id}").get_data(as_text=True)
    section = page.split('id="bounces"')[1].split("</table>")[0]
    assert "non vérifié" in section
    verified = make_subscriber(email="real@example.org")
    apply_report(
        ours(analyse(forged.replace(b"victim@", b"real@")), sent_delivery(verified)), secret="x"
    )
    db.session.commit()
    page = admin_client.get(f"/admin/subscribers/{verified.id}").get_data(as_text=True)
    assert "non vérifié" not in page.split('id="bounces"')[1].split("</table>")[0]


def test_a_bounce_without_a_readable_recipient_is_recorded_not_guessed(
    app, admin_client, make_subscriber
):
    """Recorded once (re-read by the next run), shown on the bounces page, for no one."""
    make_subscriber(email="lettre@cac-news.test")  # the bounce's own To: never taken for it
    raw = (DATA / "corpus" / "unreadable_recipient.eml").read_bytes()
    for _ in range(2):
        outcome = apply_report(analyse(raw), secret="x", source_ref="new/1.M1.host")
        db.session.commit()
        assert outcome.result == "unmatched" and outcome.changes == []
    [bounce] = db.session.scalars(select(Bounce)).all()
    assert (bounce.subscriber_id, bounce.recipient, bounce.matched_by) == (None, None, "unreadable")
    assert "(destinataire illisible)" in admin_client.get("/admin/bounces/").get_data(as_text=True)
