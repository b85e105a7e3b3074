"""The composer's live preview: unsaved fields rendered by the renderer of the send."""

from __future__ import annotations

from dataclasses import dataclass

from cac_news.compose.newsletters import NewsletterData, ordered_sections
from cac_news.compose.render import (
    personalise,
    personalise_subject,
    render_newsletter,
    sample_values,
    subject_template,
)
from cac_news.models import Newsletter


@dataclass(frozen=True)
class Preview:
    """What a sample recipient would get."""

    subject: str
    html: str
    text: str


def unsaved_copy(newsletter: Newsletter, data: NewsletterData) -> Newsletter:
    """A transient newsletter (never added to the session) holding the typed fields."""
    copy = Newsletter(
        number=newsletter.number,
        status="draft",
        subject=data.subject.strip(),
        preheader=data.preheader.strip(),
        intro_md=data.intro_md or "",
        closing_md=data.closing_md or "",
    )
    copy.sections = ordered_sections(data)
    return copy


def live_preview(newsletter: Newsletter, data: NewsletterData, name: str) -> Preview:
    """The email of the typed fields, personalised for a sample recipient called ``name``."""
    copy = unsaved_copy(newsletter, data)
    values = sample_values(name)
    html, text = personalise(render_newsletter(copy), values)
    return Preview(personalise_subject(subject_template(copy), values), html, text)
