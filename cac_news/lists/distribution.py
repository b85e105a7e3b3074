"""List mail through the delivery worker: one list_delivery row per member and post (or
digest), claimed under a lease like the letters' deliveries, sent over the same relay pool
(relays, rates, quotas, circuit breakers), results recorded with the same backoff, and a
refusal at RCPT counted as a bounce under the same policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, literal, or_, select, update

from cac_news.extensions import db
from cac_news.lists import members
from cac_news.mailing.bounces.apply import record_smtp_rejection
from cac_news.mailing.bounces.verp import envelope_for_list_delivery
from cac_news.mailing.transport import DEFERRED, PERMANENT, SENT, Job, SendResult
from cac_news.models import ListDelivery, ListMember, ListPost, Subscriber
from cac_news.models.delivery import SMTP_TEXT_MAX
from cac_news.timeutil import utcnow

L = ListDelivery.__table__
BATCH = 50


def queue_post(post: ListPost, now: datetime | None = None) -> int:
    """A delivery for every member who takes each message; the caller commits."""
    now = now or utcnow()
    audience = members.receiving(post.discussion_list, "each").with_only_columns(
        literal(post.id),
        literal(post.list_id),
        Subscriber.id,
        literal(""),
        literal("queued"),
        literal(0),
        literal(now),
    )
    columns = [
        "post_id", "list_id", "subscriber_id", "digest_post_ids", "status", "attempts",
        "next_attempt_at",
    ]  # fmt: skip
    result = db.session.execute(insert(ListDelivery).from_select(columns, audience.order_by(None)))
    return result.rowcount or 0


def _claimable(now: datetime):
    return or_(
        and_(L.c.status.in_(("queued", "retrying")), L.c.next_attempt_at <= now),
        and_(L.c.status == "sending", L.c.lease_until < now),
    )


def has_pending(now: datetime) -> bool:
    """Anything due (or claimed) among list deliveries."""
    found = db.session.scalar(
        select(L.c.id).where(or_(_claimable(now), L.c.status == "sending")).limit(1)
    )
    db.session.commit()
    return found is not None


def claim(worker_id: str, lease_seconds: float, now: datetime, limit: int = BATCH) -> list[int]:
    """Claim due list deliveries under a lease (SKIP LOCKED on PostgreSQL); commits."""
    lease = now + timedelta(seconds=lease_seconds)
    claimed = {"status": "sending", "claimed_by": worker_id, "lease_until": lease}
    due = select(L.c.id).where(_claimable(now)).order_by(L.c.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        ids = list(db.session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(update(L).where(L.c.id.in_(ids)).values(**claimed))
    else:
        ids = list(
            db.session.scalars(
                update(L)
                .where(L.c.id.in_(due.scalar_subquery()))
                .values(**claimed)
                .returning(L.c.id)
            )
        )
    db.session.commit()
    return sorted(ids)


def release(worker_id: str) -> None:
    """Give back what this worker claimed but never tried; commits."""
    db.session.execute(
        update(L)
        .where(L.c.claimed_by == worker_id, L.c.status == "sending")
        .values(status="queued", claimed_by=None, lease_until=None)
    )
    db.session.commit()


class ListStream:
    """The worker's second stream of jobs: list posts and digests."""

    def __init__(self) -> None:
        self.mailers: dict = {}

    def has_pending(self, now: datetime) -> bool:
        return has_pending(now)

    def mailer(self, row, config: Mapping):
        """The post's (or digest's) renderer, built once per worker run."""
        from cac_news.lists.digests import DigestMailer
        from cac_news.lists.outgoing import PostMailer

        key = row.post_id or ("digest", row.id)
        if key not in self.mailers:
            if row.post_id:
                self.mailers[key] = PostMailer(db.session.get(ListPost, row.post_id), config)
            else:
                self.mailers[key] = DigestMailer(row, config)
        return self.mailers[key]

    def jobs(
        self, worker_id: str, lease_seconds: float, config: Mapping, stopping
    ) -> Iterator[Job]:
        """Jobs of one claimed batch after another until none is due."""
        self.mailers = {}
        while not stopping.is_set():
            ids = claim(worker_id, lease_seconds, utcnow())
            if not ids:
                return
            rows = db.session.execute(
                select(L, Subscriber.status.label("subscriber_status"), Subscriber.email,
                       ListMember.status.label("member_status"))
                .outerjoin(Subscriber, Subscriber.id == L.c.subscriber_id)
                .outerjoin(ListMember, and_(ListMember.subscriber_id == L.c.subscriber_id,
                                            ListMember.list_id == L.c.list_id))
                .where(L.c.id.in_(ids), L.c.claimed_by == worker_id)
                .order_by(L.c.id)
            ).all()  # fmt: skip
            db.session.commit()
            for row in rows:
                if row.subscriber_status != "active" or row.member_status != "active":
                    # Unsubscribed, bounced, erased or left since the post came: nothing more.
                    self._write(row.id, worker_id, {"status": "skipped"})
                    db.session.commit()
                    continue
                try:
                    data = self.mailer(row, config).render(row.subscriber_id)
                except ValueError as exc:
                    self._write(
                        row.id, worker_id, {"status": "failed", "smtp_text": f"not sent: {exc}"}
                    )
                    db.session.commit()
                    continue
                yield Job(
                    envelope_for_list_delivery(row.id, config),
                    row.email,
                    data,
                    key=("list", row.id, row.attempts, row.subscriber_id),
                )

    @staticmethod
    def _write(delivery_id: int, worker_id: str, values: dict) -> None:
        if values.get("smtp_text"):
            values["smtp_text"] = values["smtp_text"][:SMTP_TEXT_MAX]
        db.session.execute(
            update(L)
            .where(L.c.id == delivery_id, L.c.claimed_by == worker_id)
            .values(claimed_by=None, lease_until=None, **values)
        )

    def record(
        self, worker_id: str, job: Job, result: SendResult, relay, config, backoff, max_attempts
    ) -> None:
        """Write one result (sent, waiting, retrying, failed); commits."""
        _kind, delivery_id, attempts, subscriber_id = job.key
        now = utcnow()
        if result.status == DEFERRED:
            due = now + timedelta(seconds=result.retry_after)
            self._write(delivery_id, worker_id, {"status": "queued", "next_attempt_at": due})
            db.session.commit()
            return
        attempts += 1
        common = {
            "attempts": attempts,
            "smtp_code": result.code,
            "smtp_text": result.text,
            "relay": relay,
        }
        if result.status == SENT:
            values = {"status": "sent", "sent_at": now, **common}
        elif result.status == PERMANENT or attempts >= max_attempts:
            values = {"status": "failed", **common}
            subscriber = db.session.get(Subscriber, subscriber_id)
            if result.status == PERMANENT and result.at_rcpt and subscriber is not None:
                record_smtp_rejection(
                    subscriber, result.code or "5", result.text or "", now=now, config=config
                )
        else:
            due = now + timedelta(seconds=backoff(attempts, config))
            values = {"status": "retrying", "next_attempt_at": due, **common}
        self._write(delivery_id, worker_id, values)
        db.session.commit()

    def release(self, worker_id: str) -> None:
        release(worker_id)


STREAM = ListStream()
