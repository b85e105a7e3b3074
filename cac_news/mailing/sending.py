"""Start, schedule, pause, resume and cancel the send of a newsletter (no request needed)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, literal, select, update

from cac_news.audience.segments import segment_query
from cac_news.compose.render import render_newsletter
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.insight.links import rewrite_links
from cac_news.models import Delivery, Newsletter, Pilot, Subscriber
from cac_news.models.newsletter import IN_FLIGHT_STATUSES, NewsletterStatus, move_newsletter
from cac_news.timeutil import site_zone, to_local, to_utc, utcnow  # noqa: F401 (re-exported)


def _refuse(newsletter: Newsletter) -> ValidationError:
    """The message for a send of a newsletter that is no longer a draft."""
    if newsletter.status in IN_FLIGHT_STATUSES or newsletter.status == NewsletterStatus.SENT:
        message = _l(
            "Letter no. %(number)d has already been sent or is being sent (%(status)s): "
            "it cannot be sent twice.",
            number=newsletter.number,
            status=newsletter.status,
        )
    else:
        message = _l(
            "Only a draft can be sent; letter no. %(number)d is %(status)s.",
            number=newsletter.number,
            status=newsletter.status,
        )
    return ValidationError.single("status", str(message))


def parse_local_datetime(value: str) -> datetime:
    """A "YYYY-MM-DD HH:MM" (or a datetime-local "YYYY-MM-DDTHH:MM") in the organisation's
    time zone, as naive UTC; ValidationError otherwise."""
    text = value.strip().replace("T", " ", 1)
    try:
        local = datetime.strptime(text[:16], "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise ValidationError.single(
            "at", str(_l("Give the date and time as YYYY-MM-DD HH:MM."))
        ) from exc
    return to_utc(local)


def check_future(at: datetime, now: datetime | None = None) -> None:
    """A schedule must be ahead: a time already past would send at once, by surprise."""
    if at <= (now or utcnow()):
        local = to_local(at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError.single(
            "at",
            str(_l("%(when)s is already past: choose a date and time to come.", when=local)),
        )


def recipients_query(newsletter: Newsletter):
    """The SELECT of the newsletter's audience: its segment, or every active subscriber."""
    if newsletter.segment is not None:
        return segment_query(newsletter.segment)
    return select(Subscriber).where(Subscriber.status == "active")


def freeze_archive_copy(newsletter: Newsletter, web_html: str | None = None) -> None:
    """Store the immutable public web copy of the newsletter (no personal data in it).

    Called when the send really starts (at once, or when a schedule comes due), so that
    a scheduled issue is not public before its time; the List-Archive link of every
    message already works for the first recipient.
    """
    from cac_news.archive.copies import freeze_copy

    freeze_copy(newsletter, web_html)


def start_send(
    newsletter: Newsletter, at: datetime | None = None, actor: Pilot | None = None
) -> int:
    """Freeze the rendered email and the recipient list; return the number of recipients.

    ``at`` (naive UTC) in the future schedules the send; the worker starts it then.
    """
    if newsletter.status != NewsletterStatus.DRAFT:
        raise _refuse(newsletter)
    now = utcnow()
    if at is not None:
        check_future(at, now)
    scheduled = at is not None
    rendered = render_newsletter(newsletter)
    email_html, email_text = rendered.html, rendered.text
    if current_app.config.get("LINK_COUNTING", True):  # the web copy keeps direct links
        email_html, email_text = rewrite_links(newsletter, email_html, email_text)
    # The conditional UPDATE is the guard against two concurrent sends: only one wins.
    won = move_newsletter(
        newsletter.id,
        NewsletterStatus.SCHEDULED if scheduled else NewsletterStatus.SENDING,
        only_from=(NewsletterStatus.DRAFT,),
        email_html=email_html,
        email_text=email_text,
        frozen_at=now,
        scheduled_at=at if scheduled else None,
        send_started_at=None if scheduled else now,
        pause_reason="",
        consecutive_errors=0,
    )
    if not won:
        db.session.rollback()
        db.session.refresh(newsletter)
        raise _refuse(newsletter)
    name = func.trim(Subscriber.first_name + literal(" ") + Subscriber.last_name)
    audience = recipients_query(newsletter).with_only_columns(
        literal(newsletter.id),
        Subscriber.id,
        Subscriber.email,
        name,
        literal("queued"),
        literal(0),
        literal(at if scheduled else now),
        literal(False),
        literal(now),
    )
    db.session.execute(
        insert(Delivery).from_select(
            [
                "newsletter_id",
                "subscriber_id",
                "email",
                "name",
                "status",
                "attempts",
                "next_attempt_at",
                "at_rcpt",
                "updated_at",
            ],
            audience,
        )
    )
    count = db.session.scalar(
        select(func.count(Delivery.id)).where(Delivery.newsletter_id == newsletter.id)
    )
    db.session.execute(
        update(Newsletter).where(Newsletter.id == newsletter.id).values(recipients_count=count)
    )
    if not scheduled:
        freeze_archive_copy(newsletter, rendered.web_html)  # rendered above, once
    db.session.commit()
    db.session.refresh(newsletter)
    current_app.logger.info(
        "newsletter %s: %s recipients frozen (%s) by %s",
        newsletter.number,
        count,
        newsletter.status,
        actor.email if actor is not None else "the command line",
    )
    return int(count)


def _transition(newsletter: Newsletter, allowed: tuple[str, ...], new: str, **values) -> None:
    """Move the newsletter to ``new`` if its current status allows it, atomically."""
    if not move_newsletter(newsletter.id, new, only_from=allowed, **values):
        db.session.rollback()
        db.session.refresh(newsletter)
        raise ValidationError.single(
            "status",
            str(
                _l(
                    "Letter no. %(number)d is %(status)s: this action is not possible.",
                    number=newsletter.number,
                    status=newsletter.status,
                )
            ),
        )


def pause(newsletter: Newsletter, reason: str = "") -> None:
    """Stop handing the newsletter's messages to the worker; messages in flight finish."""
    _transition(
        newsletter,
        (NewsletterStatus.SENDING, NewsletterStatus.SCHEDULED),
        NewsletterStatus.PAUSED,
        pause_reason=reason[:500],
    )
    db.session.commit()
    db.session.refresh(newsletter)


def resume(newsletter: Newsletter) -> None:
    """Carry on with a paused send (a schedule still in the future stays scheduled)."""
    now = utcnow()
    waiting = newsletter.scheduled_at is not None and newsletter.scheduled_at > now
    _transition(
        newsletter,
        (NewsletterStatus.PAUSED,),
        NewsletterStatus.SCHEDULED if waiting else NewsletterStatus.SENDING,
        pause_reason="",
        consecutive_errors=0,
        send_started_at=func.coalesce(Newsletter.send_started_at, None if waiting else now),
    )
    db.session.commit()
    db.session.refresh(newsletter)


def cancel(newsletter: Newsletter) -> int:
    """Cancel the send: the deliveries not yet attempted are cancelled; return their number."""
    _transition(newsletter, IN_FLIGHT_STATUSES, NewsletterStatus.CANCELLED)
    cancelled = db.session.execute(
        update(Delivery)
        .where(
            Delivery.newsletter_id == newsletter.id,
            Delivery.status.in_(("queued", "retrying")),
        )
        .values(status="cancelled", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    db.session.refresh(newsletter)
    return cancelled


def delivery_counts(newsletter_id: int) -> dict[str, int]:
    """How many deliveries of the newsletter are in each status (one GROUP BY)."""
    rows = db.session.execute(
        select(Delivery.status, func.count(Delivery.id))
        .where(Delivery.newsletter_id == newsletter_id)
        .group_by(Delivery.status)
    )
    counts = dict.fromkeys(("queued", "sending", "sent", "retrying", "failed"), 0)
    counts.update({status: int(n) for status, n in rows})
    counts.setdefault("skipped", 0)
    counts.setdefault("cancelled", 0)
    return counts
