"""Personalisation fields in what pilots write: ``{{ prénom }}`` (or ``{{ first_name }}``)
is the recipient's first name, ``{{ prénom | "ami·e" }}`` the same with a value for
recipients whose first name is unknown.

This module only reads the syntax; the renderer (cac_news.compose.render) decides what a
field becomes: a per-recipient token in the email, its fallback in the public web copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Any {{ ... }}: a known field, or one the save refuses by its name.
FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
# The same with the space before it, which an empty value takes along ("Bonjour,").
SPACED_FIELD = re.compile(r"( ?)\{\{\s*([^{}]*?)\s*\}\}")
FIRST_NAME_FIELDS = {"prénom", "prenom", "first_name"}
INSIDE = re.compile(r'^(?P<name>[^|"]*?)\s*(?:\|\s*"(?P<fallback>[^"]*)")?$')
MAX_FALLBACK = 60


@dataclass(frozen=True)
class Field:
    """One field as written: its name and its fallback value (None: no fallback)."""

    name: str
    fallback: str | None

    @property
    def known(self) -> bool:
        return self.name.lower() in FIRST_NAME_FIELDS


def parse(inside: str) -> Field | None:
    """The field written between the braces, or None when it is not a field at all."""
    found = INSIDE.match(inside.strip())
    if found is None or (found["fallback"] and len(found["fallback"]) > MAX_FALLBACK):
        return None
    return Field(found["name"].strip(), found["fallback"])


def unknown_fields(text: str | None) -> list[str]:
    """The fields of a text that the app cannot fill, as written between the braces."""
    unknown = []
    for inside in FIELD.findall(text or ""):
        field = parse(inside)
        if field is None or not field.known:
            unknown.append(inside.strip())
    return unknown


def substitute(text: str | None, value: Callable[[Field], str]) -> str:
    """Replace every known field by value(field); an empty value takes its leading space
    along. Unknown fields (refused at save) become nothing."""

    def replace(found: re.Match) -> str:
        field = parse(found.group(2))
        filled = value(field) if field is not None and field.known else ""
        return found.group(1) + filled if filled else ""

    return SPACED_FIELD.sub(replace, text or "")


def fill(text: str | None, first_name: str) -> str:
    """The text with a real recipient's values (subjects of transactional mails)."""
    return substitute(text, lambda field: first_name or field.fallback or "")
