"""The webhook endpoint form of /admin/webhooks/."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from cac_news.forms.admin import MultiCheckboxField

EVENT_LABELS = {
    "subscriber.confirmed": _l("a person confirmed their subscription"),
    "subscriber.unsubscribed": _l("a person unsubscribed"),
    "subscriber.bounced": _l("an address bounced"),
    "subscriber.complained": _l("a person reported a letter as spam"),
    "subscriber.erased": _l("a person was erased (address hash only)"),
    "newsletter.sent": _l("a newsletter finished sending"),
    "action_report.published": _l("an action report was published"),
}


class WebhookForm(FlaskForm):
    """A URL and the events it hears about; both are checked by integrations.endpoints."""

    url = StringField(
        _l("URL"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("https:// (or http://); private and local addresses are refused."),
    )
    events = MultiCheckboxField(
        _l("Events"),
        choices=[(name, f"{name} — {label}") for name, label in EVENT_LABELS.items()],
    )
