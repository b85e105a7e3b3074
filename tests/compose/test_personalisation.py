"""Personalisation fields ({{ prénom }}, {{ prénom | "ami·e" }}) in a real send received
over SMTP by aiosmtpd, in the archive copy (no personal data) and in the syntax itself."""

from __future__ import annotations

from cac_news import personalisation, settings
from cac_news.archive.copies import copy_of
from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import TOKENS, render_newsletter
from cac_news.extensions import db
from cac_news.mailing import sending
from tests.engine_helpers import run_worker


def test_fields_are_filled_in_subject_preheader_and_body_of_a_real_send(
    app, smtp_server, make_subscriber, make_newsletter
):
    make_subscriber(email="zoe@example.org", first_name="Zoé")
    make_subscriber(email="anonyme@example.org", first_name="")
    newsletter = make_newsletter(
        subject='{{ prénom | "Chère lectrice, cher lecteur" }}, la lettre de rentrée',
        preheader="Pour vous, {{ first_name }} !",
        sections=[SectionData(kind="text", title="Mot", body_md='Merci {{ prénom | "ami·e" }}.')],
    )
    assert sending.start_send(newsletter) == 2
    run_worker(app)

    by_rcpt = {m.rcpt_tos[0]: m.message for m in smtp_server.messages}
    zoe, anonymous = by_rcpt["zoe@example.org"], by_rcpt["anonyme@example.org"]
    assert zoe["Subject"] == "Zoé, la lettre de rentrée"
    assert anonymous["Subject"] == "Chère lectrice, cher lecteur, la lettre de rentrée"
    for message, name, thanks in ((zoe, "Zoé", "Merci Zoé."), (anonymous, "", "Merci ami·e.")):
        text, html = (part.get_content() for part in message.iter_parts())
        assert thanks in text and thanks in html
        assert f"Pour vous, {name} !" in text if name else "Pour vous, !" in text
        assert not any(token in text or token in html for token in TOKENS)
        assert "CACNEWSx" not in text + html + str(message["Subject"])
        assert "{{" not in text + html

    # The public copy has no first name in it: every field is its fallback, or nothing.
    db.session.expire_all()
    web = copy_of(newsletter).html
    assert "Zoé" not in web and "Merci ami·e." in web and "CACNEWSx" not in web


def test_numbering_and_greeting_follow_the_settings_and_are_never_doubled(app, make_newsletter):
    newsletter = make_newsletter(
        subject="Lettre n°1 — Rentrée", intro_md="Bonjour {{ prénom }}, voici la lettre."
    )
    rendered = render_newsletter(newsletter)
    assert rendered.text.count("Lettre n°1") == 1  # typed by the pilot: not numbered again
    assert rendered.text.count("Bonjour") == 1  # the intro greets: the setting's line is left out
    settings.save(
        {**settings.load().__dict__, "greeting_enabled": False, "subject_numbering": False}
    )
    other = make_newsletter(subject="Rentrée", intro_md="Le mot des pilotes.")
    rendered = render_newsletter(other)
    assert "Lettre n°" not in rendered.text and "Bonjour" not in rendered.text


def test_syntax_of_fields():
    assert (
        personalisation.unknown_fields('{{ prénom }} {{ Prénom | "ami·e" }} {{ first_name }}') == []
    )
    assert personalisation.unknown_fields("{{ nom }} {{ prénom | ami }} {{}}") == [
        "nom",
        "prénom | ami",
        "",
    ]
    assert (
        personalisation.fill('Bonjour {{ prénom }}, {{ prénom | "toi" }}!', "") == "Bonjour, toi!"
    )
    assert personalisation.fill("Bonjour {{ prénom }},", "Léa") == "Bonjour Léa,"
