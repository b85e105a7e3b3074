"""email-validator's English reasons become whole French (or English) messages."""

import pytest
from email_validator import EmailNotValidError, validate_email

from cac_news.audience.emails import normalise_email
from cac_news.errors import ValidationError

CASES = [
    ("lea.exemple.org", "L’adresse doit contenir un signe @."),
    ("@exemple.org", "Il manque quelque chose avant le signe @."),
    ("lea@", "Il manque quelque chose après le signe @."),
    ("lea..petit@exemple.org", "Deux points de suite ne sont pas permis."),
    ("lea@exemple", "Le domaine après le signe @ doit contenir un point"),
    ("lea@exemple.local", "est réservé"),
    (".lea@exemple.org", "ne peut pas commencer par un point"),
    ("lea petit@exemple.org", "La partie avant le signe @ contient des caractères non permis."),
    ("Léa <lea@exemple.org>", "sans nom ni < >"),
    ("lea@exemple..org", "Deux points de suite"),
]


def test_an_unknown_reason_gets_a_whole_french_message(app):
    from cac_news.audience.email_errors import email_error_message

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert email_error_message("Some future English sentence.") == (
            "sa forme n’est pas reconnue."
        )


def french_error(app, address: str) -> str:
    with (
        app.test_request_context(headers={"Accept-Language": "fr"}),
        pytest.raises(ValidationError) as caught,
    ):
        normalise_email(address)
    return caught.value.errors["email"][0]


@pytest.mark.parametrize(("address", "expected"), CASES)
def test_each_kind_has_a_french_message(app, address, expected):
    with pytest.raises(EmailNotValidError) as library:
        validate_email(address, check_deliverability=False)
    message = french_error(app, address)
    assert message.startswith("Cette adresse")
    assert expected in message
    assert str(library.value) not in message  # no English sentence inside the French one
    assert "@-sign" not in message


def test_english_stays_english(app):
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(ValidationError) as caught,
    ):
        normalise_email("lea.exemple.org")
    assert caught.value.errors["email"] == [
        "This email address is not valid: The address must contain an @ sign."
    ]
