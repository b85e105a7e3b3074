"""Read-side queries over bounces for the admin: lists, per-subscriber, per-newsletter figures."""

from __future__ import annotations

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.models import BOUNCE_KINDS, Bounce
from cac_news.pagination import Page, paginate


def list_bounces(
    kind: str = "", newsletter_id: int | None = None, page: int = 1, per_page: int = 50
) -> Page:
    """One page of bounces, newest first, optionally of one kind or one newsletter."""
    conditions = []
    if kind in BOUNCE_KINDS:
        conditions.append(Bounce.kind == kind)
    if newsletter_id is not None:
        conditions.append(Bounce.newsletter_id == newsletter_id)
    statement = (
        select(Bounce).where(*conditions).order_by(Bounce.received_at.desc(), Bounce.id.desc())
    )
    return paginate(statement, page, per_page)


def subscriber_bounces(subscriber_id: int, limit: int = 50) -> list[Bounce]:
    """A subscriber's most recent bounces and complaints."""
    return list(
        db.session.scalars(
            select(Bounce)
            .where(Bounce.subscriber_id == subscriber_id)
            .order_by(Bounce.received_at.desc(), Bounce.id.desc())
            .limit(limit)
        )
    )


def bounce_figures(newsletter_id: int) -> dict[str, int]:
    """How many hard bounces, soft bounces and complaints a newsletter received."""
    rows = db.session.execute(
        select(Bounce.kind, func.count(Bounce.id))
        .where(Bounce.newsletter_id == newsletter_id)
        .group_by(Bounce.kind)
    ).all()
    figures = {"hard": 0, "soft": 0, "complaints": 0}
    for kind, count in rows:
        figures["complaints" if kind == "complaint" else kind] = int(count)
    return figures
