"""Admin form of segments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cac_news.forms.admin import LANGUAGE_LABELS, MultiCheckboxField


class SegmentForm(FlaskForm):
    """A segment: name, and a rule built from checkboxes (no SQL, no JSON)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)])
    mode_ids = MultiCheckboxField(_l("Modes of participation (any of)"), coerce=int)
    national = BooleanField(_l("National (subscribers who chose the whole country)"))
    regions = MultiCheckboxField(_l("Régions (all their départements)"))
    departements = MultiCheckboxField(_l("Départements"))
    language = SelectField(
        _l("Language"),
        choices=[("", _l("Any language")), *LANGUAGE_LABELS.items()],
        default="",
    )
