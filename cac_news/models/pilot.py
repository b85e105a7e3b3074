"""Pilots: the people who run the newsletter and log into the admin."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from cac_news.extensions import db
from cac_news.timeutil import utcnow

PILOT_ROLES = ("admin", "editor")
MIN_PASSWORD_LENGTH = 10


class Pilot(UserMixin, db.Model):
    """A logged-in user of the admin; admins also manage other pilots."""

    __tablename__ = "pilot"
    __table_args__ = (CheckConstraint("role IN ('admin', 'editor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="editor")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Two-factor login (TOTP): the base32 secret (pending until totp_enabled_at is set) and
    # the last time-step a code was accepted for, so that no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    sessions: Mapped[list[PilotSession]] = relationship(
        back_populates="pilot", cascade="all, delete-orphan", passive_deletes=True
    )

    # The token of the session this request runs in (set at login and by the user
    # loader); Flask-Login stores it in the session and remember cookies instead of the id.
    login_token = None  # str | None, not a column

    def get_id(self) -> str:
        """Flask-Login's alternative id: the session token, so ending it ends the login."""
        if not self.login_token:
            raise RuntimeError("open a PilotSession before logging a pilot in")
        return self.login_token

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password itself."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def two_factor_enabled(self) -> bool:
        """Whether a login needs a TOTP or recovery code after the password."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def is_admin(self) -> bool:
        """Admins may manage pilots; editors may not."""
        return self.role == "admin"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        """A deactivated pilot cannot log in."""
        return self.active

    def __repr__(self) -> str:
        return f"<Pilot {self.email} {self.role}>"


def new_session_token() -> str:
    """A random, unguessable session token."""
    return secrets.token_urlsafe(32)


class PilotSession(db.Model):
    """One login of a pilot (a browser's session and remember cookie).

    Deleting the row ends that login for good, even if its cookies are replayed.
    """

    __tablename__ = "pilot_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilot.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # The client address with its last bits cut off (…/24, …/48): enough to recognise one's
    # own network on the sessions page, not a person's exact address.
    ip: Mapped[str | None] = mapped_column(String(50))
    pilot: Mapped[Pilot] = relationship(back_populates="sessions")


class RecoveryCode(db.Model):
    """One single-use recovery code of a pilot's two-factor login, stored salted and hashed."""

    __tablename__ = "pilot_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilot.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(120))
    used_at: Mapped[datetime | None]
