"""Forms of a pilot's own account page and of the admins' security settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class TwoFactorCodeForm(FlaskForm):
    """A current code of the authenticator app (to enable or disable two-factor login)."""

    code = StringField(
        _l("Code shown by the app"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class SecuritySettingsForm(FlaskForm):
    """Site-wide security settings (admins)."""

    two_factor_required = BooleanField(_l("Require two-factor login for every pilot"))
