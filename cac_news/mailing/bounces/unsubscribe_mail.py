"""Unsubscribe requests that arrive by mail: the mailto: of every List-Unsubscribe header.

The engine writes `mailto:unsubscribe@…?subject=unsubscribe <token>`; a mail client sends
that message to the list's mailbox, which `flask bounces process|fetch` reads. A request is
recognised by its subject and acted on only when the token is a valid unsubscribe token.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

from cac_news.audience import rights, tokens

from .apply import Outcome, StatusChange

SUBJECT = re.compile(r"^\s*(?:(?:re|fwd?|tr)\s*:\s*)*unsubscribe\s+([\w.-]+)\s*$", re.IGNORECASE)


def requested_token(raw: bytes) -> str | None:
    """The token of an unsubscribe request, or None when the message is not one."""
    try:
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        subject = str(headers.get("Subject") or "")
    except Exception:  # noqa: BLE001 — a message we cannot read is simply not a request
        return None
    found = SUBJECT.match(subject)
    return found.group(1) if found else None


def apply_request(token: str) -> Outcome:
    """Unsubscribe the subscriber the token names; an invalid token changes nothing."""
    try:
        subscriber, _extra = tokens.load_token(token, tokens.UNSUBSCRIBE)
    except tokens.TokenError as exc:
        return Outcome("unsubscribe", "unmatched", note=f"unsubscribe request: {exc.reason} token")
    old_status = subscriber.status
    outcome = Outcome("unsubscribe", "matched", matched=[subscriber.id])
    if rights.unsubscribe(subscriber, detail="mailto"):
        outcome.changes.append(
            StatusChange(subscriber.id, subscriber.email, old_status, "unsubscribed", "mailto")
        )
    return outcome
