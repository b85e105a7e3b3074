"""Admin forms: subscribers, pilots, participation modes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from cac_news.content.labels import SUBSCRIBER_STATUS_LABELS

LANGUAGE_LABELS = {"fr": _l("French"), "en": _l("English")}
# A subscriber's history, as a pilot reads it (the stored values stay English codes).
EVENT_KIND_LABELS = {
    "profile": _l("Profile changed"),
    "consent": _l("Consent recorded"),
    "reconfirm": _l("Re-confirmation invitation"),
}
EVENT_SOURCE_LABELS = {
    "form": _l("Subscription form"),
    "import": _l("Import"),
    "pilot": _l("Pilot"),
    "confirmation": _l("Confirmation"),
    "preferences": _l("Preferences page"),
    "unsubscribe": _l("Unsubscribe link"),
    "bounce": _l("Bounce"),
    "complaint": _l("Complaint"),
    "system": _l("System"),
    "api": _l("API"),
}
ROLE_LABELS = {"admin": _l("Admin"), "editor": _l("Editor")}


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes instead of a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SubscriberForm(FlaskForm):
    """Create or edit a subscriber."""

    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    territory_code = SelectField(_l("Territory"), validate_choice=True)
    language = SelectField(_l("Language"), choices=list(LANGUAGE_LABELS.items()))
    mode_ids = MultiCheckboxField(_l("Modes of participation"), coerce=int)
    status = SelectField(_l("Status"), choices=list(SUBSCRIBER_STATUS_LABELS.items()))


class PilotForm(FlaskForm):
    """Create or edit a pilot; the password is only required on creation."""

    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()))
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])


class ModeForm(FlaskForm):
    """Name and description of a participation mode."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)])
    public_choice = BooleanField(
        _l("The public may choose it (subscription and preferences forms)"), default=True
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button with its CSRF token (deletes, logout)."""
