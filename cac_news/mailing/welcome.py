"""Send one welcome mail (an outbox request): the letters' template and message builder,
with the one-click unsubscribe headers, over the worker's SMTP settings."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

from cac_news import settings
from cac_news.audience import tokens
from cac_news.compose.render import GREETING_NAME, PREFERENCES_URL, UNSUBSCRIBE_URL
from cac_news.compose.welcome import render_welcome, welcome_subject
from cac_news.mail.dkim import DKIMSigner
from cac_news.mail.headers import make_message_id
from cac_news.mail.message import MessageTemplate
from cac_news.mail.smtp import envelope_sender, open_connection
from cac_news.mailing.mailer import (
    SPACED_GREETING,
    UNSUBSCRIBE_ENDPOINTS,
    list_id,
    mail_domain,
    unsubscribe_mailto,
    url_maker,
)
from cac_news.models import OutboxMail, Subscriber
from cac_news.urls import external_url


def build_welcome(subscriber: Subscriber, config: Mapping) -> bytes:
    """The complete welcome message for one subscriber, as bytes."""
    site = settings.load()
    rendered = render_welcome(site)
    spaced = " " + GREETING_NAME
    template = MessageTemplate.build(
        from_addr=site.mail_from,
        subject=welcome_subject(site, subscriber.first_name or ""),
        reply_to=site.reply_to or None,
        list_id=list_id(config),
        list_archive_url=external_url("public.archive"),
        html=rendered.html.replace(spaced, SPACED_GREETING),
        text=rendered.text.replace(spaced, SPACED_GREETING),
        domain=mail_domain(config),
    )
    person = SimpleNamespace(id=subscriber.id, email=subscriber.email)
    unsubscribe_token = tokens.make_token(person, tokens.UNSUBSCRIBE)
    unsubscribe_url, preferences_url = map(url_maker, UNSUBSCRIBE_ENDPOINTS)
    unsubscribe = unsubscribe_url(unsubscribe_token)
    first_name = subscriber.first_name or ""
    values = {
        GREETING_NAME: first_name,
        SPACED_GREETING: f" {first_name}" if first_name else "",
        UNSUBSCRIBE_URL: unsubscribe,
        PREFERENCES_URL: preferences_url(tokens.make_token(person, tokens.PREFERENCES)),
    }
    name = " ".join(filter(None, (subscriber.first_name, subscriber.last_name)))
    data = template.render(
        subscriber.email,
        name,
        values,
        unsubscribe,
        unsubscribe_mailto(config, unsubscribe_token),
        make_message_id(mail_domain(config)),
    )
    signer = DKIMSigner.from_config(config)
    return signer.sign(data) if signer is not None else data


def send_welcome(row: OutboxMail, subscriber: Subscriber, config: Mapping) -> None:
    """The outbox's sender for WELCOME requests (SMTP errors go back to the outbox)."""
    data = build_welcome(subscriber, config)
    with open_connection(config) as connection:
        connection.sendmail(envelope_sender(config), [subscriber.email], data)
