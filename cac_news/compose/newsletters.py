"""Newsletter drafts: check their fields, number them, save their ordered sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.compose.headers import check_address, check_header_value, subject_warnings
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import (
    SECTION_KINDS,
    ActionReport,
    Event,
    Newsletter,
    NewsletterSection,
    Pilot,
    RoadmapUpdate,
    Segment,
)

SOURCE_MODELS = {"roadmap_update": RoadmapUpdate, "action_report": ActionReport, "event": Event}


@dataclass
class SectionData:
    """One section as the composer submits it."""

    kind: str
    title: str = ""
    body_md: str = ""
    source_id: int | None = None
    group_label: str = ""
    position: int = 0


@dataclass
class NewsletterData:
    """The fields of a newsletter a pilot sets."""

    subject: str
    preheader: str = ""
    intro_md: str = ""
    closing_md: str = ""
    reply_to: str = ""
    segment_id: int | None = None
    sections: list[SectionData] = field(default_factory=list)


def check_newsletter(data: NewsletterData) -> list[str]:
    """Raise a ValidationError for bad fields; return warnings (a long subject)."""
    errors: dict[str, list[str]] = {}
    subject = data.subject.strip()
    for name, value in (("subject", data.subject), ("preheader", data.preheader)):
        try:
            check_header_value(name, value)
        except ValidationError as exc:
            errors.update(exc.errors)
    if "subject" not in errors and not subject:
        errors["subject"] = [str(_l("A subject is required."))]
    elif len(subject) > 200:
        errors["subject"] = [str(_l("At most %(n)d characters.", n=200))]
    if "preheader" not in errors and len(data.preheader.strip()) > 200:
        errors["preheader"] = [str(_l("At most %(n)d characters.", n=200))]
    if data.reply_to.strip():
        try:
            check_address("reply_to", data.reply_to.strip())
        except ValidationError as exc:
            errors.update(exc.errors)
    if data.segment_id is not None and db.session.get(Segment, data.segment_id) is None:
        errors["segment_id"] = [str(_l("Unknown segment."))]
    for index, section in enumerate(data.sections, start=1):
        problem = _section_problem(section) or _audience_problem(section, data.segment_id)
        if problem:
            errors.setdefault("sections", []).append(
                str(_l("Section %(n)d: %(problem)s", n=index, problem=problem))
            )
    if errors:
        raise ValidationError(errors)
    return subject_warnings(subject)


def _section_problem(section: SectionData) -> str | None:
    if section.kind not in SECTION_KINDS:
        return str(_l("unknown kind of section."))
    if len(section.title) > 200:
        return str(_l("the title has more than 200 characters."))
    if section.kind == "text":
        if not (section.title.strip() or section.body_md.strip()):
            return str(_l("a free-text section needs a title or a text."))
        return None
    model = SOURCE_MODELS[section.kind]
    if section.source_id is None or db.session.get(model, section.source_id) is None:
        return str(_l("its source no longer exists."))
    return None


def _audience_problem(section: SectionData, segment_id: int | None) -> str | None:
    """Internal events go only to a segment (never to every subscriber)."""
    if section.kind != "event" or segment_id is not None:
        return None
    event = db.session.get(Event, section.source_id)
    if event is not None and event.internal:
        return str(
            _l(
                "“%(title)s” is an internal event: it may only go in a letter to a segment.",
                title=event.title,
            )
        )
    return None


def next_number() -> int:
    """The number of the next issue (Lettre n°N)."""
    return (db.session.scalar(select(func.max(Newsletter.number))) or 0) + 1


def _apply(newsletter: Newsletter, data: NewsletterData) -> None:
    newsletter.subject = data.subject.strip()
    newsletter.preheader = data.preheader.strip()
    newsletter.intro_md = data.intro_md or ""
    newsletter.closing_md = data.closing_md or ""
    newsletter.reply_to = (
        check_address("reply_to", data.reply_to.strip()) if data.reply_to.strip() else ""
    )
    newsletter.segment_id = data.segment_id
    # Sort by the positions the pilot typed (ties keep the form's order), then renumber.
    ordered = sorted(enumerate(data.sections), key=lambda pair: (pair[1].position, pair[0]))
    newsletter.sections = [
        NewsletterSection(
            position=position,
            kind=s.kind,
            roadmap_update_id=s.source_id if s.kind == "roadmap_update" else None,
            action_report_id=s.source_id if s.kind == "action_report" else None,
            event_id=s.source_id if s.kind == "event" else None,
            group_label=s.group_label.strip()[:120],
            title=s.title.strip(),
            body_md=s.body_md or "",
        )
        for position, (_, s) in enumerate(ordered, start=1)
    ]


def create_newsletter(
    data: NewsletterData, author: Pilot | None = None
) -> tuple[Newsletter, list[str]]:
    """Check and store a new draft with the next number; return it and any warnings."""
    warnings = check_newsletter(data)
    newsletter = Newsletter(number=next_number(), status="draft")
    newsletter.created_by_id = author.id if author is not None else None
    _apply(newsletter, data)
    db.session.add(newsletter)
    db.session.commit()
    return newsletter, warnings


def update_newsletter(newsletter: Newsletter, data: NewsletterData) -> list[str]:
    """Check and save a draft's new content (its sections are replaced); return warnings."""
    if not newsletter.is_editable:
        raise ValidationError.single("status", str(_l("Only a draft can be changed.")))
    warnings = check_newsletter(data)
    _apply(newsletter, data)
    db.session.commit()
    return warnings
