"""From a submitted form to the domain's dataclass: the one mapping, by field name.

Views hand the domain plain data; the rule for an empty field follows the dataclass's
annotation: "" for a text, None for an optional value (a "Choose…" 0 included), False for
an unticked box, [] for an empty list.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def _cleaned(value: Any, annotation: str) -> Any:
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
