"""Admin forms of the agenda: an event and a kind of event."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class EventForm(FlaskForm):
    """An event; the checks that matter are the domain's (cac_news.agenda.events)."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    kind_id = SelectField(_l("Kind"), coerce=int, validate_choice=False)
    start = StringField(_l("Start"), validators=[Optional(), Length(max=20)])
    end = StringField(_l("End (optional)"), validators=[Optional(), Length(max=20)])
    all_day = BooleanField(_l("All day (dates only)"))
    place = StringField(_l("Place (address)"), validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    territory_code = SelectField(_l("Territory"), validate_choice=False)
    description_md = TextAreaField(_l("Description (Markdown)"), validators=[Optional()])
    internal = BooleanField(_l("Internal (admin and letters to a segment only)"))


class EventKindForm(FlaskForm):
    """Name of a kind of event."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
