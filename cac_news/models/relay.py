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
