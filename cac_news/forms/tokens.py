"""The admin's form for a new API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from cac_news.forms.admin import MultiCheckboxField

SCOPE_LABELS = {
    "read": _l("read: list and read subscribers, segments, newsletters, reports"),
    "write": _l("write: add and change subscribers, create draft reports and updates"),
    "import": _l("import: with write, add active subscribers whose consent the tool states"),
}


class TokenForm(FlaskForm):
    """Name, scopes and optional last day of a new token."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    scopes = MultiCheckboxField(_l("Scopes"), choices=list(SCOPE_LABELS.items()))
    expires = DateField(_l("Last day of validity (optional)"), validators=[Optional()])
