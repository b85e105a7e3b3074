"""Creating, finding, listing and revoking API tokens.

A token is `cacn_` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256
is stored: the token itself is shown once, to whoever created it, and never again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.models import API_SCOPES, ApiToken, Pilot
from cac_news.timeutil import utcnow

TOKEN_PREFIX = "cacn_"  # noqa: S105 (a marker that makes leaked tokens findable)
NAME_MAX = 120
# A token's last use is written at most this often: one UPDATE per minute, not per call.
LAST_USE_RESOLUTION = timedelta(minutes=1)


@dataclass
class NewToken:
    """A token just created: the stored row and the only copy of the secret."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def end_of_day_utc(day: date) -> datetime:
    """The end of this day in the site's time zone, as naive UTC: the token's expiry."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
    local = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def parse_expiry(value: str | None) -> date | None:
    """A YYYY-MM-DD date, or None for an empty value; ValidationError otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError.single(
            "expires", str(_l("Give the expiry date as YYYY-MM-DD."))
        ) from exc


def create_token(
    name: str, scopes: list[str], expires_on: date | None = None, actor: Pilot | None = None
) -> NewToken:
    """Check and store a new token; return it with its secret (to show once)."""
    name = (name or "").strip()
    errors = ErrorCollector()
    if not name:
        errors.add("name", str(_l("A name is required.")))
    elif len(name) > NAME_MAX or any(ord(c) < 32 for c in name):
        errors.add("name", str(_l("At most %(n)d characters, no control characters.", n=NAME_MAX)))
    elif name.isdigit():
        errors.add("name", str(_l("A name cannot be only digits (ids are).")))
    elif db.session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        errors.add("name", str(_l("A token with this name already exists.")))
    chosen = set(scopes or [])
    if not chosen:
        errors.add("scopes", str(_l("Choose at least one scope.")))
    elif not chosen <= set(API_SCOPES):
        errors.add("scopes", str(_l("Unknown scope.")))
    elif "import" in chosen and "write" not in chosen:
        errors.add("scopes", str(_l("The import scope goes with the write scope.")))
    expires_at = end_of_day_utc(expires_on) if expires_on is not None else None
    if expires_at is not None and expires_at <= utcnow():
        errors.add("expires", str(_l("The expiry date is in the past.")))
    errors.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        scopes=" ".join(s for s in API_SCOPES if s in chosen),
        token_hash=hash_secret(secret),
        created_by_id=actor.id if actor is not None else None,
        expires_at=expires_at,
    )
    db.session.add(token)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same name created at the same moment
        db.session.rollback()
        raise ValidationError.single(
            "name", str(_l("A token with this name already exists."))
        ) from exc
    return NewToken(token=token, secret=secret)


def find_by_secret(secret: str) -> ApiToken | None:
    """The token with this secret, usable or not; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))


def record_use(token: ApiToken, now: datetime | None = None) -> None:
    """Note the token's last use (at most once a minute); commits."""
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        token.last_used_at = now
        db.session.commit()


def list_tokens() -> list[ApiToken]:
    """Every token, newest first, revoked ones included (they stay for the record)."""
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def find_token(name_or_id: str) -> ApiToken | None:
    """A token by its name, or by its id when the argument is a number."""
    value = (name_or_id or "").strip()
    if value.isdigit() and len(value) <= 10:
        found = db.session.get(ApiToken, int(value))
        if found is not None:
            return found
    return db.session.scalar(select(ApiToken).where(ApiToken.name == value))


def revoke_token(token: ApiToken) -> bool:
    """Revoke a token (idempotent); True when it was still unrevoked; commits."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.commit()
    return True
