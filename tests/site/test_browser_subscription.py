"""A person subscribes in a real browser, confirms from the mail, edits preferences, leaves."""

import re

import pytest
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.models import Subscriber
from tests.engine_helpers import run_worker

pytestmark = pytest.mark.browser


def only_link(mail, fragment: str) -> str:
    """The one link of a received mail that contains `fragment`."""
    body = mail.message.get_body(preferencelist=("plain",)).get_content()
    [link] = [url for url in re.findall(r"https?://\S+", body) if fragment in url]
    return link


def stored(email: str) -> Subscriber:
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


def test_subscribe_confirm_preferences_unsubscribe(app, page, smtp_server):
    app.config["WTF_CSRF_ENABLED"] = True  # the real forms, tokens and all
    page.goto("/subscribe")
    page.fill("input[name=email]", "Ines.Browser@Example.org")
    page.fill("input[name=first_name]", "Inès")
    page.fill("input[name=last_name]", "Navigatrice")
    page.select_option("select[name=territory_code]", "2A")
    page.check("input[name=mode_ids] >> nth=3")
    page.check("input[name=consent]")
    page.click("form[action$='/subscribe'] button[type=submit]")
    page.wait_for_load_state()

    subscriber = stored("ines.browser@example.org")
    assert subscriber.status == "pending" and subscriber.territory_code == "2A"
    run_worker(app)  # the worker sends the confirmation the form queued
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["ines.browser@example.org"]

    page.goto(only_link(mail, "/confirm/"))
    assert stored("ines.browser@example.org").status == "pending"  # a GET changes nothing
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    confirmed = stored("ines.browser@example.org")
    assert confirmed.status == "active" and confirmed.consent_source == "form"

    page.click("main a[href*='/preferences/']")
    page.wait_for_load_state()
    page.fill("input[name=organisation]", "Maison des associations d'Ajaccio")
    page.select_option("select[name=territory_code]", "2B")
    page.click("main form:first-of-type button[type=submit]")
    page.wait_for_load_state()
    edited = stored("ines.browser@example.org")
    assert edited.organisation == "Maison des associations d'Ajaccio"
    assert edited.territory_code == "2B"

    page.click("main form[action*='/unsubscribe/'] button[type=submit]")
    page.wait_for_load_state()
    assert stored("ines.browser@example.org").status == "unsubscribed"
    assert any(e.new_status == "unsubscribed" for e in stored("ines.browser@example.org").events)
