"""email-validator's reasons, in the reader's language.

email-validator (2.x) raises one exception class with an English sentence and no error
code; the sentence's opening words are stable, so they name the kind of error here. An
unrecognised sentence gets the general message: never an English sentence inside a French one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# (start of email-validator's sentence, our message), most specific first.
_KINDS = (
    ("An email address must have an @-sign", _l("The address must contain an @ sign.")),
    ('The email address has the "small commercial at"', _l("Use a normal @ sign.")),
    ("There must be something before the @-sign", _l("Something is missing before the @ sign.")),
    ("There must be something after the @-sign", _l("Something is missing after the @ sign.")),
    ("An email address cannot have two periods in a row", _l("Two dots in a row are not allowed.")),
    ("An email address cannot start with a period", _l("The address cannot start with a dot.")),
    ("An email address cannot have a period immediately", _l("A dot cannot touch the @ sign.")),
    ("An email address cannot end with a period", _l("The address cannot end with a dot.")),
    (
        "The part after the @-sign is not valid. It should have a period",
        _l("The domain after the @ sign must contain a dot (e.g. exemple.org)."),
    ),
    (
        "The part after the @-sign is a special-use or reserved name",
        _l("The domain after the @ sign is reserved and cannot receive mail."),
    ),
    ("The email address is too long", _l("This email address is too long.")),
    ("The part after the @-sign", _l("The domain after the @ sign is not valid.")),
    (
        "The email address contains invalid characters before the @-sign",
        _l("The part before the @ sign contains characters that are not allowed."),
    ),
    ("The email address contains", _l("The address contains characters that are not allowed.")),
    ("The display name", _l("Type the address alone, without a name or < >.")),
    ("A display name and angle brackets", _l("Type the address alone, without a name or < >.")),
    ("There can't be anything after the email address", _l("Nothing may follow the address.")),
)


def email_error_message(reason: str) -> str:
    """Our translated message for one of email-validator's reasons."""
    for start, message in _KINDS:
        if reason.startswith(start):
            return str(message)
    return str(_l("its form is not recognised."))
