"""Propose newsletter sections: what changed since the last sent issue (or a chosen date).

Roadmap updates count from when they were written (``created_at``), action reports from
when they were published (``published_at``): a note dated last week but written after the
last issue went out is still news to the readers. Upcoming events ignore the cut-off: each
is proposed ("À vos agendas") until a letter that announces it has gone out, however far
ahead it is. Internal events are proposed only when asked (letters to a segment), unticked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from cac_news import territories
from cac_news.agenda.display import when_label, where_label
from cac_news.agenda.public import public_events
from cac_news.content.labels import ACTION_KIND_LABELS, OBJECTIVE_LABELS, ROADMAP_STATUS_LABELS
from cac_news.extensions import db
from cac_news.models import (
    OBJECTIVES,
    ActionReport,
    Event,
    Newsletter,
    NewsletterSection,
    Resource,
    RoadmapItem,
    RoadmapUpdate,
)
from cac_news.timeutil import utcnow
from cac_news.urls import external_url

# Letters whose sending has started: what they carry has been announced.
GONE_OUT = ("sending", "paused", "sent")


@dataclass
class ProposedSection:
    """A section the composer offers; the pilot keeps, edits, reorders or drops it."""

    kind: str  # roadmap_update | action_report | event | text
    source_id: int | None
    group_label: str
    title: str
    body_md: str
    include: bool = True  # ticked in the composer (internal events start unticked)


def last_sent_at() -> datetime | None:
    """When the last sent newsletter went out, or None before the first one."""
    return db.session.scalar(
        select(func.max(Newsletter.sent_at)).where(Newsletter.status == "sent")
    )


def cutoff_for(since: date | None) -> datetime | None:
    """The cut-off: midnight of the chosen date, else the last sent issue's sent_at."""
    if since is not None:
        return datetime.combine(since, time.min)
    return last_sent_at()


def roadmap_section(update: RoadmapUpdate) -> ProposedSection:
    """A section made from a roadmap update (the item's title, the status change, the note)."""
    item = update.item
    body = update.body_md or ""
    if update.new_status:
        status = _("Status: %(status)s", status=ROADMAP_STATUS_LABELS[update.new_status])
        body = f"**{status}**\n\n{body}".strip()
    return ProposedSection(
        kind="roadmap_update",
        source_id=update.id,
        group_label=str(OBJECTIVE_LABELS[item.objective]),
        title=item.title,
        body_md=body,
    )


def region_key(territory_code: str) -> str:
    """The région a report is grouped under: its own région, or "FR" for national ones."""
    territory = territories.get(territory_code)
    if territory is None or territory.kind == territories.KIND_NATIONAL:
        return territories.NATIONAL
    if territory.kind == territories.KIND_REGION:
        return territory.code
    return territory.region_code or territories.NATIONAL


def region_label(code: str) -> str:
    """Heading of a région group."""
    if code == territories.NATIONAL:
        return _("National")
    return territories.get(code).name


def action_section(report: ActionReport) -> ProposedSection:
    """A section made from an action report: date, place and kind, body, link, contact."""
    place = territories.get(report.territory_code)
    place_label = _("National") if place.kind == territories.KIND_NATIONAL else place.name
    meta = " — ".join(
        [format_date(report.date, "long"), place_label, str(ACTION_KIND_LABELS[report.kind])]
    )
    parts = [f"*{meta}*", report.body_md or ""]
    if report.link:
        read_more = _("Read more")
        parts.append(f"[{read_more}](<{report.link}>)")
    if report.contact:
        parts.append(_("Contact: %(contact)s", contact=report.contact))
    return ProposedSection(
        kind="action_report",
        source_id=report.id,
        group_label=region_label(region_key(report.territory_code)),
        title=report.title,
        body_md="\n\n".join(p for p in parts if p.strip()),
    )


def collect_updates(cutoff: datetime | None) -> list[RoadmapUpdate]:
    """Roadmap updates written after the cut-off, by objective, item, then date."""
    query = select(RoadmapUpdate).join(RoadmapUpdate.item).options(joinedload(RoadmapUpdate.item))
    if cutoff is not None:
        query = query.where(RoadmapUpdate.created_at > cutoff)
    updates = db.session.scalars(query).all()
    rank = {objective: i for i, objective in enumerate(OBJECTIVES)}

    def key(u: RoadmapUpdate):
        item: RoadmapItem = u.item
        return (rank[item.objective], item.position, item.id, u.date, u.id)

    return sorted(updates, key=key)


def collect_reports(cutoff: datetime | None) -> list[ActionReport]:
    """Published reports published after the cut-off: national first, régions by name."""
    query = select(ActionReport).where(ActionReport.published.is_(True))
    if cutoff is not None:
        query = query.where(ActionReport.published_at > cutoff)
    reports = db.session.scalars(query).all()

    def key(r: ActionReport):
        region = region_key(r.territory_code)
        return (region != territories.NATIONAL, region_label(region), r.date, r.id)

    return sorted(reports, key=key)


def propose_sections(
    since: date | None = None, internal_events: bool = False
) -> list[ProposedSection]:
    """Every roadmap update, published action report and resource since the cut-off, and
    every upcoming event not yet announced (internal ones too when `internal_events`)."""
    cutoff = cutoff_for(since)
    sections = [roadmap_section(u) for u in collect_updates(cutoff)]
    sections += [action_section(r) for r in collect_reports(cutoff)]
    sections += [resource_section(r) for r in collect_resources(cutoff)]
    sections += [event_section(e) for e in unannounced_events(internal_events)]
    return sections


def resource_section(resource: Resource) -> ProposedSection:
    """A section made from a newly published resource: kind, date, authors, summary, link."""
    meta = " — ".join(
        p for p in (resource.kind.name, format_date(resource.date, "long"), resource.authors) if p
    )
    url = external_url("public.resource", slug=resource.slug)
    read = _("Read the resource")
    parts = [f"*{meta}*", resource.summary, f"[{read}](<{url}>)"]
    return ProposedSection(
        kind="text",
        source_id=None,
        group_label=_("New resources"),
        title=resource.title,
        body_md="\n\n".join(p for p in parts if p and p.strip()),
    )


def collect_resources(cutoff: datetime | None) -> list[Resource]:
    """Resources published after the cut-off, oldest first."""
    query = select(Resource).where(Resource.status == "published")
    if cutoff is not None:
        query = query.where(Resource.published_at > cutoff)
    return list(db.session.scalars(query.order_by(Resource.published_at, Resource.id)))


def unannounced_events(internal_events: bool = False) -> list[Event]:
    """Upcoming events, not cancelled, that no letter gone out announced; soonest first."""
    announced = (
        select(NewsletterSection.event_id)
        .join(Newsletter, Newsletter.id == NewsletterSection.newsletter_id)
        .where(NewsletterSection.event_id.is_not(None), Newsletter.status.in_(GONE_OUT))
    )
    query = select(Event) if internal_events else public_events()
    query = query.where(
        Event.cancelled.is_(False),
        func.coalesce(Event.ends_at, Event.starts_at) >= utcnow(),
        Event.id.not_in(announced),
    )
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def event_section(event: Event) -> ProposedSection:
    """An "À vos agendas" section: when, where, kind, description, online and calendar
    links (an internal event has no public page nor .ics: it gets neither link)."""
    meta = " · ".join(p for p in (when_label(event), where_label(event), event.kind.name) if p)
    parts = [f"**{meta}**", event.description_md or ""]
    links = []
    if event.online_url:
        join = _("Join online")
        links.append(f"[{join}](<{event.online_url}>)")
    if not event.internal:
        ics = external_url("public.event_ics", event_id=event.id)
        page = external_url("public.event", event_id=event.id)
        add, see = _("Add to my calendar"), _("See the event")
        links.append(f"[{add}](<{ics}>)")
        links.append(f"[{see}](<{page}>)")
    parts.append(" · ".join(links))
    return ProposedSection(
        kind="event",
        source_id=event.id,
        group_label=_("Save the date (internal)") if event.internal else _("Save the date"),
        title=event.title,
        body_md="\n\n".join(p for p in parts if p.strip()),
        include=not event.internal,
    )
