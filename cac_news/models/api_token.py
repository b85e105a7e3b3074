"""API tokens: what lets another tool call /api/v1/, stored as a hash, never in clear."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cac_news.extensions import db
from cac_news.models.pilot import Pilot
from cac_news.timeutil import utcnow

# read: GET endpoints; write: creations and changes; import: with write, create active
# subscribers whose consent the caller states (like `flask subscribers import --status active`).
API_SCOPES = ("read", "write", "import")


class ApiToken(db.Model):
    """One bearer token: its name, scopes, lifetime and last use; the secret is a SHA-256."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    scopes: Mapped[str] = mapped_column(String(40))  # space-separated, from API_SCOPES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilot.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    created_by: Mapped[Pilot | None] = relationship(lazy="joined")

    @property
    def scope_list(self) -> list[str]:
        """The scopes in their canonical order."""
        granted = set(self.scopes.split())
        return [scope for scope in API_SCOPES if scope in granted]

    def has_scope(self, scope: str) -> bool:
        """Whether the token was granted this scope."""
        return scope in self.scopes.split()

    def is_expired(self, now: datetime | None = None) -> bool:
        """Whether the token's expiry has passed."""
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    def is_usable(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired(now)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name}>"
