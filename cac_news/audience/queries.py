"""Read-side queries over subscribers: filtered, paginated lists and dashboard counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, select

from cac_news import territories
from cac_news.extensions import db
from cac_news.models import ParticipationMode, Subscriber, Territory, subscriber_modes
from cac_news.models.audience import fold_for_search
from cac_news.pagination import Page, paginate

MAX_QUERY_LENGTH = 200


@dataclass
class SubscriberFilters:
    """What a pilot can filter the subscriber list by; empty means no filter."""

    query: str = ""
    status: str = ""
    mode_id: int | None = None
    territory: str = ""  # a département, a région ("R11") or "FR"


def territory_condition(code: str):
    """SQL condition on Subscriber.territory_code; a région means its départements."""
    if code.startswith(territories.REGION_PREFIX):
        return Subscriber.territory_code.in_(territories.departements_of_region(code))
    return Subscriber.territory_code == code


def apply_filters(statement: Select, filters: SubscriberFilters) -> Select:
    """Add the WHERE clauses of the filters to a statement over Subscriber."""
    if filters.query:
        needle = fold_for_search(filters.query[:MAX_QUERY_LENGTH]).strip()
        if needle:
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(Subscriber.search_text.like(f"%{escaped}%", escape="\\"))
    if filters.status:
        statement = statement.where(Subscriber.status == filters.status)
    if filters.mode_id:
        statement = statement.where(
            exists().where(
                subscriber_modes.c.subscriber_id == Subscriber.id,
                subscriber_modes.c.mode_id == filters.mode_id,
            )
        )
    if filters.territory:
        try:
            statement = statement.where(territory_condition(filters.territory))
        except ValueError:
            statement = statement.where(False)  # unknown région: nothing matches
    return statement


def list_subscribers(filters: SubscriberFilters, page: int, per_page: int) -> Page:
    """One page of subscribers, newest first; counts in SQL, loads only that page."""
    statement = apply_filters(select(Subscriber), filters).order_by(Subscriber.id.desc())
    return paginate(statement, page, per_page)


def counts_by_status() -> dict[str, int]:
    """How many subscribers in each status."""
    rows = db.session.execute(
        select(Subscriber.status, func.count()).group_by(Subscriber.status)
    ).all()
    return {status: int(count) for status, count in rows}


def active_counts_by_mode() -> list[tuple[ParticipationMode, int]]:
    """Active subscribers per participation mode, in the modes' order."""
    count = (
        select(func.count())
        .select_from(subscriber_modes)
        .join(Subscriber, Subscriber.id == subscriber_modes.c.subscriber_id)
        .where(subscriber_modes.c.mode_id == ParticipationMode.id, Subscriber.status == "active")
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(ParticipationMode, count).order_by(ParticipationMode.position, ParticipationMode.id)
    ).all()
    return [(mode, n) for mode, n in rows]


def active_counts_by_region() -> list[tuple[str, str, int]]:
    """Active subscribers per région as (code, name, count); national and unknown apart."""
    departement = Territory.__table__.alias("departement")
    rows = db.session.execute(
        select(departement.c.region_code, func.count())
        .select_from(Subscriber)
        .join(departement, departement.c.code == Subscriber.territory_code)
        .where(Subscriber.status == "active")
        .group_by(departement.c.region_code)
    ).all()
    by_region = {code: int(n) for code, n in rows}
    result = [
        (region.code, region.name, by_region.get(region.code, 0))
        for region in territories.regions()
    ]
    national = db.session.scalar(
        select(func.count())
        .select_from(Subscriber)
        .where(Subscriber.status == "active", Subscriber.territory_code == territories.NATIONAL)
    )
    unknown = db.session.scalar(
        select(func.count())
        .select_from(Subscriber)
        .where(Subscriber.status == "active", Subscriber.territory_code.is_(None))
    )
    result.append((territories.NATIONAL, territories.NATIONAL_NAME, national))
    result.append(("", "", unknown))
    return result
