"""Newsletters (numbered issues) and their ordered sections."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, text, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.content import ActionReport, RoadmapUpdate
from cac_news.models.event import Event
from cac_news.models.lifecycle import TransitionRefused, status_check
from cac_news.models.pilot import Pilot
from cac_news.models.segment import Segment
from cac_news.timeutil import utcnow

log = logging.getLogger(__name__)


class NewsletterStatus(StrEnum):
    """A letter's life: every change goes through move_newsletter()."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELLED = "cancelled"


_N = NewsletterStatus
NEWSLETTER_STATUSES = tuple(NewsletterStatus)
# From each status, where a letter may go. Sent and cancelled are final; a scheduled letter
# goes back to a draft (unscheduled) only while nothing was attempted.
NEWSLETTER_TRANSITIONS: dict[str, frozenset[str]] = {
    _N.DRAFT: frozenset({_N.SCHEDULED, _N.SENDING}),
    _N.SCHEDULED: frozenset({_N.SCHEDULED, _N.SENDING, _N.PAUSED, _N.CANCELLED, _N.DRAFT}),
    _N.SENDING: frozenset({_N.PAUSED, _N.SENT, _N.CANCELLED}),
    _N.PAUSED: frozenset({_N.SCHEDULED, _N.SENDING, _N.CANCELLED}),
    _N.SENT: frozenset(),
    _N.CANCELLED: frozenset(),
}
# Letters the worker or a pilot still acts on.
IN_FLIGHT_STATUSES = (_N.SCHEDULED, _N.SENDING, _N.PAUSED)


def statuses_before(new: str) -> frozenset[str]:
    """The statuses a letter may move to `new` from."""
    return frozenset(old for old, targets in NEWSLETTER_TRANSITIONS.items() if new in targets)


SECTION_KINDS = ("roadmap_update", "action_report", "event", "text")


class Newsletter(db.Model):
    """One issue of the letter (Lettre n°N): headers, introduction, sections, closing."""

    __tablename__ = "newsletter"
    __table_args__ = (status_check(NewsletterStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    preheader: Mapped[str] = mapped_column(String(200), default="")
    intro_md: Mapped[str] = mapped_column(Text, default="")
    closing_md: Mapped[str] = mapped_column(Text, default="")
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    # Target segment; NULL means every active subscriber. RESTRICT: deleting a segment
    # must never silently widen a draft to the whole list.
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segment.id", ondelete="RESTRICT"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    scheduled_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )
    # Frozen when the send starts: the rendered email with its per-recipient tokens.
    email_html: Mapped[str | None] = mapped_column(Text, default=None)
    email_text: Mapped[str | None] = mapped_column(Text, default=None)
    frozen_at: Mapped[datetime | None]
    send_started_at: Mapped[datetime | None]
    recipients_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    pause_reason: Mapped[str] = mapped_column(String(500), default="", server_default=text("''"))
    consecutive_errors: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Bumped by every save of the draft: a save made from an older copy is refused.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))

    created_by: Mapped[Pilot | None] = relationship(lazy="joined")
    segment: Mapped[Segment | None] = relationship(lazy="joined")
    sections: Mapped[list[NewsletterSection]] = relationship(
        back_populates="newsletter",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(NewsletterSection.position, NewsletterSection.id)",
    )

    @property
    def is_editable(self) -> bool:
        """Only drafts may change."""
        return self.status == "draft"

    def __repr__(self) -> str:
        return f"<Newsletter n°{self.number} {self.status}>"


def move_newsletter(
    newsletter_id: int,
    new: str,
    *,
    only_from: Iterable[str] | None = None,
    where: Iterable = (),
    **values,
) -> bool:
    """Move one letter to `new` in one conditional UPDATE, if its status allows it now.

    The condition is the guard against concurrent moves (two sends, a pause racing the
    worker): only one wins. `only_from` narrows the table's sources (it may not widen them);
    `where` adds conditions. Nothing is committed; the move is logged.
    """
    allowed = statuses_before(new)
    if only_from is not None:
        narrowed = frozenset(only_from)
        if not narrowed <= allowed:
            raise TransitionRefused("newsletter", ",".join(sorted(narrowed - allowed)), new)
        allowed = narrowed
    table = Newsletter.__table__
    changed = db.session.execute(
        update(table)
        .where(table.c.id == newsletter_id, table.c.status.in_(allowed), *where)
        .values(status=new, **values)
    ).rowcount
    if changed:
        log.info("newsletter id %s: status -> %s", newsletter_id, new)
    return changed == 1


class NewsletterSection(db.Model):
    """One block of a newsletter: a roadmap update, an action report, an event or free text.

    Title and body are copied from the source when the section is proposed, so that the
    pilot can edit them and later edits of the source do not change a composed issue.
    """

    __tablename__ = "newsletter_section"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('roadmap_update', 'action_report', 'event', 'text')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    roadmap_update_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_update.id", ondelete="SET NULL"), default=None
    )
    action_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_report.id", ondelete="SET NULL"), default=None
    )
    # An "À vos agendas" section: the event it announces (an event is announced once it is
    # in a letter that went out).
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), default=None, index=True
    )
    group_label: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")

    newsletter: Mapped[Newsletter] = relationship(back_populates="sections")
    roadmap_update: Mapped[RoadmapUpdate | None] = relationship()
    action_report: Mapped[ActionReport | None] = relationship()
    event: Mapped[Event | None] = relationship()

    def __repr__(self) -> str:
        return f"<NewsletterSection {self.position} {self.kind}>"
