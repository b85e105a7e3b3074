"""Admin: duplicate a letter into a new draft, delete a draft, move or drop a schedule."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.compose import drafts
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.sending import RescheduleForm
from cac_news.mailing import schedule
from cac_news.mailing.sending import parse_local_datetime, to_local
from cac_news.models import Newsletter
from cac_news.web.admin import bp


@bp.app_template_global()
def local_input(moment) -> str:
    """A naive UTC time as a datetime-local value in the organisation's time zone."""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _errors(exc: ValidationError) -> str:
    return " ".join(m for messages in exc.errors.values() for m in messages)


def _preview(newsletter_id: int):
    return redirect(url_for("admin.newsletter_preview", newsletter_id=newsletter_id), 303)


@bp.post("/newsletters/<int:newsletter_id>/duplicate")
def newsletter_duplicate(newsletter_id: int):
    """A new draft from this letter, opened in the composer."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    if not ConfirmForm().validate_on_submit():
        return _preview(newsletter_id)
    copy = drafts.duplicate(newsletter, current_user._get_current_object())
    flash(_("Letter no. %(number)d is a copy of letter no. %(original)d.",
            number=copy.number, original=newsletter.number), "success")  # fmt: skip
    return redirect(url_for("admin.newsletter_edit", newsletter_id=copy.id), 303)


@bp.post("/newsletters/<int:newsletter_id>/delete")
def newsletter_delete(newsletter_id: int):
    """Delete a draft (the confirmation is the <details> that holds this form)."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    if not ConfirmForm().validate_on_submit():
        return _preview(newsletter_id)
    number = newsletter.number
    try:
        drafts.delete_draft(newsletter)
    except ValidationError as exc:
        flash(_errors(exc), "error")
        return _preview(newsletter_id)
    flash(_("Draft no. %(number)d deleted.", number=number), "success")
    return redirect(url_for("admin.newsletters"), 303)


@bp.post("/newsletters/<int:newsletter_id>/reschedule")
def newsletter_reschedule(newsletter_id: int):
    """Move a scheduled send to another time (ahead)."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    form = RescheduleForm()
    if form.validate_on_submit():
        try:
            schedule.reschedule(newsletter, parse_local_datetime(form.at.data))
        except ValidationError as exc:
            flash(_errors(exc), "error")
        else:
            flash(_("Send moved."), "success")
    else:
        flash(_("Give the date and time of the send."), "error")
    return _preview(newsletter_id)


@bp.post("/newsletters/<int:newsletter_id>/unschedule")
def newsletter_unschedule(newsletter_id: int):
    """Drop a schedule: the letter is a draft again, nothing was sent."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    if ConfirmForm().validate_on_submit():
        try:
            schedule.unschedule(newsletter)
        except ValidationError as exc:
            flash(_errors(exc), "error")
        else:
            flash(_("The send is no longer scheduled: the letter is a draft again."), "success")
    return _preview(newsletter_id)
