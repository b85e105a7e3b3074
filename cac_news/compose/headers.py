"""Form-side header safety: the mail layer's rule, reported as an error naming the field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cac_news.audience.emails import normalise_email
from cac_news.errors import ValidationError
from cac_news.mail.headers import has_control_characters

MAX_SUBJECT_LENGTH = 78  # RFC 5322's recommended line length: longer subjects get cut


def check_header_value(field: str, value: str) -> str:
    """Return the value, or raise a ValidationError naming the field (header injection)."""
    if has_control_characters(value):
        raise ValidationError.single(
            field,
            str(_l("Line breaks and control characters are not allowed in this field.")),
        )
    return value


def check_address(field: str, value: str) -> str:
    """An email address for a header (Reply-To): no control character, valid syntax."""
    check_header_value(field, value)
    return normalise_email(value, field)


def subject_warnings(subject: str) -> list[str]:
    """Non-blocking remarks on a subject: too long to show whole in most mail clients."""
    if len(subject) > MAX_SUBJECT_LENGTH:
        return [
            str(
                _l(
                    "The subject has %(n)d characters; mail clients often cut it after %(max)d.",
                    n=len(subject),
                    max=MAX_SUBJECT_LENGTH,
                )
            )
        ]
    return []
