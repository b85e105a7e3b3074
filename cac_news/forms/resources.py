"""Admin forms of the library: a resource (with its file) and a kind of resource."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from cac_news.content.labels import OBJECTIVE_LABELS
from cac_news.forms.choices import options


class ResourceForm(FlaskForm):
    """A resource; the checks that matter are the domain's (cac_news.resources.library)."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    kind_id = SelectField(_l("Kind"), coerce=int, validate_choice=False)
    date = DateField(_l("Date"), validators=[Optional()])
    authors = StringField(_l("Authors"), validators=[Optional(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[Optional()])
    tags = StringField(_l("Tags (separated by commas)"), validators=[Optional(), Length(max=500)])
    objective = SelectField(
        _l("Roadmap objective"),
        choices=options([("", _l("None")), *OBJECTIVE_LABELS.items()]),
    )
    slug = StringField(_l("Address (slug)"), validators=[Optional(), Length(max=120)])
    file = FileField(_l("Attached file"))
    remove_file = BooleanField(_l("Remove the attached file"))


class ResourceKindForm(FlaskForm):
    """Name of a kind of resource."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
