"""Email address normalisation shared by forms, imports and the command line."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from cac_news.audience.email_errors import email_error_message
from cac_news.errors import ValidationError

MAX_EMAIL_LENGTH = 254


def normalise_email(raw: str, field: str = "email") -> str:
    """Check the address's syntax and return it in the one form the database stores.

    The whole address is lower-cased: in practice no mailbox differs from another by
    case alone, and people type their address with capitals at random.
    """
    value = (raw or "").strip()
    if not value:
        raise ValidationError.single(field, str(_l("An email address is required.")))
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError.single(field, str(_l("This email address is too long.")))
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError.single(
            field,
            str(
                _l(
                    "This email address is not valid: %(reason)s",
                    reason=email_error_message(str(exc)),
                )
            ),
        ) from exc
    return checked.normalized.lower()
