"""The archive threads a conversation, searches with the letters' folding, shows names and
never addresses; members-only archives open with a mailed link; digests of a day."""

from __future__ import annotations

import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select, update

from cac_news.audience import outbox
from cac_news.extensions import db
from cac_news.lists import digests, incoming, members
from cac_news.models import ListDelivery, ListMember, ListPost
from cac_news.timeutil import utcnow
from tests.engine_helpers import run_worker
from tests.lists_helpers import LIST_CONFIG, make_list, message

ADDRESS_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture
def config_overrides():
    return dict(LIST_CONFIG)


def conversation():
    incoming.receive(
        "gt@example.org",
        message(
            subject="Réunion de rentrée",
            message_id="<a1@example.net>",
            body="Proposition : jeudi. Écrivez à ana@example.net ou au secrétariat.\n",
        ),
    )
    incoming.receive(
        "gt@example.org",
        message(
            sender="bob@example.net",
            name="Bob Membre",
            subject="Re: [GT] Réunion de rentrée",
            message_id="<a2@example.net>",
            in_reply_to="<a1@example.net>",
            references="<a1@example.net>",
            body="Le jeudi me convient.\n\n"
            "Le 3 mars, Ana Membre <ana@example.net> a écrit :\n> Proposition\n",
        ),
    )
    incoming.receive("gt@example.org", message(
        sender="chloe@example.net", name="Chloé Membre",
        subject="Autre sujet (écrire à chloe@example.net)",
        message_id="<b1@example.net>", body="Rien à voir.\n"))  # fmt: skip


def test_the_archive_threads_a_conversation_and_shows_no_address(client, make_subscriber):
    make_list(make_subscriber, archive="public")
    conversation()
    index = client.get("/listes/gt/")
    assert index.status_code == 200
    page = index.data.decode()
    assert "Réunion de rentrée" in page and "Autre sujet" in page
    assert "2 messages" in page
    first = db.session.scalar(select(ListPost).where(ListPost.message_id == "<a1@example.net>"))
    thread = client.get(f"/listes/gt/messages/{first.id}/").data.decode()
    assert "Ana Membre" in thread and "Bob Membre" in thread
    assert "Le jeudi me convient." in thread and "Rien à voir" not in thread
    assert thread.index("Proposition : jeudi") < thread.index("Le jeudi me convient")
    assert 'class="list-post list-depth-1"' in thread  # the reply under its parent
    for body in (page, thread, client.get("/listes/gt/flux.atom").data.decode()):
        assert not ADDRESS_RE.search(body.replace("gt@example.org", "")), ADDRESS_RE.findall(body)


def test_search_folds_accents_and_endings(client, make_subscriber):
    make_list(make_subscriber, archive="public")
    conversation()
    found = client.get("/listes/gt/recherche?q=reunion").data.decode()
    assert "Réunion de rentrée" in found and "Autre sujet" not in found
    assert "2 messages trouvés" in found
    assert "<mark>" in found


def test_an_archive_that_is_off_or_for_members_is_not_public(
    client, make_subscriber, app, smtp_server
):
    mailing_list, _people = make_list(make_subscriber, archive="members")
    conversation()
    assert client.get("/listes/gt/").status_code == 302
    assert client.get("/listes/gt/flux.atom").status_code == 404
    client.post("/listes/gt/acces", data={"email": "ana@example.net"})
    client.post("/listes/gt/acces", data={"email": "stranger@example.com"})
    assert outbox.send_due(app.config) == 2
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ana@example.net"]]  # members only
    body = smtp_server.messages[0].message.get_content()
    link = re.search(r"http://localhost(/listes/gt/acces/\S+)", body).group(1)
    assert client.get("/listes/gt/").status_code == 302  # not yet in this browser
    assert client.get(link).status_code == 302
    assert client.get("/listes/gt/").status_code == 200
    mailing_list.archive = "off"
    db.session.commit()
    assert client.get("/listes/gt/").status_code == 404


def test_a_daily_digest_holds_the_days_posts_with_a_table_of_contents(
    app, make_subscriber, smtp_server
):
    mailing_list, (ana, bob, _chloe) = make_list(make_subscriber)
    member = db.session.scalar(select(ListMember).where(ListMember.subscriber_id == bob.id))
    members.set_delivery_mode(member, "daily")
    yesterday = utcnow() - timedelta(days=1, minutes=5)
    db.session.execute(update(ListMember).values(digest_sent_at=yesterday))
    db.session.commit()
    conversation()
    run_worker(app)  # the posts go to the others at once; Bob's digest is due at the tick
    to_bob = [m for m in smtp_server.messages if m.rcpt_tos == ["bob@example.net"]]
    assert len(to_bob) == 1
    digest = BytesParser(policy=policy.default).parsebytes(to_bob[0].data)
    assert digest["Subject"] == "[GT] Résumé de GT"
    toc, inner = list(digest.iter_parts())
    contents = toc.get_content()
    assert "3 messages" in contents
    assert "1. Réunion de rentrée — Ana Membre" in contents
    assert "3. Autre sujet (écrire à […]) — Chloé Membre" in contents
    assert inner.get_content_type() == "multipart/digest"
    subjects = [part.get_content()["Subject"] for part in inner.iter_parts()]
    assert subjects[:2] == ["Réunion de rentrée", "Re: [GT] Réunion de rentrée"]
    assert subjects[2] == "Autre sujet (écrire à chloe@example.net)"  # members' own copy
    assert len([m for m in smtp_server.messages if m.rcpt_tos == ["ana@example.net"]]) == 3
    assert digests.queue_due(utcnow()) == 0  # not again the same day
    assert (
        db.session.scalar(select(ListDelivery.status).where(ListDelivery.post_id.is_(None)))
        == "sent"
    )


def test_attachments_are_served_only_under_the_media_rules(client, make_subscriber):
    import io

    from PIL import Image

    from cac_news.resources.pdf import one_page_pdf

    make_list(make_subscriber, archive="public")
    mail = BytesParser(policy=policy.default).parsebytes(message(subject="Pièces"))
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(picture, format="PNG")
    mail.add_attachment(picture.getvalue(), maintype="image", subtype="png", filename="carte.png")
    mail.add_attachment(
        one_page_pdf("CR"), maintype="application", subtype="pdf", filename="cr.pdf"
    )
    mail.add_attachment(b"<script>alert(1)</script>", maintype="text", subtype="html",
                        filename="piege.html")  # fmt: skip
    mail.add_attachment(b"%PDF-not really", maintype="image", subtype="png", filename="faux.png")
    outcome = incoming.receive("gt@example.org", mail.as_bytes())
    page = client.get(f"/listes/gt/messages/{outcome.post_id}/").data.decode()
    for name in ("carte.png", "cr.pdf", "piege.html", "faux.png"):
        assert name in page
    base = f"/listes/gt/messages/{outcome.post_id}/pieces"
    image = client.get(f"{base}/0")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("attachment")
    pdf = client.get(f"{base}/1")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert client.get(f"{base}/2").status_code == 404  # active content: never served
    assert client.get(f"{base}/3").status_code == 404  # not the image it claims to be
    assert client.get(f"{base}/9").status_code == 404


def test_a_digest_speaks_its_members_language(app, make_subscriber):
    mailing_list, _people = make_list(make_subscriber)
    conversation()
    posts = digests.posts_between(mailing_list.id, utcnow() - timedelta(hours=1), utcnow())
    english = digests.build_digest(mailing_list, posts, "en")
    assert english["Subject"] == "[GT] Digest of GT"
    assert (
        "Digest of the list GT: 3 messages"
        in english.get_payload()[0].get_payload(decode=True).decode()
    )
