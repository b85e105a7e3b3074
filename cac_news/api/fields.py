"""Reading fields out of a JSON body, with one message per bad field."""

from __future__ import annotations

from datetime import date
from typing import Any

from cac_news.errors import ValidationError

# Domain validators name the admin's form fields; the API names them as its JSON does.
API_FIELD_NAMES = {"territory_code": "territory", "mode_ids": "modes"}


def api_error(error: ValidationError) -> ValidationError:
    """The same errors under the API's field names."""
    return ValidationError(
        {API_FIELD_NAMES.get(name, name): messages for name, messages in error.errors.items()}
    )


class Body:
    """A JSON object being read; errors pile up in `errors` until `check()`."""

    def __init__(self, data: dict[str, Any], allowed: set[str]):
        self.data = data
        self.errors: dict[str, list[str]] = {}
        for name in sorted(set(data) - allowed):
            self.errors[name] = ["Unknown field."]

    def fail(self, name: str, message: str) -> None:
        """Record one problem with a field."""
        self.errors.setdefault(name, []).append(message)

    def has(self, name: str) -> bool:
        """Whether the body sets this field."""
        return name in self.data

    def string(self, name: str, default: str = "", required: bool = False) -> str:
        """A string field (null means empty)."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, "This field is required.")
            return default
        if not isinstance(value, str):
            self.fail(name, "A string is expected.")
            return default
        if required and not value.strip():
            self.fail(name, "This field is required.")
        return value

    def optional_string(self, name: str) -> str | None:
        """A string field that may be null or absent."""
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, "A string or null is expected.")
            return None
        return value

    def string_list(self, name: str) -> list[str]:
        """A list of strings."""
        value = self.data.get(name, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, "A list of strings is expected.")
            return []
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        """A YYYY-MM-DD date."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, "This field is required.")
            return None
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.fail(name, "A date as YYYY-MM-DD is expected.")
        return None

    def integer(self, name: str, required: bool = False) -> int | None:
        """A whole number."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.fail(name, "This field is required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "A whole number is expected.")
            return None
        return value

    def check(self) -> None:
        """Raise ValidationError naming every bad field read so far."""
        if self.errors:
            raise ValidationError(self.errors)
