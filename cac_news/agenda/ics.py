"""iCalendar files (RFC 5545) of the agenda, built by the `icalendar` library, which
escapes text values and folds long lines.

Times are written in UTC ("…Z"), all-day events as DATE values with an exclusive DTEND.
The UID is stable per event (event-<id>@<site host>); DTSTAMP is the event's last change,
so that an unchanged event gives the same bytes and a changed one a later stamp along with
its bumped SEQUENCE.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from cac_news.agenda.display import territory_label
from cac_news.content.markdown import markdown_text
from cac_news.models import Event
from cac_news.urls import external_url

PRODUCT_ID = "-//Collectif des Associations Citoyennes//cac_news agenda//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def site_host() -> str:
    """The host name of SITE_URL: the right-hand side of every UID."""
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def event_uid(event: Event) -> str:
    """The event's UID, the same for as long as the event exists."""
    return f"event-{event.id}@{site_host()}"


def event_component(event: Event) -> CalendarEvent:
    """One VEVENT."""
    page = external_url("public.event", event_id=event.id)
    component = CalendarEvent()
    component.add("uid", event_uid(event))
    component.add("dtstamp", _utc(event.updated_at))
    component.add("created", _utc(event.created_at))
    component.add("last-modified", _utc(event.updated_at))
    component.add("sequence", event.sequence or 0)
    component.add("summary", event.title)
    if event.all_day:
        component.add("dtstart", event.start_date)
        component.add("dtend", (event.end_date or event.start_date) + timedelta(days=1))
    else:
        component.add("dtstart", _utc(event.starts_at))
        if event.ends_at:
            component.add("dtend", _utc(event.ends_at))
    location = ", ".join(p for p in (event.place, event.online_url) if p)
    component.add("location", location or territory_label(event.territory_code))
    description = markdown_text(event.description_md).strip()
    if event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    component.add("description", f"{description}\n\n{page}".strip())
    component.add("url", page)
    component.add("categories", [event.kind.name])
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    component.add("transp", "TRANSPARENT" if event.all_day else "OPAQUE")
    return component


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def calendar_bytes(events: list[Event], name: str) -> bytes:
    """A VCALENDAR holding these events (the feed, or one event's file)."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(event_component(event))
    return calendar.to_ical()
