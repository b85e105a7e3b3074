"""Signed, purpose-scoped links for subscribers (itsdangerous).

Each purpose has its own salt, so a token made for one purpose is refused by the others.
Confirmation tokens expire; unsubscribe and preferences tokens do not, but they are bound to
the subscriber's id and a fingerprint of the address: erasing the subscriber or changing the
address makes the old links worthless.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin
from sqlalchemy import func, select

from cac_news.audience.suppression import email_hash
from cac_news.extensions import db
from cac_news.models import Subscriber, SubscriptionEvent

CONFIRM = "confirm"
PREFERENCES = "preferences"
UNSUBSCRIBE = "unsubscribe"
PURPOSES = (CONFIRM, PREFERENCES, UNSUBSCRIBE)
CONFIRM_MAX_AGE = 7 * 24 * 3600


class TokenError(Exception):
    """A link that cannot be used; `reason` is "invalid", "expired" or "used"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeSerializer:
    """Confirmation tokens carry a timestamp; the others are stable, so that a subscriber's
    unsubscribe and preferences URLs are the same in every email."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose: {purpose!r}")
    kind = URLSafeTimedSerializer if purpose == CONFIRM else UncompressedSerializer
    return kind(current_app.config["SECRET_KEY"], salt=f"cac-news-{purpose}")


class UncompressedSerializer(URLSafeSerializer):
    """Never tries zlib on these tiny payloads (a compression attempt per recipient costs
    more than the HMAC); it still reads tokens that were compressed."""

    def dump_payload(self, obj: Any) -> bytes:
        """JSON, then URL-safe base64, without the compression attempt."""
        json = super(URLSafeSerializerMixin, self).dump_payload(obj)
        return base64_encode(json)


def fingerprint(email: str) -> str:
    """A short keyed digest of the address, so that tokens die when the address changes."""
    return _fingerprint(current_app.config["SECRET_KEY"], email)


@lru_cache(maxsize=256)
def _fingerprint(secret: str, email: str) -> str:
    # Cached: the engine signs two tokens (unsubscribe, preferences) per recipient.
    return email_hash(email, secret)[:16]


def make_token(subscriber: Subscriber, purpose: str, extra: dict[str, Any] | None = None) -> str:
    """Sign a token for this subscriber and purpose, with optional extra data."""
    payload: dict[str, Any] = {"s": subscriber.id, "f": fingerprint(subscriber.email)}
    if purpose == CONFIRM:
        payload["e"] = last_status_event_id(subscriber)
    if extra:
        payload["x"] = extra
    return _serializer(purpose).dumps(payload)


def last_status_event_id(subscriber: Subscriber) -> int | None:
    """The id of the subscriber's latest status change, which a confirmation link is bound to."""
    return db.session.scalar(
        select(func.max(SubscriptionEvent.id)).where(
            SubscriptionEvent.subscriber_id == subscriber.id, SubscriptionEvent.kind == "status"
        )
    )


def load_token(token: str, purpose: str) -> tuple[Subscriber, dict[str, Any]]:
    """Check a token and return its subscriber and extra data, or raise TokenError."""
    max_age = current_app.config.get("CONFIRM_TOKEN_MAX_AGE", CONFIRM_MAX_AGE)
    try:
        serializer = _serializer(purpose)
        if purpose == CONFIRM:
            payload = serializer.loads(token, max_age=max_age)
        else:
            payload = serializer.loads(token)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise TokenError("invalid")
    subscriber = db.session.get(Subscriber, payload["s"])
    if subscriber is None or fingerprint(subscriber.email) != payload.get("f"):
        raise TokenError("invalid")
    if purpose == CONFIRM and payload.get("e") != last_status_event_id(subscriber):
        # Single use: the confirmation itself, or any later status change, supersedes it.
        raise TokenError("used")
    extra = payload.get("x") or {}
    return subscriber, extra if isinstance(extra, dict) else {}
