"""Confirmation emails for subscribers imported as pending, sent after the commit."""

from __future__ import annotations

import contextlib
import logging
import smtplib

from flask import current_app

from cac_news.audience import links, mail
from cac_news.extensions import db
from cac_news.mailing.smtp import envelope_sender, open_connection
from cac_news.models import Subscriber

log = logging.getLogger(__name__)


def send_confirmations(subscriber_ids: list[int]) -> tuple[int, int]:
    """Mail a confirmation link to each pending subscriber; return (sent, failed).

    One SMTP connection serves the whole list (an import may hold thousands); it is
    reopened after a dropped connection, and a refused address fails alone.
    """
    config = current_app.config
    sender = envelope_sender(config)
    sent = failed = 0
    connection: smtplib.SMTP | None = None
    try:
        for subscriber_id in subscriber_ids:
            subscriber = db.session.get(Subscriber, subscriber_id)
            if subscriber is None or subscriber.status != "pending":
                continue
            message = mail.build_message(
                subscriber.email,
                subscriber.language,
                "confirm",
                email=subscriber.email,
                confirm_url=links.confirm_url(subscriber),
            )
            try:
                if connection is None:
                    connection = open_connection(config)
                connection.send_message(message, from_addr=sender)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                # The answer may quote the address: the log names the subscriber by id only.
                log.warning("confirmation to subscriber %s refused: %s", subscriber_id, _code(exc))
                failed += 1
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    connection.rset()
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("confirmation to subscriber %s failed: %s", subscriber_id, _code(exc))
                failed += 1
                _close(connection)
                connection = None
            else:
                sent += 1
    finally:
        _close(connection)
    return sent, failed


def _close(connection: smtplib.SMTP | None) -> None:
    """Say goodbye to the server, ignoring a connection that is already gone."""
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()


def _code(exc: Exception) -> str:
    """An SMTP error for the log: its class and reply code, never its text."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__
