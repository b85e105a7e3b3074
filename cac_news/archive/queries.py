"""Read-side of the archive: public copies, pages of them, the latest change."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.models import ArchivedCopy

PER_PAGE = 20


class PageOutOfRange(LookupError):
    """A page number past the last page (or below 1)."""


@dataclass(frozen=True)
class Page:
    """One page of a list, with what the pagination macro needs."""

    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        """A page comes before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """A page comes after this one."""
        return self.page < self.pages


def public_filter():
    """The SQL condition of a copy shown to the public."""
    return ArchivedCopy.withdrawn_at.is_(None)


def public_copy(number: int) -> ArchivedCopy | None:
    """The copy of issue `number`, withdrawn or not (None if never frozen)."""
    return db.session.scalar(select(ArchivedCopy).where(ArchivedCopy.number == number))


def page_bounds(page: int, total: int, per_page: int) -> int:
    """The page count; raise PageOutOfRange for a page that does not exist."""
    pages = max(1, math.ceil(total / per_page))
    if page < 1 or page > pages:
        raise PageOutOfRange(page)
    return pages


def archive_page(page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Public copies, newest first."""
    total = db.session.scalar(select(func.count()).select_from(ArchivedCopy).where(public_filter()))
    pages = page_bounds(page, total or 0, per_page)
    items = db.session.scalars(
        select(ArchivedCopy)
        .where(public_filter())
        .order_by(ArchivedCopy.published_at.desc(), ArchivedCopy.number.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(items), page, pages, total or 0)


def latest_copies(limit: int) -> list[ArchivedCopy]:
    """The newest public copies."""
    return list(archive_page(1, limit).items)


def last_change() -> datetime | None:
    """When the archive last changed (a freeze, a withdrawal, a restoration)."""
    return db.session.scalar(select(func.max(ArchivedCopy.changed_at)))
