"""Participation modes: the defaults seeded on install and their editing by pilots."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import ParticipationMode

# (slug, name) — also inserted by the initial migration.
DEFAULT_MODES = (
    ("pilote", "Pilote"),
    ("groupe-de-travail", "Membre du groupe de travail"),
    ("contributeur", "Contributeur·rice"),
    ("relais-local", "Relais local"),
    ("information", "Information seule"),
)
# Modes the public may not choose on the forms (pilots assign them); also in the migration.
PILOT_ASSIGNED_MODES = ("pilote",)


def slugify(text: str) -> str:
    """ASCII slug of a name: lower case, digits and hyphens."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:64]


def list_modes() -> list[ParticipationMode]:
    """Every mode in display order."""
    return list(
        db.session.scalars(
            select(ParticipationMode).order_by(ParticipationMode.position, ParticipationMode.id)
        )
    )


def list_public_modes() -> list[ParticipationMode]:
    """The modes the public may choose on the subscription and preferences forms."""
    return [m for m in list_modes() if m.public_choice]


def public_mode_ids() -> set[int]:
    """Ids of the modes the public may choose."""
    return {m.id for m in list_public_modes()}


def save_mode(
    name: str,
    description: str = "",
    mode: ParticipationMode | None = None,
    public_choice: bool | None = None,
) -> ParticipationMode:
    """Create a mode or rename one; the slug stays stable once made."""
    name = (name or "").strip()
    if not name:
        raise ValidationError.single("name", str(_l("A name is required.")))
    if len(name) > 120:
        raise ValidationError.single("name", str(_l("At most %(n)d characters.", n=120)))
    if mode is None:
        slug = slugify(name)
        if not slug:
            raise ValidationError.single("name", str(_l("The name needs letters or digits.")))
        if db.session.scalar(select(ParticipationMode).where(ParticipationMode.slug == slug)):
            raise ValidationError.single("name", str(_l("This mode already exists.")))
        position = (db.session.scalar(select(func.max(ParticipationMode.position))) or 0) + 1
        mode = ParticipationMode(slug=slug, position=position)
        db.session.add(mode)
    mode.name = name
    mode.description = (description or "").strip()[:500]
    if public_choice is not None:
        mode.public_choice = public_choice
    db.session.commit()
    return mode


def delete_mode(mode: ParticipationMode) -> None:
    """Delete a mode; subscribers keep their other modes."""
    db.session.delete(mode)
    db.session.commit()
