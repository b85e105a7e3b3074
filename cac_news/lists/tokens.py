"""Signed links of list members: join (invitation), leave (one click), archive access."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

JOIN = "join"  # an invitation's confirmation: double opt-in, expires
LEAVE = "leave"  # in every list message: stable, never expires
ARCHIVE = "archive"  # a members-only archive's magic link: expires
MAX_AGE = {JOIN: 7 * 24 * 3600, ARCHIVE: 30 * 24 * 3600}


def _serializer(purpose: str):
    kind = URLSafeSerializer if purpose == LEAVE else URLSafeTimedSerializer
    return kind(current_app.config["SECRET_KEY"], salt=f"cac-news-list-{purpose}")


def make(purpose: str, list_id: int, subscriber_id: int) -> str:
    """A token naming one member of one list for one purpose."""
    return _serializer(purpose).dumps([list_id, subscriber_id])


def read(purpose: str, token: str) -> tuple[int, int] | None:
    """(list id, subscriber id) of a valid token, or None (forged, expired, other purpose)."""
    serializer = _serializer(purpose)
    try:
        if purpose in MAX_AGE:
            value = serializer.loads(token, max_age=MAX_AGE[purpose])
        else:
            value = serializer.loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return None
    return value[0], value[1]
