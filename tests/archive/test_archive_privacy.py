"""Nothing personal reaches a public page: archive copy, list, search, feed, home.

The newsletter is really sent: the engine freezes the archive copy, personalises every
message and hands it to a real SMTP server; then every public page is searched for what
those messages carried.
"""

import re

from cac_news.compose.newsletters import SectionData
from cac_news.compose.render import GREETING_NAME, PREFERENCES_URL, UNSUBSCRIBE_URL
from cac_news.mailing import sending
from tests.engine_helpers import FaultyHandler, run_worker, start_server

PEOPLE = [
    ("Zéphyrine", "Quasimodo-Ardent", "zephyrine.quasimodo@example.org"),
    ("Barnabé", "Xylophonique", "barnabe.xylo@example.org"),
    ("Ondine", "Vermillonesque", "ondine+lettre@example.org"),
]


def test_no_subscriber_data_in_any_public_page(app, client, make_subscriber, make_newsletter):
    for first, last, email in PEOPLE:
        make_subscriber(email=email, first_name=first, last_name=last, organisation=f"Asso {last}")
    newsletter = make_newsletter(
        subject="Lettre de rentrée",
        sections=[SectionData(kind="text", title="Économie", body_md="Les financements.")],
    )
    sending.start_send(newsletter)
    handler = FaultyHandler()
    controller = start_server(app, handler)
    try:
        run_worker(app)
    finally:
        controller.stop()

    secrets = []
    for received in handler.messages:
        message = received.message
        html = message.get_body(preferencelist=("html",)).get_content()
        first, last, email = next(p for p in PEOPLE if p[2] == received.rcpt_tos[0])
        assert first in html  # the email itself is personal
        tokens = re.findall(r"/(?:unsubscribe|preferences)/([\w.-]+)", html)
        assert len(tokens) >= 2
        secrets += [first, last, email, email.split("@")[0], f"Asso {last}", *tokens]
    assert len(handler.messages) == len(PEOPLE)

    pages = [
        f"/archives/{newsletter.number}/",
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
