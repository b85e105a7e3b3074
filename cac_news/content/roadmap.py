"""Roadmap operations: save items, add dated updates, list items grouped with progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.models import OBJECTIVES, ROADMAP_STATUSES, Pilot, RoadmapItem, RoadmapUpdate


@dataclass
class ItemData:
    """What a pilot types for a roadmap item."""

    objective: str
    title: str
    description_md: str = ""
    period_label: str = ""
    period_start: date | None = None
    period_end: date | None = None
    status: str = "planned"
    owner: str = ""
    position: int = 0


def _check_item(data: ItemData) -> None:
    errors = ErrorCollector()
    if data.objective not in OBJECTIVES:
        errors.add("objective", str(_l("Choose one of the objectives.")))
    errors.check_title(data.title)
    if data.status not in ROADMAP_STATUSES:
        errors.add("status", str(_l("Unknown status.")))
    if data.period_start and data.period_end and data.period_end < data.period_start:
        errors.add("period_end", str(_l("The end of the period comes before its start.")))
    if len(data.period_label) > 80:
        errors.add("period_label", str(_l("At most %(n)d characters.", n=80)))
    if len(data.owner) > 120:
        errors.add("owner", str(_l("At most %(n)d characters.", n=120)))
    errors.raise_if_any()


def save_item(data: ItemData, item: RoadmapItem | None = None) -> RoadmapItem:
    """Create or update a roadmap item after checking it; commits."""
    _check_item(data)
    if item is None:
        item = RoadmapItem()
        db.session.add(item)
    item.objective = data.objective
    item.title = data.title.strip()
    item.description_md = data.description_md or ""
    item.period_label = data.period_label.strip()
    item.period_start = data.period_start
    item.period_end = data.period_end
    item.status = data.status
    item.owner = data.owner.strip()
    item.position = data.position
    db.session.commit()
    return item


def add_update(
    item: RoadmapItem,
    body_md: str,
    on: date,
    new_status: str | None = None,
    author: Pilot | None = None,
) -> RoadmapUpdate:
    """Record a dated note on an item; a new status, if given, is applied to the item."""
    if not (body_md or "").strip() and not new_status:
        raise ValidationError.single("body_md", str(_l("Write a note or choose a new status.")))
    if new_status is not None and new_status not in ROADMAP_STATUSES:
        raise ValidationError.single("new_status", str(_l("Unknown status.")))
    if on is None:
        raise ValidationError.single("date", str(_l("A date is required.")))
    update = RoadmapUpdate(
        item=item,
        date=on,
        body_md=body_md or "",
        new_status=new_status,
        author_id=author.id if author is not None else None,
    )
    if new_status:
        item.status = new_status
    db.session.add(update)
    db.session.commit()
    return update


@dataclass
class ObjectiveGroup:
    """Items of one objective, by period, with the share of items done."""

    objective: str
    periods: list[tuple[str, list[RoadmapItem]]] = field(default_factory=list)
    total: int = 0
    done: int = 0
    abandoned: int = 0

    @property
    def progress(self) -> int:
        """Percentage of items done, abandoned ones left out."""
        counted = self.total - self.abandoned
        return round(100 * self.done / counted) if counted else 0


def grouped_items() -> list[ObjectiveGroup]:
    """Every item grouped by objective (in the roadmap's order), then by period."""
    items = db.session.scalars(
        select(RoadmapItem).order_by(
            RoadmapItem.period_start.is_(None),
            RoadmapItem.period_start,
            RoadmapItem.position,
            RoadmapItem.id,
        )
    ).all()
    groups = {objective: ObjectiveGroup(objective) for objective in OBJECTIVES}
    for item in items:
        group = groups[item.objective]
        group.total += 1
        group.done += item.status == "done"
        group.abandoned += item.status == "abandoned"
        if group.periods and group.periods[-1][0] == item.period_label:
            group.periods[-1][1].append(item)
        else:
            group.periods.append((item.period_label, [item]))
    return list(groups.values())
