"""Preferences, unsubscribe (incl. RFC 8058 one-click), my data, erase, "my link"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from cac_news.audience import links, tokens
from cac_news.audience.suppression import is_suppressed
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Subscriber, Suppression
from tests.audience_helpers import links_in, path_of
from tests.engine_helpers import run_worker


def reload(subscriber_id):
    db.session.expire_all()
    return db.session.get(Subscriber, subscriber_id)


def test_links_are_absolute(app, make_subscriber):
    subscriber = make_subscriber()
    assert links.unsubscribe_url(subscriber).startswith("http://localhost/unsubscribe/")
    assert links.preferences_url(subscriber).startswith("http://localhost/preferences/")


def test_unsubscribe_get_changes_nothing_post_unsubscribes(client, make_subscriber):
    subscriber = make_subscriber()
    path = path_of(links.unsubscribe_url(subscriber))
    page = client.get(path)
    assert page.status_code == 200 and b"<form" in page.data
    assert reload(subscriber.id).status == "active"
    done = client.post(path)
    assert done.status_code == 200
    assert reload(subscriber.id).status == "unsubscribed"
    assert client.post(path).status_code == 200  # idempotent


@pytest.mark.parametrize("multipart", [False, True])
def test_one_click_unsubscribe_rfc8058(app, make_subscriber, multipart):
    app.config["WTF_CSRF_ENABLED"] = True
    subscriber = make_subscriber()
    client = app.test_client(use_cookies=False)
    path = path_of(links.unsubscribe_url(subscriber))
    kwargs = {"data": {"List-Unsubscribe": "One-Click"}}
    if multipart:
        kwargs["content_type"] = "multipart/form-data"
    response = client.post(path, **kwargs)
    assert response.status_code == 200
    assert "Location" not in response.headers
    updated = reload(subscriber.id)
    assert updated.status == "unsubscribed"
    assert updated.events[-1].detail == "one-click"


@pytest.mark.parametrize("purpose", [tokens.UNSUBSCRIBE, tokens.PREFERENCES])
def test_bad_tokens_change_nothing(client, make_subscriber, purpose):
    subscriber = make_subscriber()
    good = tokens.make_token(subscriber, purpose)
    other = tokens.make_token(subscriber, tokens.CONFIRM)
    base = "/unsubscribe/" if purpose == tokens.UNSUBSCRIBE else "/preferences/"
    for token in (good[:-4] + "AAAA", other, "garbage"):
        response = client.post(
            base + token, data={"List-Unsubscribe": "One-Click", "first_name": "X"}
        )
        assert response.status_code == 400
        assert "Nothing was changed" in response.get_data(
            as_text=True
        ) or "Rien" in response.get_data(as_text=True)
    updated = reload(subscriber.id)
    assert updated.status == "active" and updated.first_name == "Camille"


def test_token_dies_when_address_changes(client, make_subscriber):
    subscriber = make_subscriber()
    token = tokens.make_token(subscriber, tokens.UNSUBSCRIBE)
    subscriber.email = "other@exemple.org"
    db.session.commit()
    assert client.post(f"/unsubscribe/{token}").status_code == 400
    assert reload(subscriber.id).status == "active"


def test_preferences_update(client, make_subscriber):
    subscriber = make_subscriber(modes=["information"])
    path = path_of(links.preferences_url(subscriber))
    page = client.get(path)
    assert page.status_code == 200 and b"Camille" in page.data
    contrib = db.session.scalar(
        select(ParticipationMode.id).where(ParticipationMode.slug == "contributeur")
    )
    response = client.post(
        path,
        data={
            "first_name": "Cam",
            "last_name": "M",
            "organisation": "",
            "territory_code": "FR",
            "mode_ids": [contrib],
            "language": "en",
        },
    )
    assert response.status_code == 200
    updated = reload(subscriber.id)
    assert (updated.first_name, updated.territory_code, updated.language) == ("Cam", "FR", "en")
    assert [m.slug for m in updated.modes] == ["contributeur"]
    assert updated.events[-1].source == "preferences"
    bad = client.post(path, data={"territory_code": "R84", "language": "fr"})
    assert bad.status_code == 200 and b"field-error" in bad.data
    assert reload(subscriber.id).territory_code == "FR"


def test_download_my_data(client, make_subscriber):
    subscriber = make_subscriber(email="me@exemple.org", modes=["pilote"])
    token = tokens.make_token(subscriber, tokens.PREFERENCES)
    response = client.post(f"/preferences/{token}/data")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["email"] == "me@exemple.org"
    assert data["profile"]["modes"] == ["pilote"]
    assert [e["new_status"] for e in data["events"]] == ["pending", "active"]


def test_erase_needs_confirmation_then_deletes(client, make_subscriber):
    subscriber = make_subscriber(email="erase@exemple.org")
    token = tokens.make_token(subscriber, tokens.PREFERENCES)
    refused = client.post(f"/preferences/{token}/erase", data={})
    assert refused.status_code == 200 and b"field-error" in refused.data
    assert reload(subscriber.id) is not None
    done = client.post(f"/preferences/{token}/erase", data={"confirm": "y"})
    assert done.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert is_suppressed("erase@exemple.org")
    stored = db.session.scalar(select(Suppression.email_hash))
    assert "erase" not in stored and len(stored) == 64
    assert client.get(f"/preferences/{token}").status_code == 400


def test_my_link_over_smtp(app, client, smtp_server, make_subscriber):
    subscriber = make_subscriber(email="linked@exemple.org")
    known = client.post("/my-link", data={"email": "LINKED@Exemple.org"})
    unknown = client.post("/my-link", data={"email": "nobody@exemple.org"})
    assert known.data == unknown.data and known.status_code == 200
    run_worker(app)  # the worker sends the queued mail; the unknown address gets none
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["linked@exemple.org"]
    [url] = [u for u in links_in(mail) if "/preferences/" in u]
    page = client.get(path_of(url))
    assert page.status_code == 200 and b"linked@exemple.org" in page.data
    # and the preferences page's unsubscribe button works
    unsubscribe_path = path_of(links.unsubscribe_url(subscriber))
    assert unsubscribe_path.encode() in page.data
    client.post(unsubscribe_path)
    assert reload(subscriber.id).status == "unsubscribed"


def test_unsubscribe_and_preferences_links_are_stable(app, make_subscriber):
    subscriber = make_subscriber(email="stable@example.org")
    assert links.unsubscribe_url(subscriber) == links.unsubscribe_url(subscriber)
    assert links.preferences_url(subscriber) == links.preferences_url(subscriber)
    assert links.unsubscribe_url(subscriber) != links.preferences_url(subscriber)


def test_my_data_is_readable(client, make_subscriber):
    from tests.bounce_helpers import sent_delivery

    subscriber = make_subscriber(email="me@exemple.org")
    sent_delivery(subscriber)
    db.session.commit()
    token = tokens.make_token(subscriber, tokens.PREFERENCES)
    data = json.loads(client.post(f"/preferences/{token}/data").data)
    [delivery] = data["deliveries"]
    assert set(delivery) == {"newsletter", "email", "status", "sent_at", "server_answer"}
    assert delivery["email"] == "me@exemple.org"
    assert data["profile"]["created_at"].endswith("+00:00")  # a time with its zone
    assert all(e["at"].endswith("+00:00") for e in data["events"])
