"""Creating, editing and deleting subscribers by hand (pilots) with full validation."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cac_news.audience.emails import normalise_email
from cac_news.audience.suppression import email_hash, is_suppressed
from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.integrations import webhooks
from cac_news.models import ParticipationMode, Pilot, Subscriber, Territory
from cac_news.models.audience import (
    LANGUAGES,
    RECIPIENT_STATUSES,
    SUBSCRIBER_STATUSES,
    subscriber_may_move,
)

FIELD_LIMITS = {"first_name": 100, "last_name": 100, "organisation": 200}
# Consent is a one-way door: once a person left, only their own confirmation brings them back.


@dataclass
class SubscriberData:
    """A subscriber's editable fields as typed by a person."""

    email: str
    first_name: str = ""
    last_name: str = ""
    organisation: str = ""
    territory_code: str | None = None
    language: str = "fr"
    mode_ids: list[int] = field(default_factory=list)
    status: str = "active"


def check_profile(data, errors: ErrorCollector) -> dict:
    """Check the profile fields any form shares (names, organisation, territory, language,
    modes); add messages to `errors` and return the cleaned values."""
    cleaned: dict = {}
    for name, limit in FIELD_LIMITS.items():
        value = (getattr(data, name) or "").strip()
        if len(value) > limit:
            errors.add(name, str(_l("At most %(n)d characters.", n=limit)))
        elif any(ord(c) < 32 for c in value):
            errors.add(name, str(_l("Control characters are not allowed.")))
        cleaned[name] = value
    territory = (data.territory_code or "").strip() or None
    if territory is not None:
        known = db.session.get(Territory, territory)
        if known is None or known.kind == "region":
            errors.add("territory_code", str(_l("Choose a département or national.")))
    cleaned["territory_code"] = territory
    if data.language not in LANGUAGES:
        errors.add("language", str(_l("Choose French or English.")))
    cleaned["language"] = data.language
    mode_ids = sorted({int(m) for m in data.mode_ids})
    if mode_ids and not modes_exist(mode_ids):
        errors.add("mode_ids", str(_l("Unknown participation mode.")))
    cleaned["mode_ids"] = mode_ids
    return cleaned


def modes_exist(mode_ids: list[int]) -> bool:
    """Whether every one of these participation mode ids exists."""
    found = set(
        db.session.scalars(select(ParticipationMode.id).where(ParticipationMode.id.in_(mode_ids)))
    )
    return found == set(mode_ids)


def validate_subscriber(data: SubscriberData, existing: Subscriber | None = None) -> SubscriberData:
    """Return the data normalised, or raise ValidationError naming every bad field."""
    errors = ErrorCollector()
    email = ""
    try:
        email = normalise_email(data.email)
    except ValidationError as exc:
        errors.extend(exc.errors)
    cleaned = check_profile(data, errors)
    if data.status not in SUBSCRIBER_STATUSES:
        errors.add("status", str(_l("Unknown status.")))
    if email and "email" not in errors:
        clash = db.session.scalar(select(Subscriber.id).where(Subscriber.email == email))
        if clash is not None and (existing is None or clash != existing.id):
            errors.add("email", str(_l("A subscriber with this email address already exists.")))
    errors.raise_if_any()
    return SubscriberData(email=email, status=data.status, **cleaned)


def _modes(mode_ids: list[int]) -> list[ParticipationMode]:
    if not mode_ids:
        return []
    return list(
        db.session.scalars(select(ParticipationMode).where(ParticipationMode.id.in_(mode_ids)))
    )


def create_subscriber(data: SubscriberData, actor: Pilot) -> Subscriber:
    """A pilot adds a subscriber; an active one carries the pilot's consent assertion."""
    clean = validate_subscriber(data)
    if clean.status in RECIPIENT_STATUSES and is_suppressed(clean.email):
        # An erased person: only their own confirmation (the public form) brings them back.
        raise ValidationError.single(
            "email",
            str(
                _l(
                    "Email address: this person asked to be erased; only their own "
                    "confirmation through the subscription form can bring them back."
                )
            ),
        )
    subscriber = Subscriber(
        email=clean.email,
        first_name=clean.first_name,
        last_name=clean.last_name,
        organisation=clean.organisation,
        territory_code=clean.territory_code,
        language=clean.language,
        status="pending",
        modes=_modes(clean.mode_ids),
    )
    subscriber.set_status("pending", source="pilot", actor_id=actor.id, detail="created")
    if clean.status != "pending":
        subscriber.set_status(clean.status, source="pilot", actor_id=actor.id)
    if clean.status == "active":
        subscriber.assert_consent("pilot", actor.email)
    db.session.add(subscriber)
    _commit_or_duplicate()
    return subscriber


def check_one_way_door(subscriber: Subscriber, new_status: str) -> None:
    """Refuse a pilot turning a person who left back into a (possible) recipient."""
    if not subscriber_may_move(subscriber.status, new_status, "pilot"):
        raise ValidationError.single(
            "status",
            str(
                _l(
                    "Status: this person left (unsubscribed, bounced or complained); "
                    "only their own confirmation can make them a recipient again."
                )
            ),
        )


def update_subscriber(subscriber: Subscriber, data: SubscriberData, actor: Pilot) -> Subscriber:
    """A pilot edits a subscriber; every change is logged, status changes as events."""
    clean = validate_subscriber(data, existing=subscriber)
    check_one_way_door(subscriber, clean.status)
    changed = [
        name
        for name in (
            "email",
            "first_name",
            "last_name",
            "organisation",
            "territory_code",
            "language",
        )
        if getattr(subscriber, name) != getattr(clean, name)
    ]
    for name in changed:
        setattr(subscriber, name, getattr(clean, name))
    if sorted(m.id for m in subscriber.modes) != clean.mode_ids:
        subscriber.modes = _modes(clean.mode_ids)
        changed.append("modes")
    if changed:
        subscriber.log("profile", source="pilot", actor_id=actor.id, detail=", ".join(changed))
    if clean.status != subscriber.status:
        subscriber.set_status(clean.status, source="pilot", actor_id=actor.id)
        webhooks.subscriber_left(subscriber, email_hash(subscriber.email))
        if clean.status == "active" and subscriber.consent_at is None:
            subscriber.assert_consent("pilot", actor.email)
    _commit_or_duplicate()
    return subscriber


def delete_subscriber(subscriber: Subscriber) -> None:
    """A pilot's delete is the person's own erasure: personal data gone everywhere and the
    keyed hash suppressed, so no import brings the address back."""
    # Imported here: rights -> subscription -> this module.
    from cac_news.audience.rights import erase

    erase(subscriber)


def _commit_or_duplicate() -> None:
    """Commit; a concurrent insert of the same address becomes a field error, not a 500."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ValidationError.single(
            "email", str(_l("A subscriber with this email address already exists."))
        ) from exc
