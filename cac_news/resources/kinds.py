"""Kinds of resources: the defaults (also inserted by the migration) and their editing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.audience.modes import slugify
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import Resource, ResourceKind

DEFAULT_RESOURCE_KINDS = (
    ("note-d-analyse", "Note d'analyse"),
    ("fiche", "Fiche"),
    ("tribune", "Tribune"),
    ("compte-rendu", "Compte rendu"),
    ("revue-de-presse", "Revue de presse"),
    ("video", "Vidéo"),
)


def list_kinds() -> list[ResourceKind]:
    """Every kind in display order."""
    return list(
        db.session.scalars(select(ResourceKind).order_by(ResourceKind.position, ResourceKind.id))
    )


def kind_by_slug(slug: str) -> ResourceKind | None:
    """The kind with this slug, or None."""
    return db.session.scalar(select(ResourceKind).where(ResourceKind.slug == slug))


def save_kind(name: str, kind: ResourceKind | None = None) -> ResourceKind:
    """Create a kind or rename one (its slug, used in public URLs, stays); commits."""
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
        position = (db.session.scalar(select(func.max(ResourceKind.position))) or 0) + 1
        kind = ResourceKind(slug=slug, position=position)
        db.session.add(kind)
    kind.name = name
    db.session.commit()
    return kind


def delete_kind(kind: ResourceKind) -> None:
    """Delete a kind no resource uses; raise ValidationError otherwise."""
    used = db.session.scalar(
        select(func.count()).select_from(Resource).where(Resource.kind_id == kind.id)
    )
    if used:
        raise ValidationError.single(
            "name",
            str(_l("%(n)d resources are of this kind: change their kind first.", n=used)),
        )
    db.session.delete(kind)
    db.session.commit()
