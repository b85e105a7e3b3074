"""The suppression list: keyed hashes of erased addresses, never the addresses themselves."""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import delete, select

from cac_news.extensions import db
from cac_news.models import Suppression


def email_hash(email: str, secret: str | bytes | None = None) -> str:
    """HMAC-SHA256 of a normalised address keyed with SECRET_KEY (hex)."""
    key = secret if secret is not None else current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    return hmac.digest(key, email.strip().lower().encode(), "sha256").hex()


def is_suppressed(email: str) -> bool:
    """Whether this (normalised) address was erased and not confirmed again since."""
    digest = email_hash(email)
    found = db.session.scalar(select(Suppression.id).where(Suppression.email_hash == digest))
    return found is not None


def suppressed_among(emails: Iterable[str]) -> set[str]:
    """The addresses of a batch that are on the suppression list (one query)."""
    if db.session.scalar(select(Suppression.id).limit(1)) is None:
        return set()  # the usual case: nobody ever erased, no hashing needed
    by_hash = {email_hash(e): e for e in emails}
    if not by_hash:
        return set()
    found = db.session.scalars(
        select(Suppression.email_hash).where(Suppression.email_hash.in_(list(by_hash)))
    )
    return {by_hash[h] for h in found}


def suppress(email: str, reason: str = "erased") -> None:
    """Put an address on the suppression list (idempotent); the caller commits."""
    digest = email_hash(email)
    if db.session.scalar(select(Suppression.id).where(Suppression.email_hash == digest)) is None:
        db.session.add(Suppression(email_hash=digest, reason=reason))


def lift(email: str) -> None:
    """Take an address off the list after its owner confirmed again; the caller commits."""
    db.session.execute(delete(Suppression).where(Suppression.email_hash == email_hash(email)))
