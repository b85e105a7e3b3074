"""One newsletter's messages: the MIME skeleton built once from the frozen templates,
then one recipient's bytes per delivery (links, headers, optional DKIM signature)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from types import SimpleNamespace
from urllib.parse import quote

from cac_news import settings
from cac_news.audience import tokens
from cac_news.compose.render import (
    GREETING_NAME,
    PREFERENCES_URL,
    UNSUBSCRIBE_URL,
    fallback_tokens,
    subject_template,
    web_copy_url,
)
from cac_news.mail.dkim import DKIMSigner
from cac_news.mail.message import MessageTemplate
from cac_news.mail.smtp import envelope_sender
from cac_news.models import Newsletter
from cac_news.urls import external_url

# The greeting token with the space before it: an empty name takes its space along
# ("Bonjour," rather than "Bonjour ,"), as personalise() does for test sends.
SPACED_GREETING = "CACNEWSxSPACEDxGREETINGxNAME"


def mail_domain(config: Mapping) -> str:
    """The domain of MAIL_FROM: Message-IDs, List-Id and the unsubscribe mailbox live there."""
    return envelope_sender(config).rpartition("@")[2].lower() or "localhost"


def list_id(config: Mapping) -> str:
    """``Name <slug.domain>``: LIST_ID, or the site name and MAIL_FROM's local part."""
    if config.get("LIST_ID"):
        return config["LIST_ID"]
    local = envelope_sender(config).rpartition("@")[0].lower()
    slug = "".join(c if c.isalnum() or c == "-" else "-" for c in local).strip("-") or "list"
    return f"{config.get('SITE_NAME', 'Newsletter')} <{slug}.{mail_domain(config)}>"


def unsubscribe_mailto(config: Mapping, token: str) -> str:
    """The mailto: unsubscribe URL; the token is the subject so the mailbox can act on it."""
    address = config.get("LIST_UNSUBSCRIBE_MAILTO") or f"unsubscribe@{mail_domain(config)}"
    return f"mailto:{address}?subject=unsubscribe%20{quote(token, safe=URL_SAFE_EXTRA)}"


# Characters of an itsdangerous URL-safe token: nothing in them needs escaping in a URL.
URL_SAFE_EXTRA = "-_."
SLOT_MARK = "CACNEWSxTOKENxSLOT"
UNSUBSCRIBE_ENDPOINTS = ("subscription.unsubscribe", "subscription.preferences")


def url_maker(endpoint: str):
    """A function token -> absolute URL, with the route built once rather than per call."""
    prefix, _, suffix = external_url(endpoint, token=SLOT_MARK).partition(SLOT_MARK)
    return lambda token: prefix + quote(token, safe=URL_SAFE_EXTRA) + suffix


class LetterMailer:
    """The one builder of letter-shaped mail (newsletters, their test sends, welcome mails):
    the MIME skeleton encoded once, then one recipient's bytes with their links, the List-*
    headers and the optional DKIM signature."""

    def __init__(
        self,
        *,
        subject: str,
        html: str,
        text: str,
        archive_url: str,
        reply_to: str | None,
        config: Mapping,
        number: int | None = None,
        harmless_links: str | None = None,
    ) -> None:
        self.config = config
        self.domain = mail_domain(config)
        spaced = " " + GREETING_NAME
        site = settings.load()  # the sender as the settings say when the mail is built
        subject = subject.replace(spaced, SPACED_GREETING)
        # {{ prénom | "ami·e" }} tokens of this letter: the first name, else the fallback.
        self.fallbacks = fallback_tokens(subject, html, text)
        personal = any(t in subject for t in (GREETING_NAME, SPACED_GREETING, *self.fallbacks))
        self.template = MessageTemplate.build(
            from_addr=site.mail_from,
            subject=subject,
            personal_subject=personal,
            reply_to=reply_to or site.reply_to or None,
            list_id=list_id(config),
            list_archive_url=archive_url,
            html=html.replace(spaced, SPACED_GREETING),
            text=text.replace(spaced, SPACED_GREETING),
            domain=self.domain,
        )
        self.signer = DKIMSigner.from_config(config)
        self.harmless_links = harmless_links
        # ?n=<letter number>: the unsubscribe event records which letter it came from.
        query = f"?n={number}" if number is not None else ""
        unsubscribe_url, preferences_url = map(url_maker, UNSUBSCRIBE_ENDPOINTS)
        self.unsubscribe_url = lambda token: f"{unsubscribe_url(token)}{query}"
        self.preferences_url = lambda token: f"{preferences_url(token)}{query}"

    def render_for(
        self, subscriber_id: int, email: str, name: str, first_name: str, message_id: str
    ) -> bytes:
        """One recipient's message; a test send's links all lead to the harmless page."""
        if self.harmless_links:
            unsubscribe = preferences = self.harmless_links
            mailto = None
        else:
            person = SimpleNamespace(id=subscriber_id, email=email)
            unsubscribe_token = tokens.make_token(person, tokens.UNSUBSCRIBE)
            unsubscribe = self.unsubscribe_url(unsubscribe_token)
            preferences = self.preferences_url(tokens.make_token(person, tokens.PREFERENCES))
            mailto = unsubscribe_mailto(self.config, unsubscribe_token)
        first_name = first_name or ""
        values = {
            GREETING_NAME: first_name,
            SPACED_GREETING: f" {first_name}" if first_name else "",
            UNSUBSCRIBE_URL: unsubscribe,
            PREFERENCES_URL: preferences,
        }
        for token, fallback in self.fallbacks.items():
            values[token] = first_name or fallback
        data = self.template.render(email, name or "", values, unsubscribe, mailto, message_id)
        return self.signer.sign(data) if self.signer is not None else data


class NewsletterMailer(LetterMailer):
    """Renders one frozen newsletter for each of its recipients."""

    def __init__(self, newsletter: Newsletter, config: Mapping) -> None:
        if newsletter.email_html is None or newsletter.email_text is None:
            raise ValueError(f"newsletter {newsletter.id} has no frozen email")
        self.number = newsletter.number
        self.envelope_from = envelope_sender(config)
        self.secret = str(config["SECRET_KEY"]).encode()
        super().__init__(
            subject=subject_template(newsletter),
            html=newsletter.email_html,
            text=newsletter.email_text,
            archive_url=web_copy_url(newsletter),
            reply_to=newsletter.reply_to,
            config=config,
            number=newsletter.number,
        )

    def message_id(self, delivery_id: int) -> str:
        """The same Message-ID every time for one delivery, so that a message re-sent after
        a crash is a duplicate mail clients recognise; keyed so that nobody can guess it."""
        digest = hmac.new(self.secret, f"delivery:{delivery_id}".encode(), hashlib.sha256)
        return f"<n{self.number}.{delivery_id}.{digest.hexdigest()[:16]}@{self.domain}>"

    def render(
        self, delivery_id: int, subscriber_id: int, email: str, name: str, first_name: str
    ) -> tuple[str, bytes]:
        """(Message-ID, message bytes) for one recipient; ValueError for an unusable address."""
        message_id = self.message_id(delivery_id)
        return message_id, self.render_for(subscriber_id, email, name, first_name, message_id)
