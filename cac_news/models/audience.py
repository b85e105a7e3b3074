"""Subscribers, their participation modes and the log of their status changes."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.lifecycle import TransitionRefused, status_check
from cac_news.models.pilot import Pilot
from cac_news.models.territory import Territory
from cac_news.timeutil import utcnow

if TYPE_CHECKING:
    from cac_news.models.delivery import Delivery


class SubscriberStatus(StrEnum):
    """Where a person stands; every change goes through Subscriber.set_status()."""

    PENDING = "pending"
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"


SUBSCRIBER_STATUSES = tuple(SubscriberStatus)
# People who left: consent is a one-way door, only their own confirmation brings them back.
LEFT_STATUSES = frozenset(
    {SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED}
)
RECIPIENT_STATUSES = frozenset({SubscriberStatus.ACTIVE, SubscriberStatus.PENDING})
CONSENT_SOURCES = ("form", "import", "pilot")
EVENT_SOURCES = (
    "form",
    "import",
    "pilot",
    "confirmation",
    "preferences",
    "unsubscribe",
    "bounce",
    "complaint",
    "system",
    "api",
)
LANGUAGES = ("fr", "en")
# What the record says of someone made active on a pilot's word rather than their own click.
ASSERTED_CONSENT_TEXTS = {
    "pilot": "Added by a pilot who asserts the person's consent.",
    "import": "Imported by a pilot who asserts the person's prior consent.",
}


def asserted_consent(source: str, detail: str, now: datetime) -> dict[str, object]:
    """The consent columns of a person activated on a pilot's word (pilot, import, API):
    one shape for the model, the importer's bulk rows and the lists' asserted members."""
    return {
        "consent_at": now,
        "consent_source": source,
        "consent_text": ASSERTED_CONSENT_TEXTS[source],
        "consent_detail": detail[:255],
    }


NO_CONSENT: dict[str, object] = dict.fromkeys(
    ("consent_at", "consent_source", "consent_text", "consent_detail")
)

_S = SubscriberStatus
_BY_HAND = frozenset({"pilot", "system"})
# Which sources may move an existing subscriber from one status to another; any other move
# is refused (TransitionRefused). A new row may start in any status, its consent checked by
# the function that creates it (form, import, pilot, API). Consent is a one-way door: from
# a left status, only the person's own confirmation leads back to "active".
SUBSCRIBER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (_S.PENDING, _S.ACTIVE): frozenset({"confirmation", "pilot", "import"}),
    (_S.ACTIVE, _S.PENDING): frozenset({"pilot"}),
    **{(left, _S.ACTIVE): frozenset({"confirmation"}) for left in LEFT_STATUSES},
    **{
        (old, _S.UNSUBSCRIBED): _BY_HAND | {"unsubscribe", "preferences", "api", "import"}
        for old in RECIPIENT_STATUSES
    },
    **{(old, _S.BOUNCED): _BY_HAND | {"bounce", "import"} for old in RECIPIENT_STATUSES},
    **{
        (old, _S.COMPLAINED): _BY_HAND | {"complaint", "import"}
        for old in (*RECIPIENT_STATUSES, _S.BOUNCED)
    },
    (_S.UNSUBSCRIBED, _S.BOUNCED): _BY_HAND,
    (_S.UNSUBSCRIBED, _S.COMPLAINED): _BY_HAND | {"complaint"},
    (_S.BOUNCED, _S.UNSUBSCRIBED): _BY_HAND | {"unsubscribe", "preferences", "api"},
    (_S.COMPLAINED, _S.UNSUBSCRIBED): _BY_HAND | {"unsubscribe", "preferences", "api"},
    (_S.COMPLAINED, _S.BOUNCED): _BY_HAND,
}


def subscriber_may_move(old: str, new: str, source: str) -> bool:
    """Whether `source` may change a subscriber's status from `old` to `new`."""
    return old == new or source in SUBSCRIBER_TRANSITIONS.get((old, new), ())


subscriber_modes = Table(
    "subscriber_mode",
    db.metadata,
    Column("subscriber_id", ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True),
    Column("mode_id", ForeignKey("participation_mode.id", ondelete="CASCADE"), primary_key=True),
    # Segments filter by mode first, then join subscribers: index the reverse direction.
    Index("ix_subscriber_mode_mode_subscriber", "mode_id", "subscriber_id"),
)


# Every combining mark of the Basic Multilingual Plane, removed in one C call (imports fold
# hundreds of thousands of names); rarer planes take the character-by-character path.
_BMP_COMBINING = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}


def fold_for_search(*parts: str | None) -> str:
    """Lower-case, accent-free text used for substring search on every database."""
    joined = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", joined)
    if decomposed.isascii() or max(decomposed) < "\U00010000":
        return decomposed.translate(_BMP_COMBINING).casefold()
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class ParticipationMode(db.Model):
    """A way of taking part in the group; pilots edit the list."""

    __tablename__ = "participation_mode"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    # Offered on the public subscription and preferences forms; pilots assign any mode.
    public_choice: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    def __repr__(self) -> str:
        return f"<ParticipationMode {self.slug}>"


class Subscriber(db.Model):
    """A person on the list; status changes only through set_status(), which logs them."""

    __tablename__ = "subscriber"
    __table_args__ = (
        Index("ix_subscriber_status_territory", "status", "territory_code"),
        Index("ix_subscriber_status_language", "status", "language"),
        status_check(SubscriberStatus),
        CheckConstraint("language IN ('fr', 'en')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    territory_code: Mapped[str | None] = mapped_column(
        ForeignKey("territory.code"), index=True, default=None
    )
    # Someone who gave only a région ("Bretagne"): in that région's segments, in no
    # département's. A subscriber with a département has no region_code.
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("territory.code"), index=True, default=None
    )
    language: Mapped[str] = mapped_column(String(2), default="fr")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    consent_at: Mapped[datetime | None]
    consent_source: Mapped[str | None] = mapped_column(String(16))
    consent_text: Mapped[str | None] = mapped_column(Text)
    consent_detail: Mapped[str | None] = mapped_column(String(255))
    consent_ip: Mapped[str | None] = mapped_column(String(45))
    search_text: Mapped[str] = mapped_column(String(700), default="", server_default=text("''"))
    # Bit set of the subscriber's mode ids (ids 1..62), kept in step with `modes` by
    # cac_news.models.segment, so that a segment count is one covering-index scan.
    mode_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    territory: Mapped[Territory | None] = relationship(lazy="joined", foreign_keys=[territory_code])
    modes: Mapped[list[ParticipationMode]] = relationship(
        secondary=subscriber_modes, lazy="selectin", order_by=ParticipationMode.position
    )
    events: Mapped[list[SubscriptionEvent]] = relationship(
        back_populates="subscriber",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SubscriptionEvent.id",
    )
    # ON DELETE SET NULL in the database: erasure keeps the anonymous delivery counts.
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="subscriber", passive_deletes=True, order_by="Delivery.id"
    )

    @property
    def full_name(self) -> str:
        """First and last name, or an empty string."""
        return f"{self.first_name} {self.last_name}".strip()

    def assert_consent(self, source: str, detail: str) -> None:
        """Record consent asserted by a pilot (see asserted_consent)."""
        for name, value in asserted_consent(source, detail, utcnow()).items():
            setattr(self, name, value)

    def refresh_search_text(self) -> None:
        """Recompute the folded text that the admin search matches against."""
        self.search_text = fold_for_search(
            self.first_name, self.last_name, self.email, self.organisation
        )

    def set_status(
        self,
        new_status: str,
        *,
        source: str,
        actor_id: int | None = None,
        detail: str | None = None,
    ) -> SubscriptionEvent | None:
        """Change the status and record the event; no event when nothing changes."""
        if new_status not in SUBSCRIBER_STATUSES:
            raise ValueError(f"unknown subscriber status: {new_status!r}")
        if source not in EVENT_SOURCES:
            raise ValueError(f"unknown event source: {source!r}")
        is_new = self.id is None and not self.events
        if new_status == self.status and not is_new:
            return None
        if not is_new and not subscriber_may_move(self.status, new_status, source):
            raise TransitionRefused("subscriber", self.status, new_status, source)
        event = SubscriptionEvent(
            kind="status",
            old_status=None if is_new else self.status,
            new_status=new_status,
            source=source,
            actor_id=actor_id,
            detail=detail,
        )
        self.status = new_status
        self.status_changed_at = utcnow()
        self.events.append(event)
        return event

    def log(
        self, kind: str, *, source: str, actor_id: int | None = None, detail: str | None = None
    ) -> SubscriptionEvent:
        """Record a change that is not a status change (profile, consent, modes)."""
        event = SubscriptionEvent(kind=kind, source=source, actor_id=actor_id, detail=detail)
        self.events.append(event)
        return event

    def __repr__(self) -> str:
        return f"<Subscriber {self.id} {self.status}>"


@event.listens_for(Subscriber, "before_insert")
@event.listens_for(Subscriber, "before_update")
def _keep_search_text(_mapper, _connection, subscriber: Subscriber) -> None:
    """Keep the folded search column in step with the fields it is built from."""
    subscriber.refresh_search_text()


class SubscriptionEvent(db.Model):
    """One recorded change of a subscriber: who, when, what, from which source."""

    __tablename__ = "subscription_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # status | profile | consent | modes
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )
    detail: Mapped[str | None] = mapped_column(String(500))

    subscriber: Mapped[Subscriber] = relationship(back_populates="events")
    actor: Mapped[Pilot | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<SubscriptionEvent {self.kind} {self.old_status}->{self.new_status}>"
