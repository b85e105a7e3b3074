"""French first, English on request, and a French catalogue with nothing missing."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "cac_news/translations/fr/LC_MESSAGES/messages.po"


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


def source_msgids() -> set[str]:
    """Every translatable string in the code and templates, extracted as `make` does."""
    root = CATALOGUE.parents[4]
    method_map = [
        ("cac_news/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        root, method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_french_catalogue_is_complete():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in catalogue
        if message.id
        and not message.fuzzy
        and message.string
        and (not isinstance(message.string, tuple) or all(message.string))
    }
    missing = sorted(source_msgids() - translated)
    assert missing == [], "run `make extract-messages` and translate these"
