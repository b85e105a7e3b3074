"""Errors that carry what was wrong with user input, field by field."""

from __future__ import annotations


class ValidationError(ValueError):
    """Bad input: `errors` maps each field name to its messages (already translated)."""

    def __init__(self, errors: dict[str, list[str] | str]):
        self.errors = {
            field: [messages] if isinstance(messages, str) else list(messages)
            for field, messages in errors.items()
        }
        super().__init__(
            "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())
        )

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        """Shortcut for one message on one field."""
        return cls({field: [message]})
