"""Read-side of the archive: public copies, pages of them, the latest change."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.models import ArchivedCopy
from cac_news.pagination import Page, paginate

PER_PAGE = 20


def public_filter():
    """The SQL condition of a copy shown to the public."""
    return ArchivedCopy.withdrawn_at.is_(None)


@dataclass(frozen=True)
class CopyPage:
    """What the issue page serves: the stored HTML and its validators."""

    html: str
    digest: str
    published_at: datetime
    withdrawn: bool


def _page_cache() -> dict:
    return current_app.extensions.setdefault("archive_page_cache", {})


def copy_page(number: int) -> CopyPage | None:
    """The stored page of issue `number` (None if never frozen), kept briefly in memory.

    Read by column (no ORM object) and cached per worker for ARCHIVE_CACHE_SECONDS: the
    page is the hottest public URL and never changes, except for a withdrawal.
    """
    ttl = current_app.config.get("ARCHIVE_CACHE_SECONDS", 0)
    cache = _page_cache()
    now = time.monotonic()
    cached = cache.get(number)
    if ttl and cached and cached[0] > now:
        return cached[1]
    row = db.session.execute(
        select(
            ArchivedCopy.html,
            ArchivedCopy.digest,
            ArchivedCopy.published_at,
            ArchivedCopy.withdrawn_at,
        ).where(ArchivedCopy.number == number)
    ).first()
    page = CopyPage(row[0], row[1], row[2], row[3] is not None) if row else None
    if ttl and page is not None:
        cache[number] = (now + ttl, page)
    return page


def forget_copy_page(number: int) -> None:
    """Drop an issue from this worker's page cache (after a withdrawal or restoration)."""
    _page_cache().pop(number, None)


def archive_page(page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Public copies, newest first."""
    statement = (
        select(ArchivedCopy)
        .where(public_filter())
        .order_by(ArchivedCopy.published_at.desc(), ArchivedCopy.number.desc())
    )
    return paginate(statement, page, per_page, strict=True)


def latest_copies(limit: int) -> list[ArchivedCopy]:
    """The newest public copies."""
    return list(archive_page(1, limit).items)


def last_change() -> datetime | None:
    """When the archive last changed (a freeze, a withdrawal, a restoration)."""
    return db.session.scalar(select(func.max(ArchivedCopy.changed_at)))
