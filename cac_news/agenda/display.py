"""How an event reads: its local times, a "when" line and a "where" line (pages, letters)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _

from cac_news import territories
from cac_news.models import Event
from cac_news.timeutil import to_local


def local_start(event: Event) -> datetime:
    """The start in the site's time zone (aware)."""
    return to_local(event.starts_at)


def local_end(event: Event) -> datetime | None:
    """The end in the site's time zone (aware), if the event has one."""
    return to_local(event.ends_at) if event.ends_at else None


def when_label(event: Event) -> str:
    """ "samedi 27 mars 2027, 10:00 – 12:00", "du 3 au 4 avril 2027 (toute la journée)"…"""
    if event.all_day:
        if event.end_date and event.end_date != event.start_date:
            return _(
                "from %(start)s to %(end)s",
                start=format_date(event.start_date, "full"),
                end=format_date(event.end_date, "full"),
            )
        return _("%(day)s (all day)", day=format_date(event.start_date, "full"))
    start, end = local_start(event), local_end(event)
    day = format_date(start.date(), "full")
    begins = start.strftime("%H:%M")
    if end is None:
        return f"{day}, {begins}"
    ends = end.strftime("%H:%M")
    if end.date() == start.date():
        return f"{day}, {begins} – {ends}"
    return f"{day}, {begins} – {format_date(end.date(), 'full')}, {ends}"


def territory_label(code: str) -> str:
    """The territory's name, "National" for the whole country."""
    territory = territories.get(code)
    if territory is None or territory.kind == territories.KIND_NATIONAL:
        return _("National")
    return territory.name


def where_label(event: Event) -> str:
    """The place, "online", or both; the territory when neither is given."""
    parts = [event.place] if event.place else []
    if event.online_url:
        parts.append(_("online"))
    return " · ".join(parts) if parts else territory_label(event.territory_code)
