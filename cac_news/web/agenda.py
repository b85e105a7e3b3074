"""Public agenda: upcoming then past events with filters, a page per event, .ics files."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _

from cac_news import territories
from cac_news.agenda import ics, public
from cac_news.agenda.display import territory_label, when_label, where_label
from cac_news.pagination import PageOutOfRange
from cac_news.web.archive import page_arg
from cac_news.web.caching import cacheable
from cac_news.web.public import bp

# Calendar apps poll the feed; an hour of caching spares the site without delaying news.
ICS_MAX_AGE = 3600


def _helpers() -> dict:
    return {
        "when_label": when_label,
        "where_label": where_label,
        "territory_label": territory_label,
    }


@bp.get("/agenda/")
def agenda():
    """Public events: upcoming (soonest first), then past ones (latest first), paginated."""
    try:
        filters = public.AgendaFilters.parse(request.args)
        past = public.past_events(filters, page_arg())
    except (public.UnknownFilter, PageOutOfRange):
        abort(404)
    upcoming = public.upcoming_events(filters) if past.page == 1 else []
    html = render_template(
        "public/agenda/list.html",
        filters=filters,
        upcoming=upcoming,
        past=past,
        kinds=public.used_kinds(),
        regions=territories.regions(),
        departements=territories.departements(),
        **_helpers(),
    )
    # No Last-Modified: an event moves from "upcoming" to "past" without any change.
    return cacheable(html)


@bp.get("/agenda/<int:event_id>/")
def event(event_id: int):
    """One public event (internal ones are 404)."""
    item = public.public_event(event_id) or abort(404)
    html = render_template("public/agenda/detail.html", event=item, **_helpers())
    return cacheable(html, last_modified=item.updated_at)


def _calendar_response(body: bytes, filename: str, last_modified=None):
    response = cacheable(
        body, last_modified=last_modified, max_age=ICS_MAX_AGE, vary_on_session=False
    )
    response.headers["Content-Type"] = ics.CONTENT_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/agenda.ics")
def agenda_feed():
    """The iCalendar feed of the public agenda (a year back, and everything ahead)."""
    name = _("Agenda — %(site)s", site=current_app.config["SITE_NAME"])
    body = ics.calendar_bytes(public.feed_events(), name)
    return _calendar_response(body, "agenda.ics")


@bp.get("/agenda/<int:event_id>.ics")
def event_ics(event_id: int):
    """One public event as an .ics file: the "add to my calendar" link."""
    item = public.public_event(event_id) or abort(404)
    body = ics.calendar_bytes([item], item.title)
    return _calendar_response(body, f"evenement-{item.id}.ics", item.updated_at)
