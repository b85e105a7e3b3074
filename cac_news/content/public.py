"""What the public sees of the content: published action reports, counts by département."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from cac_news import territories
from cac_news.extensions import db
from cac_news.models import ACTION_KINDS, ActionReport
from cac_news.pagination import Page, paginate

ACTIONS_PER_PAGE = 20


class UnknownFilter(LookupError):
    """A filter value that names no région, département or kind."""


@dataclass(frozen=True)
class ActionFilters:
    """Filters of the public actions page; empty strings mean no filter."""

    region: str = ""
    departement: str = ""
    kind: str = ""

    @classmethod
    def parse(cls, args) -> ActionFilters:
        """Read and check the query arguments; raise UnknownFilter for unknown values."""
        region = (args.get("region") or "").strip().upper()
        departement = (args.get("departement") or "").strip().upper()
        kind = (args.get("kind") or "").strip()
        if region and getattr(territories.get(region), "kind", None) != "region":
            raise UnknownFilter("region")
        if departement and getattr(territories.get(departement), "kind", None) != "departement":
            raise UnknownFilter("departement")
        if kind and kind not in ACTION_KINDS:
            raise UnknownFilter("kind")
        return cls(region, departement, kind)

    @property
    def active(self) -> bool:
        """At least one filter is set."""
        return bool(self.region or self.departement or self.kind)

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for pagination links)."""
        return {k: v for k, v in vars(self).items() if v}


def _conditions(filters: ActionFilters) -> list:
    conditions = [ActionReport.published.is_(True)]
    if filters.region:
        codes = [filters.region, *territories.departements_of_region(filters.region)]
        conditions.append(ActionReport.territory_code.in_(codes))
    if filters.departement:
        conditions.append(ActionReport.territory_code == filters.departement)
    if filters.kind:
        conditions.append(ActionReport.kind == filters.kind)
    return conditions


def published_reports(filters: ActionFilters, page: int = 1) -> Page:
    """Published reports matching the filters, newest first, one page of them."""
    conditions = _conditions(filters)
    statement = (
        select(ActionReport)
        .where(*conditions)
        .order_by(ActionReport.date.desc(), ActionReport.id.desc())
    )
    return paginate(statement, page, ACTIONS_PER_PAGE, strict=True)


def counts_by_departement() -> dict[str, int]:
    """Number of published reports per département code (régions and national left out)."""
    rows = db.session.execute(
        select(ActionReport.territory_code, func.count())
        .where(ActionReport.published.is_(True))
        .group_by(ActionReport.territory_code)
    ).all()
    return {
        code: count
        for code, count in rows
        if getattr(territories.get(code), "kind", None) == "departement"
    }


def published_report(report_id: int) -> ActionReport | None:
    """A published report, or None (drafts are not public)."""
    report = db.session.get(ActionReport, report_id)
    return report if report is not None and report.published else None


def last_action_change():
    """When any report last changed (an unpublished one included: it left the list)."""
    return db.session.scalar(select(func.max(ActionReport.updated_at)))
