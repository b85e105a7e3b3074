"""SMTP connections configured from the app settings (SSL, STARTTLS, AUTH)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import parseaddr


def open_connection(config: Mapping) -> smtplib.SMTP:
    """Connect and log in to the configured SMTP server; the caller closes it."""
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = config.get("MAIL_TIMEOUT", 30)
    if config.get("MAIL_USE_SSL"):
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            connection.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return connection


def envelope_sender(config: Mapping) -> str:
    """The bare address of MAIL_FROM, used as the envelope sender."""
    return parseaddr(config["MAIL_FROM"])[1]


def send_one(message: EmailMessage, config: Mapping) -> None:
    """Send one message on its own connection (transactional mail, test sends)."""
    with open_connection(config) as connection:
        connection.send_message(message, from_addr=envelope_sender(config))
