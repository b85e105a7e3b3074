"""Admin views of a send: confirmation (with the recipient count), pause, resume, cancel,
and the live progress partial polled by htmx."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cac_news.accounts import audit
from cac_news.audience.segments import count_active_subscribers, count_segment
from cac_news.content.labels import NEWSLETTER_STATUS_LABELS
from cac_news.errors import ValidationError
from cac_news.extensions import db
from cac_news.forms.admin import ConfirmForm
from cac_news.forms.sending import SendForm
from cac_news.mailing import sending
from cac_news.mailing.progress import send_progress
from cac_news.models import Newsletter
from cac_news.web.admin import bp
from cac_news.web.admin.helpers import apply_errors


def _back(newsletter: Newsletter):
    return redirect(url_for("admin.newsletter_preview", newsletter_id=newsletter.id))


@bp.route("/newsletters/<int:newsletter_id>/send", methods=["GET", "POST"])
def newsletter_send(newsletter_id: int):
    """Confirm a send: how many recipients; optionally a date and time to schedule it."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    if newsletter.status != "draft":
        flash(_("Only a draft can be sent."), "error")
        return _back(newsletter)
    form = SendForm()
    if form.validate_on_submit():
        try:
            at = sending.parse_local_datetime(form.at.data) if form.at.data else None
            count = sending.start_send(newsletter, at=at, actor=current_user)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            action = "scheduled" if newsletter.status == "scheduled" else "sent"
            audit.record(f"newsletter.{action}", newsletter, details={"recipients": count})
            if newsletter.status == "scheduled":
                flash(_("Send scheduled for %(count)d recipients.", count=count), "success")
            else:
                flash(_("Sending to %(count)d recipients.", count=count), "success")
            return _back(newsletter)
    segment = newsletter.segment
    count = count_segment(segment) if segment is not None else count_active_subscribers()
    return render_template(
        "admin/newsletters/send.html", newsletter=newsletter, form=form, count=count
    )


@bp.post("/newsletters/<int:newsletter_id>/<any(pause, resume, cancel):action>")
def newsletter_send_action(newsletter_id: int, action: str):
    """Pause, resume or cancel a send."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    if ConfirmForm().validate_on_submit():
        try:
            getattr(sending, action)(newsletter)
        except ValidationError as exc:
            flash(" ".join(m for msgs in exc.errors.values() for m in msgs), "error")
        else:
            past = {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}[action]
            audit.record(f"newsletter.{past}", newsletter)
            flash(str(NEWSLETTER_STATUS_LABELS[newsletter.status]), "success")
    return _back(newsletter)


@bp.get("/newsletters/<int:newsletter_id>/progress")
def newsletter_progress(newsletter_id: int):
    """The progress block: the page includes it, htmx replaces it every 2 s while sending."""
    newsletter = db.get_or_404(Newsletter, newsletter_id)
    return render_template(
        "admin/newsletters/_progress.html",
        newsletter=newsletter,
        progress=send_progress(newsletter),
        status_labels=NEWSLETTER_STATUS_LABELS,
        action_form=ConfirmForm(formdata=None),
        partial=request.headers.get("HX-Request") == "true",
    )
