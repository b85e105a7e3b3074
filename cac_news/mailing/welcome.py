"""Send one welcome mail (an outbox request): the letters' template and message builder,
with the one-click unsubscribe headers, over the worker's SMTP settings."""

from __future__ import annotations

from collections.abc import Mapping

from cac_news import settings
from cac_news.compose.welcome import render_welcome, welcome_subject
from cac_news.mail.headers import make_message_id
from cac_news.mail.smtp import envelope_sender, open_connection
from cac_news.mailing.mailer import LetterMailer, mail_domain
from cac_news.models import OutboxMail, Subscriber
from cac_news.urls import external_url


def build_welcome(subscriber: Subscriber, config: Mapping) -> bytes:
    """The complete welcome message for one subscriber, as bytes."""
    site = settings.load()
    rendered = render_welcome(site)
    mailer = LetterMailer(
        subject=welcome_subject(site, subscriber.first_name or ""),
        html=rendered.html,
        text=rendered.text,
        archive_url=external_url("public.archive"),
        reply_to=None,
        config=config,
    )
    name = " ".join(filter(None, (subscriber.first_name, subscriber.last_name)))
    message_id = make_message_id(mail_domain(config))
    return mailer.render_for(
        subscriber.id, subscriber.email, name, subscriber.first_name or "", message_id
    )


def send_welcome(row: OutboxMail, subscriber: Subscriber, config: Mapping) -> None:
    """The outbox's sender for WELCOME requests (SMTP errors go back to the outbox)."""
    data = build_welcome(subscriber, config)
    with open_connection(config) as connection:
        connection.sendmail(envelope_sender(config), [subscriber.email], data)
