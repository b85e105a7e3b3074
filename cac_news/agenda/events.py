"""Events as pilots write them: check the typed fields, save, cancel.

Times are typed in the organisation's time zone ("YYYY-MM-DD HH:MM") and stored in UTC;
an all-day event is typed and kept as dates. Every change a calendar must apply bumps the
event's SEQUENCE (RFC 5545 §3.8.7.4), so that subscribed calendars replace their copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news import territories
from cac_news.agenda.display import local_end, local_start
from cac_news.errors import ErrorCollector
from cac_news.extensions import db
from cac_news.models import Event, EventKind
from cac_news.timeutil import to_utc

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
# The fields written to the .ics files: changing one of them is news for calendars.
CALENDAR_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "start_date",
    "end_date",
    "place",
    "online_url",
    "description_md",
    "cancelled",
    "kind_id",
)


@dataclass
class EventData:
    """What a pilot types for an event (the admin form and `flask events create` alike)."""

    title: str
    start: str  # "YYYY-MM-DD HH:MM" in the site's time zone; "YYYY-MM-DD" when all day
    kind_id: int | None
    end: str = ""
    all_day: bool = False
    place: str = ""
    online_url: str = ""
    territory_code: str = territories.NATIONAL
    description_md: str = ""
    internal: bool = False


@dataclass(frozen=True)
class Times:
    """The checked times of an event, as the columns store them."""

    starts_at: datetime
    ends_at: datetime | None
    start_date: date | None
    end_date: date | None


def _parse_day(value: str) -> date | None:
    try:
        return datetime.strptime(value.strip()[:10], DATE_FORMAT).date()
    except ValueError:
        return None


def _parse_moment(value: str) -> datetime | None:
    text = " ".join(value.strip().replace("T", " ", 1).split())
    try:
        return datetime.strptime(text, DATETIME_FORMAT)
    except ValueError:
        return None


def parse_times(data: EventData, errors: ErrorCollector) -> Times | None:
    """The event's UTC bounds (and dates when all day); messages go to `errors`."""
    if data.all_day:
        first = _parse_day(data.start)
        if first is None:
            errors.add("start", str(_l("Give the start date as YYYY-MM-DD.")))
            return None
        last = _parse_day(data.end) if data.end.strip() else first
        if last is None:
            errors.add("end", str(_l("Give the end date as YYYY-MM-DD.")))
            return None
        if last < first:
            errors.add("end", str(_l("The end comes before the start.")))
            return None
        starts_at = to_utc(datetime.combine(first, time.min))
        ends_at = to_utc(datetime.combine(last + timedelta(days=1), time.min))
        return Times(starts_at, ends_at, first, last)
    start = _parse_moment(data.start)
    if start is None:
        errors.add(
            "start",
            str(_l("Give the start as YYYY-MM-DD HH:MM (or tick “all day” for dates only).")),
        )
        return None
    end = None
    if data.end.strip():
        end = _parse_moment(data.end)
        if end is None:
            errors.add("end", str(_l("Give the end as YYYY-MM-DD HH:MM.")))
            return None
        if end < start:
            errors.add("end", str(_l("The end comes before the start.")))
            return None
    return Times(to_utc(start), to_utc(end) if end else None, None, None)


def check_url(value: str) -> bool:
    """An https:// or http:// address with a host, no spaces or angle brackets."""
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and len(value) <= 500
        and not any(c.isspace() or c in "<>\"'" for c in value)
    )


def check_event(data: EventData) -> Times:
    """Check every field at once; raise a ValidationError naming each bad one."""
    errors = ErrorCollector()
    errors.check_title(data.title)
    if data.kind_id is None or db.session.get(EventKind, data.kind_id) is None:
        errors.add("kind_id", str(_l("Choose a kind of event.")))
    times = parse_times(data, errors)
    if len(data.place.strip()) > 300:
        errors.add("place", str(_l("At most %(n)d characters.", n=300)))
    url = data.online_url.strip()
    if url and not check_url(url):
        errors.add(
            "online_url",
            str(_l("An online link starts with https:// (at most 500 characters).")),
        )
    code = (data.territory_code or "").strip().upper()
    if territories.get(code) is None:
        errors.add(
            "territory_code",
            str(_l("Unknown territory “%(code)s”: give a département, a région or FR.", code=code)),
        )
    errors.raise_if_any()
    assert times is not None  # no time without an error on start or end
    return times


def _calendar_state(event: Event) -> tuple:
    return tuple(getattr(event, name) for name in CALENDAR_FIELDS)


def save_event(data: EventData, event: Event | None = None) -> Event:
    """Create or update an event after checking it; bump its sequence on a change; commits."""
    times = check_event(data)
    before = _calendar_state(event) if event is not None else None
    if event is None:
        event = Event(sequence=0, cancelled=False)
        db.session.add(event)
    event.title = data.title.strip()
    event.kind_id = data.kind_id
    event.all_day = bool(data.all_day)
    event.starts_at, event.ends_at = times.starts_at, times.ends_at
    event.start_date, event.end_date = times.start_date, times.end_date
    event.place = data.place.strip()
    event.online_url = data.online_url.strip()
    event.territory_code = data.territory_code.strip().upper()
    event.description_md = data.description_md or ""
    event.internal = bool(data.internal)
    if before is not None and before != _calendar_state(event):
        event.sequence = (event.sequence or 0) + 1
    db.session.commit()
    return event


def set_cancelled(event: Event, cancelled: bool = True) -> None:
    """Cancel an event (it stays listed, marked cancelled, so calendars drop it) or
    reinstate it; commits."""
    if event.cancelled != cancelled:
        event.cancelled = cancelled
        event.sequence = (event.sequence or 0) + 1
    db.session.commit()


def event_data(event: Event) -> EventData:
    """The typed form of a stored event (to fill the edit form)."""
    if event.all_day:
        start = event.start_date.strftime(DATE_FORMAT)
        end = event.end_date.strftime(DATE_FORMAT) if event.end_date != event.start_date else ""
    else:
        start = local_start(event).strftime(DATETIME_FORMAT)
        end = local_end(event).strftime(DATETIME_FORMAT) if event.ends_at else ""
    return EventData(
        title=event.title,
        start=start,
        end=end,
        kind_id=event.kind_id,
        all_day=event.all_day,
        place=event.place,
        online_url=event.online_url,
        territory_code=event.territory_code,
        description_md=event.description_md,
        internal=event.internal,
    )


def list_events() -> list[Event]:
    """Every event, the latest start first (the admin list)."""
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id.desc())))
