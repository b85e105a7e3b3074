"""Helpers for discussion-list tests: a list with members, messages, the LMTP server."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from cac_news.lists import lmtp, manage, members

LIST_CONFIG = {"DMARC_LOOKUP": False, "DMARC_STRICT_DOMAINS": ["strict.example"]}
ADDRESS = "gt@example.org"  # MAIL_FROM is lettre@example.org in the tests


def make_list(
    make_subscriber, people=("ana@example.net", "bob@example.net", "chloe@example.net"), **fields
):
    """The list GT (gt@example.org) with these active subscribers as members."""
    data = manage.ListData(
        name=fields.pop("name", "GT"), address=fields.pop("address", "gt"), **fields
    )
    mailing_list = manage.save_list(data)
    subscribers = [
        make_subscriber(email=email, first_name=email.split("@")[0].title(), last_name="Membre")
        for email in people
    ]
    members.add_with_consent(mailing_list, subscribers, "Réunion du 3 mars, liste d'émargement")
    return mailing_list, subscribers


def message(
    sender="ana@example.net",
    subject="Ordre du jour",
    body="Bonjour à toutes et tous,\nvoici l'ordre du jour.\n",
    name="Ana Membre",
    message_id=None,
    in_reply_to=None,
    references=None,
    to=ADDRESS,
    **headers,
) -> bytes:
    """A plain-text message as a mail client writes it."""
    mail = EmailMessage()
    mail["From"] = f"{name} <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate()
    mail["Message-ID"] = message_id or f"<{abs(hash((sender, subject, body)))}@example.net>"
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    for key, value in headers.items():
        mail[key.replace("_", "-")] = value
    mail.set_content(body)
    return mail.as_bytes()


def serve_lmtp(app):
    """The lists' LMTP server on a free loopback port (a fixture's body)."""
    from tests.fixtures.database import free_port

    controller = lmtp.start(app, "127.0.0.1", free_port())
    try:
        yield controller
    finally:
        controller.stop()


def lmtp_send(controller, raw: bytes, sender="ana@example.net", rcpt=ADDRESS) -> dict:
    """Hand one message to the LMTP server as an MTA does; returns refused recipients."""
    with smtplib.LMTP(controller.hostname, controller.port) as client:
        return client.sendmail(sender, [rcpt], raw)
