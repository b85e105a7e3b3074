"""The MTA's side of incoming list mail: one message for one recipient, answered with the
code its transport understands (sysexits for a pipe, an SMTP reply for LMTP)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from cac_news.extensions import db
from cac_news.lists import incoming

log = logging.getLogger(__name__)
EX_OK, EX_NOUSER, EX_SOFTWARE, EX_TEMPFAIL = 0, 67, 70, 75


def receive_safely(recipient: str, raw: bytes, sender: str | None):
    """(Outcome or None, exception): a database failure (or a bug) is temporary: the MTA
    keeps the message and tries again, so nothing is lost."""
    try:
        return incoming.receive(recipient, raw, sender), None
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        log.warning("list mail for %s: temporary failure: %s", recipient, type(exc).__name__)
        return None, exc
    except Exception as exc:  # a bug: the MTA keeps the message and retries, nothing is lost
        db.session.rollback()
        log.exception("list mail for %s: unexpected error", recipient)
        return None, exc


def deliver_one(recipient: str, raw: bytes, sender: str | None) -> tuple[int, str]:
    """(exit code, message) for `flask lists deliver`."""
    outcome, error = receive_safely(recipient, raw, sender)
    if outcome is None:
        return EX_TEMPFAIL, f"4.3.0 temporary failure, try again later ({type(error).__name__})"
    if outcome.status == incoming.UNKNOWN:
        return EX_NOUSER, f"5.1.1 {recipient}: no such list"
    return EX_OK, outcome.status


def lmtp_reply(recipient: str, raw: bytes, sender: str | None) -> str:
    """The LMTP answer for one recipient of a message."""
    outcome, _error = receive_safely(recipient, raw, sender)
    if outcome is None:
        return "451 4.3.0 Temporary failure, try again later"
    if outcome.status == incoming.UNKNOWN:
        return f"550 5.1.1 <{recipient}>: no such list"
    return f"250 2.0.0 {outcome.status}"
