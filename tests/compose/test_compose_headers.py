"""Header values refuse line breaks and control characters; long subjects only warn."""

import pytest

from cac_news.compose.headers import check_header_value, subject_warnings
from cac_news.compose.newsletters import NewsletterData, check_newsletter, create_newsletter
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.models import Newsletter

BAD_VALUES = [
    "Lettre\r\nBcc: victim@example.org",
    "Lettre\nBcc: victim@example.org",
    "Lettre\rX",
    "Lettre\x00",
    "Lettre\x1b[31m",
    "Lettre\x85suite",
    "Lettre\u2028suite",
    "Lettre\tavec tabulation",
]


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("field", ["subject", "preheader", "reply_to"])
def test_control_characters_are_refused_naming_the_field(app, field, value):
    fields = {"subject": "Lettre", "reply_to": ""}
    fields[field] = value if field != "reply_to" else f"pilote@exemple.org{value[6:]}"
    with pytest.raises(ValidationError) as caught:
        create_newsletter(NewsletterData(**fields))
    assert field in caught.value.errors
    assert db.session.query(Newsletter).count() == 0


def test_check_header_value_names_the_field():
    with pytest.raises(ValidationError) as caught:
        check_header_value("to", "a@b.org\nBcc: c@d.org")
    assert list(caught.value.errors) == ["to"]
    assert check_header_value("to", "a@b.org") == "a@b.org"


def test_invalid_reply_to_is_refused(app):
    with pytest.raises(ValidationError) as caught:
        check_newsletter(NewsletterData(subject="Lettre", reply_to="pas une adresse"))
    assert "reply_to" in caught.value.errors


def test_long_subject_is_a_warning_not_an_error(app):
    subject = "Une lettre dont le sujet est vraiment beaucoup trop long pour tenir sur une ligne"
    assert len(subject) > 78
    newsletter, warnings = create_newsletter(NewsletterData(subject=subject))
    assert newsletter.id is not None
    assert len(warnings) == 1 and str(len(subject)) in warnings[0]
    assert subject_warnings("Court") == []


def test_empty_subject_is_refused(app):
    with pytest.raises(ValidationError) as caught:
        check_newsletter(NewsletterData(subject="   "))
    assert "subject" in caught.value.errors
