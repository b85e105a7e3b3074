"""Relay state in the database: quota windows counted from deliveries, circuit states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.mailing.relay_store import load_relays
from cac_news.mailing.relays import Relay
from cac_news.models import Delivery, ListDelivery, RelayCircuit, RelayState
from cac_news.timeutil import utcnow


def sent_times(relay: str, since: datetime) -> list[datetime]:
    """When this relay carried each message sent since ``since`` (oldest first)."""
    letters = select(Delivery.sent_at).where(Delivery.relay == relay, Delivery.sent_at > since)
    # Discussion-list mail goes over the same relays: it counts in their quotas too.
    lists = select(ListDelivery.sent_at).where(
        ListDelivery.relay == relay, ListDelivery.sent_at > since
    )
    times = sorted(db.session.scalars(letters.union_all(lists)))
    db.session.commit()
    return times


def save_states(breakers, now: datetime) -> None:
    """Write the relays whose circuit changed (the caller commits)."""
    for name, breaker in breakers:
        if not breaker.changed:
            continue
        retry_at = None
        if breaker.circuit != RelayCircuit.CLOSED:
            retry_at = now + timedelta(seconds=max(0.0, breaker.retry_at - breaker.clock()))
        db.session.merge(
            RelayState(
                name=name,
                circuit=str(breaker.circuit),
                failures=breaker.failures,
                retry_at=retry_at,
                last_error=breaker.last_error,
                updated_at=now,
            )
        )
        breaker.changed = False


@dataclass(frozen=True)
class RelayView:
    """What the admin sees of one relay: settings without password, state, quota use."""

    relay: dict
    circuit: str
    failures: int
    retry_at: datetime | None
    last_error: str
    last_hour: int
    last_day: int


def _count_since(relay: str, since: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count(Delivery.id)).where(Delivery.relay == relay, Delivery.sent_at > since)
        )
        or 0
    )


def relay_overview(config: Mapping, relays: list[Relay] | None = None) -> list[RelayView]:
    """Every configured relay with its circuit state and the messages of the last hour/day."""
    relays = relays if relays is not None else load_relays(config)
    states = {state.name: state for state in db.session.scalars(select(RelayState))}
    now = utcnow()
    views = []
    for relay in relays:
        state = states.get(relay.name)
        views.append(
            RelayView(
                relay=relay.public(),
                circuit=state.circuit if state else RelayCircuit.CLOSED,
                failures=state.failures if state else 0,
                retry_at=state.retry_at if state else None,
                last_error=state.last_error if state else "",
                last_hour=_count_since(relay.name, now - timedelta(hours=1)),
                last_day=_count_since(relay.name, now - timedelta(days=1)),
            )
        )
    return views
