"""What every lifecycle shares: a StrEnum of states, a CHECK built from it, refused moves."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class TransitionRefused(ValueError):
    """A status change the lifecycle's transition table does not allow."""

    def __init__(self, kind: str, old: str | None, new: str, source: str | None = None):
        self.old, self.new, self.source = old, new, source
        by = f" by {source}" if source else ""
        super().__init__(f"{kind}: {old or 'new'} -> {new} is not allowed{by}")


def status_check(states: type[StrEnum], column: str = "status") -> CheckConstraint:
    """The CHECK constraint that keeps a column among the enum's values (named `column`)."""
    values = ", ".join(f"'{state.value}'" for state in states)
    return CheckConstraint(f"{column} IN ({values})", name=column)
