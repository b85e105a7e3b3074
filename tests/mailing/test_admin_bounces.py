"""Admin: bounces list, bounces on a subscriber's page, newsletter figures, deliverability."""

from datetime import datetime

from cac_news.extensions import db
from cac_news.mailing.bounces.apply import record_smtp_rejection
from cac_news.mailing.bounces.queries import bounce_figures
from cac_news.models import Bounce

NOW = datetime(2026, 11, 1, 12, 0, 0)


def seed(make_subscriber, make_newsletter):
    """A newsletter with two hard bounces, one soft bounce and one complaint."""
    newsletter = make_newsletter()
    hard = make_subscriber(email="hard@example.org")
    record_smtp_rejection(hard, 550, "5.1.1 <hard@example.org>: User unknown", newsletter.id)
    other = make_subscriber(email="other@example.org")
    record_smtp_rejection(other, 550, "5.1.1 mailbox unavailable", newsletter.id)
    soft = make_subscriber(email="soft@example.org")
    record_smtp_rejection(soft, 452, "4.2.2 Mailbox full", newsletter.id)
    db.session.add(
        Bounce(
            kind="complaint", subscriber_id=soft.id, newsletter_id=newsletter.id, received_at=NOW
        )
    )
    db.session.commit()
    return newsletter, hard, soft


def test_bounce_figures_count_by_kind(app, make_subscriber, make_newsletter):
    """hard / soft / complaints of one newsletter; another newsletter has none."""
    newsletter, _hard, _soft = seed(make_subscriber, make_newsletter)
    assert bounce_figures(newsletter.id) == {"hard": 2, "soft": 1, "complaints": 1}
    assert bounce_figures(make_newsletter(subject="Autre").id) == {
        "hard": 0,
        "soft": 0,
        "complaints": 0,
    }


def test_bounces_list_filters_by_kind_and_links_subscribers(
    admin_client, make_subscriber, make_newsletter
):
    """The list shows every bounce; ?kind=soft only the soft one, linked to its subscriber."""
    newsletter, hard, soft = seed(make_subscriber, make_newsletter)
    page = admin_client.get("/admin/bounces/").get_data(as_text=True)
    assert "4 retours" in page and "hard@example.org" in page and "User unknown" in page
    page = admin_client.get("/admin/bounces/?kind=soft").get_data(as_text=True)
    assert "1 retour" in page and "Mailbox full" in page and "User unknown" not in page
    assert f'href="/admin/subscribers/{soft.id}"' in page
    page = admin_client.get(f"/admin/bounces/?newsletter={newsletter.id}&kind=hard")
    assert "2 retours" in page.get_data(as_text=True)


def test_subscriber_page_shows_bounces(admin_client, make_subscriber, make_newsletter):
    """A subscriber's page lists their bounces with code and diagnostic."""
    _newsletter, hard, _soft = seed(make_subscriber, make_newsletter)
    page = admin_client.get(f"/admin/subscribers/{hard.id}").get_data(as_text=True)
    section = page.split('id="bounces"')[1].split("</table>")[0]
    assert "550" in section and "User unknown" in section
    assert "mailbox unavailable" not in section  # another subscriber's


def test_newsletter_page_shows_bounce_figures(admin_client, make_subscriber, make_newsletter):
    """The newsletter page shows its figures."""
    newsletter, _hard, _soft = seed(make_subscriber, make_newsletter)
    page = admin_client.get(f"/admin/newsletters/{newsletter.id}/").get_data(as_text=True)
    assert 'data-figure="hard">2<' in page and 'data-figure="complaints">1<' in page


def check_state(page: str, key: str) -> str:
    """The data-state of one checklist row."""
    row = page.split(f'id="check-{key}"')[1]
    return row.split('data-state="')[1].split('"')[0]


def test_deliverability_checklist(app, editor_client):
    """Editors see it; free-mail From, DKIM off, no mailbox are flagged; unsubscribe passes."""
    app.config.update(MAIL_FROM="Lettre <lettre.cac@gmail.com>", ORGANISATION_ADDRESS="")
    response = editor_client.get("/admin/deliverability")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert check_state(page, "from") == "warning" and "messagerie gratuite" in page
    assert check_state(page, "address") == "warning"
    assert check_state(page, "dkim") == "warning"
    assert check_state(page, "unsubscribe") == "ok"
    assert check_state(page, "mailbox") == "warning"
    assert check_state(page, "verp") == "warning" and "Recommandé : activez VERP_ENABLED" in page
    assert "recipient_delimiter = +" in page  # the MTA setting VERP needs
    assert "_dmarc.gmail.com" in page
    app.config.update(
        MAIL_FROM="Lettre <lettre@cac-asso.org>",
        SITE_URL="https://lettre.cac-asso.org",
        ORGANISATION_ADDRESS="108 rue Saint-Maur, 75011 Paris",
        VERP_ENABLED=True,
        BOUNCE_IMAP_HOST="imap.cac-asso.org",
    )
    page = editor_client.get("/admin/deliverability").get_data(as_text=True)
    for key in ("from", "address", "verp", "mailbox", "unsubscribe"):
        assert check_state(page, key) == "ok", key
    assert "_dmarc.cac-asso.org" in page and "bounces+…@cac-asso.org" in page


def test_bounce_pages_need_login(client):
    """Anonymous visitors are sent to the login page."""
    assert client.get("/admin/bounces/").status_code == 302
    assert client.get("/admin/deliverability").status_code == 302
