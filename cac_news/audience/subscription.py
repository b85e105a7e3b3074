"""Double opt-in: the public form, the confirmation link and the "send me my link" form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cac_news import settings
from cac_news.audience import outbox, suppression, tokens
from cac_news.audience.emails import normalise_email
from cac_news.audience.modes import public_mode_ids
from cac_news.audience.subscribers import check_profile
from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.integrations import webhooks
from cac_news.models import OutboxKind, ParticipationMode, Subscriber, WelcomeRecord
from cac_news.timeutil import utcnow

CONSENT_VERSION = "2026-11-v1"
CONSENT_TEXT = _l(
    "I agree to receive the newsletter of the working group on the financialisation of "
    "social action by email. I can unsubscribe at any time from a link in every message."
)
PROFILE_FIELDS = ("first_name", "last_name", "organisation", "territory_code", "language")


@dataclass
class Profile:
    """What a person tells about themself on the public forms."""

    first_name: str = ""
    last_name: str = ""
    organisation: str = ""
    territory_code: str | None = None
    language: str = "fr"
    mode_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data to carry in a signed token."""
        return {name: getattr(self, name) for name in (*PROFILE_FIELDS, "mode_ids")}


def consent_text(language: str) -> str:
    """The consent sentence as shown in this language, prefixed by its version."""
    with force_locale(language):
        return f"[{CONSENT_VERSION}] {CONSENT_TEXT}"


def validate_profile(profile: Profile) -> Profile:
    """Return the profile cleaned, or raise ValidationError naming every bad field."""
    errors = ErrorCollector()
    cleaned = check_profile(profile, errors)
    errors.raise_if_any()
    return Profile(**cleaned)


def apply_profile(subscriber: Subscriber, profile: Profile, source: str) -> list[str]:
    """Copy a validated profile onto a subscriber; log and return the changed fields."""
    changed = [n for n in PROFILE_FIELDS if getattr(subscriber, n) != getattr(profile, n)]
    for name in changed:
        setattr(subscriber, name, getattr(profile, name))
    # The public forms offer only the public modes: those a pilot assigned stay, and a
    # crafted request cannot add one.
    public = public_mode_ids()
    assigned = {m.id for m in subscriber.modes if m.id not in public}
    wanted = sorted({i for i in profile.mode_ids if i in public} | assigned)
    if sorted(m.id for m in subscriber.modes) != wanted:
        subscriber.modes = list(
            db.session.scalars(select(ParticipationMode).where(ParticipationMode.id.in_(wanted)))
        )
        changed.append("modes")
    if changed and subscriber.id is not None:
        subscriber.log("profile", source=source, detail=", ".join(changed))
    return changed


def find_by_email(email: str) -> Subscriber | None:
    """The subscriber with this normalised address, or None."""
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email))


def request_subscription(email: str, profile: Profile, consent: bool) -> None:
    """Handle the public form; the outcome looks the same whatever the address's state.

    A new address becomes a pending subscriber. Any address that is not active (pending,
    unsubscribed, bounced, complained, erased) gets a confirmation link carrying the
    requested profile, applied only on confirmation. An active address is told so by mail.
    """
    errors = ErrorCollector()
    try:
        email = normalise_email(email)
    except ValidationError as exc:
        errors.extend(exc.errors)
    try:
        profile = validate_profile(profile)
    except ValidationError as exc:
        errors.extend(exc.errors)
    if not consent:
        errors.add("consent", str(_l("Tick the box to give your consent.")))
    errors.raise_if_any()
    subscriber = find_by_email(email)
    if subscriber is None:
        subscriber = Subscriber(email=email, status="pending")
        apply_profile(subscriber, profile, source="form")
        subscriber.set_status("pending", source="form", detail="subscription form")
        db.session.add(subscriber)
        db.session.commit()
    # The worker sends the confirmation (or "already subscribed") after this commit, within
    # the daily allowance per address: no SMTP wait, no mail-bombing through the form.
    outbox.queue(OutboxKind.SUBSCRIBE, email, profile.language, profile.as_dict())


def confirm_subscription(token: str, ip: str | None = None) -> Subscriber:
    """Follow a confirmation link: activate the subscriber and record their consent."""
    subscriber, extra = tokens.load_token(token, tokens.CONFIRM)
    if subscriber.status == "active":
        return subscriber
    try:
        profile = validate_profile(Profile(**extra)) if extra else None
    except (TypeError, ValueError):
        profile = None  # a profile that no longer validates (mode deleted): keep the stored one
    if profile is not None:
        apply_profile(subscriber, profile, source="confirmation")
    subscriber.set_status("active", source="confirmation", detail="double opt-in")
    subscriber.consent_at = utcnow()
    subscriber.consent_source = "form"
    subscriber.consent_text = consent_text(subscriber.language)
    subscriber.consent_detail = f"form {CONSENT_VERSION}"
    subscriber.consent_ip = ip if current_app.config.get("CONSENT_STORE_IP") else None
    subscriber.log("consent", source="confirmation", detail=f"form {CONSENT_VERSION}")
    suppression.lift(subscriber.email)
    webhooks.subscriber_confirmed(subscriber, suppression.email_hash(subscriber.email))
    _queue_welcome(subscriber)
    db.session.commit()
    return subscriber


def _queue_welcome(subscriber: Subscriber) -> None:
    """Queue the welcome mail with the confirmation, once per subscriber ever (its record
    is committed with the activation; a later re-confirmation finds it and sends nothing)."""
    if not settings.load().welcome_enabled:
        return
    if db.session.get(WelcomeRecord, subscriber.id) is not None:
        return
    try:  # two clicks at once: the second one's record collides, and it queues nothing
        with db.session.begin_nested():
            db.session.add(WelcomeRecord(subscriber_id=subscriber.id))
    except IntegrityError:
        return
    outbox.enqueue(OutboxKind.WELCOME, subscriber.email, subscriber.language)


def send_my_link(email: str) -> None:
    """Queue the preferences link for the worker; unknown addresses get nothing, unseen."""
    try:
        email = normalise_email(email)
    except ValidationError:
        raise
    # Queued for any address: the worker drops unknown ones, so the answer and its timing
    # say nothing about whether the address is known.
    outbox.queue(OutboxKind.MY_LINK, email)
