"""Errors that carry what was wrong with user input, field by field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


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


class ErrorCollector(dict[str, list[str]]):
    """The one way to gather what is wrong with a whole form or row before saying it:
    messages by field, in the order found; `raise_if_any()` raises them together."""

    def add(self, field: str, message: str) -> None:
        """One more message on a field (already translated)."""
        self.setdefault(field, []).append(str(message))

    def extend(self, errors: dict[str, list[str]]) -> None:
        """The messages of another collector or ValidationError's `errors`."""
        for field, messages in errors.items():
            for message in messages:
                self.add(field, message)

    def check_title(self, value: str, max_length: int = 200, field: str = "title") -> str:
        """A title that must be given and fit: stripped, or a message on the field."""
        value = (value or "").strip()
        if not value:
            self.add(field, _l("A title is required."))
        else:
            self.check_length(field, value, max_length)
        return value

    def check_length(self, field: str, value: str, max_length: int) -> None:
        """A message on the field when the text is longer than `max_length` characters."""
        if len(value or "") > max_length:
            self.add(field, _l("At most %(n)d characters.", n=max_length))

    def raise_if_any(self) -> None:
        """Raise a ValidationError with every message gathered, if there is one."""
        if self:
            raise ValidationError(dict(self))
