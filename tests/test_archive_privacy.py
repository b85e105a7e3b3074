"""Nothing personal reaches a public page: archive copy, list, search, feed, home."""

from itsdangerous import URLSafeSerializer

from cac_news.archive.copies import freeze_copy
from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import (
    GREETING_NAME,
    PREFERENCES_URL,
    UNSUBSCRIBE_URL,
    personalise,
    render_newsletter,
)
from cac_news.extensions import db
from cac_news.urls import external_url

PEOPLE = [
    ("Zéphyrine", "Quasimodo-Ardent", "zephyrine.quasimodo@example.org"),
    ("Barnabé", "Xylophonique", "barnabe.xylo@example.org"),
    ("Ondine", "Vermillonesque", "ondine+lettre@example.org"),
]


def test_no_subscriber_data_in_any_public_page(app, client, make_subscriber, make_newsletter):
    subscribers = [
        make_subscriber(email=email, first_name=first, last_name=last, organisation=f"Asso {last}")
        for first, last, email in PEOPLE
    ]
    newsletter = make_newsletter(
        subject="Lettre de rentrée",
        sections=[SectionData(kind="text", title="Économie", body_md="Les financements.")],
    )
    newsletter.status = "sending"
    db.session.commit()

    # As the delivery engine does: freeze the web copy when the send starts, render the
    # email once, then personalise it for every recipient with their name and tokens.
    freeze_copy(newsletter)
    rendered = render_newsletter(newsletter)
    signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe")
    secrets = []
    for subscriber in subscribers:
        token = signer.dumps(subscriber.id)
        values = {
            GREETING_NAME: subscriber.first_name,
            UNSUBSCRIBE_URL: external_url("public.home") + f"?unsubscribe={token}",
            PREFERENCES_URL: external_url("public.home") + f"?preferences={token}",
        }
        html, text = personalise(rendered, values)
        assert subscriber.first_name in html and token in text  # the email is personal
        secrets += [
            subscriber.first_name,
            subscriber.last_name,
            subscriber.email,
            subscriber.email.split("@")[0],
            subscriber.organisation,
            token,
        ]
    newsletter.status = "sent"
    db.session.commit()

    pages = [
        "/archives/1/",
        "/archives/",
        "/archives/feed.atom",
        "/archives/recherche/?q=financements",
        "/archives/recherche/?q=economie",
        "/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, (path, secret)
        for token in (GREETING_NAME, UNSUBSCRIBE_URL, PREFERENCES_URL):
            assert token not in body, (path, token)
    assert "<mark>financements</mark>" in client.get(pages[3]).get_data(as_text=True)
