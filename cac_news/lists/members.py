"""Who is on a list: active subscribers who agreed to it, by a pilot's asserted consent
(recorded with its source, as `--status active` imports are) or by confirming an invitation
(double opt-in through the outbox). Only active subscribers ever receive list mail."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from cac_news.audience import outbox
from cac_news.audience.segments import SegmentRule, segment_query
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.lists import tokens
from cac_news.models import (
    DIGEST_MODES,
    DiscussionList,
    ListMember,
    OutboxKind,
    OutboxMail,
    ParticipationMode,
    Segment,
    Subscriber,
)
from cac_news.timeutil import utcnow
from cac_news.urls import external_url


def receiving(mailing_list: DiscussionList, delivery_mode: str | None = "each") -> Select:
    """SELECT (ListMember, Subscriber) of the members who get the list's mail now: member
    and still an active subscriber (an unsubscribe, a bounce or an erasure stops it)."""
    statement = (
        select(ListMember, Subscriber)
        .join(Subscriber, Subscriber.id == ListMember.subscriber_id)
        .where(
            ListMember.list_id == mailing_list.id,
            ListMember.status == "active",
            Subscriber.status == "active",
        )
    )
    if delivery_mode is not None:
        statement = statement.where(ListMember.delivery_mode == delivery_mode)
    return statement.order_by(Subscriber.id)


def member_of(mailing_list: DiscussionList, email: str) -> ListMember | None:
    """The active membership of this address (an active subscriber), or None."""
    row = db.session.execute(
        select(ListMember)
        .join(Subscriber, Subscriber.id == ListMember.subscriber_id)
        .where(
            ListMember.list_id == mailing_list.id,
            ListMember.status == "active",
            Subscriber.status == "active",
            func.lower(Subscriber.email) == email.strip().lower(),
        )
    ).scalar_one_or_none()
    return row


def members(mailing_list: DiscussionList) -> list[ListMember]:
    """Every membership of the list (invited, active, left), by address."""
    return list(
        db.session.scalars(
            select(ListMember)
            .join(Subscriber, Subscriber.id == ListMember.subscriber_id)
            .where(ListMember.list_id == mailing_list.id)
            .order_by(Subscriber.email)
        )
    )


def count_receiving(mailing_list: DiscussionList) -> int:
    """How many members get the list's mail (any delivery mode)."""
    statement = receiving(mailing_list, None).with_only_columns(func.count(ListMember.id))
    return int(db.session.scalar(statement.order_by(None)) or 0)


def chosen(
    segment: Segment | None = None,
    mode_slugs: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> list[Subscriber]:
    """Active subscribers of a segment, of any of these modes, or with these addresses.

    An address that is not an active subscriber is an error naming it: nobody becomes a
    member without being subscribed and active.
    """
    slugs = list(mode_slugs)
    addresses = [e.strip().lower() for e in emails if e.strip()]
    found: dict[int, Subscriber] = {}
    if segment is not None:
        found.update((s.id, s) for s in db.session.scalars(segment_query(segment)))
    if slugs:
        modes = list(
            db.session.scalars(select(ParticipationMode).where(ParticipationMode.slug.in_(slugs)))
        )
        unknown = set(slugs) - {m.slug for m in modes}
        if unknown:
            raise ValidationError.single(
                "mode",
                str(
                    _l(
                        "No participation mode has the slug %(slug)s.",
                        slug=", ".join(sorted(unknown)),
                    )
                ),
            )
        rule = SegmentRule(mode_ids=[m.id for m in modes])
        found.update((s.id, s) for s in db.session.scalars(segment_query(rule)))
    if addresses:
        rows = db.session.scalars(
            select(Subscriber).where(func.lower(Subscriber.email).in_(addresses))
        )
        by_email = {s.email.lower(): s for s in rows}
        missing = [a for a in addresses if a not in by_email or by_email[a].status != "active"]
        if missing:
            raise ValidationError.single(
                "email",
                str(_l("Not an active subscriber: %(emails)s.", emails=", ".join(missing))),
            )
        found.update((s.id, s) for s in by_email.values())
    return sorted(found.values(), key=lambda s: s.id)


def _membership(mailing_list: DiscussionList, subscriber: Subscriber) -> ListMember:
    existing = db.session.scalar(
        select(ListMember).where(
            ListMember.list_id == mailing_list.id, ListMember.subscriber_id == subscriber.id
        )
    )
    return existing or ListMember(list_id=mailing_list.id, subscriber_id=subscriber.id)


def add_with_consent(
    mailing_list: DiscussionList,
    subscribers: Iterable[Subscriber],
    consent: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Make these active subscribers members on a pilot's asserted consent; commits.

    The consent text is recorded on the membership and in each subscriber's history, with
    the pilot as its source, as an import with ``--status active`` records it. A member who
    left the list stays out: only their own click (invitation, preferences) brings them back.
    """
    consent = consent.strip()
    if not consent:
        raise ValidationError.single(
            "consent", str(_l("Say where these people agreed to join the list (--consent)."))
        )
    now = now or utcnow()
    added = 0
    for subscriber in subscribers:
        if subscriber.status != "active":
            continue
        member = _membership(mailing_list, subscriber)
        if member.status in ("active", "left"):
            continue
        member.status, member.consent_source = "active", "pilot"
        member.consent_text, member.consent_at = consent[:2000], now
        db.session.add(member)
        subscriber.log(
            "consent",
            source="pilot",
            actor_id=actor_id,
            detail=f"list {mailing_list.slug}: {consent}"[:500],
        )
        added += 1
    db.session.commit()
    return added


def invite(
    mailing_list: DiscussionList, subscribers: Iterable[Subscriber], now: datetime | None = None
) -> int:
    """Queue an invitation (a confirmation link) to each active non-member; commits."""
    now = now or utcnow()
    invited = 0
    for subscriber in subscribers:
        member = _membership(mailing_list, subscriber)
        if subscriber.status != "active" or member.status == "active":
            continue
        member.status, member.invited_at = "invited", now
        db.session.add(member)
        payload = {"list_id": mailing_list.id}
        outbox.enqueue(OutboxKind.LIST_INVITE, subscriber.email, subscriber.language, payload)
        invited += 1
    db.session.commit()
    return invited


def invitation_mail(row: OutboxMail, now: datetime):
    """The outbox's builder for invitations: the mail to send, or None (no longer fitting)."""
    from cac_news.audience import mail

    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == row.email))
    list_id = json.loads(row.payload or "{}").get("list_id")
    mailing_list = db.session.get(DiscussionList, list_id) if list_id else None
    if subscriber is None or mailing_list is None or subscriber.status != "active":
        return None
    url = external_url(
        "lists.join",
        slug=mailing_list.slug,
        token=tokens.make(tokens.JOIN, mailing_list.id, subscriber.id),
    )
    return lambda: mail.send(
        row.email,
        row.language,
        "list_invite",
        list_name=mailing_list.name,
        description=mailing_list.description,
        join_url=url,
    )


def confirm_invitation(token: str, now: datetime | None = None) -> ListMember | None:
    """The invited subscriber's click: they join (consent from the invitation); commits."""
    found = tokens.read(tokens.JOIN, token)
    if found is None:
        return None
    mailing_list = db.session.get(DiscussionList, found[0])
    subscriber = db.session.get(Subscriber, found[1])
    if mailing_list is None or subscriber is None or subscriber.status != "active":
        return None
    member = _membership(mailing_list, subscriber)
    if member.status != "active":
        now = now or utcnow()
        member.status, member.consent_source, member.consent_at = "active", "invitation", now
        member.consent_text = str(
            _l("Confirmed the invitation to the list %(n)s.", n=mailing_list.name)
        )
        db.session.add(member)
        subscriber.log("consent", source="confirmation", detail=f"list {mailing_list.slug}: joined")
        db.session.commit()
    return member


def membership(mailing_list: DiscussionList, subscriber_id: int) -> ListMember | None:
    """The subscriber's membership of the list (any status), or None."""
    return db.session.scalar(
        select(ListMember).where(
            ListMember.list_id == mailing_list.id, ListMember.subscriber_id == subscriber_id
        )
    )


def in_audience(mailing_list: DiscussionList, subscriber: Subscriber) -> bool:
    """Whether the list is meant for this active subscriber (its segment or its modes)."""
    if subscriber.status != "active":
        return False
    slugs = set(mailing_list.mode_slugs.split())
    if slugs & {mode.slug for mode in subscriber.modes}:
        return True
    if mailing_list.segment is not None:
        statement = segment_query(mailing_list.segment).where(Subscriber.id == subscriber.id)
        return db.session.scalar(statement.with_only_columns(Subscriber.id)) is not None
    return False


def offered(subscriber: Subscriber) -> list[tuple[DiscussionList, ListMember | None]]:
    """The lists a subscriber's preferences page shows: theirs, and those meant for them."""
    rows = []
    for mailing_list in db.session.scalars(select(DiscussionList).order_by(DiscussionList.name)):
        member = membership(mailing_list, subscriber.id)
        mine = member is not None and member.status in ("active", "invited")
        if mine or in_audience(mailing_list, subscriber):
            rows.append((mailing_list, member if mine else None))
    return rows


def join_from_preferences(
    mailing_list: DiscussionList, subscriber: Subscriber, now: datetime | None = None
) -> ListMember | None:
    """The subscriber joins from their own preferences page (their consent); commits."""
    if not in_audience(mailing_list, subscriber):
        return None
    member = _membership(mailing_list, subscriber)
    if member.status != "active":
        member.status, member.consent_source = "active", "preferences"
        member.consent_at = now or utcnow()
        member.consent_text = str(_l("Joined from their preferences page."))
        db.session.add(member)
        subscriber.log("consent", source="preferences", detail=f"list {mailing_list.slug}: joined")
        db.session.commit()
    return member


def leave(mailing_list: DiscussionList, subscriber_id: int) -> bool:
    """The member stops receiving the list (one-click or the preferences); commits."""
    member = membership(mailing_list, subscriber_id)
    if member is None or member.status == "left":
        return False
    member.status = "left"
    member.subscriber.log("consent", source="unsubscribe", detail=f"list {mailing_list.slug}: left")
    db.session.commit()
    return True


def set_delivery_mode(member: ListMember, mode: str) -> None:
    """Every message, or a daily or weekly digest; commits."""
    if mode not in DIGEST_MODES:
        raise ValidationError.single(
            "delivery_mode", str(_l("Choose one of: %(values)s.", values=", ".join(DIGEST_MODES)))
        )
    if mode != member.delivery_mode:
        member.delivery_mode = mode
        member.digest_sent_at = utcnow()  # the first digest covers the posts from now on
    db.session.commit()
