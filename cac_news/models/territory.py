"""Territories: French départements, their régions and a national entry."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cac_news.extensions import db


class Territory(db.Model):
    """A département ("75"), a région ("R11") or the whole country ("FR")."""

    __tablename__ = "territory"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))  # departement | region | national
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("territory.code"), index=True, default=None
    )
    position: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        """Name shown in lists: départements carry their code."""
        if self.kind == "departement":
            return f"{self.code} – {self.name}"
        return self.name

    def __repr__(self) -> str:
        return f"<Territory {self.code} {self.name}>"
