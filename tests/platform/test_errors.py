"""The one error collector: messages by field, raised together, in the user's language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from cac_news.errors import ErrorCollector, ValidationError


def test_messages_gather_by_field_and_raise_together(app):
    errors = ErrorCollector()
    errors.raise_if_any()  # nothing gathered: nothing raised
    errors.add("title", "one")
    errors.extend({"title": ["two"], "date": ["three"]})
    with pytest.raises(ValidationError) as caught:
        errors.raise_if_any()
    assert caught.value.errors == {"title": ["one", "two"], "date": ["three"]}


def test_check_title_strips_requires_and_limits(app):
    with app.test_request_context(), force_locale("fr"):
        errors = ErrorCollector()
        assert errors.check_title("  Réunion  ") == "Réunion"
        assert errors == {}
        errors.check_title("   ")
        errors.check_title("x" * 201, field="name")
        assert errors["title"] == ["Un titre est requis."]
        assert errors["name"] == ["200 caractères au maximum."]
