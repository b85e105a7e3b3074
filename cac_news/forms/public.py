"""Public forms: subscribe, preferences, "send me my link", erase."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from cac_news.forms.admin import LANGUAGE_LABELS, MultiCheckboxField


class ProfileFields(FlaskForm):
    """Names, organisation, territory, modes and language."""

    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    territory_code = SelectField(_l("Territory"), validate_choice=True)
    mode_ids = MultiCheckboxField(_l("How would you like to take part?"), coerce=int)
    language = SelectField(_l("Language"), choices=list(LANGUAGE_LABELS.items()))


class SubscribeForm(ProfileFields):
    """The public subscription form, with explicit consent and a honeypot."""

    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    consent = BooleanField()  # label is the versioned consent text, set by the view
    # Hidden from people by CSS; naive bots fill every field they find.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])


class PreferencesForm(ProfileFields):
    """What a subscriber may change from their preferences link."""


class MyLinkForm(FlaskForm):
    """Ask for the preferences link by email."""

    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])


class EraseForm(FlaskForm):
    """Erase my data, with a checkbox against slips."""

    confirm = BooleanField(
        _l("I understand that my data will be deleted for good."), validators=[DataRequired()]
    )
