"""Moving a scheduled send: another time, or back to a draft before anything went out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update

from cac_news.extensions import db
from cac_news.mailing.sending import _transition, check_future
from cac_news.models import Delivery, Newsletter
from cac_news.models.newsletter import NewsletterStatus
from cac_news.timeutil import utcnow


def reschedule(newsletter: Newsletter, at: datetime) -> None:
    """Send at another time (ahead); the frozen recipients and content stay."""
    check_future(at)
    scheduled = NewsletterStatus.SCHEDULED
    _transition(newsletter, (scheduled,), scheduled, scheduled_at=at)
    db.session.execute(
        update(Delivery)
        .where(Delivery.newsletter_id == newsletter.id, Delivery.status == "queued")
        .values(next_attempt_at=at, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(newsletter)


def unschedule(newsletter: Newsletter) -> None:
    """Back to a draft: the frozen recipients and content are dropped, nothing was sent
    (a scheduled send has no attempt yet: the worker only starts it when it is due)."""
    _transition(
        newsletter,
        (NewsletterStatus.SCHEDULED,),
        NewsletterStatus.DRAFT,
        scheduled_at=None,
        frozen_at=None,
        email_html=None,
        email_text=None,
    )
    db.session.execute(
        delete(Delivery)
        .where(Delivery.newsletter_id == newsletter.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(newsletter)
