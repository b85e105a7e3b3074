"""Kinds of events: the defaults (also inserted by the migration) and their editing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.audience.modes import slugify
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import Event, EventKind

DEFAULT_EVENT_KINDS = (
    ("reunion-du-groupe", "Réunion du groupe"),
    ("webinaire", "Webinaire"),
    ("mobilisation", "Mobilisation"),
    ("assemblee", "Assemblée"),
    ("formation", "Formation"),
)


def list_kinds() -> list[EventKind]:
    """Every kind in display order."""
    return list(db.session.scalars(select(EventKind).order_by(EventKind.position, EventKind.id)))


def kind_by_slug(slug: str) -> EventKind | None:
    """The kind with this slug, or None."""
    return db.session.scalar(select(EventKind).where(EventKind.slug == slug))


def save_kind(name: str, kind: EventKind | None = None) -> EventKind:
    """Create a kind or rename one (its slug, used in filters' URLs, stays); commits."""
    name = (name or "").strip()
    if not name:
        raise ValidationError.single("name", str(_l("A name is required.")))
    if len(name) > 120:
        raise ValidationError.single("name", str(_l("At most %(n)d characters.", n=120)))
    if kind is None:
        slug = slugify(name)
        if not slug:
            raise ValidationError.single("name", str(_l("The name needs letters or digits.")))
        if kind_by_slug(slug) is not None:
            raise ValidationError.single("name", str(_l("This kind already exists.")))
        position = (db.session.scalar(select(func.max(EventKind.position))) or 0) + 1
        kind = EventKind(slug=slug, position=position)
        db.session.add(kind)
    kind.name = name
    db.session.commit()
    return kind


def delete_kind(kind: EventKind) -> None:
    """Delete a kind no event uses; raise ValidationError otherwise."""
    used = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.kind_id == kind.id)
    )
    if used:
        raise ValidationError.single(
            "name", str(_l("%(n)d events are of this kind: change their kind first.", n=used))
        )
    db.session.delete(kind)
    db.session.commit()
