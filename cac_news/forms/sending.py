"""The send confirmation form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional


class SendForm(FlaskForm):
    """Send now, or at a date and time (local time) when one is given."""

    at = StringField(
        _l("Schedule for (optional)"),
        validators=[Optional()],
        description=_l("YYYY-MM-DD HH:MM, local time; leave empty to send now."),
    )
