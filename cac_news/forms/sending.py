"""The send confirmation form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Optional


class SendForm(FlaskForm):
    """Send now, or at a date and time (the organisation's time zone) when one is given."""

    at = StringField(
        _l("Schedule for (optional)"),
        validators=[Optional()],
        description=_l("Date and time in the organisation's time zone; leave empty to send now."),
        render_kw={"type": "datetime-local"},
    )


class RescheduleForm(FlaskForm):
    """Another date and time for a scheduled send."""

    at = StringField(
        _l("New date and time"),
        validators=[DataRequired()],
        render_kw={"type": "datetime-local"},
    )
