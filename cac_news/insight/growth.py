"""How the network grows: subscribers by week from the event log, arrivals and departures
per letter, the next send and the bounces to look at. Aggregates only, with indexes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select

from cac_news.extensions import db
from cac_news.insight.report import as_date
from cac_news.models import Bounce, Delivery, Newsletter, Subscriber, SubscriptionEvent
from cac_news.timeutil import utcnow

GROWTH_STATUSES = ("active", "pending", "unsubscribed")
DEPARTED = ("unsubscribed", "bounced", "complained")
WEEKS = 26
LETTERS = 10


@dataclass(frozen=True)
class WeekCounts:
    """Subscribers in each status at the end of a week (Monday of that week)."""

    monday: date
    counts: dict[str, int]


def current_counts() -> dict[str, int]:
    """Subscribers per status today (one GROUP BY on an indexed column)."""
    rows = db.session.execute(
        select(Subscriber.status, func.count()).group_by(Subscriber.status)
    ).all()
    return {status: int(n) for status, n in rows}


def weekly_growth(weeks: int = WEEKS, today: date | None = None) -> list[WeekCounts]:
    """Subscribers per status at the end of each of the last ``weeks`` weeks.

    Walks back from today's counts, undoing each week's status changes: only the recent
    events are read (an index range on (kind, created_at)), and an erased subscriber,
    gone with their events, counts in no week at all.
    """
    today = today or utcnow().date()
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    day = func.date(SubscriptionEvent.created_at)
    rows = db.session.execute(
        select(day, SubscriptionEvent.old_status, SubscriptionEvent.new_status, func.count())
        .where(
            SubscriptionEvent.kind == "status",
            SubscriptionEvent.created_at >= datetime.combine(first_monday, datetime.min.time()),
        )
        .group_by(day, SubscriptionEvent.old_status, SubscriptionEvent.new_status)
    ).all()
    # net[week index][status]: how much the week changed each status.
    net = [dict.fromkeys(GROWTH_STATUSES, 0) for _ in range(weeks)]
    for raw_day, old, new, n in rows:
        index = min(weeks - 1, (as_date(raw_day) - first_monday).days // 7)
        if new in GROWTH_STATUSES:
            net[index][new] += int(n)
        if old in GROWTH_STATUSES:
            net[index][old] -= int(n)
    today_counts = current_counts()
    counts = {s: today_counts.get(s, 0) for s in GROWTH_STATUSES}
    result = []
    for index in range(weeks - 1, -1, -1):
        result.append(WeekCounts(first_monday + timedelta(weeks=index), dict(counts)))
        counts = {s: counts[s] - net[index][s] for s in GROWTH_STATUSES}
    return list(reversed(result))


@dataclass(frozen=True)
class LetterFlow:
    """Confirmed arrivals and departures between a letter and the next one."""

    newsletter: Newsletter
    arrivals: int
    departures: int
    delivered: int


def flows_per_letter(limit: int = LETTERS) -> list[LetterFlow]:
    """Arrivals and departures in the interval each of the last letters opened."""
    letters = db.session.scalars(
        select(Newsletter)
        .where(Newsletter.send_started_at.is_not(None))
        .order_by(Newsletter.send_started_at.desc())
        .limit(limit + 1)
    ).all()
    letters.reverse()
    delivered = dict(
        db.session.execute(
            select(Delivery.newsletter_id, func.count(Delivery.id))
            .where(Delivery.newsletter_id.in_([n.id for n in letters]), Delivery.status == "sent")
            .group_by(Delivery.newsletter_id)
        ).all()
    )
    arrived = and_(
        SubscriptionEvent.new_status == "active", SubscriptionEvent.old_status != "active"
    )
    left = and_(
        SubscriptionEvent.old_status == "active", SubscriptionEvent.new_status.in_(DEPARTED)
    )
    flows = []
    for i, letter in enumerate(letters[-limit:], start=max(0, len(letters) - limit)):
        end = letters[i + 1].send_started_at if i + 1 < len(letters) else utcnow()
        arrivals, departures = db.session.execute(
            select(
                func.coalesce(func.sum(case((arrived, 1), else_=0)), 0),
                func.coalesce(func.sum(case((left, 1), else_=0)), 0),
            ).where(
                SubscriptionEvent.kind == "status",
                SubscriptionEvent.created_at >= letter.send_started_at,
                SubscriptionEvent.created_at < end,
            )
        ).one()
        flows.append(
            LetterFlow(letter, int(arrivals), int(departures), int(delivered.get(letter.id, 0)))
        )
    return flows


def next_scheduled() -> Newsletter | None:
    """The next letter waiting for its scheduled time."""
    return db.session.scalar(
        select(Newsletter)
        .where(Newsletter.status == "scheduled")
        .order_by(Newsletter.scheduled_at)
        .limit(1)
    )


def bounces_to_review(limit: int = 5) -> list[Bounce]:
    """The latest hard bounces and complaints, and the unverified ones (no subscriber tied)."""
    return list(
        db.session.scalars(
            select(Bounce)
            .where((Bounce.kind != "soft") | Bounce.subscriber_id.is_(None))
            .order_by(Bounce.received_at.desc())
            .limit(limit)
        )
    )
