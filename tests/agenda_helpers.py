"""Helpers for the agenda tests: an event factory going through the domain functions."""

from __future__ import annotations

from icalendar import Calendar

from cac_news.agenda.events import EventData, save_event
from cac_news.agenda.kinds import kind_by_slug


def make_event(
    title: str = "Réunion du groupe de travail",
    start: str = "2027-03-29 10:00",
    kind: str = "reunion-du-groupe",
    **fields,
):
    """An event saved through save_event (public unless internal=True)."""
    data = EventData(
        title=title,
        start=start,
        kind_id=kind_by_slug(kind).id,
        end=fields.pop("end", ""),
        all_day=fields.pop("all_day", False),
        place=fields.pop("place", "108 rue Saint-Maur, 75011 Paris"),
        online_url=fields.pop("online_url", ""),
        territory_code=fields.pop("territory_code", "75"),
        description_md=fields.pop("description_md", "Ordre du jour : **financements**."),
        internal=fields.pop("internal", False),
    )
    assert not fields, f"unknown fields {fields}"
    return save_event(data)


def parse_events(body: bytes) -> list:
    """The VEVENTs of an .ics body, parsed by icalendar (which refuses a malformed file)."""
    calendar = Calendar.from_ical(body)
    assert calendar.get("version") == "2.0"
    return list(calendar.walk("VEVENT"))
