"""What the public sees of the agenda: public events only, upcoming then past, filters.

Internal events never leave the admin (and letters to segments): every query here starts
from ``public_events()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from cac_news import territories
from cac_news.agenda.kinds import kind_by_slug
from cac_news.extensions import db
from cac_news.models import Event, EventKind
from cac_news.pagination import Page, paginate
from cac_news.timeutil import utcnow

PAST_PER_PAGE = 20
UPCOMING_LIMIT = 200  # the upcoming list is shown whole (a year of meetings fits)
FEED_PAST_DAYS = 365  # the feed keeps a year of past events


class UnknownFilter(LookupError):
    """A filter value that names no territory or kind."""


@dataclass(frozen=True)
class AgendaFilters:
    """Filters of /agenda/; empty strings mean no filter."""

    territory: str = ""
    kind: str = ""

    @classmethod
    def parse(cls, args) -> AgendaFilters:
        """Read and check the query arguments; raise UnknownFilter for unknown values."""
        territory = (args.get("territory") or "").strip().upper()
        kind = (args.get("kind") or "").strip()
        if territory and territories.get(territory) is None:
            raise UnknownFilter("territory")
        if kind and kind_by_slug(kind) is None:
            raise UnknownFilter("kind")
        return cls(territory, kind)

    @property
    def active(self) -> bool:
        """At least one filter is set."""
        return bool(self.territory or self.kind)

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for pagination links)."""
        return {k: v for k, v in vars(self).items() if v}


def _ends(now: datetime):
    """Condition of an event not over yet (one without an end is over once started)."""
    return func.coalesce(Event.ends_at, Event.starts_at) >= now


def public_events():
    """The SELECT of every public event: the one door of the public side."""
    return select(Event).where(Event.internal.is_(False))


def _filtered(query, filters: AgendaFilters):
    if filters.territory:
        territory = territories.get(filters.territory)
        codes = [filters.territory]
        if territory.kind == territories.KIND_REGION:
            codes += territories.departements_of_region(filters.territory)
        query = query.where(Event.territory_code.in_(codes))
    if filters.kind:
        query = query.where(Event.kind.has(EventKind.slug == filters.kind))
    return query


def upcoming_events(filters: AgendaFilters | None = None, now: datetime | None = None):
    """Public events not over yet, soonest first."""
    now = now or utcnow()
    query = _filtered(public_events(), filters or AgendaFilters()).where(_ends(now))
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(UPCOMING_LIMIT)))


def past_events(filters: AgendaFilters, page: int = 1, now: datetime | None = None) -> Page:
    """Public events over, latest first, one page of them."""
    now = now or utcnow()
    query = _filtered(public_events(), filters).where(~_ends(now))
    latest_first = query.order_by(Event.starts_at.desc(), Event.id.desc())
    return paginate(latest_first, page, PAST_PER_PAGE, strict=True)


def public_event(event_id: int) -> Event | None:
    """A public event by id, or None (internal events are not public)."""
    event = db.session.get(Event, event_id)
    return event if event is not None and not event.internal else None


def feed_events(now: datetime | None = None) -> list[Event]:
    """The events of /agenda.ics: every public one from a year ago on, cancelled included
    (a calendar learns of a cancellation only if the feed still carries the event)."""
    since = (now or utcnow()) - timedelta(days=FEED_PAST_DAYS)
    query = public_events().where(_ends(since)).order_by(Event.starts_at, Event.id)
    return list(db.session.scalars(query))


def upcoming_by_departement(now: datetime | None = None) -> dict[str, list[Event]]:
    """Upcoming public events not cancelled, per département (for the actions map)."""
    found: dict[str, list[Event]] = {}
    for event in upcoming_events(now=now):
        territory = territories.get(event.territory_code)
        if not event.cancelled and territory and territory.kind == territories.KIND_DEPARTEMENT:
            found.setdefault(event.territory_code, []).append(event)
    return found


def used_kinds() -> list[EventKind]:
    """Kinds with at least one public event, in display order."""
    return list(
        db.session.scalars(
            select(EventKind)
            .where(EventKind.id.in_(select(Event.kind_id).where(Event.internal.is_(False))))
            .order_by(EventKind.position, EventKind.id)
        )
    )
