"""Time helpers: the database stores naive UTC datetimes everywhere; people read and type
times in the organisation's time zone (TIMEZONE, Europe/Paris by default)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, the form every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def site_zone() -> ZoneInfo:
    """The organisation's time zone (TIMEZONE, which create_app copies to Babel's)."""
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Europe/Paris")


def to_utc(local: datetime) -> datetime:
    """A naive datetime in the site's time zone, as naive UTC."""
    return local.replace(tzinfo=site_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A naive UTC datetime in the site's time zone (aware)."""
    return moment.replace(tzinfo=UTC).astimezone(site_zone())
