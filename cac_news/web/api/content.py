"""/api/v1/action-reports and /api/v1/roadmap-updates: list, and create as drafts."""

from __future__ import annotations

from flask import g, jsonify, request, url_for

from cac_news.api import content, representations
from cac_news.extensions import db
from cac_news.models import ActionReport, RoadmapUpdate
from cac_news.web.api import bp
from cac_news.web.api.auth import requires
from cac_news.web.api.responses import (
    created,
    json_body,
    list_response,
    not_found,
    query_page,
    query_value,
)


@bp.get("/action-reports")
@requires("read")
def action_reports_list():
    """Action reports by ascending id, drafts included (`?published=true|false` filters)."""
    statement = query_value(content.reports_query, request.args.get("published"))
    return list_response(query_page(statement, ActionReport.id), representations.action_report)


@bp.get("/action-reports/<int:report_id>")
@requires("read")
def action_report_get(report_id: int):
    """One action report."""
    report = db.session.get(ActionReport, report_id)
    if report is None:
        raise not_found("action report")
    return jsonify(representations.action_report(report))


@bp.post("/action-reports")
@requires("write")
def action_report_create():
    """A new action report, unpublished until a pilot publishes it."""
    report = content.create_report(json_body())
    return created(
        representations.action_report(report),
        url_for("api.action_report_get", report_id=report.id, _external=True),
    )


@bp.get("/roadmap-updates")
@requires("read")
def roadmap_updates_list():
    """Roadmap updates by ascending id (`?item_id=` filters)."""
    statement = query_value(content.updates_query, request.args.get("item_id"))
    return list_response(query_page(statement, RoadmapUpdate.id), representations.roadmap_update)


@bp.get("/roadmap-updates/<int:update_id>")
@requires("read")
def roadmap_update_get(update_id: int):
    """One roadmap update."""
    update = db.session.get(RoadmapUpdate, update_id)
    if update is None:
        raise not_found("roadmap update")
    return jsonify(representations.roadmap_update(update))


@bp.post("/roadmap-updates")
@requires("write")
def roadmap_update_create():
    """A new dated note on a roadmap item."""
    update = content.create_update(json_body(), g.api_token)
    return created(
        representations.roadmap_update(update),
        url_for("api.roadmap_update_get", update_id=update.id, _external=True),
    )
