"""Relays entered by admins (table smtp_relay): when any exists, they replace SMTP_RELAYS."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news.extensions import db
from cac_news.mailing.relays import Relay, RelayConfigError, relay_from_dict, relays_from_config
from cac_news.models import SmtpRelay

FIELDS = ("name", "host", "port", "tls", "username", "connections", "rate", "hourly", "daily")


def _as_relay(row: SmtpRelay) -> Relay:
    fields = {key: getattr(row, key) for key in (*FIELDS, "weight", "password")}
    return relay_from_dict(fields, 0)


def stored_relays() -> list[SmtpRelay]:
    """The relays admins entered, by name."""
    return list(db.session.scalars(select(SmtpRelay).order_by(SmtpRelay.name)))


def load_relays(config: Mapping) -> list[Relay]:
    """The relays in force: those entered by admins, else SMTP_RELAYS, else MAIL_*."""
    rows = stored_relays()
    return [_as_relay(row) for row in rows] if rows else relays_from_config(config)


def save_relay(fields: Mapping, row: SmtpRelay | None = None) -> SmtpRelay:
    """Check and store a relay; a blank password keeps the one stored. Commits.

    Raises RelayConfigError naming the field; nothing is written then.
    """
    raw = {key: value for key, value in fields.items() if value not in (None, "")}
    if not raw.get("password") and row is not None:
        raw["password"] = row.password
    relay = relay_from_dict(raw, 0)
    taken = db.session.scalar(select(SmtpRelay).where(SmtpRelay.name == relay.name))
    if taken is not None and taken is not row:
        raise RelayConfigError(str(_l("A relay named %(name)s already exists.", name=relay.name)))
    row = row or SmtpRelay()
    for key in (*FIELDS, "weight", "password"):
        value = getattr(relay, key)
        setattr(row, key, str(value) if key == "tls" else value)
    db.session.add(row)
    db.session.commit()
    return row


def delete_relay(row: SmtpRelay) -> None:
    """Forget a relay entered by an admin (its deliveries keep its name). Commits."""
    db.session.delete(row)
    db.session.commit()
