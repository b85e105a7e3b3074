"""The delivery table as a work queue: claim due rows with a lease, record results.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then ``UPDATE`` in one transaction, so that
several workers (on several hosts) never claim the same row. SQLite: one ``UPDATE … WHERE id
IN (SELECT … LIMIT n) RETURNING id`` statement, atomic under SQLite's single writer; only one
worker runs on SQLite (see worker.py's lock).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, or_, select, union_all, update

from cac_news.extensions import db
from cac_news.integrations import webhooks
from cac_news.models import PENDING_STATUSES, Delivery, Newsletter
from cac_news.models.delivery import SMTP_TEXT_MAX
from cac_news.models.newsletter import NewsletterStatus, move_newsletter

D = Delivery.__table__
N = Newsletter.__table__


def _claimable(now: datetime):
    """Due rows: queued or retrying whose time has come, or claimed under an expired lease."""
    return or_(
        and_(D.c.status.in_(("queued", "retrying")), D.c.next_attempt_at <= now),
        and_(D.c.status == "sending", D.c.lease_until < now),
    )


def start_due_scheduled(now: datetime) -> int:
    """Scheduled newsletters whose time has come start sending; return how many.

    Each one's public copy is frozen in the same transaction as its start.
    """
    from cac_news.mailing.sending import freeze_archive_copy
    from cac_news.models import Newsletter

    due = list(
        db.session.scalars(select(N.c.id).where(N.c.status == "scheduled", N.c.scheduled_at <= now))
    )
    started = 0
    for newsletter_id in due:
        if move_newsletter(
            newsletter_id,
            NewsletterStatus.SENDING,
            only_from=(NewsletterStatus.SCHEDULED,),
            send_started_at=now,
        ):
            freeze_archive_copy(db.session.get(Newsletter, newsletter_id))
            started += 1
        db.session.commit()
    return started


def finish_completed(now: datetime) -> list[int]:
    """Mark sent the sending newsletters with nothing pending; return their ids."""
    pending = exists().where(D.c.newsletter_id == N.c.id, D.c.status.in_(PENDING_STATUSES))
    ids = list(db.session.scalars(select(N.c.id).where(N.c.status == "sending", ~pending)))
    if ids:
        db.session.execute(
            update(N)
            .where(N.c.id.in_(ids), N.c.status == "sending", ~pending)
            .values(status="sent", sent_at=now, consecutive_errors=0)
        )
        webhooks.newsletters_sent(ids, now)
    db.session.commit()
    return ids


def has_pending_work(now: datetime) -> bool:
    """Anything queued, due for retry, or claimed (live or dead lease) in a sending newsletter."""
    work = (
        select(D.c.id)
        .join(N, N.c.id == D.c.newsletter_id)
        .where(
            N.c.status == "sending",
            or_(
                D.c.status.in_(("queued", "sending")),
                and_(D.c.status == "retrying", D.c.next_attempt_at <= now),
            ),
        )
        .limit(1)
    )
    due_schedule = select(N.c.id).where(N.c.status == "scheduled", N.c.scheduled_at <= now)
    found = db.session.scalar(work) is not None or db.session.scalar(due_schedule) is not None
    db.session.commit()
    return found


def claim(worker: str, limit: int, lease_seconds: float, now: datetime) -> tuple[int | None, list]:
    """Claim up to ``limit`` due deliveries of one sending newsletter: (newsletter id, ids)."""
    lease = now + timedelta(seconds=lease_seconds)
    postgresql = db.engine.dialect.name == "postgresql"
    newsletter_ids = list(
        db.session.scalars(select(N.c.id).where(N.c.status == "sending").order_by(N.c.id))
    )
    for newsletter_id in newsletter_ids:
        due = (
            select(D.c.id)
            .where(D.c.newsletter_id == newsletter_id, _claimable(now))
            .order_by(D.c.id)
            .limit(limit)
        )
        claimed = {"status": "sending", "claimed_by": worker, "lease_until": lease}
        if postgresql:
            ids = list(db.session.scalars(due.with_for_update(skip_locked=True)))
            if ids:
                db.session.execute(update(D).where(D.c.id.in_(ids)).values(**claimed))
        else:
            ids = list(
                db.session.scalars(
                    update(D)
                    .where(D.c.id.in_(_due_sqlite(newsletter_id, now, limit)))
                    .values(**claimed)
                    .returning(D.c.id)
                )
            )
        db.session.commit()
        if ids:
            return newsletter_id, sorted(ids)
    return None, []


def _due_sqlite(newsletter_id: int, now: datetime, limit: int):
    """Due ids as three walks of ix_delivery_claim, each stopping at ``limit``.

    One OR over the statuses made SQLite read every row of the newsletter and sort them at
    each claim (35 ms a claim at 100,000 recipients, with the connections waiting); one
    status at a time reads the index alone and stops after ``limit`` rows. Expired claims
    first (a dead worker's rows), then queued, then retries, each oldest first.
    """
    mine = D.c.newsletter_id == newsletter_id
    parts = [
        select(D.c.id).where(mine, D.c.status == "sending", D.c.lease_until < now).limit(limit),
        *(
            select(D.c.id)
            .where(mine, D.c.status == status, D.c.next_attempt_at <= now)
            .order_by(D.c.next_attempt_at, D.c.id)
            .limit(limit)
            for status in ("queued", "retrying")
        ),
    ]
    every = union_all(*(select(part.subquery().c.id) for part in parts)).subquery()
    return select(every.c.id).limit(limit).scalar_subquery()


def renew_lease(worker: str, lease_seconds: float, now: datetime) -> None:
    """Extend the lease of every row this worker still holds (caller commits)."""
    db.session.execute(
        update(D)
        .where(D.c.claimed_by == worker, D.c.status == "sending")
        .values(lease_until=now + timedelta(seconds=lease_seconds))
    )


def set_results(worker: str, results: list[tuple[int, dict]], now: datetime) -> None:
    """Store many results at once: one executemany per shape of result (sent, failed...)."""
    shapes: dict[tuple[str, ...], list[dict]] = {}
    for delivery_id, values in results:
        if values.get("smtp_text") is not None:
            values = {**values, "smtp_text": values["smtp_text"][:SMTP_TEXT_MAX]}
        shapes.setdefault(tuple(sorted(values)), []).append(
            {"b_id": delivery_id, **{f"b_{key}": value for key, value in values.items()}}
        )
    for keys, rows in shapes.items():
        statement = (
            update(D)
            .where(D.c.id == bindparam("b_id"), D.c.claimed_by == worker)
            .values(
                claimed_by=None,
                lease_until=None,
                updated_at=now,
                **{key: bindparam(f"b_{key}") for key in keys},
            )
        )
        db.session.execute(statement, rows)


def release_unsent(worker: str, newsletter_id: int, now: datetime) -> int:
    """Give back the rows claimed but never attempted (stop, pause, cancel); commit."""
    status = db.session.scalar(select(N.c.status).where(N.c.id == newsletter_id))
    released = db.session.execute(
        update(D)
        .where(
            D.c.claimed_by == worker,
            D.c.status == "sending",
            D.c.newsletter_id == newsletter_id,
        )
        .values(
            status="cancelled" if status == "cancelled" else "queued",
            claimed_by=None,
            lease_until=None,
            updated_at=now,
        )
    ).rowcount
    db.session.commit()
    return released


def pause_for_errors(newsletter_id: int, errors: int, reason: str) -> bool:
    """Pause a sending newsletter after a run of errors, with the reason pilots will see."""
    paused = move_newsletter(
        newsletter_id,
        NewsletterStatus.PAUSED,
        only_from=(NewsletterStatus.SENDING,),
        pause_reason=reason[:500],
        consecutive_errors=errors,
    )
    db.session.commit()
    return paused


def release_expired(now: datetime) -> None:
    """Rows a dead worker held in a paused or cancelled newsletter: queued again, or cancelled."""
    for newsletter_status, new in (("paused", "queued"), ("cancelled", "cancelled")):
        db.session.execute(
            update(D)
            .where(
                D.c.status == "sending",
                D.c.lease_until < now,
                D.c.newsletter_id.in_(select(N.c.id).where(N.c.status == newsletter_status)),
            )
            .values(status=new, claimed_by=None, lease_until=None, updated_at=now)
        )
    db.session.commit()
