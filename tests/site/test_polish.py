"""What a pilot notices: « 1er » in French dates, a favicon, the letters a subscriber got."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import force_locale

from cac_news.compose.newsletters import SectionData
from cac_news.i18n import date_label, datetime_label
from cac_news.mailing import sending
from tests.engine_helpers import run_worker


def test_the_first_of_a_month_is_an_ordinal_in_french_only(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert date_label(date(2027, 1, 1), "long") == "1er janvier 2027"
        assert date_label(date(2027, 1, 11), "long") == "11 janvier 2027"
        assert date_label(date(2027, 1, 21), "long") == "21 janvier 2027"
        assert date_label(date(2027, 5, 1), "full") == "samedi 1er mai 2027"
        # 23:30 UTC on 31 December is the first of January in Paris.
        assert datetime_label(datetime(2026, 12, 31, 23, 30), "long").startswith("1er janvier 2027")
        assert datetime_label(datetime(2027, 1, 1, 0, 30), "short").startswith("01/01/2027")
    with app.test_request_context(), force_locale("en"):
        assert date_label(date(2027, 1, 1), "long") == "January 1, 2027"


def test_every_page_names_the_favicon_and_it_is_served(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"


def test_the_subscriber_page_lists_the_letters_received(
    app, admin_client, smtp_server, make_subscriber, make_newsletter
):
    person = make_subscriber(email="zoe@example.org", first_name="Zoé")
    letter = make_newsletter(
        subject="Rentrée", sections=[SectionData(kind="text", title="Agenda", body_md="Jeudi.")]
    )
    sending.start_send(letter)
    run_worker(app)
    page = admin_client.get(
        f"/admin/subscribers/{person.id}", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    section = page.split("Lettres reçues", 1)[1].split("Historique", 1)[0]
    assert f"Lettre n° {letter.number}" in section or f"Lettre n°{letter.number}" in section
    assert "Rentrée" in section and "Envoyé" in section
