"""The welcome mail: optional, queued with the confirmation, sent once by the worker over
SMTP with the letters' template, personalisation and unsubscribe headers."""

from __future__ import annotations

from sqlalchemy import select

from cac_news import settings
from cac_news.audience import rights
from cac_news.extensions import db
from cac_news.models import OutboxKind, OutboxMail, Subscriber, WelcomeRecord
from tests.audience.test_subscription import confirm_from_mail, form
from tests.audience_helpers import path_of
from tests.engine_helpers import run_worker

WELCOME = {
    "welcome_enabled": True,
    "welcome_subject": "Bienvenue {{ prénom }} !",
    "welcome_body": "Merci, {{ prénom }}. Lisez [les archives](https://cac.example.org/archives/).",
}


def welcomes(smtp_server) -> list:
    return [m for m in smtp_server.messages if "Bienvenue" in m.message["Subject"]]


def subscribe_and_confirm(app, client, smtp_server, email="Lea.Dupont@Exemple.ORG") -> str:
    client.post("/subscribe", data=form(email))
    run_worker(app)
    confirmation = next(m for m in smtp_server.messages if m.rcpt_tos == [email.lower()])
    path = confirm_from_mail(client, confirmation)
    assert client.post(path).status_code == 200
    return path


def test_welcome_received_once_after_confirmation(app, client, smtp_server):
    settings.save(WELCOME)
    path = subscribe_and_confirm(app, client, smtp_server)
    assert welcomes(smtp_server) == []  # queued: the worker sends it after the commit
    run_worker(app)
    [mail] = welcomes(smtp_server)
    assert mail.rcpt_tos == ["lea.dupont@exemple.org"]
    message = mail.message
    assert message["Subject"] == "Bienvenue Léa !"
    assert message["From"] == settings.load().mail_from
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message["List-Unsubscribe"]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    # The letters' template: greeting, the body's Markdown, footer, unsubscribe link.
    assert "Bonjour Léa," in html and "Merci, Léa." in html
    assert 'href="https://cac.example.org/archives/"' in html
    assert settings.load().organisation_address in html
    assert "Bonjour Léa," in text and "Merci, Léa." in text
    unsubscribe = [line for line in text.splitlines() if "/unsubscribe/" in line]
    assert unsubscribe and client.get(path_of(unsubscribe[0].split()[-1])).status_code == 200

    # A second click on the confirmation link sends nothing more.
    client.post(path)
    run_worker(app)
    assert len(welcomes(smtp_server)) == 1
    assert db.session.query(WelcomeRecord).count() == 1


def test_not_sent_twice_after_unsubscribing_and_coming_back(app, client, smtp_server):
    settings.save(WELCOME)
    subscribe_and_confirm(app, client, smtp_server)
    run_worker(app)
    subscriber = db.session.scalar(select(Subscriber))
    rights.unsubscribe(subscriber, detail="link")
    db.session.commit()
    smtp_server.messages.clear()
    subscribe_and_confirm(app, client, smtp_server)
    run_worker(app)
    db.session.expire_all()
    assert db.session.scalar(select(Subscriber.status)) == "active"
    assert welcomes(smtp_server) == []


def test_off_by_default_nothing_queued(app, client, smtp_server):
    subscribe_and_confirm(app, client, smtp_server)
    run_worker(app)
    assert welcomes(smtp_server) == []
    assert db.session.query(WelcomeRecord).count() == 0
    kinds = db.session.scalars(select(OutboxMail.kind)).all()
    assert OutboxKind.WELCOME not in kinds


def test_sent_through_the_worker_smtp_settings_and_retried(app, client, smtp_server):
    settings.save(WELCOME)
    subscribe_and_confirm(app, client, smtp_server)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # the server is down: the request waits for a retry
    run_worker(app)
    row = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == OutboxKind.WELCOME))
    assert row.status == "queued" and row.attempts == 1
    app.config["MAIL_PORT"] = port
    row.next_attempt_at = row.created_at
    db.session.commit()
    run_worker(app)
    assert len(welcomes(smtp_server)) == 1


def test_an_unsubscribe_before_the_worker_runs_cancels_it(app, client, smtp_server):
    settings.save(WELCOME)
    subscribe_and_confirm(app, client, smtp_server)
    rights.unsubscribe(db.session.scalar(select(Subscriber)), detail="link")
    db.session.commit()
    run_worker(app)
    assert welcomes(smtp_server) == []


def test_turned_off_before_the_worker_runs_sends_nothing(app, client, smtp_server):
    settings.save(WELCOME)
    subscribe_and_confirm(app, client, smtp_server)
    settings.save({"welcome_enabled": False})
    run_worker(app)
    assert welcomes(smtp_server) == []
    row = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == OutboxKind.WELCOME))
    assert row.status == "dropped"
