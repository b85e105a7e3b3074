"""Pilot accounts: creation, edits and password rules, callable from views and the CLI."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from cac_news.audience.emails import normalise_email
from cac_news.client_network import truncate_ip
from cac_news.errors import ErrorCollector, ValidationError
from cac_news.extensions import db
from cac_news.models import PILOT_ROLES, Pilot, PilotSession
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
    errors = ErrorCollector()
    email = ""
    try:
        email = normalise_email(data.email)
    except ValidationError as exc:
        errors.extend(exc.errors)
    name = (data.name or "").strip()
    if not name:
        errors.add("name", str(_l("A name is required.")))
    elif len(name) > MAX_NAME_LENGTH:
        errors.add("name", str(_l("At most %(n)d characters.", n=MAX_NAME_LENGTH)))
    if data.role not in PILOT_ROLES:
        errors.add("role", str(_l("Choose admin or editor.")))
    if email and "email" not in errors:
        clash = db.session.scalar(select(Pilot).where(Pilot.email == email))
        if clash is not None and clash is not existing:
            errors.add("email", str(_l("A pilot with this email address already exists.")))
    errors.raise_if_any()
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
    if not pilot.active:
        end_all_sessions(pilot, commit=False)
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
    end_all_sessions(pilot, commit=False)
    db.session.commit()


def open_session(pilot: Pilot, user_agent: str | None = None, ip: str | None = None) -> str:
    """Record a new login of the pilot; its token becomes the pilot's Flask-Login id.

    The browser's user agent and the client's network (never its full address) let the
    pilot recognise the login on their sessions page.
    """
    login = PilotSession(
        pilot=pilot,
        user_agent=(user_agent or "")[:200] or None,
        ip=truncate_ip(ip),
        last_seen_at=utcnow(),
    )
    db.session.add(login)
    db.session.commit()
    pilot.login_token = login.token
    return login.token


def pilot_for_session(token: str) -> Pilot | None:
    """The active pilot a session token belongs to, or None once that login has ended."""
    pilot = db.session.scalar(
        select(Pilot).join(PilotSession).where(PilotSession.token == token, Pilot.active)
    )
    if pilot is not None:
        pilot.login_token = token
    return pilot


def end_session(token: str | None) -> None:
    """End one login: its session and remember cookies open nothing any more."""
    if token:
        db.session.execute(delete(PilotSession).where(PilotSession.token == token))
        db.session.commit()


def end_all_sessions(pilot: Pilot, commit: bool = True) -> None:
    """End every login of the pilot, on every browser (log out everywhere)."""
    db.session.execute(delete(PilotSession).where(PilotSession.pilot_id == pilot.id))
    if commit:
        db.session.commit()


def count_active_admins() -> int:
    """How many active admins remain."""
    return db.session.scalar(
        select(func.count()).select_from(Pilot).where(Pilot.role == "admin", Pilot.active)
    )


def login_key(email: str | None) -> str:
    """The account an email typed at login names: the normalisation of stored addresses
    (Unicode NFKC, IDNA, case), so throttling and lookup agree on who is tried."""
    try:
        return normalise_email(email or "")
    except ValidationError:
        return unicodedata.normalize("NFKC", email or "").strip().casefold()


def authenticate(email: str, password: str) -> Pilot | None:
    """Return the pilot when email and password match an active account, else None.

    A password hash is computed even for unknown addresses so that the answer time
    does not tell whether an account exists.
    """
    pilot = db.session.scalar(select(Pilot).where(Pilot.email == login_key(email)))
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
