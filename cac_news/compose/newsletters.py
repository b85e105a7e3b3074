"""Newsletter drafts: check their fields, number them, save their ordered sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from cac_news.compose.headers import check_address, check_header_value, subject_warnings
from cac_news.errors import ErrorCollector, ValidationError
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
from cac_news.personalisation import unknown_fields

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
    # The draft's version the pilot's copy was loaded at (None: do not check).
    version: int | None = None


class StaleDraft(ValidationError):
    """The draft changed since the pilot's copy was loaded (another pilot saved it)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(
            {
                "version": [
                    str(
                        _l(
                            "Another pilot changed this draft since you opened it: your "
                            "changes were not saved. Reload the page to see theirs, then "
                            "make your changes again."
                        )
                    )
                ]
            }
        )


def _field_problem(text: str) -> str | None:
    """The message for unknown personalisation fields in a text, naming them."""
    unknown = unknown_fields(text)
    if not unknown:
        return None
    return str(
        _l(
            "Unknown personalisation field: %(fields)s. Use {{ prénom }}.",
            fields=", ".join(f"{{{{ {name} }}}}" for name in unknown),
        )
    )


def check_newsletter(data: NewsletterData) -> list[str]:
    """Raise a ValidationError for bad fields; return warnings (a long subject)."""
    errors = ErrorCollector()
    subject = data.subject.strip()
    for name, value in (("subject", data.subject), ("preheader", data.preheader)):
        try:
            check_header_value(name, value)
        except ValidationError as exc:
            errors.extend(exc.errors)
    if "subject" not in errors and not subject:
        errors.add("subject", str(_l("A subject is required.")))
    elif len(subject) > 200:
        errors.add("subject", str(_l("At most %(n)d characters.", n=200)))
    if "preheader" not in errors and len(data.preheader.strip()) > 200:
        errors.add("preheader", str(_l("At most %(n)d characters.", n=200)))
    if data.reply_to.strip():
        try:
            check_address("reply_to", data.reply_to.strip())
        except ValidationError as exc:
            errors.extend(exc.errors)
    for name in ("subject", "preheader", "intro_md", "closing_md"):
        problem = None if name in errors else _field_problem(getattr(data, name))
        if problem:
            errors.add(name, problem)
    if data.segment_id is not None and db.session.get(Segment, data.segment_id) is None:
        errors.add("segment_id", str(_l("Unknown segment.")))
    for index, section in enumerate(data.sections, start=1):
        problem = _section_problem(section) or _audience_problem(section, data.segment_id)
        if problem:
            errors.add("sections", str(_l("Section %(n)d: %(problem)s", n=index, problem=problem)))
    errors.raise_if_any()
    return subject_warnings(subject)


def _section_problem(section: SectionData) -> str | None:
    if section.kind not in SECTION_KINDS:
        return str(_l("unknown kind of section."))
    if len(section.title) > 200:
        return str(_l("the title has more than 200 characters."))
    problem = _field_problem(section.title + "\n" + section.body_md)
    if problem:
        return problem
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
    newsletter.sections = ordered_sections(data)


def ordered_sections(data: NewsletterData) -> list[NewsletterSection]:
    """New section rows in the order of their positions (ties keep the form's order)."""
    ordered = sorted(enumerate(data.sections), key=lambda pair: (pair[1].position, pair[0]))
    return [section_row(s, position) for position, (_, s) in enumerate(ordered, start=1)]


def section_row(section: SectionData, position: int) -> NewsletterSection:
    """The stored section for checked section data, its source in the column of its kind."""
    source = section.source_id
    return NewsletterSection(
        position=position,
        kind=section.kind,
        roadmap_update_id=source if section.kind == "roadmap_update" else None,
        action_report_id=source if section.kind == "action_report" else None,
        event_id=source if section.kind == "event" else None,
        group_label=section.group_label.strip()[:120],
        title=section.title.strip(),
        body_md=section.body_md or "",
    )


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
    claim_version(newsletter, data.version)
    _apply(newsletter, data)
    db.session.commit()
    return warnings


def claim_version(newsletter: Newsletter, expected: int | None) -> None:
    """Bump the draft's version in one UPDATE that only matches the expected version, so
    that of two saves made from the same copy the second is refused (StaleDraft)."""
    query = update(Newsletter).where(Newsletter.id == newsletter.id, Newsletter.status == "draft")
    if expected is not None:
        query = query.where(Newsletter.version == expected)
    claimed = db.session.execute(
        query.values(version=Newsletter.version + 1).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        current = db.session.scalar(
            select(Newsletter.version).where(Newsletter.id == newsletter.id)
        )
        raise StaleDraft(current or 0)
    db.session.refresh(newsletter, ["version"])


DIVIDER_MD = "---"  # a divider is a free-text section holding a Markdown thematic break


def is_divider(kind: str, title: str, body_md: str) -> bool:
    """A section that only draws a line between the others."""
    return kind == "text" and not title.strip() and body_md.strip() == DIVIDER_MD


def add_section(newsletter: Newsletter, section: SectionData) -> NewsletterSection:
    """Append one section to a draft (checked like the composer's), bumping its version."""
    if not newsletter.is_editable:
        raise ValidationError.single("status", str(_l("Only a draft can be changed.")))
    problem = _section_problem(section) or _audience_problem(section, newsletter.segment_id)
    if problem:
        raise ValidationError.single("sections", problem)
    claim_version(newsletter, None)
    added = section_row(section, max((s.position for s in newsletter.sections), default=0) + 1)
    newsletter.sections.append(added)
    db.session.commit()
    return added
