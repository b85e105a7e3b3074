"""Action reports: save, publish, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news import territories
from cac_news.errors import ErrorCollector
from cac_news.extensions import db
from cac_news.integrations import webhooks
from cac_news.models import ACTION_KINDS, ActionReport

SAFE_LINK_PREFIXES = ("http://", "https://")


@dataclass
class ReportData:
    """What a pilot types for an action report."""

    title: str
    date: date | None
    territory_code: str
    kind: str = "other"
    body_md: str = ""
    link: str = ""
    contact: str = ""


def _check(data: ReportData) -> None:
    errors = ErrorCollector()
    errors.check_title(data.title)
    if data.date is None:
        errors.add("date", str(_l("A date is required.")))
    if territories.get(data.territory_code or "") is None:
        errors.add("territory_code", str(_l("Choose a territory.")))
    if data.kind not in ACTION_KINDS:
        errors.add("kind", str(_l("Unknown kind of action.")))
    link = data.link.strip()
    if link and (
        not link.lower().startswith(SAFE_LINK_PREFIXES)
        or len(link) > 500
        or any(c.isspace() or c in "<>" for c in link)
    ):
        errors.add("link", str(_l("A link starts with https:// (at most 500 characters).")))
    if len(data.contact) > 200:
        errors.add("contact", str(_l("At most %(n)d characters.", n=200)))
    errors.raise_if_any()


def save_report(data: ReportData, report: ActionReport | None = None) -> ActionReport:
    """Create or update an action report after checking it; commits."""
    _check(data)
    if report is None:
        report = ActionReport()
        db.session.add(report)
    report.title = data.title.strip()
    report.date = data.date
    report.territory_code = data.territory_code
    report.kind = data.kind
    report.body_md = data.body_md or ""
    report.link = data.link.strip()
    report.contact = data.contact.strip()
    db.session.commit()
    return report


def set_published(report: ActionReport, published: bool) -> None:
    """Publish a report or take it back to draft; commits."""
    if not published:
        report.unpublish()
    elif not report.published:
        report.publish()
        webhooks.action_report_published(report)
    db.session.commit()


def list_reports() -> list[ActionReport]:
    """Every report, newest first."""
    return list(
        db.session.scalars(
            select(ActionReport).order_by(ActionReport.date.desc(), ActionReport.id.desc())
        )
    )
