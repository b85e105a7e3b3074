"""A newsletter sent by the worker to its segment, received by a real SMTP server."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cac_news.audience import rights
from cac_news.audience.links import preferences_url, unsubscribe_url
from cac_news.audience.segments import SegmentRule, save_segment
from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import TOKENS
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.models import Delivery, Newsletter, Subscriber
from tests.audience_helpers import path_of
from tests.engine_helpers import run_worker, statuses


def _segment_of_paris():
    return save_segment("Paris", "", SegmentRule(territory_codes=["75"]))


def test_full_send_to_a_segment(app, client, smtp_server, make_subscriber, make_newsletter):
    inside = [
        make_subscriber(email=f"p{i}@example.org", first_name="Zoé", last_name=f"Durand{i}",
                        territory_code="75")
        for i in range(3)
    ]  # fmt: skip
    make_subscriber(email="lyon@example.org", territory_code="69")
    make_subscriber(email="gone@example.org", territory_code="75", status="unsubscribed")
    newsletter = make_newsletter(
        subject="Lettre d'automne — épisode 2",
        reply_to="pilotes@example.org",
        segment_id=_segment_of_paris().id,
        sections=[SectionData(kind="text", title="Agenda", body_md="Réunion **jeudi**.")],
    )
    assert sending.start_send(newsletter) == 3
    assert newsletter.status == "sending" and newsletter.recipients_count == 3

    run_worker(app)

    db.session.expire_all()
    newsletter = db.session.get(Newsletter, newsletter.id)
    assert newsletter.status == "sent" and newsletter.sent_at is not None
    assert statuses(newsletter.id) == {"sent": 3}
    by_rcpt = {m.rcpt_tos[0]: m for m in smtp_server.messages}
    assert sorted(by_rcpt) == sorted(s.email for s in inside)
    mail = by_rcpt["p1@example.org"]
    assert mail.mail_from == "lettre@example.org"
    message = mail.message
    assert message["Subject"] == "Lettre d'automne — épisode 2"
    assert b"=?utf-8?" in mail.data.split(b"\r\n\r\n")[0]  # RFC 2047 in the raw headers
    assert message["To"].addresses[0].display_name == "Zoé Durand1"
    assert message["From"].addresses[0].addr_spec == "lettre@example.org"
    assert message["Reply-To"] == "pilotes@example.org"
    assert message["Date"]
    assert re.fullmatch(r"<n\d+\.\d+\.[0-9a-f]{16}@example\.org>", message["Message-ID"])
    assert message["List-Id"].endswith("<lettre.example.org>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Archive"] == f"<http://localhost/archives/{newsletter.number}/>"
    unsubscribe_header = str(message["List-Unsubscribe"])
    https, mailto = re.findall(r"<([^>]+)>", unsubscribe_header)
    letter = f"?n={newsletter.number}"  # names the letter an unsubscribe came from
    assert https == unsubscribe_url(db.session.get(Subscriber, inside[1].id)) + letter
    assert mailto.startswith("mailto:unsubscribe@example.org?subject=unsubscribe%20")
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(len(line) <= 998 for line in mail.data.split(b"\r\n"))
    text, html = (p.get_content() for p in parts)
    assert "Zoé" in text and "Zoé" in html
    assert not any(token in text or token in html for token in TOKENS)
    assert https in text and https.replace("&", "&amp;") in html
    delivery = db.session.scalar(select(Delivery).where(Delivery.email == "p1@example.org"))
    assert delivery.message_id == message["Message-ID"] and delivery.smtp_code == 250

    # The one-click POST of List-Unsubscribe unsubscribes that recipient only.
    response = client.post(path_of(https), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    statuses_now = {s.email: db.session.get(Subscriber, s.id).status for s in inside}
    assert statuses_now == {
        "p0@example.org": "active", "p1@example.org": "unsubscribed", "p2@example.org": "active"
    }  # fmt: skip
    # The preferences link of the text part works too.
    preferences = [u for u in re.findall(r"https?://\S+", text) if "/preferences/" in u]
    assert preferences == [preferences_url(db.session.get(Subscriber, inside[1].id)) + letter]
    assert client.get(path_of(preferences[0])).status_code == 200


def test_second_send_is_refused(app, runner, make_subscriber, make_newsletter):
    make_subscriber()
    newsletter = make_newsletter()
    result = runner.invoke(args=["newsletters", "send", str(newsletter.id)])
    assert result.exit_code == 0, result.output
    assert "1 recipients queued" in result.output
    again = runner.invoke(args=["newsletters", "send", str(newsletter.id)])
    assert again.exit_code != 0
    assert "status:" in again.output and "(sending)" in again.output
    assert db.session.scalar(select(db.func.count(Delivery.id))) == 1
    with pytest.raises(ValidationError):
        sending.start_send(db.session.get(Newsletter, newsletter.id))


def test_status_command_counts(app, runner, smtp_server, make_subscriber, make_newsletter):
    for _ in range(2):
        make_subscriber()
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    before = runner.invoke(args=["newsletters", "status", str(newsletter.id)])
    assert "sending" in before.output and "queued\t2" in before.output
    result = runner.invoke(args=["worker", "--until-idle"])
    assert result.exit_code == 0, result.output
    after = runner.invoke(args=["newsletters", "status", str(newsletter.id)])
    assert ": sent" in after.output and "sent\t2" in after.output and "queued\t0" in after.output
    assert len(smtp_server.messages) == 2


def test_erasure_nulls_frozen_address_and_data_download(app, smtp_server, make_subscriber,
                                                        make_newsletter):  # fmt: skip
    kept = make_subscriber(email="kept@example.org")
    erased = make_subscriber(email="erased@example.org")
    newsletter = make_newsletter()
    sending.start_send(newsletter)
    run_worker(app)
    data = rights.personal_data(db.session.get(Subscriber, kept.id))
    assert [d["status"] for d in data["deliveries"]] == ["sent"]
    assert data["deliveries"][0]["email"] == "kept@example.org"
    erased_id = erased.id
    rights.erase(db.session.get(Subscriber, erased_id))
    rows = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    anonymous = [r for r in rows if r.subscriber_id is None]
    assert len(anonymous) == 1 and anonymous[0].email is None and anonymous[0].name is None
    assert anonymous[0].status == "sent"


def test_worker_signs_with_dkim_when_configured(app, smtp_server, make_subscriber,
                                                make_newsletter, tmp_path):  # fmt: skip
    import dkim

    from tests.dkim_keys import make_dkim_key

    key, record = make_dkim_key(tmp_path)
    app.config.update(DKIM_KEY_FILE=str(key), DKIM_SELECTOR="lettre", DKIM_DOMAIN="example.org")
    make_subscriber(email="signed@example.org")
    sending.start_send(make_newsletter())
    run_worker(app)
    (mail,) = smtp_server.messages
    assert mail.data.startswith(b"DKIM-Signature:")
    signed = mail.message["DKIM-Signature"].replace("\r\n", "").replace(" ", "")
    assert "list-unsubscribe-post" in signed.lower()
    assert dkim.verify(mail.data, dnsfunc=lambda name, timeout=5: record)
