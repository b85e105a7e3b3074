"""Admin forms of the newsletter composer: the draft, its sections, test sends."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class SectionForm(Form):
    """One section in the composer (no CSRF of its own: the outer form carries it)."""

    kind = HiddenField(default="text")
    source_id = HiddenField()
    include = BooleanField(_l("Include"), default=True)
    position = IntegerField(
        _l("Position"), default=0, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    group_label = StringField(_l("Group heading"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[Optional()])


class NewsletterForm(FlaskForm):
    """The composer: headers, introduction, ordered sections, closing word."""

    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    preheader = StringField(
        _l("Summary line"),
        validators=[Optional(), Length(max=200)],
        description=_l("Shown under the title, in the letter itself."),
    )
    reply_to = StringField(_l("Reply-to address"), validators=[Optional(), Length(max=254)])
    segment_id = SelectField(
        _l("Audience"),
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        validate_choice=True,
    )
    intro_md = TextAreaField(_l("Introduction (Markdown)"), validators=[Optional()])
    sections = FieldList(FormField(SectionForm), min_entries=0, max_entries=200)
    closing_md = TextAreaField(_l("Closing word (Markdown)"), validators=[Optional()])
    # The draft's version when the page was loaded: a save from a stale copy is refused.
    version = HiddenField()


class AddSectionForm(FlaskForm):
    """A section added to a draft from the composer (free text, divider or a proposal)."""

    kind = HiddenField(default="text")
    source_id = HiddenField()
    group_label = HiddenField()
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Optional()])


class SinceForm(Form):
    """The cut-off a pilot may pick for the proposed sections."""

    since = DateField(_l("Propose what changed since"), validators=[Optional()])


class TestSendForm(FlaskForm):
    """Pilot addresses to send a test to."""

    recipients = TextAreaField(
        _l("Send a test to"),
        validators=[DataRequired()],
        description=_l("Pilots' addresses, one per line."),
    )
