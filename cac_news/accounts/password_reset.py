"""Password reset by email: a request queues a mail, the link opens once, for one hour.

The request does the same work whatever the address (one outbox row, one commit); the
worker mails only an active pilot. The link is signed and names the pilot and a
fingerprint of their current password hash: setting a new password (through this link or
any other way) kills every link sent before, so a link works once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from cac_news.accounts import audit
from cac_news.audience import mail, outbox
from cac_news.extensions import db
from cac_news.models import OutboxKind, OutboxMail, Pilot
from cac_news.pilots import change_password, login_key
from cac_news.timeutil import utcnow
from cac_news.urls import external_url

VALID_FOR = timedelta(hours=1)
SALT = "pilot-password-reset"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(pilot: Pilot) -> str:
    return hashlib.sha256(pilot.password_hash.encode()).hexdigest()[:20]


def _timestamp(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def make_token(pilot: Pilot, now: datetime | None = None) -> str:
    """A reset token for the pilot, issued at `now`."""
    issued = _timestamp(now or utcnow())
    return _serializer().dumps({"p": pilot.id, "h": _fingerprint(pilot), "t": issued})


def pilot_for_token(token: str, now: datetime | None = None) -> Pilot | None:
    """The active pilot a token still opens: signed, under an hour old, password unchanged."""
    try:
        data = _serializer().loads(token)
        pilot_id, fingerprint, issued = int(data["p"]), str(data["h"]), int(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    age = _timestamp(now or utcnow()) - issued
    if not 0 <= age <= VALID_FOR.total_seconds():
        return None
    pilot = db.session.get(Pilot, pilot_id)
    if pilot is None or not pilot.active or _fingerprint(pilot) != fingerprint:
        return None
    return pilot


def request_reset(email: str, language: str) -> None:
    """Queue a reset mail for the address typed in the form, known or not, and commit."""
    outbox.queue(OutboxKind.PASSWORD_RESET, login_key(email)[:254], language)


def reset_password(token: str, password: str, now: datetime | None = None) -> Pilot | None:
    """Set a new password through a reset link; every login of the pilot ends.

    Returns the pilot, or None when the link no longer opens anything. Raises
    ValidationError (field "password") for a weak password.
    """
    pilot = pilot_for_token(token, now)
    if pilot is None:
        return None
    change_password(pilot, password)
    audit.record("password.reset", pilot, pilot=pilot)
    return pilot


def reset_mail_for(row: OutboxMail, now: datetime) -> Callable[[], None] | None:
    """The worker's side: the reset mail for an active pilot's address, else nothing."""
    pilot = db.session.scalar(select(Pilot).where(Pilot.email == row.email, Pilot.active))
    if pilot is None:
        return None
    url = external_url("auth.reset_password", token=make_token(pilot, now))
    return lambda: mail.send(
        row.email, row.language, "password_reset", name=pilot.name, reset_url=url
    )


def register_outbox_mail() -> None:
    """Let the outbox worker send the reset mails."""
    outbox.register_builder(OutboxKind.PASSWORD_RESET, reset_mail_for)
