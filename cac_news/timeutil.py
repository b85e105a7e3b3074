"""Time helpers: the database stores naive UTC datetimes everywhere."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, the form every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)
