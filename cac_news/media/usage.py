"""Where an image is used, and deletion that never breaks a letter already sent.

An image is referred to by its URL, whose last part (a random token) is unique: a search
for that name in the Markdown of drafts, sections, reports and updates, in the frozen
emails and in the archived copies finds every use.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from cac_news import settings
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.media.library import remove_file
from cac_news.models import (
    ActionReport,
    ArchivedCopy,
    MediaFile,
    Newsletter,
    NewsletterSection,
    RoadmapUpdate,
)

# A letter past these statuses went out (at least partly) or is about to: its copy is fixed.
DRAFT_STATUSES = ("draft",)


@dataclass(frozen=True)
class Usage:
    """One place an image appears."""

    kind: str  # newsletter | action_report | roadmap_update | logo | welcome
    label: str
    object_id: int | None
    fixed: bool  # a sent (or scheduled) letter: deleting the image would break it


def _newsletter_usages(name: str) -> list[Usage]:
    pattern = f"%{name}%"
    in_sections = select(NewsletterSection.newsletter_id).where(
        NewsletterSection.body_md.like(pattern)
    )
    in_copies = select(ArchivedCopy.newsletter_id).where(ArchivedCopy.html.like(pattern))
    letters = db.session.scalars(
        select(Newsletter)
        .where(
            or_(
                Newsletter.intro_md.like(pattern),
                Newsletter.closing_md.like(pattern),
                Newsletter.email_html.like(pattern),
                Newsletter.id.in_(in_sections),
                Newsletter.id.in_(in_copies),
            )
        )
        .order_by(Newsletter.number)
    )
    return [
        Usage(
            "newsletter",
            str(_l("Letter no. %(number)d", number=letter.number)) + f" — {letter.subject}",
            letter.id,
            fixed=letter.status not in DRAFT_STATUSES or letter.frozen_at is not None,
        )
        for letter in letters
    ]


def find_usages(media: MediaFile) -> list[Usage]:
    """Every place the image is used: letters, reports, roadmap updates, the settings."""
    name = media.stored_name
    usages = _newsletter_usages(name)
    for report in db.session.scalars(
        select(ActionReport).where(ActionReport.body_md.like(f"%{name}%"))
    ):
        usages.append(Usage("action_report", report.title, report.id, fixed=False))
    for update in db.session.scalars(
        select(RoadmapUpdate).where(RoadmapUpdate.body_md.like(f"%{name}%"))
    ):
        label = str(_l("Roadmap update of %(date)s", date=format_date(update.date)))
        usages.append(Usage("roadmap_update", label, update.id, fixed=False))
    current = settings.load()
    if current.logo_media_id == media.id:
        usages.append(Usage("logo", str(_l("Logo of the letters (settings)")), None, fixed=True))
    if name in current.welcome_body:
        usages.append(Usage("welcome", str(_l("Welcome mail (settings)")), None, fixed=False))
    return usages


def delete_media(media: MediaFile) -> None:
    """Delete an image unless a sent letter or the logo setting uses it (ValidationError)."""
    fixed = [usage for usage in find_usages(media) if usage.fixed]
    if fixed:
        raise ValidationError.single(
            "media",
            str(
                _l(
                    "This image cannot be deleted: it is used by %(places)s.",
                    places=", ".join(usage.label for usage in fixed),
                )
            ),
        )
    remove_file(media)
