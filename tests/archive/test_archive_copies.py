"""Frozen copies: rendered once, stored, immutable; withdrawal and restoration."""

import pytest

from cac_news.archive.copies import ImmutableCopyError, freeze_copy, restore, withdraw
from cac_news.extensions import db
from cac_news.models import ArchivedCopy, Newsletter
from tests.archive_helpers import reload, sent_copy


def test_freeze_stores_the_web_copy_once(make_newsletter):
    copy = sent_copy(make_newsletter, subject="Rentrée", body="Réunion sur l'**économie** sociale.")
    assert copy.number == 1
    assert copy.subject == "Rentrée"
    assert "<strong>économie</strong>" in copy.html
    assert "économie" in copy.text and "<" not in copy.text
    assert len(copy.digest) == 64

    newsletter = db.session.get(Newsletter, copy.newsletter_id)
    newsletter.subject = "Changed after the send"
    db.session.commit()
    again = freeze_copy(newsletter)
    assert again.id == copy.id
    assert again.subject == "Rentrée"
    assert db.session.query(ArchivedCopy).count() == 1


def test_a_copy_cannot_be_edited(make_newsletter):
    copy = sent_copy(make_newsletter)
    copy.html = "<p>rewritten</p>"
    with pytest.raises(ImmutableCopyError):
        db.session.commit()
    db.session.rollback()
    assert "rewritten" not in reload(copy).html


def test_page_serves_the_stored_html_not_a_new_rendering(client, make_newsletter):
    copy = sent_copy(make_newsletter, body="Texte d'origine.")
    newsletter = db.session.get(Newsletter, copy.newsletter_id)
    newsletter.sections[0].body_md = "Texte modifié après l'envoi."
    db.session.commit()
    response = client.get("/archives/1/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == copy.html
    assert "Texte d&#39;origine." in response.get_data(as_text=True) or "Texte d'origine" in (
        response.get_data(as_text=True)
    )
    assert "modifié" not in response.get_data(as_text=True)


def test_unknown_and_unfrozen_numbers_are_404(client, make_newsletter):
    make_newsletter()  # a draft, never frozen
    assert client.get("/archives/1/").status_code == 404
    assert client.get("/archives/999/").status_code == 404
    assert client.get("/archives/abc/").status_code == 404


def test_withdrawn_copy_is_gone_then_restored(client, make_newsletter, admin):
    copy = sent_copy(make_newsletter)
    withdraw(copy, admin)
    db.session.commit()
    assert reload(copy).withdrawn_by_id == admin.id
    response = client.get("/archives/1/")
    assert response.status_code == 410
    restore(reload(copy))
    db.session.commit()
    assert client.get("/archives/1/").status_code == 200


def test_pilot_withdraws_and_restores_from_the_admin(admin_client, make_newsletter):
    copy = sent_copy(make_newsletter)
    page = admin_client.get(
        f"/admin/newsletters/{copy.newsletter_id}/", headers={"Accept-Language": "en"}
    )
    assert "Withdraw from the archive" in page.get_data(as_text=True)
    response = admin_client.post(f"/admin/newsletters/{copy.newsletter_id}/archive/withdraw")
    assert response.status_code == 302
    assert reload(copy).withdrawn_at is not None
    assert admin_client.get("/archives/1/").status_code == 410
    response = admin_client.post(f"/admin/newsletters/{copy.newsletter_id}/archive/restore")
    assert response.status_code == 302
    assert reload(copy).withdrawn_at is None
    assert admin_client.get("/archives/1/").status_code == 200


def test_withdraw_needs_csrf_token(app, admin_client, make_newsletter):
    copy = sent_copy(make_newsletter)
    app.config["WTF_CSRF_ENABLED"] = True
    response = admin_client.post(f"/admin/newsletters/{copy.newsletter_id}/archive/withdraw")
    assert response.status_code == 400
    assert reload(copy).withdrawn_at is None


def test_page_cache_of_other_workers_expires(app, client, make_newsletter):
    """A withdrawal made by another worker (here: a direct SQL update) shows once the
    per-worker cache expires; with the cache off it shows at once."""
    from sqlalchemy import update

    sent_copy(make_newsletter)
    assert client.get("/archives/1/").status_code == 200  # now cached for 5 s
    db.session.execute(update(ArchivedCopy).values(withdrawn_at=ArchivedCopy.created_at))
    db.session.commit()
    assert client.get("/archives/1/").status_code == 200
    app.config["ARCHIVE_CACHE_SECONDS"] = 0
    assert client.get("/archives/1/").status_code == 410
