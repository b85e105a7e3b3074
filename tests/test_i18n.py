"""French first, English on request, and a French catalogue with nothing missing."""

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).resolve().parent.parent / "cac_news/translations/fr/LC_MESSAGES/messages.po"
)


def test_french_by_default(client):
    page = client.get("/login").data.decode()
    assert '<html lang="fr"' in page
    assert "Mot de passe" in page


def test_unsupported_language_falls_back_to_french(client):
    page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).data.decode()
    assert '<html lang="fr"' in page


def test_english_by_accept_language(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    html = page.data.decode()
    assert '<html lang="en"' in html and "Password" in html


def test_switch_remembers_the_choice_and_stays_on_site(client):
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    assert "Password" in client.get("/login").data.decode()
    evil = client.get("/lang/fr?next=//evil.example/")
    assert evil.headers["Location"] == "/"
    assert "Mot de passe" in client.get("/login").data.decode()


def test_validation_messages_follow_the_language(admin_client):
    bad = {"email": "nope", "status": "active", "language": "fr", "territory_code": ""}
    french = admin_client.post("/admin/subscribers/new", data=bad)
    assert "Cette adresse e-mail n&#39;est pas valide" in french.data.decode()
    admin_client.get("/lang/en")
    english = admin_client.post("/admin/subscribers/new", data=bad)
    assert "This email address is not valid" in english.data.decode()


def test_french_catalogue_is_complete():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
        )
    ]
    assert missing == []
