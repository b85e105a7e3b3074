"""Admin forms of the discussion lists: settings, adding members, refusing a post."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cac_news.forms.admin import MultiCheckboxField


class ListForm(FlaskForm):
    """A list's settings."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address (before the @)"), validators=[DataRequired(), Length(max=64)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    posting_policy = SelectField(
        _l("Who may post"),
        choices=[
            ("members", _l("Members (others are held)")),
            ("moderated", _l("Every post is held for a pilot")),
            ("announce", _l("Pilots only (announcements)")),
        ],
    )
    reply_policy = SelectField(
        _l("Replies go to"),
        choices=[("list", _l("The list")), ("author", _l("The author"))],
    )
    subject_prefix = StringField(_l("Subject prefix"), validators=[Optional(), Length(max=40)])
    footer = TextAreaField(_l("Footer"), validators=[Optional(), Length(max=2000)])
    max_bytes = IntegerField(
        _l("Maximum size (bytes)"),
        default=2_000_000,
        validators=[DataRequired(), NumberRange(min=1_000, max=50_000_000)],
    )
    archive = SelectField(
        _l("Archive"),
        choices=[
            ("members", _l("Members only")),
            ("public", _l("Public")),
            ("off", _l("No archive")),
        ],
    )
    segment = SelectField(_l("For the segment (invitations)"), default="")
    mode_slugs = MultiCheckboxField(_l("For the modes (invitations)"))


class MembersForm(FlaskForm):
    """Choose active subscribers, then add them on asserted consent or invite them."""

    emails = TextAreaField(_l("Addresses, one a line"), validators=[Optional()])
    segment = SelectField(_l("Every active subscriber of the segment"), default="")
    mode_slugs = MultiCheckboxField(_l("Every active subscriber with the modes"))
    consent = StringField(
        _l("Where and when they agreed (to add them directly)"),
        validators=[Optional(), Length(max=2000)],
    )


class RejectForm(FlaskForm):
    """The reason mailed to the author of a refused post."""

    reason = TextAreaField(_l("Reason (mailed to the author)"), validators=[DataRequired()])
