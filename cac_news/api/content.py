"""Action reports and roadmap updates through the API: listed, and created as drafts.

An action report is created unpublished; a pilot publishes it from the admin. A roadmap
update is shown nowhere public by itself: it reaches readers only when a pilot puts it
in a newsletter, so a new one is a draft in all but name.
"""

from __future__ import annotations

from sqlalchemy import select

from cac_news.api.fields import Body, api_error
from cac_news.content.actions import ReportData, save_report
from cac_news.content.roadmap import add_update
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import ActionReport, ApiToken, RoadmapItem, RoadmapUpdate

REPORT_FIELDS = {"title", "date", "territory", "kind", "body_md", "link", "contact"}
UPDATE_FIELDS = {"item_id", "date", "body_md", "new_status"}


def reports_query(published: str | None):
    """The SELECT of action reports, optionally only drafts or only published ones."""
    statement = select(ActionReport)
    if published in (None, ""):
        return statement
    if published not in ("true", "false"):
        raise ValidationError.single("published", "true or false.")
    return statement.where(ActionReport.published.is_(published == "true"))


def create_report(data: dict) -> ActionReport:
    """A new, unpublished action report."""
    body = Body(data, REPORT_FIELDS)
    report = ReportData(
        title=body.string("title", required=True),
        date=body.day("date", required=True),
        territory_code=body.string("territory", required=True),
        kind=body.string("kind", "other") or "other",
        body_md=body.string("body_md"),
        link=body.string("link"),
        contact=body.string("contact"),
    )
    body.check()
    try:
        return save_report(report)
    except ValidationError as exc:
        db.session.rollback()
        raise api_error(exc) from exc


def updates_query(item_id: str | None):
    """The SELECT of roadmap updates, optionally of one item."""
    statement = select(RoadmapUpdate)
    if not item_id:
        return statement
    if not item_id.isdigit() or len(item_id) > 10:
        raise ValidationError.single("item_id", "A roadmap item id.")
    return statement.where(RoadmapUpdate.item_id == int(item_id))


def create_update(data: dict, token: ApiToken) -> RoadmapUpdate:
    """A dated note on a roadmap item (its optional new status applies to the item)."""
    body = Body(data, UPDATE_FIELDS)
    item_id = body.integer("item_id", required=True)
    on = body.day("date", required=True)
    body_md = body.string("body_md")
    new_status = body.optional_string("new_status")
    body.check()
    item = db.session.get(RoadmapItem, item_id) if item_id and item_id < 2**31 else None
    if item is None:
        raise ValidationError.single("item_id", "No roadmap item has this id.")
    try:
        return add_update(item, body_md, on, new_status or None, author=token.created_by)
    except ValidationError as exc:
        db.session.rollback()
        raise api_error(exc) from exc
