"""Public information pages: the roadmap and the local actions (list, map, detail)."""

from __future__ import annotations

from flask import abort, render_template, request

from cac_news import territories
from cac_news.agenda import public as agenda_public
from cac_news.agenda.display import when_label
from cac_news.content import public
from cac_news.content.francemap import SHADES, shaded_map
from cac_news.content.labels import ACTION_KIND_LABELS, OBJECTIVE_LABELS, ROADMAP_STATUS_LABELS
from cac_news.content.roadmap import grouped_items
from cac_news.pagination import PageOutOfRange
from cac_news.web.archive import page_arg
from cac_news.web.caching import cacheable
from cac_news.web.public import bp


@bp.get("/feuille-de-route/")
def roadmap():
    """The group's roadmap: objectives, items by period, statuses and latest updates."""
    html = render_template(
        "public/roadmap.html",
        groups=grouped_items(),
        objective_labels=OBJECTIVE_LABELS,
        status_labels=ROADMAP_STATUS_LABELS,
    )
    return cacheable(html)


@bp.get("/actions/")
def actions():
    """Published action reports, filterable, with a map and a table by département."""
    try:
        filters = public.ActionFilters.parse(request.args)
        page = public.published_reports(filters, page_arg())
    except (public.UnknownFilter, PageOutOfRange):
        abort(404)
    counts = public.counts_by_departement()
    view_box, shapes = shaded_map(counts)
    html = render_template(
        "public/actions/list.html",
        filters=filters,
        page=page,
        view_box=view_box,
        shapes=shapes,
        shades=SHADES,
        counted=sorted(
            ((territories.get(code), n) for code, n in counts.items()),
            key=lambda pair: territories.departements().index(pair[0]),
        ),
        regions=territories.regions(),
        departements=territories.departements(),
        kind_labels=ACTION_KIND_LABELS,
        territory=territories.get,
        events_by_departement=_events_by_departement(),
        when_label=when_label,
    )
    # No Last-Modified: the upcoming events shown change with time alone.
    return cacheable(html)


def _events_by_departement():
    """Upcoming public events per département, in the départements' order."""
    found = agenda_public.upcoming_by_departement()
    order = {d.code: i for i, d in enumerate(territories.departements())}
    return {code: found[code] for code in sorted(found, key=order.__getitem__)}


@bp.get("/actions/<int:report_id>/")
def action(report_id: int):
    """One published action report."""
    report = public.published_report(report_id) or abort(404)
    html = render_template(
        "public/actions/detail.html", report=report, kind_labels=ACTION_KIND_LABELS
    )
    return cacheable(html, last_modified=report.updated_at)
