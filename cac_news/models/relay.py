"""The circuit-breaker state of each SMTP relay, written by workers, read by the admin."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from cac_news.extensions import db
from cac_news.timeutil import utcnow


class RelayCircuit(StrEnum):
    """closed: in use; open: refused, tried again at ``retry_at``; half_open: on trial."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class RelayState(db.Model):
    """One relay (by its SMTP_RELAYS name): circuit state, failures in a row, last error."""

    __tablename__ = "relay_state"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    circuit: Mapped[str] = mapped_column(String(10), default=RelayCircuit.CLOSED)
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SmtpRelay(db.Model):
    """A relay an admin entered in /admin/relays; when any exists, they replace SMTP_RELAYS.

    The password is kept as given (the worker must log in with it) and is never rendered.
    """

    __tablename__ = "smtp_relay"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    tls: Mapped[str] = mapped_column(String(10), default="none")
    username: Mapped[str | None] = mapped_column(String(254))
    password: Mapped[str | None] = mapped_column(String(255))
    connections: Mapped[int] = mapped_column(default=2)
    rate: Mapped[float] = mapped_column(default=0.0)
    hourly: Mapped[int] = mapped_column(default=0)
    daily: Mapped[int] = mapped_column(default=0)
    weight: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
