"""Where the network reaches: active subscribers, local relays and published actions by
département and région ("territoires sans CIS": where it is present, where no relay yet)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from cac_news import territories
from cac_news.content.public import counts_by_departement
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Subscriber, subscriber_modes

RELAY_MODE = "relais-local"


@dataclass(frozen=True)
class Presence:
    """One territory's figures."""

    territory: territories.Territory
    subscribers: int
    relays: int
    actions: int


@dataclass(frozen=True)
class RegionPresence:
    """A région with its totals and its départements."""

    region: Presence
    departements: list[Presence]

    @property
    def without_relay(self) -> list[Presence]:
        """Départements of the région with no local relay yet."""
        return [d for d in self.departements if d.relays == 0]


def active_by_departement() -> dict[str, int]:
    """Active subscribers per territory code (index on (status, territory_code))."""
    rows = db.session.execute(
        select(Subscriber.territory_code, func.count())
        .where(Subscriber.status == "active", Subscriber.territory_code.is_not(None))
        .group_by(Subscriber.territory_code)
    ).all()
    return {code: int(n) for code, n in rows}


def relays_by_departement() -> dict[str, int]:
    """Active subscribers taking part as a local relay, per territory code."""
    rows = db.session.execute(
        select(Subscriber.territory_code, func.count())
        .select_from(Subscriber)
        .join(subscriber_modes, subscriber_modes.c.subscriber_id == Subscriber.id)
        .join(ParticipationMode, ParticipationMode.id == subscriber_modes.c.mode_id)
        .where(
            ParticipationMode.slug == RELAY_MODE,
            Subscriber.status == "active",
            Subscriber.territory_code.is_not(None),
        )
        .group_by(Subscriber.territory_code)
    ).all()
    return {code: int(n) for code, n in rows}


def presence_by_region() -> list[RegionPresence]:
    """Every région with its départements' subscribers, relays and published actions."""
    subscribers, relays = active_by_departement(), relays_by_departement()
    actions = counts_by_departement()
    result = []
    for region in territories.regions():
        departements = [
            Presence(
                dep,
                subscribers.get(dep.code, 0),
                relays.get(dep.code, 0),
                actions.get(dep.code, 0),
            )
            for dep in territories.departements()
            if dep.region_code == region.code
        ]
        total = Presence(
            region,
            sum(d.subscribers for d in departements) + subscribers.get(region.code, 0),
            sum(d.relays for d in departements) + relays.get(region.code, 0),
            sum(d.actions for d in departements),
        )
        result.append(RegionPresence(total, departements))
    return result
