"""Transactional emails to subscribers: confirmation, "my link", already subscribed."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from cac_news import settings
from cac_news.mail.smtp import envelope_sender, send_one


def build_message(to: str, language: str, template: str, **context) -> EmailMessage:
    """A plain-text message rendered from templates/email/<template>.txt in `language`.

    The template's first line is the subject, the rest the body.
    """
    with force_locale(language):
        rendered = render_template(f"email/{template}.txt", **context)
    subject, _, body = rendered.lstrip().partition("\n")
    message = EmailMessage()
    message["From"] = settings.load().mail_from
    message["To"] = to
    message["Subject"] = subject.strip()
    message["Date"] = formatdate(localtime=False)
    domain = envelope_sender(current_app.config).rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body.strip() + "\n")
    return message


def send(to: str, language: str, template: str, **context) -> None:
    """Build and send one transactional message over the configured SMTP server."""
    send_one(build_message(to, language, template, **context), current_app.config)
