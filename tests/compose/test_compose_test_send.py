"""A test send is the real message for a sample recipient, received by a real SMTP server."""

import pytest

from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import TOKENS
from cac_news.errors import ValidationError
from cac_news.mailing.test_send import parse_recipients, send_test


def test_test_send_is_received_and_well_formed(app, smtp_server, make_newsletter, make_pilot):
    first = make_pilot(email="une@example.org", name="Une Pilote")
    second = make_pilot(email="deux@example.org", name="Deux Pilote")
    newsletter = make_newsletter(
        subject="Rentrée du groupe",
        reply_to="pilotes@exemple.org",
        intro_md="Voir [la note](https://cac.example.org/note).",
        sections=[SectionData(kind="text", title="Agenda", body_md="Réunion **jeudi**.")],
    )

    assert send_test(newsletter, parse_recipients("une@example.org, DEUX@example.org")) == 2

    assert len(smtp_server.messages) == 2
    received = {m.rcpt_tos[0]: m for m in smtp_server.messages}
    assert set(received) == {first.email, second.email}
    mail = received[first.email]
    assert mail.mail_from == "lettre@example.org"
    message = mail.message
    assert message["Subject"] == "[TEST] Rentrée du groupe"
    assert message["To"] == f"Une Pilote <{first.email}>"
    assert message["Reply-To"] == "pilotes@exemple.org"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for part in parts:
        assert part["MIME-Version"] is None
    assert b"MIME-Version" not in mail.data.split(b"\r\n\r\n", 1)[1]
    text, html = (p.get_content() for p in parts)
    assert "Une Pilote" in text and "Une Pilote" in html
    assert "la note [1]" in text
    assert 'style="' in html and 'href="https://cac.example.org/note"' in html
    assert app.config["ORGANISATION_ADDRESS"] in html
    assert not any(token in text or token in html for token in TOKENS)
    # The real message's headers, with links that unsubscribe nobody.
    assert message["List-Id"] and message["List-Archive"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    harmless = "http://localhost/unsubscribe/test-send"
    assert message["List-Unsubscribe"] == f"<{harmless}>"
    assert harmless in text
    client = app.test_client()
    page = client.post("/unsubscribe/test-send", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Rien n’a changé" in page.get_data(as_text=True)


def test_only_active_pilots_receive_tests(app, make_pilot):
    make_pilot(email="actif@example.org")
    make_pilot(email="parti@example.org", active=False)
    with pytest.raises(ValidationError) as caught:
        parse_recipients("actif@example.org\nparti@example.org\ninconnu@exemple.org")
    messages = caught.value.errors["recipients"]
    assert len(messages) == 2
    assert "parti@example.org" in messages[0] and "inconnu@exemple.org" in messages[1]
    with pytest.raises(ValidationError):
        parse_recipients("  ")
