"""An editable list of kinds (of resources, of events…): slug, name, display order.

The slug is made from the first name and never changes (public filters' URLs use it); a
kind still in use cannot be deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.audience.modes import slugify
from cac_news.errors import ValidationError
from cac_news.extensions import db


class EditableKinds:
    """The kinds held by `model`, used by the rows whose `used_by` column names one."""

    def __init__(self, model: type, used_by: Any, in_use: Callable[[int], str]):
        self.model = model
        self.used_by = used_by
        self.in_use = in_use  # the message for a kind that n rows still use

    def list(self) -> list:
        """Every kind in display order."""
        model = self.model
        return list(db.session.scalars(select(model).order_by(model.position, model.id)))

    def by_slug(self, slug: str):
        """The kind with this slug, or None."""
        return db.session.scalar(select(self.model).where(self.model.slug == slug))

    def save(self, name: str, kind=None):
        """Create a kind or rename one (its slug stays); commits."""
        name = (name or "").strip()
        if not name:
            raise ValidationError.single("name", str(_l("A name is required.")))
        if len(name) > 120:
            raise ValidationError.single("name", str(_l("At most %(n)d characters.", n=120)))
        if kind is None:
            slug = slugify(name)
            if not slug:
                raise ValidationError.single("name", str(_l("The name needs letters or digits.")))
            if self.by_slug(slug) is not None:
                raise ValidationError.single("name", str(_l("This kind already exists.")))
            position = (db.session.scalar(select(func.max(self.model.position))) or 0) + 1
            kind = self.model(slug=slug, position=position)
            db.session.add(kind)
        kind.name = name
        db.session.commit()
        return kind

    def delete(self, kind) -> None:
        """Delete a kind no row uses; raise ValidationError otherwise."""
        used = db.session.scalar(select(func.count()).where(self.used_by == kind.id))
        if used:
            raise ValidationError.single("name", self.in_use(used))
        db.session.delete(kind)
        db.session.commit()
