"""The SMTP relay form of /admin/relays."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class RelayForm(FlaskForm):
    """One SMTP relay; the numbers are checked by mailing.relays (one set of rules)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    host = StringField(_l("Server"), validators=[DataRequired(), Length(max=255)])
    port = StringField(_l("Port"), validators=[Optional(), Length(max=5)])
    tls = SelectField(
        "TLS",
        choices=[("none", _l("none")), ("starttls", "STARTTLS"), ("ssl", "SSL/TLS")],
        default="none",
    )
    username = StringField(_l("Login"), validators=[Optional(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=255)],
        description=_l("Leave empty to keep the password already stored."),
    )
    connections = StringField(_l("Connections"), default="2")
    rate = StringField(_l("Messages per second (0: unlimited)"), default="0")
    hourly = StringField(_l("At most per hour (0: no quota)"), default="0")
    daily = StringField(_l("At most per day (0: no quota)"), default="0")
    weight = StringField(_l("Weight"), default="1")

    def fields_dict(self) -> dict:
        """The submitted values by relay field name."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
