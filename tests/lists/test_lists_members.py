"""Joining by invitation (double opt-in through the outbox), choosing digests, leaving, and
erasure: only active subscribers who agreed receive list mail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cac_news.audience import outbox, rights
from cac_news.extensions import db
from cac_news.lists import incoming, members, tokens
from cac_news.models import ListMember, ListPost
from tests.lists_helpers import LIST_CONFIG, make_list, message


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


def test_an_invitation_is_confirmed_by_a_post_from_its_link(
    app, client, make_subscriber, smtp_server
):
    mailing_list, _people = make_list(make_subscriber, people=[], mode_slugs=["groupe-de-travail"])
    zoe = make_subscriber(email="zoe@example.net", modes=["groupe-de-travail"])
    make_subscriber(email="pending@example.net", modes=["groupe-de-travail"], status="pending")
    people = members.chosen(mailing_list.segment, mailing_list.mode_slugs.split())
    assert [p.email for p in people] == ["zoe@example.net"]  # active subscribers only
    assert members.invite(mailing_list, people) == 1
    assert members.member_of(mailing_list, "zoe@example.net") is None  # not before confirming

    assert outbox.send_due(app.config) == 1
    mail = smtp_server.messages[0]
    assert mail.rcpt_tos == ["zoe@example.net"]
    link = re.search(r"http://localhost(/listes/gt/rejoindre/\S+)", mail.message.get_content())
    page = client.get(link.group(1))  # a link scanner's GET joins nobody
    assert page.status_code == 200
    assert members.member_of(mailing_list, "zoe@example.net") is None
    assert client.post(link.group(1)).status_code == 200
    member = members.member_of(mailing_list, "zoe@example.net")
    assert (member.subscriber_id, member.consent_source) == (zoe.id, "invitation")
    assert client.post("/listes/gt/rejoindre/forged-token").status_code == 400


def test_a_member_chooses_a_weekly_digest_from_the_link_in_every_message(client, make_subscriber):
    mailing_list, (ana, *_rest) = make_list(make_subscriber)
    token = tokens.make(tokens.LEAVE, mailing_list.id, ana.id)
    page = client.get(f"/listes/quitter/{token}")
    assert page.status_code == 200 and 'value="weekly"' in page.data.decode()
    client.post(f"/listes/quitter/{token}", data={"delivery_mode": "weekly"})
    member = members.membership(mailing_list, ana.id)
    assert (member.status, member.delivery_mode) == ("active", "weekly")
    assert (
        client.post(f"/listes/quitter/{token}", data={"delivery_mode": "hourly"}).status_code == 400
    )
    assert client.get("/listes/quitter/not-a-token").status_code == 400


def test_erasing_a_subscriber_erases_their_membership_and_authorship(app, make_subscriber):
    mailing_list, (ana, *_rest) = make_list(make_subscriber)
    incoming.receive("gt@example.org", message(sender="ana@example.net", subject="Bonjour"))
    rights.erase(ana)
    post = db.session.scalar(select(ListPost))
    assert (post.author_email, post.author_name, post.raw) == ("", "", b"")
    assert post.subject == "Bonjour"
    assert db.session.scalar(select(ListMember).where(ListMember.subscriber_id == ana.id)) is None


def test_a_subscriber_joins_a_list_meant_for_them_from_their_preferences(client, make_subscriber):
    from cac_news.audience.links import preferences_url

    mailing_list, _people = make_list(make_subscriber, people=[], mode_slugs=["groupe-de-travail"])
    other, _none = make_list(make_subscriber, people=[], name="Bureau", address="bureau")
    zoe = make_subscriber(email="zoe@example.net", modes=["groupe-de-travail"])
    path = preferences_url(zoe).replace("http://localhost", "")
    page = client.get(path).data.decode()
    assert "GT" in page and "Bureau" not in page  # only the lists meant for her
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"/listes/bureau/rejoindre-depuis/{token}").status_code == 403
    assert client.post(f"/listes/gt/rejoindre-depuis/{token}").status_code == 200
    member = members.member_of(mailing_list, "zoe@example.net")
    assert member.consent_source == "preferences"
    assert members.member_of(other, "zoe@example.net") is None
    assert (
        "how you receive it, or leave" in client.get(path).data.decode()
        or "comment vous" in client.get(path).data.decode().lower()
    )


def test_a_member_who_left_is_not_added_back_on_a_pilots_word(app, make_subscriber):
    mailing_list, (ana, bob, _chloe) = make_list(make_subscriber)
    assert members.leave(mailing_list, ana.id)
    assert members.add_with_consent(mailing_list, [ana, bob], "Liste d'émargement") == 0
    assert members.membership(mailing_list, ana.id).status == "left"
    assert members.count_receiving(mailing_list) == 2  # Bob and Chloé, not Ana
