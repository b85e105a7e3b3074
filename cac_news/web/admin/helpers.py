"""Small helpers shared by admin views."""

from __future__ import annotations

from flask_wtf import FlaskForm

from cac_news.errors import ValidationError


def apply_errors(form: FlaskForm, error: ValidationError) -> None:
    """Show a ValidationError's messages under the matching form fields."""
    for field_name, messages in error.errors.items():
        field = getattr(form, field_name, None)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = list(field.errors or []) + messages


MAX_ID = 2**31 - 1  # every id column fits; larger numbers name nothing


def id_param(raw: str | None) -> int | None:
    """An id from the query string, or None for anything that cannot be one."""
    value = (raw or "").strip()
    if not value.isdigit() or len(value) > 10 or int(value) > MAX_ID:
        return None
    return int(value)


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means page 1."""
    try:
        return max(1, min(int(raw or 1), 1_000_000))
    except ValueError:
        return 1
