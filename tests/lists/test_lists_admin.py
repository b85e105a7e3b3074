"""Admin pages of the lists: create, settings, members on consent, the moderation queue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.lists import incoming, manage
from cac_news.models import ListMember, ListPost, OutboxMail
from tests.engine_helpers import run_worker
from tests.lists_helpers import LIST_CONFIG, make_list, message


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


def test_a_pilot_creates_a_list_and_adds_members_with_their_consent(admin_client, make_subscriber):
    ana = make_subscriber(email="ana@example.net")
    make_subscriber(email="gone@example.net", status="unsubscribed")
    form = {
        "name": "Groupe de travail", "address": "gt", "description": "Le GT",
        "posting_policy": "members", "reply_policy": "list", "footer": "Charte",
        "max_bytes": "2000000", "archive": "members", "segment": "",
    }  # fmt: skip
    response = admin_client.post("/admin/lists/new", data=form)
    assert response.status_code == 302
    mailing_list = manage.find("gt")
    assert (mailing_list.name, mailing_list.subject_prefix) == (
        "Groupe de travail",
        "[Groupe de travail]",
    )

    refused = admin_client.post(
        f"/admin/lists/{mailing_list.id}/members",
        data={"emails": "gone@example.net", "consent": "AG", "action": "add", "segment": ""},
    )
    assert "Pas d&#39;abonné actif" in refused.data.decode()
    no_consent = admin_client.post(
        f"/admin/lists/{mailing_list.id}/members",
        data={"emails": "ana@example.net", "consent": "", "action": "add", "segment": ""},
    )
    assert "Indiquez où ces personnes" in no_consent.data.decode()
    assert db.session.scalar(select(ListMember)) is None
    added = admin_client.post(
        f"/admin/lists/{mailing_list.id}/members",
        data={
            "emails": "ana@example.net",
            "consent": "Réunion du 3 mars",
            "action": "add",
            "segment": "",
        },
    )
    assert added.status_code == 302
    member = db.session.scalar(select(ListMember))
    assert (member.subscriber_id, member.consent_text) == (ana.id, "Réunion du 3 mars")
    page = admin_client.get(f"/admin/lists/{mailing_list.id}/members").data.decode()
    assert "ana@example.net" in page and "Réunion du 3 mars" in page
    assert "Groupe de travail" in admin_client.get("/admin/lists/").data.decode()

    settings = admin_client.post(
        f"/admin/lists/{mailing_list.id}/settings",
        data={**form, "posting_policy": "moderated", "subject_prefix": "[GT]"},
    )
    assert settings.status_code == 302
    db.session.refresh(mailing_list)
    assert (mailing_list.posting_policy, mailing_list.subject_prefix) == ("moderated", "[GT]")


def test_the_queue_approves_rejects_and_discards(admin_client, app, make_subscriber, smtp_server):
    mailing_list, _people = make_list(make_subscriber)
    make_subscriber(email="newcomer@example.com", first_name="Nina")
    for subject, sender in (
        ("A", "stranger@example.com"),
        ("B", "spam@example.com"),
        ("C", "newcomer@example.com"),
        ("D", "other@example.com"),
    ):
        raw = message(sender=sender, subject=subject, name="Quelqu’un")
        incoming.receive("gt@example.org", raw)
    queue = admin_client.get(f"/admin/lists/{mailing_list.id}/queue").data.decode()
    assert all(f"<strong>{s}</strong>" in queue for s in "ABCD")
    posts = {p.subject: p for p in db.session.scalars(select(ListPost))}

    assert admin_client.post(f"/admin/lists/posts/{posts['A'].id}/approve").status_code == 302
    admin_client.post(f"/admin/lists/posts/{posts['B'].id}/discard")
    admin_client.post(f"/admin/lists/posts/{posts['C'].id}/approve_add")
    empty = admin_client.post(f"/admin/lists/posts/{posts['D'].id}/reject", data={"reason": ""})
    assert empty.status_code == 302
    admin_client.post(f"/admin/lists/posts/{posts['D'].id}/reject", data={"reason": "Hors sujet"})
    db.session.expire_all()
    statuses = {s: db.session.get(ListPost, p.id).status for s, p in posts.items()}
    assert statuses == {"A": "accepted", "B": "discarded", "C": "accepted", "D": "rejected"}

    run_worker(app)
    got = sorted((m.rcpt_tos[0], m.message["Subject"]) for m in smtp_server.messages)
    to_members = [g for g in got if g[1].startswith("[GT]")]
    assert to_members == sorted(
        [(who, f"[GT] {s}") for s in "AC" for who in
         ("ana@example.net", "bob@example.net", "chloe@example.net")]
        + [("newcomer@example.com", "[GT] C")]
    )  # fmt: skip
    refusal = [m for m in smtp_server.messages if m.rcpt_tos == ["other@example.com"]]
    assert len(refusal) == 1 and "Hors sujet" in refusal[0].message.get_content()
    assert (
        db.session.scalar(select(OutboxMail.status).where(OutboxMail.email == "other@example.com"))
        == "sent"
    )


def test_pilots_are_told_of_held_posts_at_most_hourly_and_held_posts_expire(
    app, make_subscriber, make_pilot
):
    from datetime import timedelta

    from cac_news.lists import moderation
    from cac_news.models import OutboxKind
    from cac_news.timeutil import utcnow

    make_pilot(email="pilote@example.org")
    make_list(make_subscriber)
    incoming.receive("gt@example.org", message(sender="x@example.com", subject="1"))
    now = utcnow()
    assert moderation.notify_pilots(now) == 1
    incoming.receive("gt@example.org", message(sender="y@example.com", subject="2"))
    assert moderation.notify_pilots(now + timedelta(minutes=30)) == 0  # within the hour
    assert moderation.notify_pilots(now + timedelta(minutes=61)) == 1  # a newer post waits
    assert moderation.notify_pilots(now + timedelta(minutes=200)) == 0  # nothing newer
    notices = db.session.scalars(
        select(OutboxMail.email).where(OutboxMail.kind == OutboxKind.LIST_HELD)
    ).all()
    assert notices == ["pilote@example.org", "pilote@example.org"]

    assert moderation.expire(now + timedelta(days=13)) == 0
    assert moderation.expire(now + timedelta(days=15)) == 2
    assert moderation.held_posts() == []
