"""Pilot accounts: creation, edits and password rules, callable from views and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cac_news.audience.emails import normalise_email
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import PILOT_ROLES, Pilot
from cac_news.models.pilot import MIN_PASSWORD_LENGTH
from cac_news.timeutil import utcnow

MAX_NAME_LENGTH = 120


@dataclass
class PilotData:
    """What a pilot account is made of, as typed by a person."""

    email: str
    name: str
    role: str = "editor"
    active: bool = True


def check_password_strength(password: str, field: str = "password") -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(
            field,
            str(_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)),
        )


def _validated(data: PilotData, existing: Pilot | None = None) -> PilotData:
    """Return normalised data or raise ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    email = ""
    try:
        email = normalise_email(data.email)
    except ValidationError as exc:
        errors.update(exc.errors)
    name = (data.name or "").strip()
    if not name:
        errors["name"] = [str(_l("A name is required."))]
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = [str(_l("At most %(n)d characters.", n=MAX_NAME_LENGTH))]
    if data.role not in PILOT_ROLES:
        errors["role"] = [str(_l("Choose admin or editor."))]
    if email and "email" not in errors:
        clash = db.session.scalar(select(Pilot).where(Pilot.email == email))
        if clash is not None and clash is not existing:
            errors["email"] = [str(_l("A pilot with this email address already exists."))]
    if errors:
        raise ValidationError(errors)
    return PilotData(email=email, name=name, role=data.role, active=data.active)


def create_pilot(data: PilotData, password: str) -> Pilot:
    """Create a pilot account and commit it."""
    clean = _validated(data)
    check_password_strength(password)
    pilot = Pilot(email=clean.email, name=clean.name, role=clean.role, active=clean.active)
    pilot.set_password(password)
    db.session.add(pilot)
    db.session.commit()
    return pilot


def update_pilot(pilot: Pilot, data: PilotData, acting: Pilot) -> Pilot:
    """Edit a pilot; an admin cannot demote or deactivate the last active admin."""
    clean = _validated(data, existing=pilot)
    losing_admin = pilot.is_admin and (clean.role != "admin" or not clean.active)
    if losing_admin and count_active_admins() <= 1:
        raise ValidationError.single(
            "role", str(_l("The last active admin cannot be demoted or deactivated."))
        )
    pilot.email, pilot.name, pilot.role, pilot.active = (
        clean.email,
        clean.name,
        clean.role,
        clean.active,
    )
    db.session.commit()
    return pilot


def delete_pilot(pilot: Pilot, acting: Pilot) -> None:
    """Delete a pilot account, never one's own nor the last active admin."""
    if pilot.id == acting.id:
        raise ValidationError.single("pilot", str(_l("You cannot delete your own account.")))
    if pilot.is_admin and pilot.active and count_active_admins() <= 1:
        raise ValidationError.single("pilot", str(_l("The last active admin cannot be deleted.")))
    db.session.delete(pilot)
    db.session.commit()


def change_password(pilot: Pilot, password: str) -> None:
    """Set a new password after checking its strength."""
    check_password_strength(password)
    pilot.set_password(password)
    db.session.commit()


def count_active_admins() -> int:
    """How many active admins remain."""
    return db.session.scalar(
        select(func.count()).select_from(Pilot).where(Pilot.role == "admin", Pilot.active)
    )


def authenticate(email: str, password: str) -> Pilot | None:
    """Return the pilot when email and password match an active account, else None.

    A password hash is computed even for unknown addresses so that the answer time
    does not tell whether an account exists.
    """
    try:
        normalised = normalise_email(email)
    except ValidationError:
        normalised = (email or "").strip().lower()
    pilot = db.session.scalar(select(Pilot).where(Pilot.email == normalised))
    if pilot is None:
        Pilot(password_hash=_DUMMY_HASH).check_password(password or "")
        return None
    if not pilot.check_password(password or "") or not pilot.active:
        return None
    pilot.last_login_at = utcnow()
    db.session.commit()
    return pilot


def _dummy_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash("not-a-real-password")


_DUMMY_HASH = _dummy_hash()
