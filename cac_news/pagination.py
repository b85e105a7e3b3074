"""One pagination for every list of the site and the admin: a page of rows and its bar."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from cac_news.extensions import db


class PageOutOfRange(LookupError):
    """A page number past the last page (or below 1)."""


@dataclass(frozen=True)
class Page:
    """One page of results with what the pagination macro needs."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages, at least one."""
        return page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        """A page comes before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """A page comes after this one."""
        return self.page < self.pages


def page_count(total: int, per_page: int) -> int:
    """Number of pages for `total` rows, at least one."""
    return max(1, math.ceil(total / per_page))


def page_bounds(page: int, total: int, per_page: int) -> int:
    """The page count; raise PageOutOfRange for a page that does not exist."""
    pages = page_count(total, per_page)
    if page < 1 or page > pages:
        raise PageOutOfRange(page)
    return pages


def paginate(statement: Select, page: int, per_page: int, *, strict: bool = False) -> Page:
    """Count the rows of an ordered select and fetch one page of its first column's objects.

    Public lists are `strict` (a page past the end is a 404: PageOutOfRange); admin lists
    clamp the number to the last page instead, so a deleted row never strands a pilot.
    """
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    total = total or 0
    if strict:
        page_bounds(page, total, per_page)
    else:
        page = min(max(page, 1), page_count(total, per_page))
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)
