"""Forms of the media library and the settings screen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields import ColorField


class MediaUploadForm(FlaskForm):
    """An image and its text alternative (checked by cac_news.media, not here)."""

    file = FileField(_l("Image (JPEG, PNG, WebP or GIF)"))
    alt = StringField(_l("Text alternative (alt)"))


class SettingsForm(FlaskForm):
    """Every setting; field names are the settings' names (cac_news.settings checks them)."""

    organisation_name = StringField(_l("Organisation name"))
    organisation_address = TextAreaField(_l("Postal address (legal footer)"))
    sender_name = StringField(_l("Sender name"))
    sender_address = EmailField(_l("Sender address"))
    reply_to = EmailField(_l("Default reply-to address"))
    logo_media_id = SelectField(_l("Logo"), choices=[], validate_choice=False)
    accent_color = ColorField(_l("Accent colour"))
    footer_text = TextAreaField(_l("Footer text"))
    greeting_enabled = BooleanField(_l("Start letters with a greeting"))
    greeting = StringField(_l("Greeting"))
    subject_numbering = BooleanField(_l("Number the letters (“Lettre n°N — ” before the title)"))
    welcome_enabled = BooleanField(_l("Send a welcome mail when a subscription is confirmed"))
    welcome_subject = StringField(_l("Welcome mail subject"))
    welcome_body = TextAreaField(_l("Welcome mail text (Markdown)"))
