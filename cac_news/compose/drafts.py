"""Drafts: copy a letter (a draft or a sent one) into a new draft; delete a draft."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from cac_news.compose.newsletters import next_number
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import Newsletter, NewsletterSection, Pilot


def duplicate(newsletter: Newsletter, author: Pilot | None = None) -> Newsletter:
    """A new draft with the same subject, texts, segment and sections (in their order)."""
    copy = Newsletter(
        number=next_number(),
        status="draft",
        subject=newsletter.subject,
        preheader=newsletter.preheader,
        intro_md=newsletter.intro_md,
        closing_md=newsletter.closing_md,
        reply_to=newsletter.reply_to,
        segment_id=newsletter.segment_id,
        created_by_id=author.id if author is not None else None,
    )
    copy.sections = [
        NewsletterSection(
            position=section.position,
            kind=section.kind,
            roadmap_update_id=section.roadmap_update_id,
            action_report_id=section.action_report_id,
            event_id=section.event_id,
            group_label=section.group_label,
            title=section.title,
            body_md=section.body_md,
        )
        for section in sorted(newsletter.sections, key=lambda s: s.position)
    ]
    db.session.add(copy)
    db.session.commit()
    return copy


def delete_draft(newsletter: Newsletter) -> None:
    """Delete a draft and its sections; a letter scheduled, sent or being sent stays."""
    deleted = db.session.execute(
        delete(Newsletter)
        .where(Newsletter.id == newsletter.id, Newsletter.status == "draft")
        .execution_options(synchronize_session=False)
    ).rowcount
    if deleted != 1:
        db.session.rollback()
        raise ValidationError.single(
            "status", str(_l("Only a draft can be deleted; this letter is not a draft."))
        )
    db.session.commit()
    db.session.expunge(newsletter)
