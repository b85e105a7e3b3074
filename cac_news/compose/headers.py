"""Header safety: values that go into mail headers carry no line break or control character."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from cac_news.audience.emails import normalise_email
from cac_news.errors import ValidationError

# C0 and C1 controls (CR and LF among them), DEL, and the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_SUBJECT_LENGTH = 78  # RFC 5322's recommended line length: longer subjects get cut


def has_control_characters(value: str) -> bool:
    """Tell whether a value holds a line break or another control character."""
    return bool(_CONTROL.search(value or ""))


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
