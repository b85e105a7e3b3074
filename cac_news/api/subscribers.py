"""Subscribers through the API: list with the admin's filters, create, update, unsubscribe.

A created subscriber is `pending` and gets the double opt-in mail through the same outbox
as the public form. Only a token with the `import` scope may create an `active` one, and
only by stating where the consent comes from: it is recorded like a `--status active`
import. The one-way door holds: no call makes a person who left a recipient again.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cac_news import territories
from cac_news.api.fields import Body, api_error
from cac_news.audience import outbox
from cac_news.audience.emails import normalise_email
from cac_news.audience.queries import SubscriberFilters
from cac_news.audience.subscribers import check_one_way_door
from cac_news.audience.subscription import Profile, apply_profile, find_by_email, validate_profile
from cac_news.audience.suppression import is_suppressed
from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.models import (
    SUBSCRIBER_STATUSES,
    ApiToken,
    OutboxKind,
    ParticipationMode,
    Subscriber,
)
from cac_news.models.audience import LEFT_STATUSES

PROFILE_FIELDS = {"first_name", "last_name", "organisation", "territory", "language", "modes"}
CREATE_FIELDS = PROFILE_FIELDS | {"email", "status", "consent_source"}
PATCH_FIELDS = PROFILE_FIELDS | {"email", "status"}
CONSENT_SOURCE_MAX = 200


class AlreadySubscribed(ValidationError):
    """The address is already on the list (HTTP 409): the caller may read it by its id."""

    def __init__(self, subscriber_id: int):
        super().__init__(
            {"email": [str(_l("A subscriber with this email address already exists."))]}
        )
        self.subscriber_id = subscriber_id


class OneWayDoor(ValidationError):
    """A change that would make a person who left a recipient again (HTTP 409)."""


class ScopeMissing(ValidationError):
    """The body asks for something the token's scopes do not allow (HTTP 403)."""


def filters_from_query(args) -> SubscriberFilters:
    """The admin's list filters from a query string; unknown values are errors, not ignored."""
    errors = ErrorCollector()
    status = args.get("status", "")
    if status and status not in SUBSCRIBER_STATUSES:
        errors.add("status", f"One of {', '.join(SUBSCRIBER_STATUSES)}.")
    mode_id = None
    mode = args.get("mode", "")
    if mode:
        mode_id = db.session.scalar(
            select(ParticipationMode.id).where(ParticipationMode.slug == mode)
        )
        if mode_id is None:
            errors.add("mode", "No participation mode has this slug.")
    territory = args.get("territory", "")
    if territory and territories.get(territory) is None:
        errors.add("territory", "A département, a région (R11) or FR.")
    errors.raise_if_any()
    return SubscriberFilters(
        query=args.get("q", "").strip(), status=status, mode_id=mode_id, territory=territory
    )


def _mode_ids(slugs: list[str], body: Body) -> list[int]:
    found = dict(
        db.session.execute(
            select(ParticipationMode.slug, ParticipationMode.id).where(
                ParticipationMode.slug.in_(slugs)
            )
        ).all()
    )
    unknown = sorted(set(slugs) - set(found))
    if unknown:
        body.fail("modes", f"Unknown participation mode: {', '.join(unknown)}.")
    return sorted(found.values())


def _profile(body: Body, current: Subscriber | None = None) -> Profile:
    """The profile the body asks for; fields it leaves out keep their current value."""

    def pick(name: str, attribute: str, default: str = "") -> str:
        if body.has(name) or current is None:
            return body.string(name, default)
        return getattr(current, attribute) or ""

    if body.has("modes") or current is None:
        mode_ids = _mode_ids(body.string_list("modes"), body)
    else:
        mode_ids = [mode.id for mode in current.modes]
    if body.has("territory") or current is None:
        territory = body.optional_string("territory")
    else:
        territory = current.territory_code
    return Profile(
        first_name=pick("first_name", "first_name"),
        last_name=pick("last_name", "last_name"),
        organisation=pick("organisation", "organisation"),
        territory_code=territory or None,
        language=pick("language", "language", "fr") or "fr",
        mode_ids=mode_ids,
    )


def _checked_profile(body: Body, current: Subscriber | None = None, email: str | None = None):
    """The validated profile (and normalised address when given), every bad field named."""
    profile = _profile(body, current)
    errors = ErrorCollector()
    errors.extend(body.errors)
    if email is not None:
        try:
            email = normalise_email(email)
        except ValidationError as exc:
            errors.extend(exc.errors)
    try:
        profile = validate_profile(profile)
    except ValidationError as exc:
        for name, messages in api_error(exc).errors.items():
            errors.setdefault(name, messages)  # the body's own message about a field first
    if errors:
        raise api_error(ValidationError(errors))
    return profile, email


def create_subscriber(data: dict, token: ApiToken) -> tuple[Subscriber, bool]:
    """Add a subscriber: pending with a confirmation mail, or active on an import token.

    Like the public form, an address already known but not active (pending, or gone) is
    sent a new confirmation link carrying the requested profile, which applies only once
    they confirm; nothing else changes. Returns the subscriber and whether it is new.
    """
    body = Body(data, CREATE_FIELDS)
    raw_email = body.string("email", required=True)
    status = body.string("status", "pending") or "pending"
    consent_source = body.optional_string("consent_source")
    if status not in ("pending", "active"):
        body.fail("status", "A new subscriber is pending or active.")
    profile, email = _checked_profile(body, email=raw_email)
    if status == "active":
        if not token.has_scope("import"):
            raise ScopeMissing.single(
                "status", "Only a token with the import scope creates active subscribers."
            )
        consent_source = (consent_source or "").strip()
        if not consent_source or len(consent_source) > CONSENT_SOURCE_MAX:
            raise ValidationError.single(
                "consent_source",
                f"Say where this person's consent comes from (1 to {CONSENT_SOURCE_MAX} "
                "characters).",
            )
    existing = find_by_email(email)
    if existing is not None and status == "pending" and existing.status != "active":
        outbox.queue(OutboxKind.SUBSCRIBE, email, profile.language, profile.as_dict())
        return existing, False
    if existing is not None:
        raise AlreadySubscribed(existing.id)
    if status == "active" and is_suppressed(email):
        raise ValidationError.single(
            "email",
            "This person asked to be erased; only their own confirmation through the "
            "subscription form can bring them back.",
        )
    detail = f"API token {token.name}"
    subscriber = Subscriber(email=email, status="pending")
    apply_profile(subscriber, profile, source="api")
    if status == "active":
        subscriber.set_status(
            "active", source="import", actor_id=token.created_by_id, detail=detail
        )
        subscriber.assert_consent("import", f"{detail}: {consent_source}")
    else:
        subscriber.set_status("pending", source="api", actor_id=token.created_by_id, detail=detail)
    db.session.add(subscriber)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same address created at the same moment
        db.session.rollback()
        raise AlreadySubscribed(find_by_email(email).id) from exc
    if status == "pending":
        # The public form's path: the worker sends the confirmation after this commit,
        # within the daily allowance per address.
        outbox.queue(OutboxKind.SUBSCRIBE, email, profile.language, profile.as_dict())
    return subscriber, True


def update_subscriber(subscriber: Subscriber, data: dict, token: ApiToken) -> Subscriber:
    """Change a subscriber's profile, or unsubscribe them; never brings back one who left."""
    body = Body(data, PATCH_FIELDS)
    if body.has("email"):
        body.fail("email", "The address cannot change through the API (it needs a confirmation).")
    status = body.string("status", subscriber.status) if body.has("status") else subscriber.status
    if status == "unsubscribed" and subscriber.status in LEFT_STATUSES:
        status = subscriber.status  # already gone: a bounce or complaint stays on record
    profile, _email = _checked_profile(body, subscriber)
    if status != subscriber.status:
        try:
            check_one_way_door(subscriber, status)
        except ValidationError as exc:
            raise OneWayDoor(exc.errors) from exc
        if status != "unsubscribed":
            raise ValidationError.single(
                "status",
                "Through the API a status changes only to unsubscribed; a person becomes "
                "active by their own confirmation.",
            )
    apply_profile(subscriber, profile, source="api")
    if status == "unsubscribed":
        subscriber.set_status(
            "unsubscribed",
            source="api",
            actor_id=token.created_by_id,
            detail=f"API token {token.name}",
        )
    db.session.commit()
    return subscriber


def unsubscribe(subscriber: Subscriber, token: ApiToken) -> bool:
    """Unsubscribe (idempotent); True when the status changed."""
    if subscriber.status in LEFT_STATUSES:
        return False
    subscriber.set_status(
        "unsubscribed", source="api", actor_id=token.created_by_id, detail=f"API token {token.name}"
    )
    db.session.commit()
    return True
