"""Admin form of the subscriber import upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from cac_news.forms.admin import MultiCheckboxField


class ImportForm(FlaskForm):
    """Upload a CSV file of subscribers, with the options of the command line."""

    file = FileField(_l("CSV file"), validators=[FileRequired()])
    source_format = SelectField(_l("Exported by"), validate_choice=True, default="")
    mode_ids = MultiCheckboxField(_l("Give every row these modes"), coerce=int)
    territory = SelectField(_l("Territory of rows that have none"), validate_choice=True)
    status = SelectField(
        _l("Status"),
        choices=[
            ("active", _l("Active: I assert that these people consented")),
            ("pending", _l("Pending: send them a confirmation email")),
        ],
    )
