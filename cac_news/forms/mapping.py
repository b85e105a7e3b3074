"""From a submitted form to the domain's dataclass: the one mapping, by field name.

Views hand the domain plain data; the rule for an empty field follows the dataclass's
annotation: "" for a text, 0 for a number, None for an optional value (a "Choose…" 0
included), False for an unticked box, [] for an empty list; digits typed in a hidden field
become a number.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def _cleaned(value: Any, annotation: str) -> Any:
    if annotation in ("int", "int | None") and isinstance(value, str):
        value = int(value) if value.strip().isdigit() else None  # a hidden field's text
    if annotation == "int":
        return value or 0
    if annotation == "bool":
        return bool(value)
    if annotation.endswith("| None"):
        return value or None
    if annotation == "str":
        return value or ""
    if annotation.startswith("list"):
        return list(value or [])
    return value


def form_data(form, cls: type[T], **given: Any) -> T:
    """An instance of the dataclass `cls` from the form's fields of the same names;
    `given` supplies values the form does not hold."""
    values = dict(given)
    for spec in fields(cls):
        if spec.name not in values and spec.name in form:
            values[spec.name] = _cleaned(form[spec.name].data, str(spec.type))
    return cls(**values)
