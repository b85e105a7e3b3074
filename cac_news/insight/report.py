"""One letter's report: deliveries, bounces, departures, link follows and their timeline."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from cac_news.extensions import db
from cac_news.insight.departures import unsubscribes_from
from cac_news.models import Bounce, Delivery, LetterLink, LinkFollowCount, Newsletter

TIMELINE_DAYS = 7


@dataclass(frozen=True)
class LinkFigure:
    """A link of the letter and how many times it was followed in all."""

    url: str
    code: str
    follows: int


@dataclass
class LetterReport:
    """Every figure of one letter; none of them names a person."""

    newsletter: Newsletter
    recipients: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    pending: int = 0
    hard_bounces: int = 0
    soft_bounces: int = 0
    complaints: int = 0
    unsubscribes: int = 0
    links: list[LinkFigure] = field(default_factory=list)
    timeline: list[tuple[date, int, int]] = field(default_factory=list)  # day, sent, follows

    @property
    def follows(self) -> int:
        """Link follows in all."""
        return sum(link.follows for link in self.links)


def as_date(value) -> date:
    """A date from what func.date() returns (a string on SQLite, a date on PostgreSQL)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def letter_report(newsletter: Newsletter, detailed: bool = True) -> LetterReport:
    """The report of one letter, from a handful of GROUP BY queries.

    ``detailed=False`` (the dashboard's list of letters) leaves out the retries and the
    timeline, the two figures that read every delivery row rather than an index.
    """
    report = LetterReport(newsletter, recipients=newsletter.recipients_count)
    by_status = dict(
        db.session.execute(
            select(Delivery.status, func.count(Delivery.id))
            .where(Delivery.newsletter_id == newsletter.id)
            .group_by(Delivery.status)
        ).all()
    )
    report.delivered = int(by_status.get("sent", 0))
    report.failed = int(by_status.get("failed", 0))
    report.pending = sum(int(by_status.get(s, 0)) for s in ("queued", "sending", "retrying"))
    report.unsubscribes = unsubscribes_from(newsletter.number)
    report.links = _link_figures(newsletter.id)
    if not detailed:
        return report
    report.retried = int(
        db.session.scalar(
            select(func.count(Delivery.id)).where(
                Delivery.newsletter_id == newsletter.id,
                Delivery.status == "sent",
                Delivery.attempts > 1,
            )
        )
        or 0
    )
    bounces = dict(
        db.session.execute(
            select(Bounce.kind, func.count(Bounce.id))
            .where(Bounce.newsletter_id == newsletter.id)
            .group_by(Bounce.kind)
        ).all()
    )
    report.hard_bounces = int(bounces.get("hard", 0))
    report.soft_bounces = int(bounces.get("soft", 0))
    report.complaints = int(bounces.get("complaint", 0))
    report.timeline = _timeline(newsletter)
    return report


def _link_figures(newsletter_id: int) -> list[LinkFigure]:
    total = func.coalesce(func.sum(LinkFollowCount.count), 0)
    rows = db.session.execute(
        select(LetterLink.url, LetterLink.code, total)
        .outerjoin(LinkFollowCount, LinkFollowCount.link_id == LetterLink.id)
        .where(LetterLink.newsletter_id == newsletter_id)
        .group_by(LetterLink.id, LetterLink.url, LetterLink.code, LetterLink.position)
        .order_by(total.desc(), LetterLink.position)
    )
    return [LinkFigure(url, code, int(n)) for url, code, n in rows]


def _timeline(newsletter: Newsletter) -> list[tuple[date, int, int]]:
    """Messages sent and links followed on each of the first days of the send."""
    if newsletter.send_started_at is None:
        return []
    first = newsletter.send_started_at.date()
    days = [first + timedelta(days=i) for i in range(TIMELINE_DAYS)]
    day = func.date(Delivery.sent_at)
    sent = {
        as_date(d): int(n)
        for d, n in db.session.execute(
            select(day, func.count(Delivery.id))
            .where(Delivery.newsletter_id == newsletter.id, Delivery.sent_at.is_not(None))
            .group_by(day)
        )
    }
    follows = {
        as_date(d): int(n)
        for d, n in db.session.execute(
            select(LinkFollowCount.day, func.sum(LinkFollowCount.count))
            .join(LetterLink, LetterLink.id == LinkFollowCount.link_id)
            .where(LetterLink.newsletter_id == newsletter.id)
            .group_by(LinkFollowCount.day)
        )
    }
    return [(d, sent.get(d, 0), follows.get(d, 0)) for d in days]


def report_csv(report: LetterReport) -> str:
    """The report as CSV: the figures, then one line per link, then the timeline."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "value"])
    for name in (
        "recipients", "delivered", "retried", "failed", "pending", "hard_bounces",
        "soft_bounces", "complaints", "unsubscribes", "follows",
    ):  # fmt: skip
        writer.writerow([name, getattr(report, name)])
    writer.writerow([])
    writer.writerow(["link", "follows"])
    for link in report.links:
        writer.writerow([link.url, link.follows])
    writer.writerow([])
    writer.writerow(["day", "sent", "follows"])
    for day, sent, follows in report.timeline:
        writer.writerow([day.isoformat(), sent, follows])
    return out.getvalue()
