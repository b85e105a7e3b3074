"""Admin forms of the content pilots keep: roadmap items, their updates, action reports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from cac_news.content.labels import ACTION_KIND_LABELS, OBJECTIVE_LABELS, ROADMAP_STATUS_LABELS
from cac_news.forms.choices import options


class RoadmapItemForm(FlaskForm):
    """A roadmap item."""

    objective = SelectField(_l("Objective"), choices=options(OBJECTIVE_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description_md = TextAreaField(_l("Description (Markdown)"), validators=[Optional()])
    period_label = StringField(
        _l("Period"),
        validators=[Optional(), Length(max=80)],
        description=_l("e.g. 1st half of October"),
    )
    period_start = DateField(_l("Period starts"), validators=[Optional()])
    period_end = DateField(_l("Period ends"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=options(ROADMAP_STATUS_LABELS.items()))
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=120)])
    position = IntegerField(_l("Position"), default=0, validators=[Optional()])


class RoadmapUpdateForm(FlaskForm):
    """A dated note on a roadmap item, optionally changing its status."""

    date = DateField(_l("Date"), validators=[DataRequired()])
    body_md = TextAreaField(_l("Note (Markdown)"), validators=[Optional()])
    new_status = SelectField(
        _l("New status"), choices=options([("", _l("Unchanged")), *ROADMAP_STATUS_LABELS.items()])
    )


class ActionReportForm(FlaskForm):
    """An action report."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    date = DateField(_l("Date"), validators=[DataRequired()])
    territory_code = SelectField(_l("Territory"), validate_choice=True)
    kind = SelectField(_l("Kind"), choices=options(ACTION_KIND_LABELS.items()))
    body_md = TextAreaField(_l("Report (Markdown)"), validators=[Optional()])
    link = StringField(_l("Link"), validators=[Optional(), Length(max=500)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=200)])
