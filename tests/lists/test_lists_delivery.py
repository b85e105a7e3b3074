"""A member's post reaches every member once through LMTP and the worker, with the
list's headers; non-members are held, loops and auto-replies are never distributed."""

from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import select

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.lists import moderation
from cac_news.models import ListDelivery, ListPost
from tests.engine_helpers import run_worker
from tests.lists_helpers import LIST_CONFIG, lmtp_send, make_list, message, serve_lmtp


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


@pytest.fixture
def lmtp_server(app):
    yield from serve_lmtp(app)


def received(smtp_server):
    return {m.rcpt_tos[0]: m for m in smtp_server.messages}


def test_a_members_post_reaches_every_member_once_with_the_list_headers(
    app, make_subscriber, smtp_server, lmtp_server
):
    mailing_list, people = make_list(make_subscriber)
    make_subscriber(email="outsider@example.net")  # a subscriber, not a member
    assert lmtp_send(lmtp_server, message(subject="Ordre du jour")) == {}

    run_worker(app)
    run_worker(app)  # nothing more the second time

    mails = received(smtp_server)
    assert sorted(mails) == ["ana@example.net", "bob@example.net", "chloe@example.net"]
    assert len(smtp_server.messages) == 3
    mail = mails["bob@example.net"].message
    assert mail["Subject"] == "[GT] Ordre du jour"
    assert mail["List-Id"] == "GT <gt.example.org>"
    assert mail["List-Post"] == "<mailto:gt@example.org>"
    assert mail["List-Unsubscribe"].startswith("<http://localhost/listes/quitter/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Archive"] == "<http://localhost/listes/gt/>"
    post = db.session.scalar(select(ListPost))
    assert mail["Archived-At"] == f"<http://localhost/listes/gt/messages/{post.id}/>"
    assert mail["X-Loop"] == "gt@example.org"
    assert mail["From"].addresses[0].addr_spec == "ana@example.net"  # not a strict domain
    assert mail["Reply-To"].addresses[0].addr_spec == "gt@example.org"
    assert mail["Message-ID"] == post.message_id
    body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "voici l'ordre du jour" in body and "\n-- \n" in body
    assert "http://localhost/listes/gt/" in body.split("\n-- \n")[1]
    # Each member's leave link is their own.
    links = {m.message["List-Unsubscribe"] for m in smtp_server.messages}
    assert len(links) == 3
    statuses = db.session.scalars(select(ListDelivery.status)).all()
    assert sorted(statuses) == ["sent", "sent", "sent"]


def test_a_non_members_post_is_held_then_delivered_once_approved(
    app, make_subscriber, smtp_server, lmtp_server
):
    make_list(make_subscriber)
    lmtp_send(
        lmtp_server,
        message(sender="stranger@example.com", name="Inconnu"),
        sender="stranger@example.com",
    )
    run_worker(app)
    assert smtp_server.messages == []
    held = moderation.held_posts()
    assert [p.hold_reason for p in held] == ["non-member"]

    moderation.approve(held[0])
    run_worker(app)
    assert sorted(received(smtp_server)) == [
        "ana@example.net",
        "bob@example.net",
        "chloe@example.net",
    ]
    with pytest.raises(ValidationError, match="déjà été traité"):
        moderation.approve(held[0])


def test_loops_auto_replies_and_bounces_are_not_distributed(
    app, make_subscriber, smtp_server, lmtp_server
):
    make_list(make_subscriber)
    lmtp_send(lmtp_server, message(subject="a", X_Loop="gt@example.org"))
    lmtp_send(lmtp_server, message(subject="b", List_Id="GT <gt.example.org>"))
    lmtp_send(lmtp_server, message(subject="c", Auto_Submitted="auto-replied"))
    lmtp_send(lmtp_server, message(subject="d", Precedence="bulk"))
    lmtp_send(lmtp_server, message(subject="e"), sender="")  # null sender: a bounce
    run_worker(app)
    assert smtp_server.messages == []
    posts = db.session.scalars(select(ListPost).order_by(ListPost.id)).all()
    assert [(p.status, p.hold_reason) for p in posts] == [
        ("dropped", "loop"),
        ("dropped", "loop"),
        ("dropped", "auto-reply"),
        ("dropped", "auto-reply"),
        ("dropped", "bounce"),
    ]
    assert moderation.held_posts() == []


def test_lmtp_refuses_an_unknown_list(app, make_subscriber, lmtp_server):
    make_list(make_subscriber)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        lmtp_send(lmtp_server, message(), rcpt="nolist@example.org")
    assert refused.value.recipients["nolist@example.org"][0] == 550


def test_oversized_and_spam_flagged_posts_from_members_are_held(app, make_subscriber):
    from cac_news.lists import incoming

    make_list(make_subscriber, max_bytes=2_000)
    incoming.receive("gt@example.org", message(subject="Gros", body="x" * 3_000))
    incoming.receive("gt@example.org", message(subject="Pub", X_Spam_Flag="YES"))
    incoming.receive("gt@example.org", message(subject="Normal"))
    reasons = {p.subject: (p.status, p.hold_reason) for p in db.session.scalars(select(ListPost))}
    assert reasons == {
        "Gros": ("held", "size"), "Pub": ("held", "spam"), "Normal": ("accepted", ""),
    }  # fmt: skip


def test_list_mail_counts_in_the_relays_quotas(app, make_subscriber, smtp_server, lmtp_server):
    from datetime import timedelta

    from cac_news.mailing.relay_status import sent_times
    from cac_news.timeutil import utcnow

    make_list(make_subscriber)
    lmtp_send(lmtp_server, message(subject="Quota"))
    run_worker(app)
    relay = db.session.scalar(select(ListDelivery.relay))
    assert relay and len(sent_times(relay, utcnow() - timedelta(hours=1))) == 3


def test_moderated_and_announce_lists_hold_what_they_should(app, make_subscriber, make_pilot):
    from cac_news.lists import incoming, manage

    make_pilot(email="pilote@example.org")
    make_list(make_subscriber, posting_policy="moderated")
    annonces = manage.save_list(
        manage.ListData(name="Annonces", address="annonces", posting_policy="announce")
    )
    incoming.receive("gt@example.org", message(subject="Membre sur liste modérée"))
    incoming.receive("annonces@example.org", message(subject="Membre sur annonces"))
    incoming.receive(
        "annonces@example.org", message(sender="pilote@example.org", subject="Annonce")
    )
    got = {p.subject: (p.status, p.hold_reason) for p in db.session.scalars(select(ListPost))}
    assert got == {
        "Membre sur liste modérée": ("held", "moderated"),
        "Membre sur annonces": ("held", "announce"),
        "Annonce": ("accepted", ""),
    }
    assert annonces.posting_policy == "announce"
