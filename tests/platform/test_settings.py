"""Settings screen: stored in the database over the config defaults, checked (contrast,
fields), applied to the next preview and send, never to what was already sent."""

from __future__ import annotations

import re

import pytest

from cac_news import settings
from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import numbered_title, personalise, render_newsletter, sample_values
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.mailing import sending
from cac_news.mailing.test_send import parse_recipients, send_test
from cac_news.models import ArchivedCopy, Newsletter
from tests.engine_helpers import run_worker

FORM = {
    "organisation_name": "Collectif des Associations Citoyennes",
    "organisation_address": "CAC, 108 rue Saint-Maur, 75011 Paris",
    "sender_name": "Lettre CAC",
    "sender_address": "lettre@example.org",
    "reply_to": "",
    "logo_media_id": "",
    "accent_color": "#0a4f45",
    "footer_text": "",
    "greeting_enabled": "y",
    "greeting": "Bonjour {{ prénom }},",
    "subject_numbering": "y",
    "welcome_subject": "Bienvenue",
    "welcome_body": "Merci !",
}
NEW = {
    **FORM,
    "organisation_address": "CAC, 12 place de la République, 69001 Lyon",
    "sender_name": "Groupe Financiarisation",
    "reply_to": "pilotes@example.org",
    "accent_color": "#7a1f5c",
    "footer_text": "Lettre libre de droits.\n\nÉcrivez-nous.",
    "greeting": "Chère, cher {{ prénom }},",
}


def h1(html: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.search(r"<h1.*?</h1>", html, re.S).group(0)).strip()


def test_contrast_ratio_follows_wcag():
    assert settings.contrast_ratio("#000000") == pytest.approx(21.0)
    assert settings.contrast_ratio("#ffffff") == pytest.approx(1.0)
    assert settings.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert settings.contrast_ratio("#777777") < 4.5 < settings.contrast_ratio("#767676")


def test_defaults_come_from_the_config(app):
    current = settings.load()
    assert current.organisation_address == app.config["ORGANISATION_ADDRESS"]
    assert current.mail_from == "Lettre CAC <lettre@example.org>"
    assert current.subject_numbering and current.greeting_enabled
    assert not current.welcome_enabled


def test_accent_colour_with_poor_contrast_is_refused_with_its_ratio(admin_client):
    response = admin_client.post("/admin/settings", data={**FORM, "accent_color": "#ffcc00"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    ratio = settings.contrast_ratio("#ffcc00")
    assert ratio < 4.5
    shown = f"{int(ratio * 100) / 100:.2f}".replace(".", ",")  # French decimal comma
    assert f"{shown}:1" in page and "4,5:1" in page
    assert 'id="accent_color-error"' in page
    assert settings.load().accent_color == "#0a4f45"  # nothing stored
    english = admin_client.post(
        "/admin/settings",
        data={**FORM, "accent_color": "#ffcc00"},
        headers={"Accept-Language": "en"},
    )
    assert f"{int(ratio * 100) / 100:.2f}:1" in english.get_data(as_text=True)


def test_the_form_names_fields_after_the_settings_and_saves(admin_client):
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    for name in settings.NAMES:
        assert f'name="{name}"' in page
    response = admin_client.post("/admin/settings", data=NEW)
    assert response.status_code == 302
    stored = settings.load()
    assert stored.organisation_address == NEW["organisation_address"]
    assert stored.accent_color == "#7a1f5c" and stored.reply_to == "pilotes@example.org"
    assert stored.mail_from == "Groupe Financiarisation <lettre@example.org>"
    assert admin_client.get("/admin/settings").get_data(as_text=True).count("69001 Lyon") == 1


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("greeting", "Bonjour {{ nom_de_famille }},", "{{ nom_de_famille }}"),
        ("sender_address", "pas-une-adresse", "adresse e-mail valide"),
        ("sender_name", "Lettre\r\nBcc: x@example.org", "retours à la ligne"),
        ("organisation_address", "", "obligatoire"),
        ("accent_color", "vert", "#rrvvbb"),
    ],
)
def test_bad_values_are_refused_naming_the_field(admin_client, field, value, expected):
    response = admin_client.post("/admin/settings", data={**FORM, field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and expected in page


def test_editors_cannot_open_the_settings(editor_client):
    assert editor_client.get("/admin/settings").status_code == 403
    assert editor_client.post("/admin/settings", data=NEW).status_code == 403


def test_numbering_off_uses_the_subject_as_typed_and_on_never_doubles(app, make_newsletter):
    typed = make_newsletter(subject="Lettre n°1 — Rentrée du groupe")
    plain = make_newsletter(subject="Rentrée du groupe")
    assert h1(render_newsletter(typed).html) == "Lettre n°1 — Rentrée du groupe"
    assert h1(render_newsletter(plain).html) == "Lettre n°2 — Rentrée du groupe"
    settings.save({"subject_numbering": False})
    assert h1(render_newsletter(plain).html) == "Rentrée du groupe"
    assert "<title>Rentrée du groupe</title>" in render_newsletter(plain).html
    assert numbered_title(3, "lettre N°3 : bilan", True) == "lettre N°3 : bilan"
    assert numbered_title(3, "Bilan", False) == "Bilan"


def test_greeting_wording_and_switch(app, make_newsletter):
    newsletter = make_newsletter(sections=[SectionData(kind="text", body_md="Texte.")])
    settings.save({"greeting": "Salut {{ first_name }} !"})
    html, text = personalise(render_newsletter(newsletter), sample_values("Léa"))
    assert "Salut Léa !" in html and "Salut Léa !" in text
    html, text = personalise(render_newsletter(newsletter), sample_values(""))
    assert "Salut !" in html and "{{" not in html
    settings.save({"greeting_enabled": False})
    html, text = personalise(render_newsletter(newsletter), sample_values("Léa"))
    assert "Léa" not in html and "Salut" not in text


def test_validation_without_the_form_raises_for_the_field(app):
    with pytest.raises(ValidationError) as raised:
        settings.save({"welcome_enabled": True, "welcome_body": ""})
    assert "welcome_body" in raised.value.errors


def test_settings_reach_the_next_send_but_not_the_frozen_copies(
    app, admin_client, smtp_server, make_subscriber, make_newsletter, make_pilot
):
    make_subscriber(email="lecteur@example.org", first_name="Jo")
    make_pilot(email="pilote@example.org")
    first = make_newsletter(subject="Première", sections=[SectionData(kind="text", body_md="Un.")])
    sending.start_send(first)
    run_worker(app)
    before = db.session.query(ArchivedCopy).one()
    archived_html = before.html
    frozen_email = db.session.get(Newsletter, first.id).email_html
    assert "75011 Paris" in archived_html and "#0a4f45" in frozen_email

    assert admin_client.post("/admin/settings", data=NEW).status_code == 302

    # The archive copy and the frozen email of the sent letter do not move.
    copy = db.session.query(ArchivedCopy).one()
    assert copy.html == archived_html and "69001 Lyon" not in copy.html
    assert admin_client.get("/archives/1/").get_data(as_text=True) == archived_html
    assert db.session.get(Newsletter, first.id).email_html == frozen_email

    # The next letter's preview and test send use the new settings.
    second = make_newsletter(
        subject="Seconde", sections=[SectionData(kind="text", body_md="Deux.")]
    )
    preview = admin_client.get(f"/admin/newsletters/{second.id}/preview/email")
    body = preview.get_data(as_text=True)
    assert "69001 Lyon" in body and "#7a1f5c" in body and "Écrivez-nous." in body
    smtp_server.messages.clear()
    send_test(second, parse_recipients("pilote@example.org"))
    message = smtp_server.messages[0].message
    assert message["From"] == "Groupe Financiarisation <lettre@example.org>"
    assert message["Reply-To"] == "pilotes@example.org"
    html = message.get_body(("html",)).get_content()
    assert "69001 Lyon" in html and "Chère, cher Pilote Test," in html

    # And so does the real send.
    smtp_server.messages.clear()
    sending.start_send(db.session.get(Newsletter, second.id))
    run_worker(app)
    received = smtp_server.messages[0].message
    assert received["From"] == "Groupe Financiarisation <lettre@example.org>"
    text = received.get_body(("plain",)).get_content()
    assert "Chère, cher Jo," in text and "69001 Lyon" in text


def test_site_lists_never_double_the_number(client, make_newsletter):
    from tests.archive_helpers import sent_copy

    sent_copy(make_newsletter, subject="Lettre n°1 — Rentrée")
    page = client.get("/archives/").get_data(as_text=True)
    assert "Lettre n°1 — Rentrée" in page and "Lettre n°1 — Lettre n°1" not in page
    settings.save({"subject_numbering": False})
    sent_copy(make_newsletter, subject="Bilan de l’automne")
    page = client.get("/archives/").get_data(as_text=True)
    assert "Bilan de l’automne" in page and "Lettre n°2" not in page


def test_logo_from_the_library_in_the_mail_and_kept_from_deletion(
    app, admin_client, make_newsletter
):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1000, 250), (255, 255, 255)).save(out, format="PNG")
    uploaded = admin_client.post(
        "/admin/media",
        data={"file": (io.BytesIO(out.getvalue()), "logo.png"), "alt": "Logo du CAC"},
        content_type="multipart/form-data",
    ).get_json()
    assert (
        admin_client.post(
            "/admin/settings", data={**FORM, "logo_media_id": str(uploaded["id"])}
        ).status_code
        == 302
    )
    html = render_newsletter(make_newsletter()).html
    logo = re.search(r'<img[^>]*class="logo"[^>]*>', html).group(0)
    assert uploaded["url"] in logo
    assert 'width="240"' in logo and 'height="60"' in logo and 'alt="Logo du CAC"' in logo
    assert admin_client.post(f"/admin/media/{uploaded['id']}/delete").status_code == 409
    bad = admin_client.post("/admin/settings", data={**FORM, "logo_media_id": "999"})
    assert bad.status_code == 400
