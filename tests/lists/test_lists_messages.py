"""What members receive: threading kept, the prefix once, DMARC-safe From, the footer in
the right parts (never inside a signature), nothing more after leaving or unsubscribing."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.lists import incoming, members, tokens
from cac_news.lists.outgoing import PostMailer, add_prefix
from cac_news.models import ListDelivery, ListPost
from tests.engine_helpers import run_worker
from tests.lists_helpers import LIST_CONFIG, lmtp_send, make_list, message, serve_lmtp


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


@pytest.fixture
def lmtp_server(app):
    yield from serve_lmtp(app)


def by_rcpt(smtp_server, rcpt):
    return [m.message for m in smtp_server.messages if m.rcpt_tos == [rcpt]]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Ordre du jour", "[GT] Ordre du jour"),
        ("Re: [GT] Ordre du jour", "Re: [GT] Ordre du jour"),
        ("RE: Re: [GT] Ordre du jour", "RE: Re: [GT] Ordre du jour"),
        ("Re: [gt] Ordre du jour", "Re: [gt] Ordre du jour"),
    ],
)
def test_the_prefix_is_added_once(subject, expected):
    assert add_prefix(subject, "[GT]") == expected


def test_a_reply_keeps_its_thread_and_does_not_double_the_prefix(
    app, make_subscriber, smtp_server, lmtp_server
):
    make_list(make_subscriber)
    lmtp_send(lmtp_server, message(subject="Ordre du jour", message_id="<first@example.net>"))
    reply = message(
        sender="bob@example.net", name="Bob Membre", subject="Re: [GT] Ordre du jour",
        message_id="<second@example.net>", in_reply_to="<first@example.net>",
        references="<first@example.net>",
    )  # fmt: skip
    lmtp_send(lmtp_server, reply, sender="bob@example.net")
    again = message(
        sender="chloe@example.net", name="Chloé", subject="RE: Re: [GT] Ordre du jour",
        message_id="<third@example.net>", in_reply_to="<second@example.net>",
        references="<first@example.net> <second@example.net>",
    )  # fmt: skip
    lmtp_send(lmtp_server, again, sender="chloe@example.net")
    run_worker(app)

    got = by_rcpt(smtp_server, "ana@example.net")
    assert [m["Subject"] for m in got] == [
        "[GT] Ordre du jour", "Re: [GT] Ordre du jour", "RE: Re: [GT] Ordre du jour",
    ]  # fmt: skip
    assert got[1]["In-Reply-To"] == "<first@example.net>"
    assert got[2]["References"] == "<first@example.net> <second@example.net>"
    assert [m["Message-ID"] for m in got] == [
        "<first@example.net>", "<second@example.net>", "<third@example.net>",
    ]  # fmt: skip
    keys = set(db.session.scalars(select(ListPost.thread_key)))
    assert keys == {"<first@example.net>"}


def test_a_strict_dmarc_author_is_rewritten_with_the_author_in_reply_to(
    app, make_subscriber, smtp_server, lmtp_server
):
    make_list(make_subscriber, people=["dora@strict.example", "bob@example.net"])
    raw = message(sender="dora@strict.example", name="Dora Exemple", subject="Point")
    lmtp_send(lmtp_server, raw, sender="dora@strict.example")
    run_worker(app)
    mail = by_rcpt(smtp_server, "bob@example.net")[0]
    sender = mail["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Dora Exemple via GT", "gt@example.org")
    replies = [a.addr_spec for a in mail["Reply-To"].addresses]
    assert replies[0] == "dora@strict.example" and "gt@example.org" in replies


def test_an_html_post_gets_the_footer_in_both_parts(app, make_subscriber):
    mailing_list, _people = make_list(make_subscriber, footer="Charte : soyez courtois.")
    mail = EmailMessage()
    mail["From"] = "Ana <ana@example.net>"
    mail["Subject"] = "HTML"
    mail["Message-ID"] = "<html@example.net>"
    mail.set_content("Texte brut\n")
    mail.add_alternative("<html><body><p>Texte <b>riche</b></p></body></html>", subtype="html")
    outcome = incoming.receive("gt@example.org", mail.as_bytes())
    post = db.session.get(ListPost, outcome.post_id)
    data = PostMailer(post, app.config).render(1)
    out = BytesParser(policy=policy.default).parsebytes(data)
    assert out.get_content_type() == "multipart/alternative"
    plain = out.get_body(("plain",)).get_content()
    html = out.get_body(("html",)).get_content()
    assert "Charte : soyez courtois." in plain and "Texte brut" in plain
    assert "<hr><p>Charte : soyez courtois.<br>" in html
    assert html.rstrip().endswith("/listes/gt/</p></body></html>")


def test_a_signed_post_is_wrapped_with_the_footer_outside_the_signature(app, make_subscriber):
    make_list(make_subscriber)
    signed_part = b"Content-Type: text/plain; charset=utf-8\r\n\r\nSigned words.\r\n"
    raw = (
        b"From: Ana <ana@example.net>\r\nTo: gt@example.org\r\nSubject: Signed\r\n"
        b"Message-ID: <signed@example.net>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature";\r\n'
        b' micalg=sha-256; boundary="SIG"\r\n\r\n'
        b"--SIG\r\n" + signed_part + b"--SIG\r\n"
        b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n\r\nAAAA\r\n--SIG--\r\n"
    )
    outcome = incoming.receive("gt@example.org", raw)
    data = PostMailer(db.session.get(ListPost, outcome.post_id), app.config).render(1)
    out = BytesParser(policy=policy.default).parsebytes(data)
    assert out.get_content_type() == "multipart/mixed"
    signed, footer = list(out.iter_parts())
    assert signed.get_content_type() == "multipart/signed"
    assert b"--SIG\r\n" + signed_part + b"--SIG\r\n" in data  # byte for byte
    assert "gt@example.org" in footer.get_content()


def test_an_unsubscribed_or_departed_member_gets_nothing_more(
    app, make_subscriber, smtp_server, lmtp_server
):
    mailing_list, (ana, bob, chloe) = make_list(make_subscriber)
    lmtp_send(lmtp_server, message(subject="Un"))
    run_worker(app)
    assert len(smtp_server.messages) == 3

    lmtp_send(lmtp_server, message(subject="Deux"))  # queued for all three ...
    rights.unsubscribe(bob, detail="test")  # ... then Bob unsubscribes from everything
    db.session.commit()
    token = tokens.make(tokens.LEAVE, mailing_list.id, chloe.id)
    response = app.test_client().post(
        f"/listes/quitter/{token}", data={"List-Unsubscribe": "One-Click"}
    )  # the mail client's one-click POST, no CSRF token
    assert response.status_code == 200
    run_worker(app)
    lmtp_send(lmtp_server, message(subject="Trois"))
    run_worker(app)

    subjects = [(m.rcpt_tos[0], m.message["Subject"]) for m in smtp_server.messages[3:]]
    assert sorted(subjects) == [("ana@example.net", "[GT] Deux"), ("ana@example.net", "[GT] Trois")]
    skipped = db.session.scalars(select(ListDelivery).where(ListDelivery.status == "skipped")).all()
    assert {d.subscriber_id for d in skipped} == {bob.id, chloe.id}
    assert members.count_receiving(mailing_list) == 1


def test_list_mail_is_dkim_signed_when_configured(app, make_subscriber, tmp_path):
    import dkim

    from tests.dkim_keys import make_dkim_key

    key, record = make_dkim_key(tmp_path)
    app.config.update(DKIM_KEY_FILE=str(key), DKIM_SELECTOR="listes", DKIM_DOMAIN="example.org")
    _list, (ana, *_rest) = make_list(make_subscriber)
    outcome = incoming.receive("gt@example.org", message(subject="Signé par le site"))
    data = PostMailer(db.session.get(ListPost, outcome.post_id), app.config).render(ana.id)
    assert data.startswith(b"DKIM-Signature: ")

    def dnsfunc(name, timeout=5):
        assert name == b"listes._domainkey.example.org."
        return record

    assert dkim.verify(data, dnsfunc=dnsfunc)
    sig = dkim.DKIM(data)
    sig.verify(dnsfunc=dnsfunc)
    signed = set(re.sub(rb"\s", b"", sig.signature_fields[b"h"]).lower().split(b":"))
    assert {b"list-id", b"list-unsubscribe", b"list-unsubscribe-post", b"from"} <= signed


def test_a_bounce_of_list_mail_counts_through_verp(app, make_subscriber, smtp_server, lmtp_server):
    from cac_news.mailing.bounces.apply import apply_report
    from cac_news.mailing.bounces.parse import analyse
    from cac_news.models import Bounce, Subscriber

    app.config["VERP_ENABLED"] = True
    _list, (ana, bob, _chloe) = make_list(make_subscriber)
    lmtp_send(lmtp_server, message(subject="Un"))
    run_worker(app)
    envelopes = {m.rcpt_tos[0]: m.mail_from for m in smtp_server.messages}
    verp = envelopes["bob@example.net"]
    assert verp.startswith("bounces+") and verp != envelopes["ana@example.net"]
    raw = (
        f"From: MAILER-DAEMON@mx.example.net\nTo: {verp}\nSubject: Mail delivery failed\n"
        "Message-ID: <dsn.3@mx.example.net>\n\nA message could not be delivered.\n"
        "    550 5.1.1 The email account that you tried to reach does not exist.\n"
    ).encode()
    outcome = apply_report(analyse(raw), secret=app.config["SECRET_KEY"])
    db.session.commit()
    assert outcome.matched == [bob.id]
    bounce = db.session.scalar(select(Bounce))
    assert (bounce.verified, bounce.delivery_id, bounce.newsletter_id) == (True, None, None)
    assert db.session.get(Subscriber, bob.id).status == "bounced"
    lmtp_send(lmtp_server, message(subject="Deux"))
    run_worker(app)
    assert [m.rcpt_tos[0] for m in smtp_server.messages[3:]].count("bob@example.net") == 0
    # A letter's token never names a list delivery, nor the reverse: other keys.
    from cac_news.mailing.bounces.verp import decode_address

    assert decode_address(verp, app.config["SECRET_KEY"]) is None
